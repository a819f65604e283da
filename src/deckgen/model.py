"""Frozen data: what a deck is once its files have been read and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from deckgen.errors import Location

QA = "qa"
CLOZE = "cloze"
BUILTIN_KINDS = (QA, CLOZE)  # the built-in note types' slugs; a deck's own note types use other slugs


@dataclass(frozen=True)
class NoteType:
    """A note type as Anki stores it. Anki matches note types by ``id``; ``fields`` and the template *names* are its
    schema, which must never change under the same id (learners' Anki would fork the note type)."""

    key: str  # the slug: QA, CLOZE or a deck's own
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, front, back)
    is_cloze: bool
    css: str = ""
    markdown: frozenset[str] = frozenset()  # fields rendered as Markdown; the others are HTML
    sort_field: int = 0  # index into ``fields``

    @property
    def builtin(self) -> bool:
        return self.key in BUILTIN_KINDS

    @property
    def kind_name(self) -> str:
        return "cloze" if self.is_cloze else "standard"


@dataclass(frozen=True)
class Card:
    """One card as written in a topic file. Every field is also a row of the card-field table,
    :data:`deckgen.source.keys.CARD_FIELDS`, which the loader, the schema, the cache and ``deckgen diff`` follow."""

    id: str
    kind: str  # QA, CLOZE, or the slug of one of the deck's own note types
    topic: str
    location: Location
    front: str = ""
    back: str = ""
    reverse: bool = False
    cloze: str = ""
    extra: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    spots: tuple[tuple[str, int, int], ...] = ()  # (key, line, col) where each key's value starts
    fields: tuple[tuple[str, str], ...] = ()  # a deck note type's fields, (name, text), in the note type's order
    guid: str = ""  # the note's Anki GUID when given (imported notes); otherwise derived from the deck key and id
    # An editor's note: the deck editor's own words (Markdown), not from the source document, kept apart from
    # the fields above and citing ``editor_ref``, a key of the deck's ``references``. Both empty: no note.
    editor_note: str = ""
    editor_ref: str = ""

    def where(self, key: str) -> Location:
        for name, line, col in self.spots:
            if name == key:
                return Location(self.location.path, line, col)
        return self.location

    @property
    def prompt(self) -> str:
        """The text a learner is asked: the front, the cloze text, or a deck note type's first field."""
        if self.kind == CLOZE:
            return self.cloze
        if self.kind == QA:
            return self.front
        return self.fields[0][1] if self.fields else ""

    @property
    def prompt_key(self) -> str:
        """The YAML key of :attr:`prompt`, for messages."""
        if self.kind in BUILTIN_KINDS:
            return "cloze" if self.kind == CLOZE else "front"
        return "fields"


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    path: Path
    location: Location
    cards: tuple[Card, ...]
    deck: str = ""  # a subdeck of the deck: its cards go to "<deck name>::<deck>"
    # each card's key for the deck-wide duplicate check (deckgen.compile.lint.prompt_key), made when the topic file
    # is compiled and kept in the cache with it; () when not made (then the check makes them)
    prompt_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Citation:
    title: str
    publisher: str = ""
    authors: str = ""
    date: str = ""
    url: str = ""
    language: str = ""
    note: str = ""

    def line(self) -> str:
        """One line naming the document, for the back of every card."""
        parts = [self.title]
        for part in (self.authors, self.publisher, self.date):
            if part:
                parts.append(part)
        return ", ".join(parts)


@dataclass(frozen=True)
class Reference:
    """One entry of the deck-level reference list that editor's notes cite."""

    key: str
    text: str  # the full reference, shown verbatim (not Markdown)
    location: Location  # of its key in deck.yaml


@dataclass(frozen=True)
class Deck:
    key: str
    name: str
    tag: str
    description: str
    citation: Citation | None
    root: Path  # the cards folder
    location: Location  # of deck.yaml
    topics: tuple[Topic, ...]
    notetypes: tuple[NoteType, ...] = ()  # built-in ones (with the deck's CSS) and the deck's own, by slug order
    css: str = ""  # the deck's CSS, appended to the built-in note types'
    topic_tags: bool = True
    references: tuple[Reference, ...] = ()
    note_type_ids: str = "deck"  # the built-in note types: the deck's own ("deck") or the shared ones ("shared")
    lang: str = ""  # the deck's language (BCP 47), from deck.yaml
    released: bool = True  # False: a draft (``released: false``): its note types' fields and templates may change

    @cached_property
    def notetype_map(self) -> dict[str, NoteType]:
        return {nt.key: nt for nt in self.notetypes}

    @cached_property
    def cards(self) -> tuple[Card, ...]:
        """Every card, in topic order (computed once)."""
        return tuple(card for topic in self.topics for card in topic.cards)

    def topic_tag(self, topic: str) -> str:
        return topic_tag(self.tag, topic)

    def deck_name(self, topic: Topic) -> str:
        """The Anki deck a topic's cards go to."""
        return f"{self.name}::{topic.deck}" if topic.deck else self.name


def topic_tag(deck_tag: str, topic: str) -> str:
    """The hierarchical tag every card of a topic carries."""
    return f"{deck_tag}::{topic}"
