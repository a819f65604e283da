"""The preview's side boxes: a note type's card background covers the whole box, as in Anki, where ``.card`` is
the body and its background fills the window (issue 17, item 5). Measured in real headless Chromium."""

from __future__ import annotations

from pathlib import Path

from tests.browser import Chromium
from tests.conftest import run, write_deck

DECK = """\
key: boxes
name: Boxes
description: d
note_types:
  word:
    name: Word
    fields: [Word, Meaning]
    templates:
      - name: Recognise
        front: "{{Word}}"
        back: "{{FrontSide}}<hr id=answer>{{Meaning}}"
    css: ".card { background-color: rgb(10, 20, 30); color: white; }"
"""
TOPIC = """\
topic: t
title: T
cards:
  - id: short-front
    type: word
    fields:
      Word: 猫
      Meaning: "cat<br>a small domesticated carnivorous mammal<br>with soft fur<br>a short snout<br>and retractable claws"
"""

MEASURE = """
(() => Array.from(document.querySelectorAll('.dgp-side')).map(side => {
  const box = side.getBoundingClientRect();
  const card = side.querySelector(':scope > .card').getBoundingClientRect();
  const caption = side.querySelector('figcaption').getBoundingClientRect();
  return {side: [box.left, box.right, box.bottom], card: [card.left, card.right, card.top, card.bottom],
          caption: caption.bottom, bg: getComputedStyle(side.querySelector(':scope > .card')).backgroundColor};
}))()
"""


def test_the_card_background_covers_the_whole_side_box(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, deck=DECK, topics={"t.yaml": TOPIC})
    result = run("preview", cards)
    assert result.exit_code == 0, result.output
    with Chromium(tmp_path / "browser") as chromium:
        page = chromium.open((tmp_path / "preview" / "index.html").as_uri())
        sides = page.evaluate(MEASURE)
        assert page.problems() == []
    front, back = sides
    # the front holds one character, the back five lines: both cards reach the bottom of the row
    assert abs(front["card"][3] - back["card"][3]) < 1.5 and back["card"][3] - back["card"][2] > 100
    for side in (front, back):
        left, right, bottom = side["side"]
        card_left, card_right, card_top, card_bottom = side["card"]
        assert side["bg"] == "rgb(10, 20, 30)"
        assert abs(card_top - side["caption"]) < 1.5  # from under the caption ...
        assert abs(bottom - 1 - card_bottom) < 1.5  # ... to the bottom of the box (1px border)
        assert abs(card_left - (left + 1)) < 1.5 and abs(right - 1 - card_right) < 1.5  # and side to side
