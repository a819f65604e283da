"""Verbatim text (render_plain): a card's source excerpt, the deck's citation and the editor's references. The hostile
review's #2: math in them skipped the math check, and Anki's MathJax typesets any '\\(...\\)' in a card's text nodes.
render_plain keeps MathJax's delimiters and Anki's '[sound:'-style tags apart with an empty element, so they stay
text; the tests build the hostile deck, read its fields from the real Anki backend and parse them."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

from deckgen.render import render_plain
from tests.conftest import AnkiCollection, run, write_deck

EXCERPT = "Excerpt \\(\\href{javascript:alert(1)}{\\rule{3000px}{3000px}}\\)"
TITLE = "\\(\\style{background:url(https://evil.example/t.png)}{x}\\)"
REFERENCE = "Ref \\[\\href{javascript:alert(2)}{x}\\] [sound:x.mp3] [latex]\\input{/etc/passwd}[/latex] [$]x[/$]"
ACTIVE = ("\\(", "\\)", "\\[", "\\]", "[sound:", "[latex]", "[$]")


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []

    def handle_data(self, data: str) -> None:
        self.nodes.append(data)


def text_nodes(field_html: str) -> list[str]:
    parser = _Texts()
    parser.feed(field_html)
    parser.close()
    return parser.nodes


def _active_in_one_node(field_html: str) -> list[str]:
    return [a for node in text_nodes(field_html) for a in ACTIVE if a in node]


def test_delimiters_and_anki_tags_are_kept_apart_and_the_text_reads_as_written() -> None:
    for text in (EXCERPT, TITLE, REFERENCE):
        out = render_plain(text)
        assert _active_in_one_node(out) == []
        assert "".join(text_nodes(out)) == text  # reads exactly as written
    assert render_plain("a < b & [c] \\ d") == "a &lt; b &amp; [c] \\ d"  # nothing else changes


def test_premise_text_in_one_node_is_what_mathjax_would_typeset() -> None:
    """Without the split, the escaped excerpt holds '\\(' in a text node (what the old render_plain produced)."""
    assert _active_in_one_node(html.escape(EXCERPT, quote=False)) == ["\\(", "\\)"]


def test_hostile_excerpt_citation_and_references_are_built_as_text(tmp_path: Path, anki: AnkiCollection) -> None:
    deck = (
        "key: hostile-plain\nname: H\ndescription: d\nsource:\n  title: "
        + repr(TITLE).replace("\\\\", "\\")
        + "\n  publisher: P\nreferences:\n  r1: '"
        + REFERENCE
        + "'\n"
    )
    topic = (
        "topic: t\ntitle: T\ncards:\n  - id: a\n    front: Q\n    back: A\n    source: '" + EXCERPT + "'\n"
        "    editor_note: {text: note, ref: r1}\n"
    )
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    (apkg,) = (tmp_path / "output").glob("*.apkg")
    anki.import_package(apkg)
    (note,) = anki.notes()
    fields = " ".join(note.fields)
    assert _active_in_one_node(fields) == []
    shown = "".join(text_nodes(fields))
    for text in (EXCERPT, TITLE, REFERENCE):
        assert text in shown
    desc = anki.col.decks.by_name("H")["desc"]
    assert _active_in_one_node(desc) == [] and REFERENCE in "".join(text_nodes(desc))
