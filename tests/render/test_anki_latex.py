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
    "[$]a<!-- c -->b<!-- open[/$]",
    "[$]a<style x>s</STYLE>b<style>open<script>t</script>c[/$]",
    "[$]1 < 2<!--x<style>y-->z<ſtyle>w</style>v[/$]",
    "[$]a[/$]" * 3 + "[$$]",
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


@pytest.mark.parametrize("shape", ["<!--", "<style>", "<script>", "<style", "<", "[$]a[/$]", "[latex]"])
def test_a_megabyte_of_unclosed_markup_is_read_in_linear_time(shape: str) -> None:
    """Each unclosed '<!--' or '<style>' used to search to the end of the field again (hostile review H3: 80 KB took
    37 s); a 1 MB field of each shape takes well under a second now."""
    text = "[$]" + shape * (1_000_000 // len(shape)) + "[/$][$$]"
    started = time.process_time()
    latex_images(text)
    assert time.process_time() - started < 10


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


def test_a_whole_tag_inside_a_deletion_shows_the_image_deckgen_names(anki: AnkiCollection) -> None:
    """Anki draws LaTeX after the cloze: a tag inside a deletion keeps its body (the image the deck ships), a
    deletion inside a tag changes it per card side (refused: that image could not ship)."""
    from deckgen.render import render_html

    field = "Area: {{c1::[$]x^2[/$]}} and {{c2::b}}"
    note = anki.col.new_note(anki.col.models.by_name("Cloze"))
    note["Text"] = field
    anki.col.add_note(note, anki.col.decks.id("D"))
    (name,) = latex_images(field)
    card1, card2 = sorted(note.cards(), key=lambda c: c.ord)
    assert f'src="{name}"' in card1.answer()
    assert f'src="{name}"' in card2.question()  # shown, not hidden, on the other card
    assert not render_html(field, cloze=True).problems
    inside = "[$]{{c1::x}}^2[/$]"
    assert [p.message for p in render_html(inside, cloze=True).problems] == [
        "a cloze deletion inside Anki's LaTeX tag: Anki draws another image for each card side, which the deck "
        "cannot ship, so learners' Anki would run LaTeX; put the whole tag inside the deletion, or write the math "
        "as \\(...\\)"
    ]
