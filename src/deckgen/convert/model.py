"""What a conversion decides: the cards, the note types and the files of the cards folder."""

from __future__ import annotations

from dataclasses import dataclass, field

from deckgen.errors import Problem
from deckgen.importers.model import MediaFile, Note, NoteType


@dataclass(frozen=True)
class CardOut:
    card_id: str
    note: Note
    slug: str  # the note type's slug
    values: tuple[str, ...]  # the fields as written to YAML (the source's, or Markdown, or stripped)
    topic: str
    stripped: tuple[str, ...] = ()  # fields --strip-unsafe changed


@dataclass(frozen=True)
class TypeOut:
    slug: str
    source: NoteType
    name: str  # the name written (the source's unless it is a name of deckgen's own note types)
    markdown: tuple[str, ...]


@dataclass
class Conversion:
    key: str
    name: str
    files: dict[str, str]  # path inside the cards folder -> text
    media: list[MediaFile]  # the files to copy into media/
    cards: list[CardOut]
    types: list[TypeOut]
    topics: list[str]
    problems: list[Problem] = field(default_factory=list)  # errors stop the import; warnings go to the summary
    unused_media: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # "note type 'x', template 'y' (front)"
    css_code: list[str] = field(default_factory=list)  # "note type 'x': an external URL ×2, a CSS @import"
    renamed_types: list[tuple[str, str]] = field(default_factory=list)
    normalized: int = 0  # fields whose bytes the build's sanitizer changes without a problem

    def type_of(self, card: CardOut) -> TypeOut:
        return next(t for t in self.types if t.slug == card.slug)
