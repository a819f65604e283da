"""A compiled note and the deck-level inputs it is compiled with (its GUID and hashes: :mod:`deckgen.identity.ids`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from deckgen.identity.ids import content_hash, note_guid
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
    name: str = ""  # the deck's name in Anki ({{Deck}} shows it, with the topic's subdeck)

    @classmethod
    def of(cls, manifest: Manifest) -> CompileContext:
        return cls(
            manifest.key,
            manifest.tag,
            manifest.citation.line() if manifest.citation else "",
            manifest.topic_tags,
            tuple(nt for nt in manifest.notetypes if not nt.builtin),
            tuple((ref.key, ref.text) for ref in manifest.references),
            manifest.name,
        )

    @cached_property
    def digest(self) -> str:
        """Identifies everything here that can change a compiled note (CSS cannot), for the per-file cache."""
        types = [
            (nt.key, nt.id, nt.fields, nt.templates, sorted(nt.markdown), nt.is_cloze, nt.sort_field)
            for nt in self.notetypes
        ]
        return content_hash(self.key, self.tag, self.citation_line, self.topic_tags, types, self.references, self.name)

    def notetype(self, key: str) -> NoteType:
        if key in BUILTIN_KINDS:
            return NOTE_TYPES[key]
        return next(nt for nt in self.notetypes if nt.key == key)

    def deck_name(self, subdeck: str) -> str:
        """The Anki deck the cards of a topic with ``deck: subdeck`` go to (model.Deck.deck_name)."""
        return f"{self.name}::{subdeck}" if subdeck else self.name

    def tags(self, card: Card) -> tuple[str, ...]:
        return (topic_tag(self.tag, card.topic), *card.tags) if self.topic_tags else card.tags

    def guid(self, card: Card) -> str:
        return card.guid or note_guid(self.key, card.id)
