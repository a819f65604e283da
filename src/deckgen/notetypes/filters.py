"""Anki's template filters that rewrite a field's text, reproduced (rslib/src/template_filters.rs, text.rs) so that
deckgen can check what a learner's Anki will really show, not only the field as stored.

- ``text``: removes tags with a pattern (not a parser) and decodes entities: ``&lt;b&gt;`` becomes ``<b>``;
- ``kana``, ``kanji``, ``furigana``: apply the furigana pattern `` ?([^ >]+?)\\[(.+?)\\]`` to the field's HTML as
  if it were text, keeping the reading, the base or both (in ``<ruby>``): text on both sides of a ``[...]`` joins.
"""

from __future__ import annotations

import html
import re
from functools import partial

_HTML = re.compile(r"(<!--.*?-->)|(<style.*?>.*?</style>)|(<script.*?>.*?</script>)|(<.*?>)", re.S | re.I)
_FURIGANA = re.compile(r" ?([^ >]+?)\[(.+?)\]")
REWRITING = frozenset({"text", "kana", "kanji", "furigana"})


def strip_html(value: str) -> str:
    """Anki's ``strip_html``: tags removed by pattern, entities decoded, non-breaking spaces made spaces."""
    stripped = _HTML.sub("", value) if "<" in value else value
    return html.unescape(stripped).replace("\xa0", " ") if "&" in stripped else stripped


def _ruby(kind: str, m: re.Match[str]) -> str:
    if m.group(2).startswith("sound:"):
        return m.group(0)
    if kind == "kana":
        return m.group(2)
    if kind == "kanji":
        return m.group(1)
    return f"<ruby><rb>{m.group(1)}</rb><rt>{m.group(2)}</rt></ruby>"


def apply(filters: tuple[str, ...], value: str) -> str:
    """``value`` through ``{{f1:f2:Field}}`` (``filters`` as written, outermost first; Anki applies the innermost
    first). Filters other than the rewriting ones are left out."""
    for name in reversed(filters):
        if name == "text":
            value = strip_html(value)
        elif name in ("kana", "kanji", "furigana") and "[" in value:
            value = _FURIGANA.sub(partial(_ruby, name), value.replace("&nbsp;", " "))
    return value
