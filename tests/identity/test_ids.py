"""Golden values: every id and hash learners' Anki matches on, pinned to literals computed once (from the code
before it moved to :mod:`deckgen.identity.ids`). If one of these fails, the change would duplicate every learner's
notes, fork a note type or move a deck: undo it, never update the literal."""

from __future__ import annotations

import json

import pytest

from deckgen.identity.ids import (
    CLOZE_NOTETYPE_ID,
    QA_NOTETYPE_ID,
    content_hash,
    deck_id,
    derived_id,
    note_guid,
    note_hash,
    notetype_hash,
    schema_hash,
)
from deckgen.model import NoteType
from deckgen.notetypes.builtin import CLOZE_TYPE, NOTE_TYPES, QA_TYPE
from tests.conftest import REPO

SHIPPED = "blinatumomab-peds-ball"  # the shipped deck's key (cards/deck.yaml)


@pytest.mark.parametrize(
    ("deck_key", "card_id", "guid"),
    [
        (SHIPPED, "mrd-definition", "EoJR3pPbu0n1p1W2"),
        (SHIPPED, "all-most-common-childhood-malignancy", "XdqgDBtNvZfYNk++"),
        ("fixture-deck", "threshold", "Ca5t54swkjwBphGB"),
        ("k", "é 中", "Z+HmGf09X7tPCBgn"),
    ],
)
def test_note_guids_never_change(deck_key: str, card_id: str, guid: str) -> None:
    assert note_guid(deck_key, card_id) == guid


def test_the_built_in_note_types_never_change() -> None:
    assert (QA_NOTETYPE_ID, CLOZE_NOTETYPE_ID) == (1863452011, 1863452012)
    assert list(NOTE_TYPES) == ["qa", "cloze"]
    assert (QA_TYPE.id, QA_TYPE.name, QA_TYPE.fields) == (
        1863452011,
        "deckgen Q/A (optional reverse)",
        ("Front", "Back", "Reverse", "Extra", "Source", "Id"),
    )
    assert (CLOZE_TYPE.id, CLOZE_TYPE.name, CLOZE_TYPE.fields) == (
        1863452012,
        "deckgen Cloze",
        ("Text", "Extra", "Source", "Id"),
    )
    assert [name for name, _, _ in QA_TYPE.templates] == ["Forward", "Reverse"]
    assert [name for name, _, _ in CLOZE_TYPE.templates] == ["Cloze"]
    assert (QA_TYPE.is_cloze, CLOZE_TYPE.is_cloze) == (False, True)
    assert schema_hash(QA_TYPE) == "88954716ad1c931f51bf"
    assert schema_hash(CLOZE_TYPE) == "c112e5ee3643300dd885"


def test_the_shipped_lock_agrees() -> None:
    lock = json.loads((REPO / "cards" / "deckgen.lock").read_text(encoding="utf-8"))
    assert lock["deck"]["key"] == SHIPPED
    for nt in (QA_TYPE, CLOZE_TYPE):
        assert (lock["notetypes"][nt.key]["id"], lock["notetypes"][nt.key]["schema"]) == (nt.id, schema_hash(nt))


def test_deck_and_note_type_ids_never_change() -> None:
    assert deck_id(SHIPPED) == 154468901690
    assert deck_id(SHIPPED, "Lesson 1") == 1022908600059
    assert deck_id("fixture-deck") == 752935771239
    assert derived_id("vocab-deck", "vocab") == 340095121673
    assert derived_id(SHIPPED, "vocab") == 161067906818


def test_the_lock_hashes_never_change() -> None:
    """Not an identity in Anki, but a change marks every note and note type of every shipped lock as changed."""
    assert content_hash("a", 1, ["b"], "中") == "dd7bfbaf0ab0f6b164db"
    assert note_hash(1863452011, ("Front", "Back"), ("t1", "t2")) == "aae4635a92ab0e7262a0"
    vocab = NoteType(
        "vocab",
        340095121673,
        "Chinese vocabulary",
        ("Hanzi", "English"),
        (("Recognise", "{{Hanzi}}", "{{English}}"),),
        False,
        css=".card {}",
        sort_field=1,
    )
    assert (notetype_hash(vocab), schema_hash(vocab)) == ("ba74a05f6ea1dd40386e", "688a9cc69545f6fe6e30")
    builtin = NoteType(
        "qa",
        1863452011,
        "deckgen Q/A (optional reverse)",
        ("Front",),
        (("Forward", "{{Front}}", "{{Back}}"),),
        False,
        "x",
    )
    assert notetype_hash(builtin) == "4816e24d8c0f502d2df2"
