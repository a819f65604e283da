"""lexbor (the screen model's parser) held to html5lib (the reference implementation of the WHATWG parsing algorithm
in Python) on hostile pages: the same elements, in the same order, with the same attributes, and the same text."""

from __future__ import annotations

import re

import html5lib
import pytest

from deckgen.screen import policy

PAGES = [
    "<style>a{}</style class=x><script>alert(1)</script>",
    "<style>a{}</STYLE\n><img src=x onerror=alert(1)>",
    '<img alt="x\n<a class="replay-button soundLink" href=# onclick="pycmd(\'play:q:0\'); return false;">">',
    "<img/src/onerror=alert(1)><svg/onload=alert(1)>",
    "<!--> <img src=x onerror=a()> -->",
    "<!---> <b>x</b> --!> <i>y</i>",
    "<textarea><img src=x onerror=a()></textarea><title><b></title>",
    "<svg><style><img src=x onerror=a()></style></svg>",
    "<math><mi><style><img src=x onerror=a()></style></mi></math>",
    "<table><tr><td>a<form><input value='x'></td></tr><b>out</b></table>",
    "<noscript><img src=x onerror=a()></noscript>",
    "<a href='java&#x09;script:x'>t</a><a href=\"&#106;avascript:y\">u</a>",
    '<object data="data:text/html;base64,PHNjcmlwdD4="></object><embed src=data:x>',
    "<select><option><script>x</script></select><xmp><b></xmp>",
    "<p><div>x</p></div><plaintext><script>",
]


def _name(tag: str) -> str:
    return re.sub(r"^\{[^}]*\}", "", tag)


def _lexbor(page: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [
        ((n.tag or ""), tuple(sorted((k, v or "") for k, v in n.attributes.items())))
        for n in policy.parse(page).traverse()
        if n.tag and not n.tag.startswith("-")
    ]


def _html5lib(page: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    return [
        (_name(e.tag), tuple(sorted((_name(k), v) for k, v in e.attrib.items())))
        for e in tree.iter()
        if isinstance(e.tag, str)
    ]


@pytest.mark.parametrize("page", PAGES)
def test_lexbor_reads_hostile_pages_as_the_reference_parser(page: str) -> None:
    assert _lexbor(page) == _html5lib(page)
