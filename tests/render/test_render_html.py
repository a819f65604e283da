"""render_html (custom note types' HTML fields, imported Anki decks): Anki's conventions, the same allow-list,
and a clean field comes back byte for byte. The places are added by the caller, so messages are checked here."""

from __future__ import annotations

import pytest

from deckgen.render import render_html, render_markdown
from tests.conftest import HTML_DOCS

CLEAN_FIELDS = [
    # the shapes of real shared decks' fields (written for this test)
    "<div>Excuse me</div><div><br></div><div>Disculpe</div>",
    "<b>bold</b> and <i>italic</i> and <u>under</u>&nbsp;text",
    "<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby>字",
    '<font color="#ff0000">r</font>ed <span style="color:rgb(0, 0, 255)">blue</span>',
    '<table border="1"><tbody><tr><th>Name</th><td rowspan="2">x</td></tr></tbody></table>',
    '<img src="paste-1a2b3c.jpg"> [sound:rec_2019-01-01.mp3]',
    "<ul><li>one</li><li>two</li></ul><hr><sub>2</sub><sup>3</sup>",
    "Ph+ ALL: {{c1::BCR::ABL1::fusion}} \\(x^2\\)",
    '<a href="https://en.wikipedia.org/wiki/Anki_(software)" title="w">Anki</a>',
]


@pytest.mark.parametrize("field", CLEAN_FIELDS)
def test_clean_field_comes_back_byte_for_byte(field: str) -> None:
    rendered = render_html(field, cloze="{{c1::" in field)
    assert rendered.html == field
    assert [p for p in rendered.problems if p.is_error] == []


def test_form_is_normalised_by_nh3_without_a_message() -> None:
    rendered = render_html('a<br/>b</br>c <img src=x.png /> <span style="color: red;">d</span> & e')
    assert rendered.html == 'a<br>b<br>c <img src="x.png"> <span style="color:red">d</span> &amp; e'
    assert rendered.problems == ()
    assert rendered.media == ("x.png",)


PROBLEMS = [
    (
        '<img src="https://t.example/a.png">',
        "unsafe HTML: image 'https://t.example/a.png' is not a local file: Anki would load it from the network on every review "
        '(telling that server who studies when); put the image in cards/media/ and write <img src="NAME">',
    ),
    (
        '<img src="//t.example/a.png">',
        "unsafe HTML: image '//t.example/a.png' is not a local file: Anki would load it from the network on every review "
        '(telling that server who studies when); put the image in cards/media/ and write <img src="NAME">',
    ),
    (
        '<img src="media/a.png">',
        "image 'media/a.png' must be a file name in cards/media/ (Anki's media folder has no subfolders), e.g. <img src=\"figure.png\">",
    ),
    (
        '<img src="../../.git/config">',
        "image '../../.git/config' must be a file name in cards/media/ (Anki's media folder has no subfolders), e.g. <img src=\"figure.png\">",
    ),
    (
        "<hl>x</hl>",
        f"HTML tag <hl> is not supported; use Markdown, or a tag from the list at {HTML_DOCS} (such as <span>, <div>, <sub>, <sup>, <ruby>, <table>)",
    ),
    (
        '<p id="qa">x</p>',
        "the id 'qa' on <p> is one that Anki's review page uses itself (its card, typed answer, hints); choose another id",
    ),
    ("<script>alert(1)</script>", "unsafe HTML: <script> is not allowed (Anki would run or load it); remove it"),
]


@pytest.mark.parametrize("field, message", PROBLEMS)
def test_problem(field: str, message: str) -> None:
    assert message in [p.message for p in render_html(field).problems]


def test_lone_surrogate_is_refused() -> None:
    """JSON (a CrowdAnki export) can carry one; it is not a character and cannot be stored."""
    rendered = render_html("a\ud800b")
    assert rendered.html == ""
    assert [p.message for p in rendered.problems] == [
        "field has a lone surrogate (U+D800), which is not a character; remove it"
    ]
    assert [p.message for p in render_markdown("a\udc00b").problems] == [
        "field has a lone surrogate (U+DC00), which is not a character; remove it"
    ]
