"""Why an av tag inside an attribute is refused, shown in a real browser: the reviewer's play button (desktop and
AnkiDroid, screen/substitute.py) ends the attribute with its '"', and the rest of the attribute, math included,
becomes page text that MathJax typesets. lexbor (the screen model's parser) reads the page as Chromium does."""

from __future__ import annotations

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
