"""Card field text -> the HTML stored in an Anki note.

Public interface (the rest of deckgen and custom note types use only these):

- ``render_markdown(text, *, cloze=False) -> Rendered``: a Markdown field (CommonMark + GitHub tables and
  ``~~strikethrough~~``, math, ``[sound:NAME]``, highlighted code, the HTML allow-list). Images are written
  ``![alt](media/NAME)``.
- ``render_html(text, *, cloze=False) -> Rendered``: an HTML field as Anki stores it (the same allow-list;
  media referenced by bare file name: ``<img src="x.png">``, ``[sound:x.mp3]``). A field that is already
  safe comes back byte for byte.
- ``render_plain(text) -> str``: verbatim text (escaped, never interpreted), e.g. a quotation.
- ``Rendered(html, media, problems)``; ``FieldProblem(message, severity, rule)``.
- ``FIELD_CSS``: the CSS the note type needs for code blocks, tables, ``<kbd>`` and ``<mark>`` (light and night
  mode); append it to every note type's CSS.

``cloze=True`` means the field is cloze text: Anki renders it with ``{{cloze:...}}``, which changes what is safe.
"""

from __future__ import annotations

import html as _html

from .html import render_html
from .markdown import render_markdown
from .result import FieldProblem, Rendered
from .style import FIELD_CSS

__all__ = ["FIELD_CSS", "FieldProblem", "Rendered", "render_html", "render_markdown", "render_plain"]


def render_plain(text: str) -> str:
    """A verbatim quotation (the ``source`` excerpt): escaped, never interpreted."""
    return _html.escape(" ".join(text.split()), quote=False)
