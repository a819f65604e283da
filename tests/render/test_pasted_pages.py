"""What web pages pasted into real decks carry, and what it does in Anki: ids and their #anchor links, data-*
attributes, target/rel on links, relative links (wiki pages: '/wiki/ADRENAL') are inert and kept byte for byte;
the ids Anki's review page looks up itself are refused (a field's element would be found instead of Anki's)."""

from __future__ import annotations

import pytest

from deckgen.render import render_html

KEPT = [
    '<h1 id="top">Title</h1><a href="#top">up</a>',
    '<span data-source="wiki" data-n="3">x</span>',
    '<a href="https://example.org" target="_blank" rel="noopener noreferrer">site</a>',
    '<a href="/wiki/ADRENAL">ADRENAL</a>',
    '<a href="../notes/page.html?x=1#s">page</a>',
    '<a href="#">empty anchor</a>',
]


@pytest.mark.parametrize("field", KEPT)
def test_pasted_markup_is_kept_as_it_is(field: str) -> None:
    result = render_html(field)
    assert result.problems == ()
    assert result.html == field


@pytest.mark.parametrize("reserved", ["qa", "typeans", "answer", "_mark", "_flag", "content", "hint123", "QA"])
def test_ids_of_ankis_review_page_are_refused(reserved: str) -> None:
    result = render_html(f'<p id="{reserved}">x</p>')
    assert [p.message for p in result.problems] == [
        f"the id '{reserved}' on <p> is one that Anki's review page uses itself (its card, typed answer, hints); "
        "choose another id"
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            '<a href="java&#x09;script:alert(1)">x</a>',
            "unsafe HTML: 'javascript:' URL in <a href> is not allowed; remove it",
        ),
        (
            '<a href="javascript\\:alert(1)">x</a>',
            "link 'javascript\\:alert(1)' is neither a web address nor a plain relative link; links start with "
            "http://, https:// or mailto:, or are a path or #anchor (no ':' before the first '/', no '\\')",
        ),
        (
            '<a href="x" onclick="alert(1)">x</a>',
            "unsafe HTML: event handler attribute 'onclick' on <a> would run script in Anki; remove it",
        ),
    ],
)
def test_what_runs_is_still_refused(field: str, message: str) -> None:
    assert message in [p.message for p in render_html(field).problems]
