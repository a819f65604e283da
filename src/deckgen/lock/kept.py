"""Defects an imported deck already had come in as they are, and stay while the card stays unchanged.

``deckgen import`` builds the new cards folder with ``importing``: every error of a class in
:data:`deckgen.source.defects.KEEPABLE` (a missing media file, an empty first field, a cloze note without a
deletion, a tag no browser knows...) on a card or note type is *kept*: it is listed in the import summary, not
an error, and the lock's entry records ``"kept": HASH``, the hash of the note that keeps it (usually the entry's own
``hash``; for a note ``--strip-unsafe`` changed, ``hash`` is the original's, so that the first build ships the
cleaned note). Every later build keeps such a problem only for a card whose note still has the hash its lock entry
records as ``kept`` (likewise a note type): the card learners already have, unchanged. A new card, or an edited one
(its hash changes), gets today's errors; once fixed, the mark goes (it is only written while the card keeps a
defect).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deckgen.compile.note import NoteSpec
from deckgen.errors import WARNING, Location, Problem
from deckgen.identity.ids import notetype_hash
from deckgen.lock.model import Lock
from deckgen.model import NoteType
from deckgen.source.defects import keepable

_CARD = re.compile(r"^card '(.+)'$")
_TYPE = re.compile(r"^note type '(.+)'$")


@dataclass(frozen=True)
class Kept:
    problems: tuple[Problem, ...]  # the errors kept (each as it would be reported)
    cards: frozenset[str]
    notetypes: frozenset[str]
    hashes: tuple[tuple[str, str], ...] = ()  # (card id, hash of the note that keeps the defect)
    type_hashes: tuple[tuple[str, str], ...] = ()  # (note type key, its hash)

    def counts(self) -> Counter[str]:
        return Counter(keepable(p) for p in self.problems)

    def summary(self, where: Location) -> Problem | None:
        """One warning for the whole build (a deck may keep thousands)."""
        if not self.problems:
            return None
        counts = ", ".join(f"{label} ×{n}" for label, n in self.counts().most_common())
        first = "; ".join(p.body for p in self.problems[:3])
        return Problem(
            where,
            f"{len(self.cards)} cards and {len(self.notetypes)} note types keep defects they had when imported "
            f"({counts}); they ship as learners have them while unchanged, an edited card gets them as errors. "
            f"First: {first}",
            severity=WARNING,
            rule="import",
        )


def keep(
    problems: Sequence[Problem],
    notes: Sequence[NoteSpec],
    notetypes: Sequence[NoteType],
    old: Lock | None,
    *,
    importing: bool = False,
) -> tuple[list[Problem], Kept]:
    """(the problems left, what was kept). ``importing``: the first build of ``deckgen import`` keeps every
    keepable defect of a note that compiled."""
    by_id = {note.card_id: note for note in notes}
    types = {nt.key: nt for nt in notetypes}
    left: list[Problem] = []
    kept: list[Problem] = []
    cards: set[str] = set()
    kept_types: set[str] = set()
    hashes: dict[str, str] = {}
    type_hashes: dict[str, str] = {}
    for p in problems:
        if not keepable(p):
            left.append(p)
            continue
        card = _CARD.match(p.context)
        nt = _TYPE.match(p.context)
        if card and card.group(1) in by_id:
            note = by_id[card.group(1)]
            entry = old.cards.get(note.card_id) if old else None
            if importing or (entry is not None and entry.kept == note.hash):
                kept.append(p)
                cards.add(note.card_id)
                hashes[note.card_id] = note.hash
                continue
        elif nt and nt.group(1) in types:
            entry = old.notetypes.get(nt.group(1)) if old else None
            if importing or (entry is not None and entry.kept == notetype_hash(types[nt.group(1)])):
                kept.append(p)
                kept_types.add(nt.group(1))
                type_hashes[nt.group(1)] = notetype_hash(types[nt.group(1)])
                continue
        left.append(p)
    return left, Kept(
        tuple(kept), frozenset(cards), frozenset(kept_types), tuple(hashes.items()), tuple(type_hashes.items())
    )


def mark(lock: Lock, kept: Kept) -> Lock:
    """The lock (as :func:`deckgen.lock.plan.plan_lock` made it: no entry marked) with ``kept`` set on the entries
    that keep a defect now."""
    if not kept.hashes and not kept.type_hashes:
        return lock
    cards, notetypes = dict(lock.cards), dict(lock.notetypes)
    for key, value in kept.hashes:
        if key in cards:
            cards[key] = replace(cards[key], kept=value)
    for key, value in kept.type_hashes:
        if key in notetypes:
            notetypes[key] = replace(notetypes[key], kept=value)
    return replace(lock, cards=cards, notetypes=notetypes)
