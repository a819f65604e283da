"""deckgen.apkg.collection writes out the parts of a collection genanki 0.13 provides (importing genanki costs about 0.1 s
of every build): each part must be what genanki itself gives, key order included (the package's bytes)."""

from __future__ import annotations

import json

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from deckgen.apkg import collection, notetype_entry
from deckgen.notetypes.builtin import NOTE_TYPES
from tests.test_package import genanki_model


def test_schema_and_col_row_are_genankis() -> None:
    assert collection.APKG_SCHEMA == APKG_SCHEMA
    assert collection.APKG_COL == APKG_COL


def test_every_builtin_note_type_is_written_as_genanki_writes_it() -> None:
    assert NOTE_TYPES
    for nt in NOTE_TYPES.values():
        theirs = genanki_model(nt).to_json(1_700_000_123, 4242)
        ours = notetype_entry(nt, 4242, 1_700_000_123)
        assert json.dumps(ours) == json.dumps(theirs)


def test_a_deck_is_written_as_genanki_writes_it() -> None:
    theirs = genanki.Deck(98765, "Parent::Child", "<b>about</b>").to_json()
    theirs["mod"] = 1_600_000_000
    ours = collection.deck_json(98765, "Parent::Child", "<b>about</b>", mod=1_600_000_000)
    assert json.dumps(ours) == json.dumps(theirs)
