"""Rich field content as Anki stores and shows it: the package built by ``deckgen build`` (or, for HTML fields,
written with genanki) is imported by the real Anki backend, and Anki's own media check must find every file."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import genanki

from deckgen.notetypes.builtin import CSS
from deckgen.render import render_html
from tests.conftest import AnkiCollection, run, write_deck

RICH = r"""topic: rich
title: Rich content
cards:
  - id: qtc
    front: 'Bazett: \(QTc = QT/\sqrt{RR}\)'
    back: '\[\frac{a}{b} + x_1 * y_2 \\ a < b\]'
  - id: dollars
    front: 'Inline $e^{i\pi} = -1$ and display $$\int_0^1 x\,dx$$, but $5 and $10 stay money'
    back: A
  - id: table
    front: Which drug for which phase?
    back: |-
      | Phase | Drug |
      |:------|-----:|
      | MRD+  | ~~chemo~~ blinatumomab |
  - id: code
    front: A Python function
    back: |-
      ```python
      def f(x):
          return x < 1  # "small"
      ```
  - id: audio
    front: 'Listen: [sound:chen yue&mei.mp3]'
    back: 'A name [sound:基因 ⋯.ogg]'
  - id: images
    front: '![space and hash](<media/my file #1.png>) ![amp](media/a&b.png) ![quote](<media/it''s.png>)'
    back: '![cjk](media/基因.png) ![ellipsis](media/x⋯y.png)'
  - id: html
    front: '<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby> <kbd>Ctrl</kbd> <mark>key</mark> H<sub>2</sub>O x<sup>2</sup>'
    back: '<font color="#cc0000">red</font> <span style="color: rgb(0, 0, 255); font-weight: bold">blue</span> <u>u</u>'
  - id: cloze-math
    cloze: 'Ph+ ALL carries {{c1::BCR\:\:ABL1}}; \(x = {{c2::2}}\)'
