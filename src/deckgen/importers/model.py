"""What an existing deck is, once read from any source format: frozen, and the same whatever the format.

Everything here comes from a file that may be hostile; the readers have checked its shape and limits, nothing
more. Names (of media files, decks, note types) are data: nothing in deckgen builds a path or SQL from them
without checking again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

STANDARD = "standard"
CLOZE = "cloze"

# Anki's StockNotetype.OriginalStockKind (proto/anki/notetypes.proto): which stock note type a note type was made from
STOCK_KINDS = {
    0: "",
    1: "Basic",
    2: "Basic (and reversed card)",
    3: "Basic (optional reversed card)",
    4: "Basic (type in the answer)",
    5: "Cloze",
    6: "Image Occlusion",
}


@dataclass(frozen=True)
class Template:
    name: str
    front: str  # Anki's qfmt
    back: str  # Anki's afmt


@dataclass(frozen=True)
class NoteType:
    """A note type as the source has it. ``id`` is Anki's id (0 when the source has none: CrowdAnki)."""

    id: int
    name: str
    kind: str  # STANDARD or CLOZE
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    css: str
    sort_field: int  # index into ``fields``
    mod: int  # seconds
    original_stock_kind: int = 0  # see STOCK_KINDS (Anki 2.1.62+); 6 is Image Occlusion
    source_key: str = ""  # how the source's notes name it: the id as text, or CrowdAnki's crowdanki_uuid


@dataclass(frozen=True)
class Note:
    guid: str
    notetype: str  # the note type's ``source_key``
    fields: tuple[str, ...]  # as stored, byte for byte, in the note type's field order
    tags: tuple[str, ...]
    mod: int  # seconds; 0 when the source has none (CrowdAnki)
    deck: str  # the full name of the deck its first card is in ("" when the note has no card)
    id: int = 0  # Anki's note id (the order notes were added), 0 when unknown


@dataclass(frozen=True)
class Deck:
    id: int
    name: str  # full name, '::' between levels
    description: str = ""


@dataclass(frozen=True)
class MediaFile:
    """A media file of the source. ``read`` returns its bytes (checked against the size and checksum the source
    records, and bounded); it may be called while the source is open (see :func:`deckgen.importers.open_source`)."""

    name: str
    size: int
    read: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Collection:
    """Everything read from a source: every deck, note type, note and media file it holds."""

    source: str  # the path as shown in messages
    format: str  # FORMATS
    decks: tuple[Deck, ...]
    notetypes: tuple[NoteType, ...]
    notes: tuple[Note, ...]
    media: tuple[MediaFile, ...]
    duplicates: tuple[str, ...] = ()  # GUIDs of identical copies of a note, left out (see importers.guids)


FORMATS = {
    "apkg-anki2": ".apkg with collection.anki2 (Anki 2.0, genanki)",
    "apkg-anki21": ".apkg with collection.anki21 (legacy export)",
    "apkg-anki21b": ".apkg with collection.anki21b (Anki 2.1.50+)",
    "colpkg-anki21": ".colpkg with collection.anki21 (legacy export)",
    "colpkg-anki21b": ".colpkg with collection.anki21b",
    "colpkg-anki2": ".colpkg with collection.anki2",
    "crowdanki": "CrowdAnki folder (deck.json + media/)",
}
