"""Anki's LaTeX tags are references to the images Anki rendered for them: deckgen names each image exactly as the
real Anki backend does (its own extract_latex), so the image a shared deck ships is the one learners are shown."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deckgen.render.latex import latex_images
from tests.conftest import AnkiCollection

TEXTS = [
    "[latex]a<br>b &amp; c&nbsp;d[/latex]",
    "[$$]\\int x\\,dx[/$$] and [$]x^2[/$]",
    "[LATEX]<div>x</div><b>y</b>[/latex]",
    "[$]a[/$] [latex]unclosed [$]b[/$]",
    "[latex][/latex][$]c<br />d[/$]",
    "[$]c<br/>d<BR>e[/$]",
    "[$]ü &lt; 𝔸[/$]",
    "no tags [sound:a.mp3]",
]


@pytest.mark.parametrize("text", TEXTS)
def test_names_are_the_ones_anki_gives(text: str, anki: AnkiCollection) -> None:
    found = anki.col._backend.extract_latex(text=text, svg=False, expand_clozes=False)
    assert latex_images(text) == [item.filename for item in found.latex]


def test_a_field_of_unclosed_tags_is_read_in_linear_time() -> None:
    text = "[latex][$][$$]" * 100_000
    started = time.process_time()
    assert latex_images(text) == []
    assert time.process_time() - started < 2


def test_the_image_must_ship(tmp_path: Path) -> None:
    from tests.conftest import run, write_deck

    topic = "topic: t\ntitle: T\ncards:\n  - id: a\n    front: 'area [$]x^2[/$]'\n    back: b\n"
    cards = write_deck(tmp_path, deck="key: lx\nname: L\ndescription: d\n", topics={"t.yaml": topic})
    result = run("build", cards)
    assert result.exit_code == 1
    name = latex_images("[$]x^2[/$]")[0]
    assert f"card 'a': image 'media/{name}' does not exist in {cards / 'media'}; add the file or fix the name" in (
        result.output
    ), result.output
