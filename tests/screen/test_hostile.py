"""The holes of the fourth hostile review (issue 16), each with its hostile input and the refusal: a content error
with its place, and exit 1 from ``deckgen check`` and ``deckgen build``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run, write_deck

NOTE_TYPE = """\
key: hostile
name: Hostile
description: d
{deck_css}note_types:
  w:
    name: W
    fields: [Front, Back, Extra]
    templates:
      - name: T
        front: {{file: t/front.html}}
        back: {{file: t/back.html}}
    css: {{file: t/style.css}}
"""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def deck(
    root: Path,
    *,
    front: str = "{{Front}}",
    back: str = "{{FrontSide}}<hr id=answer>{{Back}}",
    css: str = ".card { color: black; }",
    deck_css: str = "",
    card: str = "    type: w\n    fields: {Front: q, Back: a}\n",
) -> Path:
    extra = f"css: {json.dumps(deck_css)}\n" if deck_css else ""
    cards = write_deck(
        root,
        deck=NOTE_TYPE.format(deck_css=extra),
        topics={"a.yaml": "topic: a\ntitle: a\ncards:\n  - id: one\n" + card},
    )
    (cards / "t").mkdir()
    (cards / "t" / "front.html").write_text(front, encoding="utf-8")
    (cards / "t" / "back.html").write_text(back, encoding="utf-8")
    (cards / "t" / "style.css").write_text(css, encoding="utf-8")
    (cards / "media").mkdir()
    (cards / "media" / "x.png").write_bytes(PNG)
    (cards / "media" / "a.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00fake mp3")
    return cards


def refused(cards: Path, *expected: str) -> str:
    for command in ("check", "build"):
        result = run(command, cards)
        assert result.exit_code == 1, result.output
        for text in expected:
            assert text in result.output, result.output
    assert not (cards.parent / "output").exists() or not any((cards.parent / "output").glob("*.apkg"))
    return result.output


def accepted(cards: Path) -> None:
    result = run("check", cards)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "description,shown",
    [
        ("[sound:a.mp3]", "'[sound:' inside the 'alt' attribute of <img>"),
        ("[anki:tts lang=en_US]hi[/anki:tts]", "'[anki:' inside the 'alt' attribute of <img>"),
        ("[anki:play:a:0]", "'[anki:' inside the 'alt' attribute of <img>"),
        ("[[type:Front]]", "'[[type:' inside the 'alt' attribute of <img>"),
    ],
)
def test_anki_rewrites_in_a_fields_attribute_are_refused(tmp_path: Path, description: str, shown: str) -> None:
    """A Markdown image description is an 'alt' attribute; Anki's play button there ends it with its '"'."""
    card = f"    front: '![{description}](media/x.png)'\n    back: a\n"
    output = refused(deck(tmp_path, card=card), shown)
    assert "cards/a.yaml:5:" in output  # the card's place


def test_math_hidden_in_a_fields_attribute_is_checked(tmp_path: Path) -> None:
    card = "    front: '![\\(\\style{background:url(https://evil.example/x)}{x}\\)](media/x.png)'\n    back: a\n"
    refused(deck(tmp_path, card=card), "\\style is not allowed")


def test_a_field_with_a_sound_tag_shown_inside_a_template_attribute_is_refused(tmp_path: Path) -> None:
    card = "    type: w\n    fields: {Front: q, Back: a, Extra: 'x [sound:a.mp3] y'}\n"
    refused(deck(tmp_path, front='<img alt="{{Extra}}" src="x.png">{{Front}}', card=card), "'[sound:' (Anki replaces")


def test_plain_sound_tags_and_images_stay_accepted(tmp_path: Path) -> None:
    card = "    type: w\n    fields: {Front: '![a picture](media/x.png) [sound:a.mp3]', Back: a, Extra: 'plain'}\n"
    accepted(deck(tmp_path, front='<img alt="{{Extra}}" src="x.png">{{Front}} [sound:a.mp3]', card=card))


@pytest.mark.parametrize("end", ["</style>", "</STYLE class=x>", "</style\n>", "</Style/>"])
def test_the_end_of_style_in_a_note_types_css_is_refused(tmp_path: Path, end: str) -> None:
    css = f".card {{ color: black; }}\n{end}<img src=x onerror=alert(1)>\n"
    output = refused(deck(tmp_path, css=css), "ends the <style> element Anki wraps the CSS in")
    assert "cards/t/style.css:2:1:" in output


def test_the_end_of_style_in_a_decks_css_is_refused(tmp_path: Path) -> None:
    refused(deck(tmp_path, deck_css="b {} </style class=x><script>alert(1)</script>"), "ends the <style> element")


@pytest.mark.parametrize(
    "front,shown",
    [
        ('{{Front}}<img alt="[sound:a.mp3]" src="x.png">', "'[sound:' inside the <img> tag"),
        ('{{Front}}<a title="x [anki:tts lang=en_US]y[/anki:tts]">t</a>', "'[anki:' inside the <a> tag"),
        ("{{Front}}<input value='[[type:Back]]'>", "'[[type:' inside the <input> tag"),
        ("{{Front}}<img alt=[anki:play:q:0] src=x.png>", "'[anki:' inside the <img> tag"),
    ],
)
def test_anki_rewrites_in_a_template_attribute_are_refused(tmp_path: Path, front: str, shown: str) -> None:
    output = refused(deck(tmp_path, front=front), shown)
    assert "cards/t/front.html:1:" in output


