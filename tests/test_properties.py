"""Property-based tests (Hypothesis): whatever a pull request puts into a card file, deckgen answers with a
deck or with located problems, never with an exception. Inputs that once broke something stay as @example."""

from __future__ import annotations

import re
import string
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from deckgen.compile.deck import compile_cards
from deckgen.compile.note import CompileContext
from deckgen.render import render_html, render_markdown
from deckgen.render.gfm import to_html, to_html_with_extensions
from deckgen.render.markdown import MARKDOWN_CHARS
from deckgen.render.sanitize import clean, scan
from deckgen.source.cards import CARD_KEYS
from deckgen.source.loader import parse_topic

CTX = CompileContext("prop-deck", "prop", "A document, Somebody")
PATH = Path("cards/prop.yaml")
DISPLAY = "cards/prop.yaml"

# text that exercises Unicode edge cases: combining marks, RTL, NUL and other controls, CRLF, BOM, CJK
tricky_chars = st.sampled_from(
    [
        "\u0301",
        "\u202e",
        "\u200f",
        "\x00",
        "\x07",
        "\r\n",
        "\ufeff",
        "基",
        "ß",
        "𝔘",
        "\t",
        " ",
        "\\",
        '"',
        "'",
        ":",
        "#",
        "{{c1::",
        "}}",
        "::",
        "<",
        ">",
        "&",
        "*",
        "_",
        "[",
        "](",
        "`",
        "-",
        "\n",
        "!",
        "|",
    ]
)
texts = st.lists(st.one_of(st.text(max_size=8), tricky_chars), max_size=12).map("".join)


def assert_located(problems: list) -> None:
    for problem in problems:
        assert problem.location.path == DISPLAY
        assert problem.message
        assert problem.severity in ("error", "warning")
        assert problem.location.line >= 0 and problem.location.col >= 0


def load(data: bytes) -> None:
    topic, problems = parse_topic(data, PATH, DISPLAY)
    assert_located(problems)
    if topic is None:
        assert any(p.is_error for p in problems)
        return
    notes, found = compile_cards(topic.cards, CTX)
    assert_located(found)
    if not any(p.is_error for p in problems + found):
        assert len(notes) == len(topic.cards)
        for note in notes:
            assert all(isinstance(f, str) for f in note.fields)


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | texts,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(texts, st.sampled_from(CARD_KEYS)), children, max_size=5)
    ),
    max_leaves=20,
)

card_values = st.one_of(
    texts,
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(texts, max_size=3),
    st.dictionaries(texts, texts, max_size=2),
)
cards = st.lists(st.dictionaries(st.sampled_from(CARD_KEYS + ("frnt", "Front")), card_values, max_size=6), max_size=5)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(json_like)
def test_any_yaml_document(value: object) -> None:
    load(yaml.safe_dump(value, allow_unicode=True).encode("utf-8"))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cards, texts)
@example([{"id": "a", "cloze": "{{c1::}}"}], "t")
@example([{"id": "a", "front": "<b onclick=x>", "back": "[x](javascript:y)"}], "t")
@example([{"id": "a", "cloze": "{{c1::{{c2::x}}}}"}], "t")
def test_any_card_structure(card_list: list, title: str) -> None:
    doc = {"topic": "prop", "title": title or "t", "cards": card_list}
    load(yaml.safe_dump(doc, allow_unicode=True).encode("utf-8"))


@given(st.binary(max_size=300))
@example(b"\xff\xfe")
@example(b"topic: x\ntitle: y\ncards: [\x00]")
@example(b"\xef\xbb\xbftopic: x\r\ntitle: y\r\ncards: []\r\n")
def test_any_bytes(data: bytes) -> None:
    load(data)


@given(texts, st.sampled_from(["front", "back", "extra", "cloze", "source"]))
@example("\ud800", "front")
@example("a\u202eb\u0301", "cloze")
def test_any_unicode_in_a_field(text: str, key: str) -> None:
    # lone surrogates can only reach YAML as escapes in a double-quoted string
    escaped = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    fields = {"front": '"Q"', "back": '"A"'} if key != "cloze" else {}
    fields[key] = f'"{escaped}"'
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    load(f"topic: prop\ntitle: T\ncards:\n  - id: a\n{body}".encode())


plain = st.text(alphabet=string.ascii_letters + string.digits + " %.,;:()'\"?/≥基-+=#>~{}|$", max_size=40)


def unwrap(out: str) -> str:
    if out.startswith("<p>") and out.endswith("</p>\n") and out.count("<p>") == 1:
        return out[3:-5]
    return out.rstrip("\n")


@given(plain)
@example('say "hi" ~5%')
def test_fast_path_matches_commonmark_and_nh3(text: str) -> None:
    """The shortcut for plain text gives exactly what cmark-gfm followed by nh3 gives."""
    stripped = text.strip()
    if MARKDOWN_CHARS.search(stripped):
        return
    assert render_markdown(text).html == clean(unwrap(to_html(stripped)))


