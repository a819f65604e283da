"""Notes that share a GUID. A GUID is a note's identity in every learner's Anki: a package with two notes of one
GUID gives each learner one note (Anki's importer matches by GUID). Identical copies (same note type, fields and
tags: biology-neet's deck.json has one) are that one note, kept once and listed in the import summary; two
different notes with one GUID stop the import, since deckgen cannot tell which one learners have."""

from __future__ import annotations

from deckgen.importers.limits import fail
from deckgen.importers.model import Note


def unique(notes: list[Note], display: str) -> tuple[list[Note], tuple[str, ...]]:
    """(the notes, each GUID once; the GUIDs of identical copies left out)."""
    first: dict[str, Note] = {}
    kept: list[Note] = []
    copies: list[str] = []
    different: list[str] = []
    for note in notes:
        seen = first.get(note.guid)
        if seen is None:
            first[note.guid] = note
            kept.append(note)
        elif (seen.notetype, seen.fields, seen.tags) == (note.notetype, note.fields, note.tags):
            copies.append(note.guid)
        elif note.guid not in different:
            different.append(note.guid)
    if different:
        shown = ", ".join(repr(g) for g in different[:5]) + (
            f" and {len(different) - 5} more" if len(different) > 5 else ""
        )
        fail(
            display,
            f"has different notes with the same GUID {shown}; a GUID is a note's identity in every learner's Anki, "
            "so deckgen cannot tell which note learners have (a damaged or hand-made package): give one of them a "
            "new GUID, or delete it, and export again",
        )
    return kept, tuple(copies)
