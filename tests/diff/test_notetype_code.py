"""Code in templates and CSS is found by parsing (hostile review #8): each evasion of the old raw-text patterns."""

from __future__ import annotations

import pytest

from deckgen.diff.code import EXTERNAL, HANDLER, IMPORT, JAVASCRIPT, SCRIPT, css_code, template_code
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
    ],
)
def test_css_code(css: str, found: set[str]) -> None:
    assert set(css_code(css)) == found


def test_the_built_in_note_types_have_no_code() -> None:
    for nt in builtin_notetypes():
        assert not css_code(nt.css)
        for _, front, back in nt.templates:
            assert not template_code(front) and not template_code(back)
