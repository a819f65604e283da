"""Why an av tag inside an attribute is refused, shown in a real browser: the reviewer's play button (desktop and
AnkiDroid, screen/substitute.py) ends the attribute with its '"', and the rest of the attribute, math included,
becomes page text that MathJax typesets. lexbor (the screen model's parser) reads the page as Chromium does."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deckgen.screen import policy, substitute
from tests.browser import Chromium

# a field as stored (nh3's output) after Anki's av extraction: [sound:a.mp3] became [anki:play:q:0]
STORED = '<img src="x.png" alt="[anki:play:q:0] \\(\\style{x}{y}\\) LEAKED">'


@pytest.mark.parametrize("ankidroid", [False, True])
def test_the_play_button_turns_the_rest_of_an_attribute_into_page_text(tmp_path: Path, ankidroid: bool) -> None:
    page = substitute.play_buttons(STORED, ankidroid=ankidroid)
    (tmp_path / "card.html").write_text(f"<!doctype html><body><div id=qa>{page}</div>", encoding="utf-8")
    with Chromium(tmp_path / "browser") as chromium:
        tab = chromium.open((tmp_path / "card.html").as_uri())
        alt = tab.evaluate("document.querySelector('#qa img').alt")
        text = tab.evaluate("document.getElementById('qa').textContent")
    assert "LEAKED" not in alt and "LEAKED" in text and "\\style" in text  # math outside the attribute: typeset
    root = policy.parse(page)
    img = next(n for n in root.traverse() if n.tag == "img")
    assert "LEAKED" not in (img.attributes.get("alt") or "")
    assert "LEAKED" in (root.text() or "")


def test_a_play_ref_in_text_stays_a_button() -> None:
    page = substitute.play_buttons("<b>word</b> [anki:play:q:0]")
    tags = [n.tag for n in policy.parse(page).traverse() if n.tag and not n.tag.startswith("-")]
    assert tags == ["html", "head", "body", "b", "a", "svg", "circle", "path"]


TEMPLATE_ELEMENT = (
    "<template shadowrootmode=open><img src=x onerror=\"document.title += 'h'\">"
    "<script>document.title += 's'</script></template>"
)


def test_template_content_runs_in_a_whole_document_page_only(tmp_path: Path) -> None:
    """Why the policy walks <template> content (policy.documents): AnkiDroid's legacy reviewer loads the card as a
    whole document, where <template shadowrootmode> becomes a shadow root whose script and handler run; the
    desktop puts the card in with innerHTML, where the template stays inert."""
    (tmp_path / "whole.html").write_text(f"<!doctype html><title></title><div id=qa>{TEMPLATE_ELEMENT}</div>")
    (tmp_path / "inner.html").write_text("<!doctype html><title></title><div id=qa></div>")
    with Chromium(tmp_path / "browser") as chromium:
        whole = chromium.open((tmp_path / "whole.html").as_uri())
        inner = chromium.open((tmp_path / "inner.html").as_uri())
        inner.evaluate(f"document.getElementById('qa').innerHTML = {TEMPLATE_ELEMENT!r}; 0")
        time.sleep(1)  # the image's error event
        ran_whole = whole.evaluate("document.title")
        ran_inner = inner.evaluate("document.title")
    assert sorted(ran_whole) == ["h", "s"]
    assert ran_inner == ""
    found = policy.code(TEMPLATE_ELEMENT)
    assert found[policy.SCRIPT] == 1 and found[policy.HANDLER] == 1
