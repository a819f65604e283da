"""The screen model's rendering held to the real backend: for a few note types, ``with_style(css, render(...))``
(after av-tag extraction) is exactly what ``card.question()``/``card.answer()`` of the ``anki`` package give."""

from __future__ import annotations

import pytest

from deckgen.screen import render as screen
from deckgen.screen import substitute
from tests.conftest import AnkiCollection

CSS = ".card { color: black; }"
CASES = [
    # (front, back, field values)
    ("{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}", {"Front": "a <b>b</b>", "Back": "c"}),
    (
        '<div title="x">{{#Back}}has back {{Back}}{{/Back}}{{^Extra}}no extra{{/Extra}}</div>',
        "{{FrontSide}}<!-- {{Back}} --><hr id=answer>{{Extra}}",
        {"Front": "f", "Back": "b [sound:b.mp3]", "Extra": ""},
    ),
    (
        "{{Front}} [sound:t.mp3] {{tts en_US:Front}}",
        "{{FrontSide}}{{Back}}[sound:x.ogg]",
        {"Front": "hello [sound:a.mp3]", "Back": "<i>w</i>", "Extra": "e"},
    ),
    ("{{Front}}<br>{{type:Back}}", "{{FrontSide}}<hr id=answer>{{type:Back}}", {"Front": "q", "Back": "ans"}),
    ("{{#Extra}}{{^Back}}only extra{{/Back}}{{/Extra}}{{Front}}", "{{Back}}", {"Front": "q", "Extra": "x"}),
    (
        '<img alt="{{text:Front}}" src="x.png">{{furigana:Back}}',
        "{{kana:Back}} {{kanji:Back}} {{text:Extra}}",
        {"Front": "a <b>b</b> &lt;i&gt; &#91;x]", "Back": "漢字[かんじ] 日本[にほん]", "Extra": "&amp;lt;"},
    ),
]


@pytest.mark.parametrize("front,back,values", CASES)
def test_the_model_renders_what_the_backend_renders(
    anki: AnkiCollection, front: str, back: str, values: dict[str, str]
) -> None:
    col = anki.col
    mm = col.models
    model = mm.new("Model")
    for name in ("Front", "Back", "Extra"):
        mm.add_field(model, mm.new_field(name))
    template = mm.new_template("Card 1")
    template["qfmt"], template["afmt"] = front, back
    mm.add_template(model, template)
    model["css"] = CSS
    mm.add(model)
    note = col.new_note(mm.by_name("Model"))
    for name, value in values.items():
        note[name] = value
    col.add_note(note, col.decks.id_for_name("Default") or 1)
    card = note.cards()[0]

    q, _ = substitute.extract_av_tags(screen.render(front, values), "q")
    a, _ = substitute.extract_av_tags(screen.render(back, values, front_side=q), "a")
    assert substitute.with_style(CSS, q) == card.question()
    assert substitute.with_style(CSS, a) == card.answer()
