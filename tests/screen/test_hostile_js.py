"""C1 of the third hostile review of the screen model (notes: hostile3.md): a field placed in a template's
JavaScript was held to the string rule while it stood in code, because the scanner misread a regular expression
(``/'/g``), ``${ }`` in a template literal, or a quote written ``&#39;`` in a handler (the browser decodes it before
the JavaScript engine sees it). Each shape: the hostile card refused by ``deckgen check`` and ``deckgen build``;
the real backend's ``question()`` in Chromium showing the field's text runs as code there; and the shapes real
decks use still accepted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from deckgen.notetypes import jsscan
from tests.browser import Chromium, chromium_path
from tests.conftest import AnkiCollection
from tests.screen.test_hostile import accepted, deck, refused

PWN = "__pwn.push(document.domain)"
CODE = "it is code there"
# (front template, a selector to click or "")
IN_CODE = {
    "after a regular expression with a quote": (
        '<div>{{Front}}</div><script>\nvar esc = function (s) { return s.replace(/\'/g, "\\u2019"); };\n'
        'var n = {{Back}};\ndocument.getElementById("out").textContent = esc(String(n));\n</script><div id=out></div>',
        "",
    ),
    "in ${ } of a template literal": (
        '<div>{{Front}}</div><div id=out></div><script>\ndocument.getElementById("out").textContent = '
        "`Count: ${ {{Back}} }`;\n</script>",
        "",
    ),
    "after a quote written as an entity in a handler": (
        '<div>{{Front}}</div><button id=go onclick="this.title = \'&#39; + {{Back}}">go</button>',
        "#go",
    ),
    "after a template section holding a quote": (
        "<div>{{Front}}</div><script>var s = {{#Extra}}'{{/Extra}} {{Back}};</script>",
        "",
    ),
    "after a percent-encoded quote in a javascript: URL": (
        '<div>{{Front}}</div><a id=go href="javascript:void(document.title = \'%27 + {{Back}})">go</a>',
        "#go",
    ),
    "after a scheme a field chooses": ('<div>{{Front}}</div><a id=go href="{{Extra}}:{{Back}}">go</a>', "#go"),
}
CARD = "    type: w\n    fields: {{Front: q, Back: {back}, Extra: {extra}}}\n"


def _extra(shape: str) -> str:
    return "javascript" if "scheme" in shape else '""'


@pytest.mark.parametrize("shape", list(IN_CODE))
def test_a_field_in_code_is_held_to_the_code_rule(tmp_path: Path, shape: str) -> None:
    front, _ = IN_CODE[shape]
    card = CARD.format(back=json.dumps(PWN), extra=_extra(shape))
    output = refused(deck(tmp_path, front=front, card=card), "field 'Back' is shown inside", CODE)
    assert "remove '(' from the field" in output


def test_the_same_fields_run_as_code_in_the_real_page(anki: AnkiCollection, tmp_path: Path) -> None:
    """The real backend's question() for each shape, loaded in Chromium as a whole page (AnkiDroid's legacy
    reviewer): the field's text runs."""
    if chromium_path() is None:
        pytest.fail("Chromium is needed for this test (scripts/test.sh installs it)")
    pages = {}
    for k, (shape, (front, _)) in enumerate(IN_CODE.items()):
        values = {"Front": "q", "Back": PWN, "Extra": "" if "scheme" not in shape else "javascript"}
        question = anki.add_note(front, values=values, fields=tuple(values)).cards()[0].question()
        assert PWN in question
        pages[shape] = tmp_path / f"{k}.html"
        pages[shape].write_text(f"<!doctype html><script>window.__pwn = []</script>{question}", encoding="utf-8")
    with Chromium(tmp_path / "browser") as chromium:
        for shape, page in pages.items():
            tab = chromium.open(page.as_uri())
            if IN_CODE[shape][1]:
                tab.evaluate(f"document.querySelector({IN_CODE[shape][1]!r}).click(); 0")
                time.sleep(0.3)
            assert tab.evaluate("JSON.stringify(window.__pwn)") == '[""]', shape  # document.domain of a file: page


IN_STRING = [
    "<script>var esc = function (s) { return s.replace(/'/g, \"\\u2019\"); };\nvar t = '{{Back}}';</script>",
    '<script>var r = /x/g;\nvar a = (1 + 2) / 3;\nvar t = "{{Back}}"; // it\'s a string\n</script>',
    "<script>\n{{#Extra}}\ndocument.title = 'x';\n{{/Extra}}\nvar t = '{{Back}}';</script>",
    "<button onclick=\"this.title = '{{Back}}'\">go</button>",
    '<button onclick="this.title = &quot;{{Back}}&quot;">go</button>',
    "<a href=\"javascript:void(this.title = '{{Back}}')\">go</a>",
]


@pytest.mark.parametrize("front", IN_STRING)
def test_a_field_certainly_in_a_string_keeps_the_string_rule(tmp_path: Path, front: str) -> None:
    """Shapes of real decks: a string after a regular expression the scanner can place, after a division, after a
    section of whole lines, in a handler: text with brackets, ';' and '=' is fine there."""
    card = CARD.format(back=json.dumps("a (b); c = d"), extra="e")
    accepted(deck(tmp_path, front="<div>{{Front}}</div>" + front, card=card))


def test_percent_in_a_javascript_url_string_is_refused(tmp_path: Path) -> None:
    """The browser percent-decodes a javascript: URL before it runs it: '%27' in the field ends the string."""
    front = "<div>{{Front}}</div><a href=\"javascript:void(this.title = '{{Back}}')\">go</a>"
    card = CARD.format(back=json.dumps("%27);" + PWN + ";//"), extra="e")
    refused(deck(tmp_path, front=front, card=card), "remove '%' from the field")


def test_text_a_field_could_complete_makes_the_rest_code(tmp_path: Path) -> None:
    """'&#3{{Back}}' with Back '9...' is '&#39;', a quote: nothing after such a start is certain."""
    front = "<div>{{Front}}</div><b onclick=\"f('&#3{{Back}}')\">x</b>"
    card = CARD.format(back=json.dumps("9 + 1"), extra="e")
    refused(deck(tmp_path, front=front, card=card), CODE)


VALUES = ["'&#39; + x", "&quotx", "&quot=x", "&quot-x", "&amp;&lt;", "&notit;", "&notin;", "&apos;x", "&#x27;", "&#0;"]


def test_attribute_values_are_decoded_as_the_browser_decodes_them() -> None:
    """decode_attribute against lexbor's attribute value (the screen model's WHATWG parser)."""
    for value in VALUES:
        node = LexborHTMLParser(f'<b onclick="{value}">').css_first("b")
        assert node is not None
        assert jsscan.decode_attribute(value) == node.attributes["onclick"], value
