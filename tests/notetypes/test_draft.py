"""A draft deck (``released: false`` in deck.yaml): its own note types' fields and templates may change freely, and
``build`` says when the deck leaves the draft stage; from then on they are frozen (issue 17, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import AnkiCollection, run, write_deck

DECK = """\
key: draft-deck
name: Draft
description: d
released: false
note_types:
  word:
    name: Word
    fields: [Word, Meaning]
    templates:
      - name: Recognise
        front: "{{Word}}"
        back: "{{FrontSide}}<hr id=answer>{{Meaning}}"
"""
TOPIC = "topic: t\ntitle: T\ncards:\n  - id: neko\n    type: word\n    fields: {Word: 猫, Meaning: cat}\n"


def build(cards: Path, *args: str) -> tuple[int, str]:
    result = run("build", cards, *args)
    return result.exit_code, result.output


def test_a_draft_changes_its_note_types_then_freezes_them_when_released(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = write_deck(tmp_path, deck=DECK, topics={"t.yaml": TOPIC})
    code, out = build(cards)
    assert code == 0
    assert "draft: 'released: false' in deck.yaml; note types may still change their fields and templates" in out
    assert json.loads((cards / "deckgen.lock").read_text(encoding="utf-8"))["deck"]["draft"] is True

    # a field added and a template renamed: refused for a released deck, fine for a draft
    grown = DECK.replace("[Word, Meaning]", "[Word, Reading, Meaning]").replace("Recognise", "Read")
    (cards / "deck.yaml").write_text(grown, encoding="utf-8")
    code, out = build(cards)
    assert code == 0, out
    assert "draft: note type 'word' changed its fields or templates" in out

    released = grown.replace("released: false\n", "")
    (cards / "deck.yaml").write_text(released, encoding="utf-8")
    code, out = build(cards)
    assert code == 0, out
    assert (
        "released: deck.yaml no longer says 'released: false', so the deck is no longer a draft: from this build on, "
        "the fields and templates of its note types are frozen"
    ) in out
    assert "draft" not in json.loads((cards / "deckgen.lock").read_text(encoding="utf-8"))["deck"]
    anki.import_package(tmp_path / "output" / "draft-deck.apkg")  # the first learner
    assert [f["name"] for f in anki.col.models.by_name("Word")["flds"]] == ["Word", "Reading", "Meaning"]

    code, out = build(cards)
    assert code == 0 and "released:" not in out and "draft:" not in out  # said once
    (cards / "deck.yaml").write_text(released.replace("[Word, Reading, Meaning]", "[Word, Meaning]"), encoding="utf-8")
    code, out = build(cards)
    assert code == 1
    assert "note type 'word' changed its fields or templates since the lock" in out


def test_released_must_be_a_boolean(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, deck=DECK.replace("released: false", "released: not yet"), topics={"t.yaml": TOPIC})
    code, out = build(cards)
    assert code == 1
    assert "cards/deck.yaml:4:11: error: deck: 'released'" in out
