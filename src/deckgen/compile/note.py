"""A compiled note, what identifies it, and the deck-level inputs it is compiled with."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from deckgen.model import BUILTIN_KINDS, Card, NoteType, topic_tag
from deckgen.notetypes.builtin import NOTE_TYPES
from deckgen.source.manifest import Manifest


@dataclass(frozen=True)
class NoteSpec:
    card_id: str
    guid: str
    notetype: str  # the note type's slug (QA, CLOZE or one of the deck's own)
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    media: tuple[str, ...]
    sort_field: str
    ords: tuple[int, ...]  # the cards Anki generates: template ords (Q/A), cloze numbers - 1 (cloze)
    hash: str


def note_guid(deck_key: str, card_id: str) -> str:
    """The note's permanent identity: the deck key and the card id, nothing else. NEVER change this function:
    every shipped note would turn into a new one."""
    digest = hashlib.sha256(f"deckgen\x1f{deck_key}\x1f{card_id}".encode()).digest()
    return base64.b64encode(digest[:12]).decode("ascii")


def content_hash(*parts: object) -> str:
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


@dataclass(frozen=True)
class CompileContext:
    """The deck-level inputs of a note: everything besides the card itself that ends up in it."""

    key: str
    tag: str
    citation_line: str
    topic_tags: bool = True
    notetypes: tuple[NoteType, ...] = ()  # the deck's own note types (the built-in ones are constants)
    references: tuple[tuple[str, str], ...] | None = (
        None  # (key, text) that editor's notes cite; None: deck.yaml unusable
    )

    @classmethod
    def of(cls, manifest: Manifest) -> CompileContext:
        return cls(
            manifest.key,
            manifest.tag,
            manifest.citation.line() if manifest.citation else "",
            manifest.topic_tags,
            tuple(nt for nt in manifest.notetypes if not nt.builtin),
            tuple((ref.key, ref.text) for ref in manifest.references),
        )

    @cached_property
    def digest(self) -> str:
        """Identifies everything here that can change a compiled note (CSS cannot), for the per-file cache."""
        types = [
            (nt.key, nt.id, nt.fields, nt.templates, sorted(nt.markdown), nt.is_cloze, nt.sort_field)
            for nt in self.notetypes
        ]
        return content_hash(self.key, self.tag, self.citation_line, self.topic_tags, types, self.references)

    def notetype(self, key: str) -> NoteType:
        if key in BUILTIN_KINDS:
            return NOTE_TYPES[key]
        return next(nt for nt in self.notetypes if nt.key == key)

    def tags(self, card: Card) -> tuple[str, ...]:
        return (topic_tag(self.tag, card.topic), *card.tags) if self.topic_tags else card.tags

    def guid(self, card: Card) -> str:
        return card.guid or note_guid(self.key, card.id)
