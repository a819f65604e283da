"""CSS that fields rendered by deckgen need in the note type: code blocks, tables, keys and highlights, for
Anki's light and night modes (Anki adds the class ``nightMode`` to the card in night mode)."""

from __future__ import annotations

from deckgen.render.highlight import CODE_CSS

FIELD_CSS = (
    CODE_CSS
    + """\
.card table { border-collapse: collapse; margin: 0.4em 0; }
.card th, .card td { border: 1px solid #c8c8cc; padding: 0.2em 0.6em; }
.card th { background-color: #f2f2f5; }
.nightMode .card th, .nightMode .card td, .card.nightMode th, .card.nightMode td { border-color: #5a5a5f; }
.nightMode .card th, .card.nightMode th { background-color: #3a3a3e; }
kbd { border: 1px solid #b0b0b5; border-bottom-width: 2px; border-radius: 4px; padding: 0 0.3em;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
mark { background-color: #fff3a3; color: inherit; }
.nightMode mark { background-color: #6b5a00; }
"""
)
