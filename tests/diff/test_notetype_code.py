"""Code in templates and CSS is found by parsing (hostile review #8): each evasion of the old raw-text patterns."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deckgen.diff.code import (
    EMBEDDING,
    EXTERNAL,
    HANDLER,
    IMPORT,
    JAVASCRIPT,
    REWRITE,
    SCRIPT,
    STYLE_END,
    css_code,
    template_code,
)
from deckgen.diff.notetypes import TextChange, compare_notetypes
from deckgen.notetypes.builtin import builtin_notetypes


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ("<img/src/onerror=alert(1)>", {HANDLER}),
        ("<svg/onload=alert(1)>", {HANDLER}),
        ('<div {{#F}}onclick="x()"{{/F}}>', {HANDLER}),
        ('<a href="&#106;avascript:alert(1)">x</a>', {JAVASCRIPT}),
        ('<a href="java&#x09;script:alert(1)">x</a>', {JAVASCRIPT}),
        ('<img srcset="https://evil.example/t.png 1x">', {EXTERNAL}),
        ('<img src="//evil.example/t.png">', {EXTERNAL}),
        ('<div style="background:url(&quot;\\68ttps://evil.example/t&quot;)">', {EXTERNAL}),
        ("<style>@\\69mport 'x.css';</style>", {IMPORT}),
        ("<ScRiPt>x()</script>", {SCRIPT}),
        ("<!-- <a href='javascript:x'> -->", {JAVASCRIPT}),
        ('{{Front}}<hr id=answer>{{Back}}<div class="note">on = off</div>', set()),
    ],
)
def test_template_code(template: str, found: set[str]) -> None:
    assert set(template_code(template)) == found


@pytest.mark.parametrize(
    ("css", "found"),
    [
        ('.card { background: url("\\68ttps://evil.example/t.png"); }', {EXTERNAL}),
        (".card { background: url(//evil.example/t.png); }", {EXTERNAL}),
        ("@imp/**/ort url(x.css);", set()),  # a comment separates tokens: not an @import
        ("@import/**/url(x.css);", {IMPORT}),
        (".card { font-size: 28px; } /* https://example.org in a comment */", set()),
        # hostile-screen H6: '/*' inside a string or an unquoted url() opens no comment (CSS Syntax; the browser
        # fetches these URLs, tests/screen/test_css_reader.py)
        (
            '.a::after{content:"/*"} .card{background:url(https://evil.example/b.png)} .b::after{content:"*/"}',
            {EXTERNAL},
        ),
        ('@charset "/*"; @import url(https://evil.example/x.css); .b::after{content:"*/"}', {IMPORT, EXTERNAL}),
        (
            ".card{background:url(x/*.png)} .card{background-image:url(https://evil.example/b.png)} .x{background:url(*/y.png)}",
            {EXTERNAL},
        ),
        ('.card{cursor:image-set("https://evil.example/c.png" 1x)}', {EXTERNAL}),
        (".card{background:u\\72l(https://evil.example/u.png)}", {EXTERNAL}),
        ('.card::after{content:"https://example.org is text"}', set()),
    ],
)
def test_css_code(css: str, found: set[str]) -> None:
    assert set(css_code(css)) == found


def test_the_built_in_note_types_have_no_code() -> None:
    for nt in builtin_notetypes():
        assert not css_code(nt.css)
        for _, front, back in nt.templates:
            assert not template_code(front) and not template_code(back)


@pytest.mark.parametrize(
    ("css", "found"),
    [
        (".card {}\n</style class=x><script>alert(1)</script>", {STYLE_END, SCRIPT}),
        (".card {}\n</STYLE><img src=x onerror=alert(1)>", {STYLE_END, HANDLER}),
        (".card {}\n</style/><object data=x.swf></object>", {STYLE_END, EMBEDDING}),
    ],
)
def test_what_an_early_end_of_style_lets_out_is_code(css: str, found: set[str]) -> None:
    """html.parser kept reading after '</style class=x>' as CSS; the browser (and lexbor) end the element there."""
    assert set(css_code(css)) == found


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ('<object data="data:text/html;base64,PHNjcmlwdD4=">', {EMBEDDING}),
        ("<embed src=data:text/html,x>", {EMBEDDING}),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', {EMBEDDING, EXTERNAL}),
        ('<img alt="[sound:a.mp3]" src="x.png">', {REWRITE}),
        ("<input value='[[type:Front]]'>", {REWRITE}),
        ("<b>[sound:a.mp3]</b>", set()),
    ],
)
def test_embedding_and_rewrites_in_tags_are_code(template: str, found: set[str]) -> None:
    assert set(template_code(template)) == found


@pytest.mark.parametrize("separator", ["\u0085", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c"])
def test_a_template_diff_splits_lines_only_at_line_feeds(separator: str) -> None:
    """str.splitlines split at these too, so swapping the two halves of one line around one showed no change."""
    old = f"<b>{{{{Front}}}}</b>{separator}<i>x</i>\n"
    new = f"<i>x</i>{separator}<b>{{{{Front}}}}</b>\n"
    shown = TextChange("template 'T' front", old, new).unified()
    assert f"-{old[:-1]}" in shown
    assert f"+{new[:-1]}" in shown


FONT = "@font-face {{ font-family: K; src: url({url}); }}\n.card {{ color: {colour}; }}"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            FONT.format(url="https://fonts.example/k.woff2", colour="red"),
            FONT.format(url="https://evil.example/k.woff2", colour="red"),
            [("an external URL in css", "https://evil.example/k.woff2")],
        ),
        (
            FONT.format(url="https://fonts.example/k.woff2", colour="red"),
            FONT.format(url="https://fonts.example/k.woff2", colour="blue"),
            [],
        ),
        ("@import url(a.css);", "@import url(b.css);", [("a CSS @import in css", "@import b.css")]),
    ],
)
def test_a_changed_address_in_css_is_new_code_and_a_changed_colour_is_not(
    old: str, new: str, expected: list[tuple[str, str]]
) -> None:
    """Hostile review C8 for CSS: code items are compared by what they are (an address, an @import), not counted."""
    (basic, *_) = builtin_notetypes()
    (change,) = compare_notetypes((replace(basic, css=old),), (replace(basic, css=new),), "deck")
    assert list(change.new_code) == expected
