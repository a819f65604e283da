"""``deckgen preview``: the HTML site shows every card as the real Anki backend renders it, in a real browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from deckgen.notetypes.builtin import CSS
from tests.browser import Chromium, make_png, make_wav, png_facts
from tests.conftest import REPO, AnkiCollection, run

# the suite runs from an editable install of this checkout (scripts/test.sh): the message names that install
MISSING_ANKI = f"deckgen preview needs the 'anki' package: python3 -m pip install -e '{REPO}[preview]'"

ARTICLE = re.compile(
    r'<article class="dgp-note" id="card-([^"]+)" data-card-id="[^"]+" data-note-type="[^"]+">(.*?)</article>', re.S
)
LABEL = re.compile(r'<p class="dgp-label">([^<]*)</p>')
SIDE = re.compile(
    r'<figure class="dgp-side dgp-(front|back)"><figcaption>(?:Front|Back)</figcaption>'
    r'<div class="card">(.*?)</div></figure>',
    re.S,
)

FIGURES_YAML = """\
topic: figures
title: Figures
cards:
  - id: red-square
    front: "Which colour is this square? ![a red square](media/red.png)"
    back: Red
    source: "The square is red."
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def text(html: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped (attributes too), entities decoded, spaces folded."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".")


def page_cards(page: str) -> dict[str, list[tuple[int, str, str, str]]]:
    """{card id: [(ord, label, front html, back html), ...]} in page order."""
    notes: dict[str, list[tuple[int, str, str, str]]] = {}
    for card_id, body in ARTICLE.findall(page):
        found = []
        for chunk in body.split('<div class="dgp-anki-card" data-ord="')[1:]:
            label = LABEL.search(chunk)
            assert label is not None
            sides = dict(SIDE.findall(chunk))
            found.append((int(chunk.split('"', 1)[0]), label.group(1), sides["front"], sides["back"]))
        notes[card_id] = found
    return notes


def preview_ok(*args: str | os.PathLike[str]) -> str:
    result = run("preview", *args)
    assert result.exit_code == 0, result.output
    return result.output


# -------------------------------------------------------------------------------------------- the site's content


def test_site_has_every_card_in_deck_order(deck_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(deck_dir.parent)
    output = preview_ok("cards")
    assert output == "preview written to preview/index.html: 4 notes, 6 cards\n"
    site = deck_dir.parent / "preview"
    page = (site / "index.html").read_text(encoding="utf-8")

    # the preview neither writes the lock nor a package
    assert sorted(p.name for p in deck_dir.iterdir()) == ["basics.yaml", "deck.yaml", "safety.yaml"]
    assert sorted(p.name for p in deck_dir.parent.iterdir()) == ["cards", "preview"]
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]

    assert "<h1>Fixture::Immunotherapy</h1>" in page
    assert "A <em>fixture</em> deck for tests. Not medical advice." in page
    assert re.findall(r"<h2>([^<]+)<small>", page) == ["The basics", "Safety"]
    notes = page_cards(page)
    assert list(notes) == ["threshold", "bite-abbreviation", "two-cloze", "crs-fever"]
    assert [[(o, label) for o, label, _, _ in cards] for cards in notes.values()] == [
        [(0, "Card 1 · Forward")],
        [(0, "Card 1 · Forward"), (1, "Card 2 · Reverse")],
        [(0, "Card 1 · cloze c1"), (1, "Card 2 · cloze c2")],
        [(0, "Card 1 · cloze c1")],
    ]
    assert sum(len(cards) for cards in notes.values()) == 6

    ((_, _, front, back),) = notes["threshold"]
    assert text(front) == "Which blast fraction is meant by <5%?"
    assert "Below five percent of BCR::ABL1 cells" in text(back)
    assert "Source: 基底原始细胞比例<5%的患儿 A fixture article, Test Press" in text(back)
    reverse = notes["bite-abbreviation"][1]
    assert text(reverse[2]) == "bispecific T-cell engager" and text(reverse[3]).endswith("BiTE")
    c1, c2 = notes["two-cloze"]
    assert text(c1[2]) == "Blinatumomab binds [...] on B cells and CD3 on T cells."
    assert text(c2[2]) == "Blinatumomab binds CD19 on B cells and [...] on T cells."
    assert text(c1[3]) == "Blinatumomab binds CD19 on B cells and CD3 on T cells."
    assert text(notes["crs-fever"][0][2]) == "Mild CRS shows only [...]."

    # each note's header: id, topic, place in the YAML, tags
    threshold = ARTICLE.search(page)
    assert threshold is not None
    head = threshold.group(2).split("</header>")[0]
    assert "<code>threshold</code>" in head and "topic basics" in head and "cards/basics.yaml:4" in head
    assert '<span class="dgp-tag">fx::basics</span><span class="dgp-tag">numbers</span>' in head
    assert "cards/safety.yaml:4" in page

    # the deck's CSS once, in the head; no script; nothing from elsewhere
    assert page.count(CSS) == 1 and page.index(CSS) < page.index("</head>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:|//)""", page)
    assert "<link" not in page


def test_cards_are_exactly_what_anki_renders(deck_dir: Path, anki: AnkiCollection) -> None:
    """The page holds Anki's own question/answer HTML, byte for byte, for every card (without math or sound;
    for those, see test_math_and_sound_become_mathml_and_players)."""
    preview_ok(deck_dir)
    notes = page_cards((deck_dir.parent / "preview" / "index.html").read_text(encoding="utf-8"))
    build = run("build", deck_dir)
    assert build.exit_code == 0, build.output
    anki.import_package(deck_dir.parent / "output" / "fixture-deck.apkg")

    from_anki: dict[str, list[tuple[int, str, str]]] = {}
    for cid in anki.col.find_cards(""):
        card = anki.col.get_card(cid)
        sides = []
        for html in (card.question(), card.answer()):
            style = f"<style>{CSS}</style>"
            assert html.startswith(style)
            sides.append(html[len(style) :])
        from_anki.setdefault(card.note()["Id"], []).append((card.ord, sides[0], sides[1]))
    assert sum(map(len, from_anki.values())) == 6
    for card_id, cards in from_anki.items():
        assert [(o, front, back) for o, _, front, back in notes[card_id]] == sorted(cards), card_id


def test_images_are_copied_and_edits_replace_the_whole_site(deck_dir: Path) -> None:
    (deck_dir / "figures.yaml").write_text(FIGURES_YAML, encoding="utf-8")
    (deck_dir / "media").mkdir()
    png = make_png(12, 12, (220, 30, 30))
    (deck_dir / "media" / "red.png").write_bytes(png)
    (deck_dir / "media" / "unused.png").write_bytes(make_png(2, 2, (0, 0, 0)))
    assert preview_ok(deck_dir).endswith(": 5 notes, 7 cards\n")
    site = deck_dir.parent / "preview"
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "red.png"]
    assert (site / "red.png").read_bytes() == png
    notes = page_cards((site / "index.html").read_text(encoding="utf-8"))
    assert list(notes) == ["threshold", "bite-abbreviation", "two-cloze", "red-square", "crs-fever"]
    assert '<img src="red.png" alt="a red square">' in notes["red-square"][0][2]

    (deck_dir / "figures.yaml").unlink()
    (site / "stray.txt").write_text("left by someone", encoding="utf-8")
    assert preview_ok(deck_dir).endswith(": 4 notes, 6 cards\n")
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert "red-square" not in (site / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in deck_dir.parent.iterdir()) == ["cards", "preview"]


