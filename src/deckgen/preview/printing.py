"""Printable flashcards for ``deckgen preview``: printing the page gives cut-out cards, fronts on odd pages and
backs on even pages, each back sheet mirrored so that double-sided printing (flipped on the long edge) puts every
back behind its front. Only a print stylesheet and a section the screen never shows: no script, no new library.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS, ROWS = 2, 4  # cards per A4 sheet: 2 x 4 cells of 90 mm x 62 mm
_ANSWER = re.compile(r'<hr id="?answer"?\s*/?>', re.I)

PRINT_CSS = f"""\
.dgp-print {{ display: none; }}
@page {{ size: A4 portrait; margin: 10mm; }}
@media print {{
  body.dgp {{ background: #fff; }}
  body.dgp > :not(.dgp-print) {{ display: none !important; }}
  .dgp-print {{ display: block; }}
  .dgp-sheet {{ display: grid; grid-template-columns: repeat({COLUMNS}, 90mm); grid-template-rows: repeat({ROWS}, 62mm);
    gap: 6mm 5mm; justify-content: center; break-after: page; page-break-after: always; }}
  .dgp-sheet:last-child {{ break-after: auto; page-break-after: auto; }}
  .dgp-cell {{ box-sizing: border-box; border: 0.2mm dashed #9ca3af; overflow: hidden; display: flex;
    align-items: center; justify-content: center; }}
  .dgp-cell > .card {{ max-width: 100%; max-height: 100%; padding: 3mm; font-size: 12pt; }}
  .dgp-cell img {{ max-height: 40mm; }}
}}
"""


@dataclass(frozen=True)
class PrintCard:
    notetype: str  # for the note type's scoped CSS
    front: str  # Anki's HTML of each side
    back: str


def answer_part(back: str) -> str:
    """The back of a printed card shows the answer only: what Anki's back shows after ``<hr id=answer>`` (the
    front is on the other side of the paper)."""
    match = _ANSWER.search(back)
    return back[match.end() :] if match else back


def _cell(card: PrintCard | None, side: str) -> str:
    if card is None:
        return '<div class="dgp-cell dgp-blank"></div>'
    content = card.front if side == "front" else answer_part(card.back)
    return (
        f'<article class="dgp-cell dgp-print-{side}" data-note-type="{html.escape(card.notetype, quote=True)}">'
        f'<div class="card">{content}</div></article>'
    )


def print_section(cards: Sequence[PrintCard]) -> str:
    """Sheets of fronts, each followed by the sheet of their backs with every row mirrored (long-edge duplex)."""
    per_sheet = COLUMNS * ROWS
    sheets: list[str] = []
    for start in range(0, len(cards), per_sheet):
        chunk: list[PrintCard | None] = list(cards[start : start + per_sheet])
        chunk += [None] * (per_sheet - len(chunk))
        rows = [chunk[r * COLUMNS : (r + 1) * COLUMNS] for r in range(ROWS)]
        fronts = "".join(_cell(card, "front") for row in rows for card in row)
        backs = "".join(_cell(card, "back") for row in rows for card in reversed(row))
        sheets.append(f'<div class="dgp-sheet dgp-fronts">{fronts}</div>')
        sheets.append(f'<div class="dgp-sheet dgp-backs">{backs}</div>')
    return f'<section class="dgp-print" aria-hidden="true">{"".join(sheets)}</section>'
