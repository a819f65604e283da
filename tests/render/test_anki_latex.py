"""Anki's LaTeX tags are references to the images Anki rendered for them: deckgen names each image exactly as the
real Anki backend does (its own extract_latex), so the image a shared deck ships is the one learners are shown."""

from __future__ import annotations

import re
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
    # hostile-import H4: 'İ'.lower() is two characters; tags after it were read shifted (another image name)
    "İ[$]ab[/$]",
    "İİ[latex]x[/latex] ſ [$]y[/$] İ[$$]z[/$$]",
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


HTML_DECK = (
    "key: lx\nname: L\ndescription: d\nnote_types:\n  t:\n    name: T\n    fields: [Front, Back]\n"
    "    markdown: []\n    templates:\n      - {name: C1, front: '{{Front}} {{Back}}', back: '{{FrontSide}}'}\n"
)


def _card(front: str, back: str) -> str:
    return f"topic: t\ntitle: T\ncards:\n  - id: a\n    type: t\n    fields: {{Front: '{front}', Back: '{back}'}}\n"


def test_a_tag_opened_in_one_field_and_closed_in_another_is_refused(tmp_path: Path, anki: AnkiCollection) -> None:
    """hostile-import H4: Anki finds LaTeX tags on the rendered side, across fields; the image it names for the
    joined tag is not one of the fields' own, so no deck ships it (Anki's desktop would run LaTeX for it)."""
    from tests.conftest import run, write_deck

    front, back = "x [$]\\pi", "r^2[/$] y"
    nt = anki.col.models.new("T")
    for name in ("Front", "Back"):
        anki.col.models.add_field(nt, anki.col.models.new_field(name))
    tmpl = anki.col.models.new_template("C1")
    tmpl["qfmt"], tmpl["afmt"] = "{{Front}} {{Back}}", "{{FrontSide}}"
    anki.col.models.add_template(nt, tmpl)
    anki.col.models.add(nt)
    note = anki.col.new_note(anki.col.models.by_name("T"))
    note["Front"], note["Back"] = front, back
    anki.col.add_note(note, anki.col.decks.id("D"))
    question = note.cards()[0].question()
    assert latex_images(front) == latex_images(back) == []  # neither field holds a tag on its own ...
    assert 'src="latex-' in question  # ... but Anki shows an image for the joined one
    cards = write_deck(tmp_path, deck=HTML_DECK, topics={"t.yaml": _card(front, back)})
    result = run("check", cards)
    assert result.exit_code == 1
    assert "template 'C1' with this card's fields: Anki's LaTeX tag '$\\pi r^2$' is opened in one field" in (
        result.output
    ), result.output
    media = cards / "media"
    media.mkdir()
    for name in latex_images("[$]a[/$]") + latex_images("[$]b[/$]"):
        (media / name).write_bytes(b"\x89PNG")
    (cards / "t.yaml").write_text(_card("x [$]a[/$]", "[$]b[/$] y"), encoding="utf-8")
    assert run("check", cards).exit_code == 0  # each field closing its own tag: the images it ships


@pytest.mark.parametrize("field", ['[$]a<b title="[/$]" class="x">y</b>', '<i title="[/latex]">z</i>'])
def test_the_end_of_a_latex_tag_inside_an_attribute_is_refused(field: str, anki: AnkiCollection) -> None:
    """hostile-import H7: Anki replaces a tag whose end is inside an attribute up to that end, the start of the
    element included: the rest of the element becomes text (and math in it page text)."""
    from deckgen.render import render_html

    note = anki.col.new_note(anki.col.models.by_name("Basic"))
    note["Front"], note["Back"] = field, "b"
    anki.col.add_note(note, anki.col.decks.id("D"))
    if field.startswith("[$]"):
        assert '" class="x">y</b>' in note.cards()[0].question()  # '<b title="' is gone: the rest is text
    problems = [p.message for p in render_html(field).problems]
    assert any("inside the 'title' attribute" in m for m in problems), problems


CLOZE_DECK = (
    "key: lx\nname: L\ndescription: d\nnote_types:\n  c:\n    name: C\n    kind: cloze\n    fields: [Text]\n"
    "    markdown: []\n    templates:\n      - {name: Cloze, front: '{{cloze:Text}}', back: '{{cloze:Text}}'}\n"
)


@pytest.mark.parametrize("text", ["{{c1::[$]x}}[/$]", "{{c1::a::$}} b {{c1::c::/$}}"])
def test_a_tag_that_only_a_cloze_card_shows_is_refused(tmp_path: Path, anki: AnkiCollection, text: str) -> None:
    """A tag opened inside a deletion and closed after it, or spelled by hints ('[$]' from the hint '$'), exists
    only on the card Anki renders: its image is none the field names."""
    from tests.conftest import run, write_deck

    note = anki.col.new_note(anki.col.models.by_name("Cloze"))
    note["Text"] = text
    anki.col.add_note(note, anki.col.decks.id("D"))
    card = note.cards()[0]
    shown = {m for page in (card.question(), card.answer()) for m in re.findall(r'src="(latex-[0-9a-f]+\.png)"', page)}
    assert shown and not shown <= set(latex_images(text)), (shown, card.question(), card.answer())
    topic = f"topic: t\ntitle: T\ncards:\n  - id: a\n    type: c\n    fields: {{Text: '{text}'}}\n"
    cards = write_deck(tmp_path, deck=CLOZE_DECK, topics={"t.yaml": topic})
    media = cards / "media"
    media.mkdir()
    for name in latex_images(text):
        (media / name).write_bytes(b"\x89PNG")
    result = run("check", cards)
    assert result.exit_code == 1, result.output
    assert "template 'Cloze' with this card's fields: Anki's LaTeX tag" in result.output, result.output
