"""The template holes of the fifth hostile review (notes: hostile-screen, H2-H5), each with its hostile input and
the refusal (``deckgen check`` and ``deckgen build`` exit 1 with the template's place), and where Anki's backend
renders the shape, the real ``question()``/``answer()`` showing why: the string the reviewer gets is not the one
a check of the template as written would see."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.diff.code import EMBEDDING, HANDLER, REWRITE, SCRIPT, template_code
from deckgen.screen import policy, substitute
from deckgen.screen import render as screen
from tests.conftest import AnkiCollection
from tests.screen.test_hostile import accepted, deck, refused

ONERROR = '<b title="{close}" class="<img src onerror=alert(1)>">x</b>'
# H2: one of Anki's raw tags opened in the template's text and closed inside a later tag's attribute
REACHING = {
    "tts": "<div>{{Front}}</div>[anki:tts lang=en_US]a" + ONERROR.format(close="[/anki:tts]"),
    "type": "<div>{{Front}}</div>[[type:Back" + ONERROR.format(close="]]"),
    "sound": "<div>{{Front}}</div>[sound:a.mp3" + ONERROR.format(close="]"),
}


@pytest.mark.parametrize("kind", list(REACHING))
def test_an_anki_tag_of_the_template_reaching_into_a_later_tag_is_refused(tmp_path: Path, kind: str) -> None:
    output = refused(deck(tmp_path, front=REACHING[kind]), "in the template: '[", "reaches over an HTML tag")
    assert "cards/t/front.html:1:21:" in output  # where the raw tag opens


@pytest.mark.parametrize("kind", ["tts", "sound"])
def test_anki_eats_the_start_of_the_tag_and_the_rest_becomes_markup(anki: AnkiCollection, kind: str) -> None:
    """The real backend's question(): the av extraction took '<b title="' with it; the model says the same. The
    '<img onerror>' that the template as written holds as an attribute value is an element on the screen."""
    front = REACHING[kind]
    values = {"Front": "hi", "Back": "there"}
    question = anki.add_note(front, "{{Back}}", values).cards()[0].question()
    written = screen.render(front, values)
    modelled, _ = substitute.extract_av_tags(written, "q")
    assert question.endswith(modelled) and '[anki:play:q:0]" class="<img' in question
    assert not policy.code(written)  # as written: '<img ...>' is the value of 'class'
    for ankidroid in (False, True):
        assert policy.code(substitute.reviewer_passes(modelled, ankidroid=ankidroid))[HANDLER] >= 1


def test_the_diff_warns_about_a_tag_reaching_over_a_tag() -> None:
    for front in REACHING.values():
        assert template_code(front)[REWRITE] == 1, front


# H3: the desktop's type-answer filter removes '<hr id=answer>' first, attributes included
JOINED_BACK = "{{FrontSide}}<hr id=answer>{{Back}}" + ONERROR.format(close="[[ty<hr id=answer>pe:Back]]")


def test_a_type_marker_joined_by_removing_the_separator_is_refused(tmp_path: Path) -> None:
    output = refused(
        deck(tmp_path, front="<div>{{Front}}</div>{{type:Back}}", back=JOINED_BACK),
        "'[[type:' inside the <b> tag",
        "found once every '<hr id=answer>' is removed",
    )
    assert "cards/t/back.html:1:" in output


def test_the_desktop_answer_turns_the_joined_marker_into_markup(anki: AnkiCollection) -> None:
    """answer() keeps the template as written (the join is the reviewer's); the desktop filter (reviewer.py
    typeAnsAnswerFilter, modelled in substitute.py) makes the comparison box's '"' end the title attribute."""
    values = {"Front": "hi", "Back": "there"}
    front = "<div>{{Front}}</div>{{type:Back}}"
    answer = anki.add_note(front, JOINED_BACK, values).cards()[0].answer()
    q, _ = substitute.extract_av_tags(screen.render(front, values), "q")
    modelled, _ = substitute.extract_av_tags(screen.render(JOINED_BACK, values, front_side=q), "a")
    assert answer.endswith(modelled) and 'title="[[ty<hr id=answer>pe:Back]]"' in answer
    assert not policy.code(modelled)[HANDLER]
    shown = substitute.type_answer_on_answer(modelled, "<code id=typeans>there</code>")
    assert policy.code(shown)[HANDLER] == 1
    assert shown.count("<hr id=answer>") == 2  # put back before each comparison box, as the filter does


def test_the_diff_reads_the_template_without_the_separator_too() -> None:
    assert template_code(JOINED_BACK)[REWRITE] >= 1
    assert template_code("{{FrontSide}}<hr id=answer><<hr id=answer>img src=x onerror=alert(1)>")[HANDLER] == 1


def test_a_plain_type_in_card_stays_accepted(tmp_path: Path) -> None:
    accepted(deck(tmp_path, front="{{Front}}<br>{{type:Back}}", back="{{FrontSide}}<hr id=answer>{{type:Back}}"))


# H4: math in the template's text split by <wbr> or a comment: MathJax joins the text nodes
@pytest.mark.parametrize(
    "math,shown",
    [
        ("\\(\\hr<wbr>ef{java<wbr>script:alert(document.domain)}{\\text{Show hint}}\\)", "\\href is not allowed"),
        ("\\(\\sty<wbr>le{background:url(https://evil.example/B.png)}{x}\\)", "\\style is not allowed"),
        ("\\(\\sty<!-- -->le{background:url(https://evil.example/B.png)}{x}\\)", "\\style is not allowed"),
        ("<p>\\(\\cla<!--x--><wbr>ss{a}{b}\\)</p>", "\\class is not allowed"),
    ],
)
def test_template_math_split_by_wbr_or_a_comment_is_read_joined(tmp_path: Path, math: str, shown: str) -> None:
    output = refused(deck(tmp_path, front="<div>{{Front}}</div>" + math), "math in the template's text", shown)
    assert "cards/t/front.html:1:" in output


