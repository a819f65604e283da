"""One side of a card, as Anki rendered it, made into what the static preview page shows: what Anki's review
screen does with JavaScript and its media player, done here without either.

- Math: Anki typesets ``\\(..\\)`` and ``\\[..\\]`` with MathJax in the reviewer; the page gets MathJax's own
  drawing of the TeX as SVG, made at preview time (:mod:`deckgen.preview.mathjax`; latex2mathml's MathML when
  Node.js is missing): no script, no network. Which one draws is set with :func:`drawing_math`.
- Audio and video: Anki replaces ``[sound:NAME]`` with ``[anki:play:q:N]`` tags and plays the file; the page
  gets an ``<audio>`` or ``<video>`` player for the file, which is copied next to index.html.
- Everything else (highlighted code, tables, images) is Anki's HTML as it is, styled by the note type's CSS.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote

from deckgen.render.tex import find_math

# Anki's own list of video extensions (rslib/src/card_rendering/av_tags.rs & aqt/sound.py: mpv plays them as video)
VIDEO = frozenset({"3gp", "avi", "flv", "m4v", "mkv", "mov", "mp4", "mpeg", "mpg", "ogv", "webm"})

# A tag, as far as placeholders and code need to know: it cannot run past the next '<', so finding all of
# them stays linear on any input (a value with '<' in it is cut short: only a context guess is then wrong).
_TAG = re.compile(r"""<[A-Za-z/!?][^<>"']*(?:(?:"[^"<]*"|'[^'<]*')[^<>"']*)*>""")
_PLAY = re.compile(r"\[anki:play:([qa]):(\d+)\]")
_SKIP = frozenset({"code", "pre", "script", "style", "textarea"})


def page_side(side_html: str, question_files: Sequence[str], answer_files: Sequence[str]) -> str:
    """``side_html``: Anki's rendering of one side; ``question_files``/``answer_files``: the file names of its
    play tags (``card.question_av_tags()`` / ``card.answer_av_tags()``)."""
    if "[anki:play:" in side_html:
        side_html = _PLAY.sub(
            lambda m: _player(question_files if m.group(1) == "q" else answer_files, int(m.group(2))), side_html
        )
    if "\\(" in side_html or "\\[" in side_html:
        side_html = _typeset(side_html)
    return side_html


def _player(files: Sequence[str], index: int) -> str:
    name = files[index] if index < len(files) else ""
    if not name:  # a text-to-speech tag from a template: nothing to play in a static page
        return ""
    src = html.escape(quote(name), quote=True)
    label = html.escape(name, quote=True)
    if name.rsplit(".", 1)[-1].lower() in VIDEO:
        return f'<video class="dgp-av" controls preload="metadata" src="{src}" title="{label}"></video>'
    return f'<audio class="dgp-av" controls preload="metadata" src="{src}" title="{label}"></audio>'


def _typeset(side_html: str) -> str:
    """Replace math in text (not in tags, not in code) with MathML."""
    out: list[str] = []
    pos = 0
    skipping = 0
    for tag in _TAG.finditer(side_html):
        text = side_html[pos : tag.start()]
        out.append(text if skipping else _typeset_text(text))
        raw = tag.group(0)
        name = raw[1:].lstrip("/").split(None, 1)[0].rstrip(">/").lower() if len(raw) > 2 else ""
        if name in _SKIP:
            skipping = max(0, skipping + (-1 if raw.startswith("</") else 1))
        out.append(raw)
        pos = tag.end()
    rest = side_html[pos:]
    out.append(rest if skipping else _typeset_text(rest))
    return "".join(out)


def _typeset_text(text: str) -> str:
    if "\\" not in text:
        return text
    plain = html.unescape(text)
    found = find_math(plain)
    if not found:
        return text
    out: list[str] = []
    pos = 0
    for start, end, tex in found:
        out.append(html.escape(plain[pos:start], quote=False))
        out.append(_mathml(tex, display=plain.startswith("\\[", start), source=plain[start:end]))
        pos = end
    out.append(html.escape(plain[pos:], quote=False))
    return "".join(out)


DrawMath = Callable[[str, bool, str], str]
"""(TeX, display, the source with its delimiters) -> HTML for the page."""


def undrawn(source: str) -> str:
    """A formula the preview cannot draw: its TeX, marked so that nobody takes it for what Anki shows."""
    return (
        '<code class="dgp-tex" title="the preview could not draw this formula; see the preview command\'s output">'
        f"{html.escape(source, quote=False)}</code>"
    )


def latex2mathml(tex: str, display: bool, source: str) -> str:
    """The fallback without Node.js: latex2mathml's MathML (it does not know mhchem and much else MathJax does)."""
    from latex2mathml.converter import convert

    try:
        return str(convert(tex, display="block" if display else "inline"))
    except Exception:
        return undrawn(source)


_DRAW: ContextVar[DrawMath] = ContextVar("draw_math", default=latex2mathml)


@contextmanager
def drawing_math(draw: DrawMath) -> Iterator[None]:
    """Draw the math of every side rendered inside the block with ``draw``."""
    token = _DRAW.set(draw)
    try:
        yield
    finally:
        _DRAW.reset(token)


def _mathml(tex: str, display: bool, source: str) -> str:
    return _DRAW.get()(tex, display, source)
