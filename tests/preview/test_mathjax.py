"""The preview's math is MathJax's reading of the TeX (mhchem, matrices, aligned environments, \\begin blocks),
drawn by a real headless Chromium; a formula MathJax cannot read is shown as marked TeX and `preview` says so;
without Node.js the preview says that latex2mathml drew the math instead.

What is compared: the drawing is MathJax 3.2.2's own (TeX input with Anki's configuration, SVG output, made at
preview time), read back in Chromium: the glyphs drawn, the reaction's condition above its arrow, a 2x2 matrix,
'=' aligned in both rows. Anki desktop's reviewer (MathJax's CHTML output of the same reading) was not run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.browser import Chromium
from tests.conftest import run, write_deck

CHEM = r"""topic: chem
title: Chemistry
cards:
  - id: pcc
    front: 'Oxidation: \(\ce{CH3CH2OH ->[PCC] CH3CHO}\)'
    back: 'Equilibrium: \(\ce{N2 + 3H2 <=> 2NH3}\)'
  - id: matrix
    front: 'The matrix \[\begin{pmatrix} a & b \\ c & d \end{pmatrix}\]'
    back: '\[\begin{aligned} x &= 1 \\ yy &= 22 \end{aligned}\]'
  - id: cases
    front: '\[f(x) = \begin{cases} 0 & x < 0 \\ 1 & x \ge 0 \end{cases}\]'
    back: 'Missing argument: \(\frac{1}\)'
"""

GEOMETRY_JS = r"""
(() => {
  const side = (id, which) => document.querySelector(`#card-${id} .dgp-${which} .card`);
  const rect = (el) => el.getBoundingClientRect();
  const last = (el, selector) => [...el.querySelectorAll(selector)].pop();  // a back repeats its front first
  const node = (el, name) => el.querySelector(`[data-mml-node="${name}"]`);
  const glyphs = (el) => [...el.querySelectorAll('use[data-c]')]  // what is drawn, phantoms (spacers) left out
    .filter(u => !u.closest('[data-mml-node="mphantom"]'))
    .map(u => String.fromCodePoint(parseInt(u.dataset.c, 16))).join('');
  const pcc = side('pcc', 'front').querySelector('mjx-container > svg');
  const over = node(pcc, 'mover');
  const arrow = rect(over.children[0]), label = rect(over.children[1]);
  const matrix = node(side('matrix', 'front'), 'mtable');
  const aligned = last(side('matrix', 'back'), '[data-mml-node="mtable"]');
  const equals = [...aligned.querySelectorAll('use[data-c="3D"]')].map(u => rect(u).left);
  const cases = side('cases', 'front').querySelector('mjx-container');
  const undrawn = side('cases', 'back').querySelector('code.dgp-tex');
  return {
    pcc: glyphs(pcc), labelAbove: label.bottom <= arrow.top + arrow.height / 2, arrowWide: arrow.width > 15,
    equilibrium: glyphs(last(side('pcc', 'back'), 'mjx-container')),
    matrix: {rows: matrix.querySelectorAll('[data-mml-node="mtr"]').length,
             cells: matrix.querySelectorAll('[data-mml-node="mtd"]').length, height: rect(matrix).height},
    equals,
    cases: {rows: cases.querySelectorAll('[data-mml-node="mtr"]').length, glyphs: glyphs(cases)},
    undrawn: undrawn && {text: undrawn.textContent, mark: getComputedStyle(undrawn, '::before').content,
                         outline: getComputedStyle(undrawn).outlineStyle},
    rawTex: document.body.innerText.includes('\\ce'),
    display: getComputedStyle(side('matrix', 'front').querySelector('mjx-container')).display,
    stats: document.querySelector('.dgp-stats').textContent,
  };
})()
"""


@pytest.fixture
def chem_deck(tmp_path: Path) -> Path:
    return write_deck(tmp_path, topics={"chem.yaml": CHEM})


def test_chemistry_matrices_and_environments_are_drawn_as_mathjax_reads_them(
    chem_deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("preview", "cards")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "preview written to preview/index.html: 3 notes, 3 cards",
        "deckgen: warning: 1 formula(s) could not be drawn; the page shows their TeX, marked 'not drawn'",
    ]
    with Chromium(tmp_path / "browser") as chromium:
        page = chromium.open((tmp_path / "preview" / "index.html").as_uri())
        facts = page.evaluate(GEOMETRY_JS)
        problems = page.problems()
    assert problems == []
    plain = {key: unicodedata.normalize("NFKC", facts[key]) for key in ("pcc", "equilibrium")}
    assert plain["pcc"] == "CH3CH2OH→−PCCCH3CHO"  # mhchem's reading: a stretched arrow (head, extender) under PCC
    assert facts["labelAbove"] and facts["arrowWide"]
    assert plain["equilibrium"] == "N2+3H2↽−−⇀2NH3"  # mhchem builds ⇌ from two harpoons, as in Anki
    assert facts["matrix"]["rows"] == 2 and facts["matrix"]["cells"] == 4 and facts["matrix"]["height"] > 30
    assert len(facts["equals"]) == 2 and abs(facts["equals"][0] - facts["equals"][1]) < 1  # aligned on '='
    assert facts["cases"]["rows"] == 2
    assert unicodedata.normalize("NFKC", facts["cases"]["glyphs"]) == "f(x)={0x<01x≥0"
    assert facts["display"] == "block"  # MathJax's stylesheet is on the page: display math on its own line
    assert facts["undrawn"] == {"text": "\\(\\frac{1}\\)", "mark": '"⚠ not drawn: "', "outline": "dashed"}
    assert not facts["rawTex"]
    assert facts["stats"].endswith(" · math by MathJax 3.2.2")


def test_without_node_the_preview_says_who_drew_the_math(chem_deck: Path, tmp_path: Path) -> None:
    tools = tmp_path / "bin"  # a PATH with Python and git but no node
    tools.mkdir()
    for name in ("git",):
        found = shutil.which(name)
        if found:
            (tools / name).symlink_to(found)
    env = {**os.environ, "PATH": str(tools)}
    proc = subprocess.run(
        [sys.executable, "-m", "deckgen", "preview", "cards"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == (
        "deckgen: warning: math drawn by latex2mathml, not MathJax: Node.js ('node') is not installed; install "
        "Node.js to draw it as Anki does"
    )
    page = (tmp_path / "preview" / "index.html").read_text(encoding="utf-8")
    assert "math by latex2mathml, not MathJax" in page