def test_site_is_the_same_on_every_run(deck_dir: Path, tmp_path: Path) -> None:
    preview_ok(deck_dir)
    first = snapshot(tmp_path / "preview")
    preview_ok(deck_dir, "-o", tmp_path / "elsewhere" / "site")
    assert snapshot(tmp_path / "elsewhere" / "site") == first


# ---------------------------------------------------------------------------------------------------- failures


def test_missing_anki_is_a_clear_error_with_exit_code_2(deck_dir: Path) -> None:
    """Run the real CLI in a fresh interpreter in which importing 'anki' fails, as when the extra is not installed."""
    code = "import sys; sys.modules['anki'] = None; from deckgen.cli import main; main()"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code, "preview", str(deck_dir)], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"deckgen: error: {MISSING_ANKI}\n"
    assert proc.stdout == ""
    assert sorted(p.name for p in deck_dir.parent.iterdir()) == ["cards"]


def test_help_imports_neither_genanki_nor_anki() -> None:
    code = (
        "import sys\nfrom deckgen.cli import main\n"
        "for args in (['--help'], ['preview', '--help']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'anki', 'genanki'}))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "preview" in proc.stdout and "Folder for the HTML site" in proc.stdout
    assert proc.stdout.rstrip().endswith("[]")


def test_deck_errors_leave_the_existing_preview_intact(deck_dir: Path) -> None:
    preview_ok(deck_dir)
    site = deck_dir.parent / "preview"
    before = snapshot(site)
    with open(deck_dir / "safety.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - id: broken\n    front: only a front\n")
    result = run("preview", deck_dir)
    assert result.exit_code == 1
    assert "safety.yaml:6:5: error: card 'broken': missing required key 'back'" in result.output
    assert "nothing was written" in result.output
    assert snapshot(site) == before
    assert sorted(p.name for p in deck_dir.parent.iterdir()) == ["cards", "preview"]  # no temporary folder left


@pytest.mark.parametrize(
    "where, message",
    [
        ("cards", "holds the cards folder"),
        (".", "holds the cards folder"),
        ("cards/site", "must not be written into the cards folder"),
        ("notes", "is a folder that deckgen preview did not write"),
    ],
)
def test_refuses_outputs_it_would_destroy(deck_dir: Path, where: str, message: str) -> None:
    root = deck_dir.parent
    (root / "notes").mkdir()
    (root / "notes" / "mine.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(root)
    result = run("preview", deck_dir, "-o", root / where)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert snapshot(root) == before and sorted(p.name for p in root.iterdir()) == ["cards", "notes"]


def test_output_must_be_a_folder(deck_dir: Path) -> None:
    (deck_dir.parent / "page.html").write_text("x", encoding="utf-8")
    result = run("preview", deck_dir, "-o", deck_dir.parent / "page.html")
    assert result.exit_code == 2
    assert (deck_dir.parent / "page.html").read_text(encoding="utf-8") == "x"


# ----------------------------------------------------------------------------------------------- in a browser

PAGE_FACTS_JS = """
(() => {
  const cards = [...document.querySelectorAll('article.dgp-note')].map(note => ({
    id: note.dataset.cardId,
    cards: [...note.querySelectorAll('.dgp-anki-card')].map(c => ({
      label: c.querySelector('.dgp-label').innerText,
      front: c.querySelector('.dgp-front .card').innerText,
      back: c.querySelector('.dgp-back .card').innerText,
    })),
  }));
  const blank = document.querySelector('.dgp-front .card .cloze');
  const card = document.querySelector('.dgp-front .card');
  const sides = [...document.querySelector('.dgp-sides').children].map(e => e.getBoundingClientRect());
  return {
    title: document.title,
    cards,
    images: [...document.querySelectorAll('main img')].map(i => ({src: i.getAttribute('src'), loaded: i.complete && i.naturalWidth > 0})),
    blank: {text: blank.innerText, weight: getComputedStyle(blank).fontWeight, color: getComputedStyle(blank).color},
    cardFont: getComputedStyle(card).fontSize,
    sideBySide: sides.length === 2 && sides[1].left > sides[0].right && Math.abs(sides[0].top - sides[1].top) < 1,
    scripts: document.scripts.length,
  };
})()
"""


def test_page_in_headless_chromium(deck_dir: Path, tmp_path: Path) -> None:
    (deck_dir / "figures.yaml").write_text(FIGURES_YAML, encoding="utf-8")
    (deck_dir / "media").mkdir()
    (deck_dir / "media" / "red.png").write_bytes(make_png(40, 40, (220, 30, 30)))
    preview_ok(deck_dir)
    index = deck_dir.parent / "preview" / "index.html"

    started = time.monotonic()
    with Chromium(tmp_path / "browser") as chromium:
        page = chromium.open(index.as_uri())
        facts = page.evaluate(PAGE_FACTS_JS)
        problems = page.problems()
        shot = page.screenshot(tmp_path / "preview.png")
    print(f"browser part took {time.monotonic() - started:.2f}s; screenshot: {tmp_path / 'preview.png'}")

    assert problems == []
    assert facts["title"] == "Fixture::Immunotherapy · deckgen preview"
    assert facts["scripts"] == 0
    notes = {note["id"]: note["cards"] for note in facts["cards"]}
    assert list(notes) == ["threshold", "bite-abbreviation", "two-cloze", "red-square", "crs-fever"]
    assert [len(cards) for cards in notes.values()] == [1, 2, 2, 1, 1]

    # a cloze front shows the blank, not the answer; its back shows the answer and the deck CSS styles it
    c1, c2 = notes["two-cloze"]
    assert c1["front"] == "Blinatumomab binds [...] on B cells and CD3 on T cells."
    assert "CD19" not in c1["front"]
    assert c1["back"] == "Blinatumomab binds CD19 on B cells and CD3 on T cells."
    assert "[...]" in c2["front"] and "CD3" not in c2["front"]
    assert facts["blank"] == {"text": "[...]", "weight": "700", "color": "rgb(10, 88, 202)"}
    assert facts["cardFont"] == "20px"
    assert facts["sideBySide"]

    # the back shows the answer and the source citation
    (threshold,) = notes["threshold"]
    assert "Below five percent" not in threshold["front"]
    assert "Below five percent of BCR::ABL1 cells" in threshold["back"]
    assert "Source:" in threshold["back"] and "A fixture article, Test Press" in threshold["back"]
    assert notes["bite-abbreviation"][1]["front"] == "bispecific T-cell engager"
    assert facts["images"] == [{"src": "red.png", "loaded": True}] * 2  # front, and the back repeats the front

    width, height, distinct = png_facts(shot)
    assert 1200 <= width <= 1280 and height > 1500  # the whole page (less the scroll bar), not just the window
    assert distinct > 100 and len(shot) > 20_000  # text, colours and the image, not a blank page


# ------------------------------------------------------------------------------------------ printable cards

COLORS = {"c1": (220, 30, 30), "c2": (30, 160, 40), "c3": (40, 60, 220)}


def _centroid(width: int, height: int, pixels: bytes, rgb: tuple[int, int, int]) -> tuple[float, float] | None:
    """The mean position of the pixels close to ``rgb``, as fractions of the page's width and height."""
    xs = ys = n = 0
    for i in range(0, len(pixels), 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if abs(r - rgb[0]) < 40 and abs(g - rgb[1]) < 40 and abs(b - rgb[2]) < 40:
            p = i // 3
            xs += p % width
            ys += p // width
            n += 1
    return (xs / n / width, ys / n / height) if n > 20 else None


def test_printed_preview_puts_each_back_behind_its_front(tmp_path: Path) -> None:
    """Chromium prints the preview to PDF; page 1 holds the fronts, page 2 the backs, mirrored left to right so
    that long-edge duplex printing puts each back behind its front (pdftoppm renders the pages)."""
    import shutil
    import subprocess

    from tests.browser import read_ppm
    from tests.conftest import write_deck

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: scripts/test.sh installs poppler-utils"
    cards_yaml = "topic: colours\ntitle: Colours\ncards:\n" + "".join(
        f"  - id: {name}\n    front: '![front {name}](media/{name}-front.png)'\n    back: '![back {name}](media/{name}-back.png)'\n"
        for name in COLORS
    )
    cards = write_deck(tmp_path, topics={"colours.yaml": cards_yaml})
    (cards / "media").mkdir()
    for name, rgb in COLORS.items():
        for side in ("front", "back"):
            (cards / "media" / f"{name}-{side}.png").write_bytes(make_png(40, 40, rgb))
    preview_ok(cards)
    with Chromium(tmp_path / "chromium") as browser:
        page = browser.open((tmp_path / "preview" / "index.html").as_uri())
        # the screen shows no print sheets
        assert page.evaluate("getComputedStyle(document.querySelector('.dgp-print')).display") == "none"
        page.print_pdf(tmp_path / "cards.pdf")
    subprocess.run(
        [pdftoppm, "-r", "30", "-f", "1", "-l", "3", str(tmp_path / "cards.pdf"), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) == 2, [p.name for p in pages]  # three cards: one sheet of fronts, one of backs
    front_page, back_page = (read_ppm(p.read_bytes()) for p in pages)
    seen = []
    for name, rgb in COLORS.items():
        front = _centroid(*front_page, rgb)
        back = _centroid(*back_page, rgb)
        assert front is not None and back is not None, name
        # held up to the light, the back lies behind the front: same height, mirrored across the page's middle
        assert abs(back[1] - front[1]) < 0.02, (name, front, back)
        assert abs(back[0] - (1 - front[0])) < 0.02, (name, front, back)
        seen.append(front)
    assert len({round(x, 1) for x, _ in seen}) == 2  # both columns are used, so the mirroring is really tested


# ------------------------------------------------------------------------------------- rich content on the page

RICH_YAML = r"""topic: rich
title: Rich content
cards:
  - id: rich-math
    front: 'Bazett: \(QTc = \frac{QT}{\sqrt{RR}}\)'
    back: '\[\sum_{i=1}^n x_i < \infty\]'
  - id: rich-table
    front: Which drug?
    back: |-
      | Phase | Drug |
      |-------|------|
      | MRD+  | blinatumomab |
  - id: rich-code
    front: A function
    back: |-
      ```python
      def f(x):
          return x  # same
      ```
  - id: rich-audio
    front: 'Listen: [sound:tone 1.wav]'
    back: '`\(not math in code\)`'
"""


def rich_preview(deck_dir: Path) -> Path:
    (deck_dir / "rich.yaml").write_text(RICH_YAML, encoding="utf-8")
    (deck_dir / "media").mkdir()
    (deck_dir / "media" / "tone 1.wav").write_bytes(make_wav())
    preview_ok(deck_dir)
    return deck_dir.parent / "preview"


def test_math_and_sound_become_mathml_and_players(deck_dir: Path) -> None:
    site = rich_preview(deck_dir)
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "tone 1.wav"]
    notes = page_cards((site / "index.html").read_text(encoding="utf-8"))
    ((_, _, front, back),) = notes["rich-math"]
    assert front.startswith('Bazett: <mjx-container class="MathJax" jax="SVG"><svg ')  # MathJax's drawing
    assert 'data-mml-node="mfrac"' in front and 'data-mml-node="msqrt"' in front and "\\(" not in front
    assert '<mjx-container class="MathJax" jax="SVG" display="true">' in back and 'data-c="3C"' in back  # the '<' glyph
    ((_, _, front, back),) = notes["rich-audio"]
    assert (
        front
        == 'Listen: <audio class="dgp-av" controls preload="metadata" src="tone%201.wav" title="tone 1.wav"></audio>'
    )
    assert "<code>\\(not math in code\\)</code>" in back  # math in code stays text, as in Anki


def test_missing_latex2mathml_is_a_clear_error_with_exit_code_2(deck_dir: Path) -> None:
    code = "import sys; sys.modules['latex2mathml'] = None; from deckgen.cli import main; main()"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code, "preview", str(deck_dir)], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        "deckgen: error: deckgen preview needs the 'latex2mathml' package: "
        f"python3 -m pip install -e '{REPO}[preview]'\n"  # as this checkout is installed
    )


RICH_FACTS_JS = """
(() => {
  const side = (id, which) => document.querySelector(`#card-${id} .dgp-${which} .card`);
  const math = side('rich-math', 'front').querySelector('mjx-container > svg');
  const box = math.getBoundingClientRect();
  const frac = math.querySelector('[data-mml-node="mfrac"]').getBoundingClientRect();
  const glyphs = [...math.querySelectorAll('use[data-c]')].map(u => String.fromCodePoint(parseInt(u.dataset.c, 16)));
  const table = side('rich-table', 'back').querySelector('table');
  const cell = getComputedStyle(table.querySelector('td'));
  const codeCard = side('rich-code', 'back');
  const keyword = codeCard.querySelector('.dg-code .k');
  const light = [getComputedStyle(keyword).color, getComputedStyle(keyword.closest('pre')).backgroundColor];
  codeCard.classList.add('nightMode');
  const dark = [getComputedStyle(keyword).color, getComputedStyle(keyword.closest('pre')).backgroundColor];
  codeCard.classList.remove('nightMode');
  const audio = side('rich-audio', 'front').querySelector('audio');
  return {
    math: {tag: math.namespaceURI, width: box.width, height: box.height, fracTaller: frac.height > 20,
           text: glyphs.join('')},
    table: {headers: [...table.querySelectorAll('th')].map(t => t.innerText), cells: table.querySelectorAll('td').length,
            border: cell.borderTopStyle + ' ' + cell.borderTopWidth},
    code: {keyword: keyword.innerText, light, dark, spans: codeCard.querySelectorAll('.dg-code span').length},
    audio: {src: audio.getAttribute('src'), controls: audio.controls, height: audio.getBoundingClientRect().height},
  };
})()
"""


def test_rich_content_in_headless_chromium(deck_dir: Path, tmp_path: Path) -> None:
    """A table, math (drawn by MathJax as SVG, no network), highlighted code (light and night colours) and an audio player."""
    index = rich_preview(deck_dir) / "index.html"
    with Chromium(tmp_path / "browser") as chromium:
        page = chromium.open(index.as_uri())
        facts = page.evaluate(RICH_FACTS_JS)
        ready = 0
        for _ in range(50):  # the player reads the file's header: proof that the file is there and plays
            ready = page.evaluate("document.querySelector('#card-rich-audio .dgp-front audio').readyState")
            if ready >= 1:
                break
            time.sleep(0.1)
        duration = page.evaluate("document.querySelector('#card-rich-audio .dgp-front audio').duration")
        problems = page.problems()
        page.screenshot(tmp_path / "rich.png")
    print(f"screenshot: {tmp_path / 'rich.png'}")
    assert problems == []
    assert facts["math"]["tag"] == "http://www.w3.org/2000/svg"  # MathJax's own drawing, made at preview time
    assert facts["math"]["width"] > 40 and facts["math"]["height"] > 20 and facts["math"]["fracTaller"]
    # the glyphs drawn (math italic letters, read back as plain ones), not the TeX source
    assert (
        unicodedata.normalize("NFKC", facts["math"]["text"]) == "QTc=QTRR√"
    )  # (MathJax draws the radical sign after its base)
    assert facts["table"] == {"headers": ["Phase", "Drug"], "cells": 2, "border": "solid 1px"}
    assert facts["code"]["keyword"] == "def" and facts["code"]["spans"] >= 8
    assert facts["code"]["light"] == ["rgb(207, 34, 46)", "rgb(246, 248, 250)"]  # #cf222e on #f6f8fa
    assert facts["code"]["dark"] == ["rgb(255, 123, 114)", "rgb(22, 27, 34)"]  # #ff7b72 on #161b22 in night mode
    assert facts["audio"]["src"] == "tone%201.wav" and facts["audio"]["controls"] and facts["audio"]["height"] > 0
    assert ready >= 1 and abs(duration - 0.2) < 0.01