@pytest.mark.parametrize(
    "element",
    [
        '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
        "<embed src=data:text/html,%3Cscript%3Ealert(1)%3C/script%3E>",
        '<object data="https://evil.example/x.swf"></object>',
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        "<svg><foreignObject><embed src=x></foreignObject></svg>",
    ],
)
def test_embedding_elements_in_a_template_are_refused(tmp_path: Path, element: str) -> None:
    refused(deck(tmp_path, back="{{FrontSide}}<hr id=answer>{{Back}}" + element), "is refused in templates")


@pytest.mark.parametrize(
    "math",
    [
        "\\(\\style{background:url(https://evil.example/x)}{x}\\)",
        "\\[\\href{javascript:alert(1)}{tap}\\]",
        "<div>\\(\\class{x}{y}\\)</div>",
        "<div class=mathjax_ignore><span class='a mathjax_process'>\\(\\cssId{x}{y}\\)</span></div>",
        "<code class=mathjax_process>\\(\\style{color:red}{y}\\)</code>",
    ],
)
def test_math_in_a_templates_text_is_checked(tmp_path: Path, math: str) -> None:
    refused(deck(tmp_path, front="{{Front}}" + math), "math in the template's text")


def test_math_in_a_templates_script_is_not_math(tmp_path: Path) -> None:
    """MathJax skips <script>, <style>, <pre>, <code> and <textarea>: a regex in a script is not math."""
    accepted(deck(tmp_path, front="{{Front}}<script>var r = /\\(\\style/;</script><code>\\(\\style{a}{b}\\)</code>"))


def test_safe_math_in_a_templates_text_is_accepted(tmp_path: Path) -> None:
    accepted(deck(tmp_path, front="{{Front}}<p>\\(x^2 + \\frac{1}{2}\\)</p>"))


@pytest.mark.parametrize(
    "front",
    [
        '[[type:x <img alt="]]" src="x.png">',
        '[anki:tts lang=en_US]<img alt="[/anki:tts]" src="x.png">',
        "[[type:<b>Front]]</b>",
    ],
)
def test_an_anki_tag_reaching_over_a_tag_in_a_field_is_refused(tmp_path: Path, front: str) -> None:
    """Anki replaces the whole match, the start of the tag included: the rest of the tag becomes page text."""
    card = f"    front: {json.dumps(front)}\n    back: a\n"
    refused(deck(tmp_path, card=card), "reaches over an HTML tag")


@pytest.mark.parametrize(
    "fields",
    [
        "{Front: q, Back: '[sou', Extra: 'nd:a.mp3] x'}",  # two fields side by side spell [sound:a.mp3]
        "{Front: q, Back: '[ank', Extra: 'i:play:q:0]'}",
        "{Front: q, Back: '&#91;sou', Extra: 'nd:a.mp3]'}",  # through {{text:}}, entities are decoded
    ],
)
def test_two_fields_that_spell_a_sound_tag_in_one_attribute_are_refused(tmp_path: Path, fields: str) -> None:
    front = '{{Front}}<img src="x.png" alt="{{text:Back}}{{Extra}}">'
    card = f"    type: w\n    fields: {fields}\n"
    refused(deck(tmp_path, front=front, card=card), "template 'T' with this card's fields: '[")


def test_brackets_in_fields_shown_in_attributes_stay_accepted(tmp_path: Path) -> None:
    front = '{{Front}}<img src="x.png" alt="{{Back}}{{Extra}}">'
    card = "    type: w\n    fields: {Front: q, Back: '[1]', Extra: '[sound ok]'}\n"
    accepted(deck(tmp_path, front=front, card=card))


def test_a_sound_tag_opened_in_one_field_and_closed_in_anothers_tag_is_refused(tmp_path: Path) -> None:
    front = "{{Front}}{{Back}}"
    card = "    type: w\n    fields: {Front: 'q [sound:', Back: '<img alt=\"]\" src=\"x.png\">'}\n"
    refused(deck(tmp_path, front=front, card=card), "template 'T' with this card's fields: '[sound:' reaches over")


@pytest.mark.parametrize(
    "front,fields",
    [
        # the template's own '[sound:{{Extra}}]': the field's tag is inside the sound tag, Anki eats its start
        ("{{Front}} [sound:{{Extra}}]", "{Front: q, Extra: 'a<code title=\"]\">x</code>'}"),
        # {{tts}} wraps the field; its '[/anki:tts]' sits in a tag of the field
        ("{{Front}} {{tts en_US:Extra}}", "{Front: q, Extra: '<code title=\"[/anki:tts]\">x</code>'}"),
    ],
)
def test_an_anki_tag_of_the_template_reaching_over_a_fields_tag_is_refused(
    tmp_path: Path, front: str, fields: str
) -> None:
    """Eating a <code> start would expose math that MathJax skips inside <code> (and that deckgen did not check)."""
    card = f"    type: w\n    fields: {fields}\n"
    refused(deck(tmp_path, front=front, card=card), "reaches over an HTML tag")


def test_a_sound_tag_of_the_template_around_a_plain_file_name_stays_accepted(tmp_path: Path) -> None:
    card = "    type: w\n    fields: {Front: q, Extra: a.mp3}\n"
    accepted(deck(tmp_path, front="{{Front}} [sound:{{Extra}}]", card=card))


@pytest.mark.parametrize(
    "tag", ["[latex]{{Back}}[/latex]", "[$]{{Back}}[/$]", "[$$]x[/$$]", "[LaTeX]y[/LaTeX]", "[/$]", "[/LATEX]"]
)
def test_anki_latex_tags_in_a_template_are_refused(tmp_path: Path, tag: str) -> None:
    """Anki's desktop runs LaTeX on the learner's computer for them, with the fields' text inside."""
    output = refused(deck(tmp_path, front="{{Front}}" + tag), "Anki's LaTeX tags in a template")
    assert "cards/t/front.html:1:10:" in output
