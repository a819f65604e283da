"""Which deck of a source is imported: the only top-level deck that has notes, or the one ``--deck`` names (a
subdeck may be named too); its notes are those whose first card is in it or in one of its subdecks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from deckgen.errors import UsageError
from deckgen.importers.model import Collection, MediaFile, Note, NoteType


@dataclass(frozen=True)
class Selected:
    source: str
    format: str
    name: str  # the chosen deck's full Anki name
    description: str
    notetypes: tuple[NoteType, ...]  # those its notes use, in the source's order
    notes: tuple[Note, ...]  # in the order they were added (Anki's note ids; the source's order for CrowdAnki)
    media: tuple[MediaFile, ...]  # every media file of the source (what is referenced is the writer's business)
    other_notes: int  # notes of the source in other decks, left out
    cardless_notes: int  # notes without a card (no deck), left out
    duplicates: tuple[str, ...] = ()  # GUIDs of identical copies of a note, left out

    def subdeck(self, note: Note) -> str:
        """The note's deck below the chosen one ("" for the deck itself)."""
        return note.deck[len(self.name) + 2 :] if note.deck != self.name else ""


def _in(deck: str, name: str) -> bool:
    return deck == name or deck.startswith(name + "::")


def select(col: Collection, deck: str | None) -> Selected:
    counts = Counter(note.deck for note in col.notes if note.deck)
    if deck is None:
        tops = Counter[str]()
        for name, n in counts.items():
            tops[name.split("::", 1)[0]] += n
        if not tops:
            raise UsageError(f"{col.source} holds no notes in any deck; nothing to import")
        if len(tops) > 1:
            listed = ", ".join(f"'{name}' ({n} note{'s' if n != 1 else ''})" for name, n in sorted(tops.items()))
            raise UsageError(
                f"{col.source} holds {len(tops)} top-level decks with notes: {listed}; choose one with --deck NAME"
            )
        deck = next(iter(tops))
    else:
        deck = deck.strip()
        if not any(_in(name, deck) for name in counts):
            names = sorted({part for name in counts for part in _prefixes(name)})
            raise UsageError(
                f"{col.source} has no deck '{deck}' with notes; its decks with notes: "
                + ", ".join(f"'{n}'" for n in names)
            )
    notes = tuple(note for note in col.notes if note.deck and _in(note.deck, deck))
    used = {note.notetype for note in notes}
    description = next((d.description for d in col.decks if d.name == deck), "")
    return Selected(
        source=col.source,
        format=col.format,
        name=deck,
        description=description,
        notetypes=tuple(nt for nt in col.notetypes if nt.source_key in used),
        notes=notes,
        media=col.media,
        other_notes=sum(1 for note in col.notes if note.deck) - len(notes),
        cardless_notes=sum(1 for note in col.notes if not note.deck),
        duplicates=col.duplicates,
    )


def _prefixes(name: str) -> list[str]:
    parts = name.split("::")
    return ["::".join(parts[:i]) for i in range(1, len(parts) + 1)]
