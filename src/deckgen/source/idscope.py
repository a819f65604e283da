"""Which ids a deck's built-in note types have: its own (``deck``) or the ones every deck shared before (``shared``).

Anki matches note types by id, so a deck whose learners already have notes of the shared *deckgen Q/A* and
*deckgen Cloze* must keep them: moving its notes to other note types would make every re-import skip them as
conflicting. The lock file says whether learners have them: it records the id of every note type a deck shipped
(a version-1 lock, written before deckgen recorded ids, comes from a deck that shipped the shared ones). So:

- ``note_type_ids: shared`` or ``note_type_ids: deck`` in deck.yaml decides, when written;
- otherwise a lock that records a shared id (or a version-1 lock) means ``shared``;
- otherwise (``deckgen init``, a deck never built, a lock with deck-scoped ids) ``deck``.

The lock is only glanced at here (a pattern over its text, no JSON parse: a 50,000-card lock is 4 MB); reading and
validating it is :mod:`deckgen.lock.read`'s job, and a written setting that disagrees with the lock is caught by the
lock's identity guard (a note type's id must not change).
"""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.fsutil import UnsafeFile, read_regular
from deckgen.notetypes.builtin import DECK, SHARED, SHARED_IDS

MAX_GLANCE_BYTES = 64 * 1024 * 1024  # as lock.read.MAX_LOCK_BYTES: a larger lock is refused there
_SHARED_ID = re.compile(rb'"id"\s*:\s*(?:' + b"|".join(str(i).encode() for i in sorted(SHARED_IDS)) + rb")(?!\d)")
_VERSION_1 = re.compile(rb'\A\s*\{\s*"version"\s*:\s*1(?!\d)')


def lock_scope(lock: bytes | None) -> str:
    """The scope a lock's text implies (only note type entries carry an ``"id"``); ``deck`` when there is none."""
    if lock is None:
        return DECK
    return SHARED if _SHARED_ID.search(lock) or _VERSION_1.match(lock) else DECK


def lock_bytes(path: Path) -> bytes | None:
    """The lock file's bytes, or None when there is none or it cannot be read (its reader reports why)."""
    try:
        return read_regular(path, MAX_GLANCE_BYTES)
    except (OSError, UnsafeFile):
        return None
