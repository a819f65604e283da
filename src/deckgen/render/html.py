"""HTML card fields (custom note types' non-Markdown fields, fields of imported Anki decks) -> the note's HTML.

The field is checked against the same allow-list as Markdown fields and passed through nh3; what is stored is
nh3's output. For HTML that is already clean that output is the input itself, byte for byte (measured on
public decks: see docs/format/math-code-media.md), so an imported deck's notes do not change. Where nh3 rewrites the HTML only
in form (``<br/>`` -> ``<br>``, quoting, entities, ``style`` spacing) nothing is reported; where it removes
something, the scanner says what and why.
"""

from __future__ import annotations

from deckgen.render import gate, sanitize
from deckgen.render.result import Rendered, unusable


def render_html(text: str, *, cloze: bool = False) -> Rendered:
    refused = unusable(text)
    if refused:
        return refused
    approved, problems = sanitize.approve(text, markdown=False)
    media, found = gate.inspect(approved, cloze=cloze)
    return Rendered(approved, tuple(media), tuple(dict.fromkeys(problems + found)))
