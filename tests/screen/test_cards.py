"""The per-card check (screen/cards.py): it searches only where a card's field text landed, so its cost does not
grow with the template (C10 of the third hostile review: 0.19 s per card with a '[' on a 640 KB template). Held to
the full check it replaces (every page rendered and parsed whole: policy.rewrites_in_tags and
render.gate.spanning_problems) on the shapes a card can add, and bounded in CPU time for many cards on a 1 MB
template."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.render.gate import spanning_problems
from deckgen.screen import cards, check, policy
from deckgen.screen.render import render
from tests.conftest import limited_deckgen, write_deck

# (front, back, values): what a card's values can add to a checked template, and harmless neighbours
SHAPES = [
    ('{{Front}}<b title="{{Back}}{{Extra}}">x</b>', "{{FrontSide}}", {"Back": "[sou", "Extra": "nd:a.mp3]"}),
    ('{{Front}}<b title="[sou{{Back}}">x</b>', "{{FrontSide}}", {"Back": "nd:a.mp3]"}),
    ('{{Front}}<b title="{{Back}}ype:x]]">x</b>', "{{FrontSide}}", {"Back": "[[t"}),
    ('{{Front}}<b title="{{Back}}">x</b>', "{{FrontSide}}", {"Front": "q [sound:", "Back": "]"}),
    ("{{Front}} {{Back}}", "{{FrontSide}}", {"Front": "q [sound:", "Back": '<img alt="]" src="x.png">'}),
    ("{{Front}}[sound:{{Back}}]", "{{FrontSide}}", {"Back": "<b>a</b>.mp3"}),
    ("{{Front}}{{tts en_US:Back}}", "{{FrontSide}}", {"Back": "<b>hi</b>"}),
    ("[sound:{{Front}}<i>x</i>]", "{{FrontSide}}", {"Front": "a.mp3"}),  # the template's own: not the card's
    ("{{Front}}<i>x</i>]", "{{FrontSide}}", {"Front": "[sound:a"}),
    ("{{Front}}<i>x</i>]]", "{{FrontSide}}", {"Front": "[[type:Back"}),
    ("{{Front}}<i>x</i>[/anki:tts]", "{{FrontSide}}", {"Front": "[anki:tts lang=en]a"}),
    ("{{Front}}", '{{FrontSide}}<b title="{{Back}}">x</b>', {"Front": "[sound:", "Back": "]"}),
    ("[sound:a <i>x</i> {{Front}}", "{{FrontSide}}", {"Front": "b.mp3]"}),  # the template's opening, a field's end
    ("[[type:a]] <i>x</i> {{Front}}", "{{FrontSide}}", {"Front": "]]"}),  # an end already taken: nothing new
    ('{{Front}}<b title="{{Back}}">x</b>', "{{FrontSide}}", {"Front": "[sound:a.mp3]", "Back": "[1]"}),
    ("{{Front}} [sound:a.mp3] <b>{{Back}}</b>", "{{FrontSide}}", {"Front": "[x]", "Back": "[sound:b.mp3]"}),
    ('{{Front}}<b title="{{Back}}">x</b>]]]', "{{FrontSide}}", {"Front": "[[type:a", "Back": "]"}),
]


def _full(front: str, back: str, values: dict[str, str]) -> set[str]:
    """The check before: both pages rendered and parsed whole."""
    q = render(front, values)
    found: set[str] = set()
    for page in (q, render(back, values, front_side=q)):
        found |= {f.message for f in policy.rewrites_in_tags(page)}
        found |= {p.message for p in spanning_problems(page)}
    return found


@pytest.mark.parametrize(("front", "back", "values"), SHAPES)
def test_the_per_card_check_finds_what_the_full_check_finds_of_the_card(
    front: str, back: str, values: dict[str, str]
) -> None:
    values = {"Front": "", "Back": "", "Extra": "", **values}
    own = _full(front, back, {k: "" for k in values})  # the template's own findings, refused when it is checked
    found = {m for page, spans in cards.pages(front, back, values) for m in cards.findings(page, spans)}
    assert found - own == _full(front, back, values) - own


def test_through_the_card_check() -> None:
    """check.card_problems renders a card when it has a '[' (and Anki's tags can reach a tag): the same findings."""
    front, back, values = SHAPES[4]
    assert [m for _, m in check.card_problems((("T", front, back),), values, ())] == list(_full(front, back, values))


CPU_BOUND = 25.0  # seconds: before, about 0.3 s per card on this 1 MB template, 120 s for these cards
CARDS = 400
DECK = """\
key: big
name: Big
description: d
note_types:
  w:
    name: W
    fields: [Front, Back]
    markdown: []
    templates:
      - name: T
        front: {file: t/front.html}
        back: "{{FrontSide}}<hr id=answer>{{Back}}"
"""


def test_many_cards_on_a_1_mb_template_are_checked_in_bounded_time(tmp_path: Path) -> None:
    """Each card has a '[' and the template places a field in an attribute: before, every card rendered and
    parsed the whole 1 MB page."""
    topic = "topic: a\ntitle: a\ncards:\n" + "".join(
        f"  - id: c{i}\n    type: w\n    fields: {{Front: '[x{i}]', Back: b}}\n" for i in range(CARDS)
    )
    folder = write_deck(tmp_path, deck=DECK, topics={"a.yaml": topic})
    (folder / "t").mkdir()
    unit = "<i>y</i>"
    (folder / "t" / "front.html").write_text(
        '<div>{{Front}}</div><b title="{{Back}}">x</b>' + unit * (1_000_000 // len(unit)), encoding="utf-8"
    )
    proc, cpu = limited_deckgen(tmp_path, "check", "cards", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"checked {CARDS} cards" in proc.stdout + proc.stderr
    assert cpu < CPU_BOUND, cpu
    print(f"{CARDS} cards on a 1 MB template: {cpu:.2f} s CPU")
