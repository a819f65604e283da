"""What web pages pasted into real decks carry, and what it does in Anki: ids and their #anchor links, data-*
attributes, target/rel on links, relative links to a plain file name are inert and kept byte for byte; the ids
Anki's review page looks up itself are refused (a field's element would be found instead of Anki's), and so are
links that leave the card without a scheme or reach Anki's own screens (a relative link resolves on Anki's page
server)."""

from __future__ import annotations

import pytest

from deckgen.render import render_html

KEPT = [
    '<h1 id="top">Title</h1><a href="#top">up</a>',
    '<span data-source="wiki" data-n="3">x</span>',
    '<a href="https://example.org" target="_blank" rel="noopener noreferrer">site</a>',
    '<a href="ADRENAL">ADRENAL</a>',
    '<a href="page.html?x=1#s/t">page</a>',
    '<a href="#">empty anchor</a>',
]


@pytest.mark.parametrize("field", KEPT)
def test_pasted_markup_is_kept_as_it_is(field: str) -> None:
    result = render_html(field)
    assert result.problems == ()
    assert result.html == field


@pytest.mark.parametrize(
    "reserved",
    [
        "qa",
        "typeans",
        "answer",
        "_mark",
        "_flag",
        "content",
        "hint123",
        "QA",
        "image-occlusion-canvas",
        "image-occlusion-container",
        "Toggle",
    ],
)
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
            "http://, https:// or mailto:, or are a file name or #anchor (no ':', no '\\')",
        ),
        (
            '<a href="x" onclick="alert(1)">x</a>',
            "unsafe HTML: event handler attribute 'onclick' on <a> would run script in Anki; remove it",
        ),
    ],
)
def test_what_runs_is_still_refused(field: str, message: str) -> None:
    assert message in [p.message for p in render_html(field).problems]


ANOTHER_HOST = "leads to another computer without naming how ('//', or a '\\' a browser reads as '/')"
A_PATH = "is a path: in Anki it resolves on Anki's own page server"
ANKI_SCREEN = "names one of Anki's own screens"


@pytest.mark.parametrize(
    ("href", "shown", "why"),
    [
        ("//evil.example/x", "//evil.example/x", ANOTHER_HOST),
        ("///evil.example/x", "///evil.example/x", ANOTHER_HOST),
        ("&#x09;//evil.example", "\t//evil.example", ANOTHER_HOST),
        ("/&#x09;/evil.example/", "/\t/evil.example/", ANOTHER_HOST),
        ("&#47;&#47;evil.example/x", "//evil.example/x", ANOTHER_HOST),
        ("\\\\evil.example/x", "\\\\evil.example/x", ANOTHER_HOST),
        ("/\\evil.example/x", "/\\evil.example/x", ANOTHER_HOST),
        ("/_anki/pages/deck-options.html", "/_anki/pages/deck-options.html", A_PATH),
        ("/deck-options/1", "/deck-options/1", A_PATH),
        ("/wiki/ADRENAL", "/wiki/ADRENAL", A_PATH),
        ("../notes/page.html", "../notes/page.html", A_PATH),
        ("deck-options", "deck-options", ANKI_SCREEN),
        ("Card-Info?x=1", "Card-Info?x=1", ANKI_SCREEN),
    ],
)
def test_links_to_another_host_or_to_ankis_own_pages_are_refused_and_stripped(href: str, shown: str, why: str) -> None:
    result = render_html(f'<a href="{href}">x</a>')
    messages = [p.message for p in result.problems]
    assert len(messages) == 1 and messages[0].startswith(f"link '{shown}' {why}"), messages
    assert result.html == "<a>x</a>"  # what --strip-unsafe keeps