@given(st.text(alphabet=string.printable.replace("|", "") + "基≥~", max_size=80))
@example("0\r:-")  # found by Hypothesis: a one-column table needs no '|'
@example("Name\n-:")
def test_text_without_pipes_or_double_tildes_needs_no_extensions(text: str) -> None:
    """gfm.to_html takes cmark's one-call path only where the extensions cannot matter: no '|', no '~~', no
    delimiter row with a colon."""
    assert to_html(text) == to_html_with_extensions(text)


@given(
    st.text(alphabet=string.printable.replace("[", "") + "基≥", max_size=60).filter(
        lambda t: not re.search(r"<[A-Za-z/!?]", t)
    )
)
@example("<5% of a < b > c <= d <3")
def test_markdown_without_html_or_links_is_safe_as_is(text: str) -> None:
    """Why render_markdown need not scan Markdown without '[' and without '<' + letter, '/', '!' or '?' (the
    only ways raw HTML and autolinks start): cmark's own markup never trips the scanner."""
    assert scan(to_html(text), markdown=True).problems == []


class _Parts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []
        self.after_pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted(attrs))))
        self.after_pre = tag in ("pre", "listing")

    def handle_endtag(self, tag: str) -> None:
        self.after_pre = False

    def handle_data(self, data: str) -> None:
        if self.after_pre and data.startswith("\n"):
            data = data[1:]  # the HTML standard: a newline right after <pre> is not content (html.parser keeps it)
        self.after_pre = False
        self.text.append(data)


def parts(html: str) -> tuple[list[tuple[str, tuple[tuple[str, str | None], ...]]], str]:
    """Every start tag with its attributes, and the text (without BOMs: html5 drops a leading one on re-parsing)."""
    parser = _Parts()
    parser.feed(html)
    parser.close()
    return sorted(parser.tags), "".join(parser.text).replace("\ufeff", "")


tag_soup = st.lists(
    st.sampled_from(
        [
            "<table>",
            "<tr>",
            "<td>",
            "</table>",
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<a href=x>",
            "</a>",
            "<li>",
            "<div>",
            "<ruby>",
            "<rt>",
            "<pre>",
            "\n",
            "x",
            " ",
            "<br/>",
            "<img src=a.png>",
            "&amp;",
            "<",
            ">",
            "<!--",
            "-->",
            "<select>",
            "<form>",
            "<h1>",
            "<span style='color:red'>",
            "|",
            "---",
            "\u0000",
            "\ufeff",
            "<svg>",
            "<math>",
            "<template>",
            "<noscript>",
            "<xmp>",
            "<plaintext>",
            "<textarea>",
            "<caption>",
            "<font color=red>",
            "{{c1::",
            "}}",
            "\\(",
            "\\)",
            "$",
        ]
    ),
    max_size=14,
).map("".join)


@given(st.one_of(texts, tag_soup))
@example("\\(x\\) <b>a</b> [sound:a.mp3] `\\:` BCR\\:\\:ABL1 ![a](media/a b.png) $y$")
@example("<h1><table><h1>")
@example("<select><table>\n<table>")
@example("<pre><tr>\n")
def test_sanitizing_the_stored_html_again_removes_nothing(text: str) -> None:
    """What is stored is what nh3 approved, and all of it is within the allow-list: sanitizing it again keeps every
    tag, attribute and character (html5 parsing may nest misnested tags differently the second time: harmless,
    as no allowed element parses its content differently)."""
    for rendered in (render_markdown(text), render_markdown(text, cloze=True), render_html(text)):
        tags, chars = parts(rendered.html)
        tags_again, chars_again = parts(clean(rendered.html))
        assert chars_again == chars
        assert Counter(tags) - Counter(tags_again) == Counter()  # the parser may add implied elements (<p>, <tbody>)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(cards)
@example([{"id": "a", "front": "Q", "back": "A", "tags": ["X", "x"]}])
def test_check_on_any_card_structure(card_list: list) -> None:
    """The whole check command (every rule, the lock comparison) on a real folder."""
    import tempfile

    from deckgen.check import check
    from tests.conftest import DECK_YAML

    with tempfile.TemporaryDirectory() as tmp:
        cards_dir = Path(tmp) / "cards"
        cards_dir.mkdir()
        (cards_dir / "deck.yaml").write_text(DECK_YAML, encoding="utf-8")
        doc = {"topic": "prop", "title": "T", "cards": card_list}
        (cards_dir / "prop.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        report = check(cards_dir)
        for problem in report.problems:
            assert problem.location.path.endswith(("prop.yaml", "deckgen.lock", "deck.yaml"))
            assert problem.message
