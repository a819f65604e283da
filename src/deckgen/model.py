"""Frozen data: what a deck is once its files have been read and validated."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import Location

QA = "qa"
CLOZE = "cloze"


@dataclass(frozen=True)
class Card:
    id: str
    kind: str  # QA or CLOZE
    topic: str
    location: Location
    front: str = ""
    back: str = ""
    reverse: bool = False
    cloze: str = ""
    extra: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    # An editor's note: the deck editor's own words (Markdown), not from the source document, kept apart from
    # the fields above and citing ``editor_ref``, a key of the deck's ``references``. Both empty: no note.
    editor_note: str = ""
    editor_ref: str = ""
    spots: tuple[tuple[str, int, int], ...] = ()  # (key, line, col) where each key's value starts

    def where(self, key: str) -> Location:
        for name, line, col in self.spots:
            if name == key:
                return Location(self.location.path, line, col)
        return self.location

    @property
    def prompt(self) -> str:
        """The text a learner is asked: the front, or the cloze text."""
        return self.cloze if self.kind == CLOZE else self.front


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    path: Path
    location: Location
    cards: tuple[Card, ...]


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
    citation: Citation
    root: Path  # the cards folder
    location: Location  # of deck.yaml
    topics: tuple[Topic, ...]
    references: tuple[Reference, ...] = ()

    @cached_property
    def cards(self) -> tuple[Card, ...]:
        """Every card, in topic order (computed once)."""
        return tuple(card for topic in self.topics for card in topic.cards)

    def topic_tag(self, topic: str) -> str:
        return topic_tag(self.tag, topic)


def topic_tag(deck_tag: str, topic: str) -> str:
    """The hierarchical tag every card of a topic carries."""
    return f"{deck_tag}::{topic}"