"""

MEDIA = {
    "chen yue&mei.mp3": b"ID3 not really audio 1",
    "基因 ⋯.ogg": b"OggS not really audio 2",
    "my file #1.png": b"\x89PNG 1",
    "a&b.png": b"\x89PNG 2",
    "it's.png": b"\x89PNG 3",
    "基因.png": b"\x89PNG 4",
    "x⋯y.png": b"\x89PNG 5",
}


def rich_deck(tmp_path: Path) -> Path:
    cards = write_deck(tmp_path, topics={"rich.yaml": RICH})
    (cards / "media").mkdir()
    for name, data in MEDIA.items():
        (cards / "media" / name).write_bytes(data)
    return cards


def build_and_import(cards: Path, anki: AnkiCollection) -> None:
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    log = anki.import_package(cards.parent / "output" / "fixture-deck.apkg")
    assert len(log.conflicting) == 0


def test_rich_fields_as_anki_stores_them(tmp_path: Path, anki: AnkiCollection) -> None:
    build_and_import(rich_deck(tmp_path), anki)
    note = anki.note_by_id_field
    # math reaches Anki as written; only &, < and > are escaped, so the text MathJax reads is the TeX
    assert note("qtc")["Front"] == r"Bazett: \(QTc = QT/\sqrt{RR}\)"
    assert note("qtc")["Back"] == r"\[\frac{a}{b} + x_1 * y_2 \\ a &lt; b\]"
    assert (
        note("dollars")["Front"]
        == r"Inline \(e^{i\pi} = -1\) and display \[\int_0^1 x\,dx\], but $5 and $10 stay money"
    )
    assert note("table")["Back"] == (
        '<table>\n<thead>\n<tr>\n<th align="left">Phase</th>\n<th align="right">Drug</th>\n</tr>\n</thead>\n'
        '<tbody>\n<tr>\n<td align="left">MRD+</td>\n<td align="right"><del>chemo</del> blinatumomab</td>\n</tr>\n</tbody>\n</table>'
    )
    assert note("code")["Back"] == (
        '<pre class="dg-code"><code class="language-python"><span class="k">def</span><span class="w"> </span>'
        '<span class="nf">f</span><span class="p">(</span><span class="n">x</span><span class="p">):</span>\n'
        '    <span class="k">return</span> <span class="n">x</span> <span class="o">&lt;</span> <span class="mi">1</span>'
        '  <span class="c1"># "small"</span>\n</code></pre>'
    )
    assert note("html")["Front"] == (
        "<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby> <kbd>Ctrl</kbd> <mark>key</mark> H<sub>2</sub>O x<sup>2</sup>"
    )
    assert note("html")["Back"] == (
        '<font color="#cc0000">red</font> <span style="color:rgb(0, 0, 255);font-weight:bold">blue</span> <u>u</u>'
    )
    assert note("cloze-math")["Text"] == r"Ph+ ALL carries {{c1::BCR:<span></span>:ABL1}}; \(x = {{c2::2}}\)"
    # Anki reads the two deletions (the escaped '::' is not a hint separator)
    assert sorted(c.ord for c in (anki.col.get_card(i) for i in anki.col.find_cards('"Id:cloze-math"'))) == [0, 1]


def test_night_mode_styles_for_code_and_tables_are_in_the_note_type(tmp_path: Path, anki: AnkiCollection) -> None:
    build_and_import(rich_deck(tmp_path), anki)
    (card_id,) = anki.col.find_cards('"Id:code"')
    question = anki.col.get_card(card_id).answer()
    assert question.startswith(f"<style>{CSS}</style>")
    for rule in (
        ".nightMode .dg-code { background-color: #161b22;",
        ".nightMode .dg-code .k, ",
        ".dg-code .k, ",
        ".card th, .card td {",
        "mark {",
        "kbd {",
    ):
        assert rule in CSS


def test_every_media_name_reaches_anki_and_anki_finds_it(tmp_path: Path, anki: AnkiCollection) -> None:
    build_and_import(rich_deck(tmp_path), anki)
    media_dir = Path(anki.col.media.dir())
    assert {p.name: p.read_bytes() for p in media_dir.iterdir() if p.is_file()} == MEDIA
    check = anki.col.media.check()
    assert list(check.missing) == [] and list(check.unused) == []  # Anki's own verdict: every reference has its file
    assert anki.note_by_id_field("images")["Front"] == (
        '<img src="my file #1.png" alt="space and hash"> <img src="a&amp;b.png" alt="amp"> <img src="it\'s.png" alt="quote">'
    )
    assert anki.note_by_id_field("audio")["Front"] == "Listen: [sound:chen yue&amp;mei.mp3]"
    # what the card shows: Anki turns [sound:] into a play tag for the file, and encodes image paths for the page
    (audio,) = anki.col.find_cards('"Id:audio"')
    card = anki.col.get_card(audio)
    assert [tag.filename for tag in card.question_av_tags()] == ["chen yue&mei.mp3"]
    assert [tag.filename for tag in card.answer_av_tags()] == ["基因 ⋯.ogg"]  # the front's sound is Anki's replay
    (images,) = anki.col.find_cards('"Id:images"')
    shown = re.findall(r'<img src="([^"]+)"', anki.col.get_card(images).answer())
    assert len(shown) == 5
    for src in shown:
        assert (media_dir / unquote(src.replace("&amp;", "&"))).is_file(), src


def test_html_fields_reference_media_by_bare_name(tmp_path: Path, anki: AnkiCollection) -> None:
    """render_html (custom note types' HTML fields, imported decks): Anki's own reference style works as is."""
    fields = [
        render_html('<div>名前 <img src="my file #1.png"> <img src="基因.png"></div>'),
        render_html("[sound:chen yue&amp;mei.mp3]"),
    ]
    assert [f.problems for f in fields] == [(), ()]
    assert fields[0].html == '<div>名前 <img src="my file #1.png"> <img src="基因.png"></div>'  # byte for byte
    assert [f.media for f in fields] == [("my file #1.png", "基因.png"), ("chen yue&mei.mp3",)]
    for name in ("my file #1.png", "基因.png", "chen yue&mei.mp3"):
        (tmp_path / name).write_bytes(MEDIA[name])
    model = genanki.Model(
        1607392319,
        "Two fields",
        fields=[{"name": "A"}, {"name": "B"}],
        templates=[{"name": "Card", "qfmt": "{{A}}", "afmt": "{{B}}"}],
    )
    deck = genanki.Deck(2059400110, "HTML fields")
    deck.add_note(genanki.Note(model=model, fields=[f.html for f in fields], guid="html-fields"))
    package = genanki.Package(deck)
    package.media_files = [str(tmp_path / name) for name in ("my file #1.png", "基因.png", "chen yue&mei.mp3")]
    package.write_to_file(str(tmp_path / "html.apkg"))
    anki.import_package(tmp_path / "html.apkg")
    check = anki.col.media.check()
    assert list(check.missing) == [] and list(check.unused) == []
    (note,) = anki.notes()
    assert [note["A"], note["B"]] == [fields[0].html, fields[1].html]


def test_anki_renames_media_names_deckgen_refuses(tmp_path: Path, anki: AnkiCollection) -> None:
    """Why those names are refused: Anki's importer renames the file and rewrites the note, so what learners get
    is not what deckgen built (a package written with genanki, deckgen's checks bypassed)."""
    names = ["q?.png", "CON.png", "notes.", "e\u0301.png"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
        assert render_html(f'<img src="{name}">').problems  # refused by deckgen
    model = genanki.Model(
        1607392322, "One field", fields=[{"name": "A"}], templates=[{"name": "C", "qfmt": "{{A}}", "afmt": "x"}]
    )
    deck = genanki.Deck(2059400113, "Renamed")
    deck.add_note(genanki.Note(model=model, fields=["".join(f'<img src="{n}">' for n in names)], guid="renamed"))
    package = genanki.Package(deck)
    package.media_files = [str(tmp_path / n) for n in names]
    package.write_to_file(str(tmp_path / "renamed.apkg"))
    anki.import_package(tmp_path / "renamed.apkg")
    assert sorted(p.name for p in Path(anki.col.media.dir()).iterdir()) == [
        "CON_.png",
        "notes._",
        "q.png",
        "\u00e9.png",
    ]
    assert anki.notes()[0]["A"] == '<img src="q.png"><img src="CON_.png"><img src="notes._"><img src="\u00e9.png">'