def test_a_field_completing_a_command_of_the_template_is_refused(tmp_path: Path) -> None:
    """'\\sty' + a stranger's 'le{...}': neither holds \\style on its own; the joined text does."""
    card = "    type: w\n    fields: {Front: q, Back: 'le{background:url(https://evil.example/a.png)}{x}'}\n"
    front = "<div>{{Front}}</div>\\(\\sty<wbr>{{Back}}\\)"
    refused(deck(tmp_path, front=front, card=card), "'\\sty' right before a field in the template's text")


def test_the_text_mathjax_reads_is_joined_as_mathjax_joins_it() -> None:
    root = policy.parse("<p>a<!--x-->b<wbr>c<br>d<i>e</i>f<code>\\(g\\)</code></p><div class=mathjax_ignore>h</div>")
    assert policy.math_strings(root) == ["abc\nd", "e", "f"]


def test_math_joined_across_wbr_that_is_safe_stays_accepted(tmp_path: Path) -> None:
    accepted(deck(tmp_path, front="{{Front}}<p>\\(x^2<wbr> + \\frac{1}{2}\\)<!-- note --> \\({{Back}}\\)</p>"))


# H5: the content of <template> is outside the document tree a parser builds
TEMPLATE_CODE = (
    "<template shadowrootmode=open><img src onerror=alert(document.cookie)><script>alert(2)</script></template>"
)


@pytest.mark.parametrize(
    "element", ['<object data="data:text/html,<script>alert(1)</script>"></object>', '<base href="https://e.example/">']
)
def test_refused_elements_inside_a_template_element_are_refused(tmp_path: Path, element: str) -> None:
    for wrapped in (f"<template shadowrootmode=open>{element}</template>", f"<template><template>{element}"):
        output = refused(deck(tmp_path / str(len(wrapped)), front="{{Front}}" + wrapped), "is refused in templates")
        assert "cards/t/front.html:1:" in output


def test_the_diff_shows_code_inside_a_template_element() -> None:
    found = template_code("<div>{{Front}}</div>" + TEMPLATE_CODE)
    assert found[HANDLER] == 1 and found[SCRIPT] == 1
    assert template_code("<template><template><embed src=x></template></template>")[EMBEDDING] == 1


def test_a_template_element_of_the_decks_own_code_stays_accepted(tmp_path: Path) -> None:
    """A note type's own template code (a script, a handler) is trusted, inside <template> as outside it."""
    accepted(deck(tmp_path, front="{{Front}}" + TEMPLATE_CODE))


# a URL attribute whose every field was checked against all the text before it (quadratic in time and memory: a
# 1 MB href of fields ran out of memory): deckgen reads a field's place in a URL within bounds, and says so
@pytest.mark.parametrize(
    "front",
    [
        '<a href="https://example.org/' + "x" * 5000 + '{{Back}}">{{Front}}</a>',
        '<img srcset="' + "{{Back}} 1x, " * 17 + '">{{Front}}',
    ],
    ids=["field deep in a URL", "17 fields in one srcset"],
)
def test_a_field_past_what_deckgen_reads_of_a_url_is_a_template_error(tmp_path: Path, front: str) -> None:
    refused(deck(tmp_path, front=front), "deckgen cannot check where it lands in the URL", "cards/t/front.html:1:")


def test_fields_within_what_deckgen_reads_of_a_url_are_checked_as_before(tmp_path: Path) -> None:
    accepted(deck(tmp_path, front='<a href="https://example.org/{{Back}}?q={{Back}}">{{Front}}</a>'))
    refused(
        deck(tmp_path / "far", front='<img src="' + " " * 4000 + '{{Front}}">', card=_HOST_CARD),
        "remove '//' at the start (another host)",
    )


_HOST_CARD = "    type: w\n    fields: {Front: //evil.example/x.png, Back: a}\n"


# the sixth hostile review (notes: hostile4): D1, a note's tag with ']' closes a template's '[sound:' that reaches
# over a tag; D2, the template's own quote in a media file name, which Anki's media-path encoding rewrites wherever
# the name recurs in the tag, whatever the field holds
D1_FRONT = '<div>{{Front}}</div>[sound:{{Front}}<b title="{{Tags}}" lang="<details open ontoggle=alert(1)>">x</b>'
D2_FRONT = (
    '<div>{{Front}}</div><img src=\'./{{Front}}".png\' class="./{{Front}}".png\'><div>" src=x onerror=alert(1) y=</div>'
)


def test_a_tag_closing_a_templates_sound_tag_is_refused(tmp_path: Path) -> None:
    card = '    type: w\n    fields: {Front: q, Back: a}\n    tags: ["chapter]"]\n'
    refused(deck(tmp_path, front=D1_FRONT, card=card), "'[sound:' reaches over an HTML tag")
    accepted(deck(tmp_path / "plain", card=card))  # a tag with ']' is fine where nothing opens one of Anki's tags


def test_the_templates_own_quote_in_a_media_name_is_refused_for_any_field(tmp_path: Path) -> None:
    refused(
        deck(tmp_path, front=D2_FRONT),
        "Anki's media-path encoding",
        "the template's own text in the file name does it for every card",
        "cards/t/front.html:1:",
    )
    accepted(deck(tmp_path / "space", front='<div>{{Front}}</div><img src="my picture {{Front}}.png" alt="{{Front}}">'))
