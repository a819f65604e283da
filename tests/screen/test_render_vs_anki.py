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
    note = anki.add_note(front, back, values, fields=("Front", "Back", "Extra"), css=CSS)
    card = note.cards()[0]

    q, _ = substitute.extract_av_tags(screen.render(front, values), "q")
    a, _ = substitute.extract_av_tags(screen.render(back, values, front_side=q), "a")
    assert substitute.with_style(CSS, q) == card.question()
    assert substitute.with_style(CSS, a) == card.answer()


ORDINAL_SECTIONS = "|{{#c1}}one{{/c1}}{{#c3}}<i>three</i>{{/c3}}{{^c3}}not three{{/c3}}"


def test_the_model_renders_each_card_ordinal_as_the_backend_does_standard(anki: AnkiCollection) -> None:
    """Anki sets the special field c<ord+1> to "1" for the card's template (standard note types too)."""
    mm = anki.col.models
    model = mm.new("Ordinals")
    for name in ("Front", "Back"):
        mm.add_field(model, mm.new_field(name))
    fronts = [f"T{n}{{{{Front}}}}{ORDINAL_SECTIONS}" for n in (1, 2, 3)]
    for n, front in enumerate(fronts, 1):
        template = mm.new_template(f"Card {n}")
        template["qfmt"], template["afmt"] = front, "{{FrontSide}}"
        mm.add_template(model, template)
    model["css"] = CSS
    mm.add(model)
    note = anki.col.new_note(mm.by_name("Ordinals"))
    note["Front"], note["Back"] = "f", "b"
    anki.col.add_note(note, 1)
    cards = sorted(note.cards(), key=lambda c: c.ord)
    assert len(cards) == 3
    for card in cards:
        rendered = screen.render(fronts[card.ord], {"Front": "f", "Back": "b"}, ordinal=card.ord + 1)
        assert substitute.with_style(CSS, rendered) == card.question()


def test_the_model_renders_each_cloze_ordinal_as_the_backend_does(anki: AnkiCollection) -> None:
    """A cloze note type's card N sees c<N> = "1"; the sections after the cloze are rendered exactly (the cloze
    itself is rendered by the field checks, not by the template model)."""
    mm = anki.col.models
    cloze = mm.by_name("Cloze")
    assert cloze is not None
    cloze["tmpls"][0]["qfmt"] = "{{cloze:Text}}" + ORDINAL_SECTIONS
    mm.update_dict(cloze)
    note = anki.col.new_note(cloze)
    note["Text"] = "{{c1::a}} {{c3::b}}"
    anki.col.add_note(note, 1)
    cards = sorted(note.cards(), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 2]
    for card in cards:
        expected = screen.render(ORDINAL_SECTIONS, {}, ordinal=card.ord + 1)
        assert card.question().endswith(f"</span>{expected}"), card.question()


def test_every_ordinal_a_template_tells_apart_is_rendered() -> None:
    """The ordinals the sections name, and one they do not (it shows every {{^cN}} content)."""
    sides = dict.fromkeys(
        page
        for side, page in screen.marked_sides("{{Front}}" + ORDINAL_SECTIONS, "{{FrontSide}}", ("Front",))
        if side == "front"
    )
    shown = sorted(page.split("|")[1] for page in sides)
    assert shown == ["<i>three</i>", "not three", "onenot three"]  # ordinals 3, 2 (named by no section), 1
