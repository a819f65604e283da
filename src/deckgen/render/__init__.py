"""Card field text -> the HTML stored in an Anki note.

Public interface (the rest of deckgen and custom note types use only these):

- ``render_markdown(text, *, cloze=False) -> Rendered``: a Markdown field (CommonMark + GitHub tables and
  ``~~strikethrough~~``, math, ``[sound:NAME]``, highlighted code, the HTML allow-list). Images are written
  ``![alt](media/NAME)``.
- ``render_html(text, *, cloze=False) -> Rendered``: an HTML field as Anki stores it (the same allow-list;
  media referenced by bare file name: ``<img src="x.png">``, ``[sound:x.mp3]``). A field that is already
  safe comes back byte for byte.
- ``render_plain(text) -> str``: verbatim text (escaped, never interpreted), e.g. a quotation: MathJax's
  delimiters and Anki's ``[sound:`` and ``[latex]`` tags in it are kept apart by an empty ``<span></span>``, so
  they show as typed instead of being typeset, played or run.
- ``math_problems(html) -> list[FieldProblem]``: the math checks on HTML that Anki produces from a field (e.g.
  through the ``{{text:...}}`` filter), as on a field.
- ``Rendered(html, media, problems)``; ``FieldProblem(message, severity, rule)``.
- ``css.references(css)``: every URL and @import of CSS text, read by a CSS tokenizer (tinycss2) as a browser reads
  it; used by the field style check, the screen policy, the diff, the import summary and the SVG check.
- ``FIELD_CSS``: the CSS the note type needs for code blocks, tables, ``<kbd>`` and ``<mark>`` (light and night
  mode); append it to every note type's CSS.

``cloze=True`` means the field is cloze text: Anki renders it with ``{{cloze:...}}``, which changes what is safe.
"""

from __future__ import annotations

import html as _html
import re as _re

from deckgen.render.gate import math_problems
from deckgen.render.html import render_html
from deckgen.render.markdown import render_markdown
from deckgen.render.result import FieldProblem, Rendered
from deckgen.render.style import FIELD_CSS

__all__ = ["FIELD_CSS", "FieldProblem", "Rendered", "math_problems", "render_html", "render_markdown", "render_plain"]


# What would make text in a field more than text in Anki: MathJax's delimiters \( \) \[ \] (MathJax looks for
# them only within one text node, so an element between the two characters breaks them), and the opening of
# the tags Anki finds by pattern in a card's HTML: [sound:x], [anki:tts], [latex], [$], [$$], [[type:x]].
_ACTIVE = _re.compile(r"\\(?=[()\[\]])|\[(?=sound:|anki:|latex\]|\$|\[type:)", _re.I)


def render_plain(text: str) -> str:
    """A verbatim quotation (the ``source`` excerpt, a citation, a reference): escaped, never interpreted; it reads
    exactly as written, and math delimiters or Anki tags in it stay text (see ``_ACTIVE``)."""
    escaped = _html.escape(" ".join(text.split()), quote=False)
    return (
        _ACTIVE.sub(lambda m: m.group(0) + "<span></span>", escaped) if ("\\" in escaped or "[" in escaped) else escaped
    )
