"""Every id and hash that learners' Anki matches on, in one place: NEVER change what these return.

Anki matches a note by its GUID, a note type by its id (and forks it when the fields or template names under that
id change), and a deck by its name (the id only has to be stable). deckgen derives all of them from the deck key
and the slugs authors write, so rebuilding a deck re-creates the same ids on any machine. Change a function here
and every learner's next import duplicates notes, forks note types or loses review history;
``tests/identity/test_ids.py`` pins each value to a literal so that such a change cannot pass unnoticed.

The lock file's hashes (``content_hash``, ``note_hash``, ``notetype_hash``) decide whether a note or note type
counts as changed (and gets a newer ``mod``); a change to them rewrites every shipped lock, so they are pinned too.
"""

from __future__ import annotations

import base64
import hashlib
import json

from deckgen.model import NoteType

QA_NOTETYPE_ID = 1863452011
"""The built-in question/answer note type's Anki id (:data:`deckgen.notetypes.builtin.QA_TYPE`)."""
CLOZE_NOTETYPE_ID = 1863452012
"""The built-in cloze note type's Anki id (:data:`deckgen.notetypes.builtin.CLOZE_TYPE`)."""


def note_guid(deck_key: str, card_id: str) -> str:
    """The note's permanent identity: the deck key and the card id, nothing else."""
    digest = hashlib.sha256(f"deckgen\x1f{deck_key}\x1f{card_id}".encode()).digest()
    return base64.b64encode(digest[:12]).decode("ascii")


MAX_GUID = 100
GUID_RULE = f"printable ASCII without spaces, at most {MAX_GUID} characters"
"""What a note GUID may be, in a cards folder and in an imported deck (Anki writes 10 such characters)."""


def valid_guid(guid: str) -> bool:
    """Whether ``guid`` follows :data:`GUID_RULE` (and is not empty)."""
    return 0 < len(guid) <= MAX_GUID and guid.isascii() and guid.isprintable() and not any(c.isspace() for c in guid)


def derived_id(deck_key: str, slug: str) -> int:
    """A deck note type's permanent Anki id, from the deck key and its slug (unless deck.yaml gives one)."""
    digest = hashlib.sha256(f"deckgen-notetype\x1f{deck_key}\x1f{slug}".encode()).digest()
    return int.from_bytes(digest[:5], "big") + (1 << 32)


def deck_id(key: str, subdeck: str = "") -> int:
    """The deck's id (Anki matches decks by name; the id only has to be stable and distinct)."""
    name = f"{key}\x1f{subdeck}" if subdeck else key
    return int.from_bytes(hashlib.sha256(f"deckgen-deck\x1f{name}".encode()).digest()[:5], "big") + (1 << 31)


def schema_hash(nt: NoteType) -> str:
    """What Anki's importer compares to decide that a note type is the same one: kind, field names, template names.
    A change forks the note type in every learner's collection."""
    data = [nt.is_cloze, list(nt.fields), [name for name, _, _ in nt.templates]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:20]


def content_hash(*parts: object) -> str:
    """A short hash of JSON-able values (the lock's deck and note type entries)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()[:20]


def note_hash(notetype_id: int, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """What a learner's collection would see change: the note type, every field, every tag."""
    text = f"{notetype_id}\x1e" + "\x1f".join(fields) + "\x1e" + "\x1f".join(tags)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def notetype_hash(nt: NoteType) -> str:
    """Everything of a note type that Anki stores; a change reaches learners when the note type's ``mod`` is newer."""
    if nt.builtin:
        return content_hash(nt.id, nt.name, nt.fields, nt.templates, nt.css)
    return content_hash(nt.id, nt.name, nt.fields, nt.templates, nt.css, nt.is_cloze, nt.sort_field)
