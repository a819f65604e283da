"""Fenced code blocks with a language, coloured by Pygments into plain HTML: ``<span class="k">`` per token,
styled by ``CODE_CSS`` in the note type's CSS. No JavaScript; in night mode (Anki puts the ``nightMode`` class
on the card) the same classes get dark-background colours. Classes rather than inline styles, because an
inline colour cannot change with night mode.

The stylesheet is written here from one palette (GitHub's light and dark colours) instead of taken from a
Pygments style, so that it does not change when Pygments does: the note type's CSS is part of what the lock
records, and a new Pygments must not change every learner's note type.
"""

from __future__ import annotations

import html
import re

from deckgen.render.result import WARNING, FieldProblem

MAX_HIGHLIGHTED = 20_000  # characters; longer blocks are shown uncoloured (bounded time on any input)

_BLOCK = re.compile(r'<pre><code class="language-([^"]*)">(.*?)</code></pre>', re.S)

# token family -> (Pygments short classes, light colour, dark colour, extra CSS)
_FAMILIES: dict[str, tuple[str, str, str, str]] = {
    "comment": ("c c1 ch cm cpf cs", "#59636e", "#8b949e", "font-style: italic;"),
    "keyword": ("k kd kn kp kr ow cp", "#cf222e", "#ff7b72", ""),
    "string": ("s s1 s2 sa sb sc sd sh sx sr ss dl", "#0a3069", "#a5d6ff", ""),
    "constant": ("m mb mf mh mi mo il kc no bp nb na se si", "#0550ae", "#79c0ff", ""),
    "function": ("nf fm nd", "#6639ba", "#d2a8ff", ""),
    "type": ("nc nn kt ne", "#953800", "#ffa657", ""),
    "variable": ("nv vc vg vi vm", "#953800", "#ffa657", ""),
    "tag": ("nt", "#116329", "#7ee787", ""),
    "deleted": ("gd", "#82071e", "#ffdcd7", ""),
    "inserted": ("gi", "#116329", "#aff5b4", ""),
    "error": ("gr gt", "#82071e", "#ffa198", ""),
    "muted": ("go gp", "#59636e", "#8b949e", ""),
    "heading": ("gh gu", "#0550ae", "#79c0ff", "font-weight: bold;"),
}
STYLED_CLASSES = frozenset(c for classes, *_ in _FAMILIES.values() for c in classes.split())


def _stylesheet() -> str:
    lines = [
        ".dg-code { background-color: #f6f8fa; color: #1f2328; padding: 0.6em 0.8em; border-radius: 6px;",
        "  overflow-x: auto; font-size: 0.85em; line-height: 1.4; text-align: left; }",
        '.dg-code code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }',
        ".nightMode .dg-code { background-color: #161b22; color: #e6edf3; }",
        ".dg-code .ge { font-style: italic; } .dg-code .gs { font-weight: bold; }",
        ".dg-code .ges { font-style: italic; font-weight: bold; }",
    ]
    for classes, light, dark, extra in _FAMILIES.values():
        names = classes.split()
        lines.append(", ".join(f".dg-code .{c}" for c in names) + f" {{ color: {light}; {extra}".rstrip() + " }")
        lines.append(", ".join(f".nightMode .dg-code .{c}" for c in names) + f" {{ color: {dark}; }}")
    return "\n".join(lines) + "\n"


CODE_CSS = _stylesheet()


def highlight_blocks(fragment: str) -> tuple[str, list[FieldProblem]]:
    """Colour every ``<pre><code class="language-X">`` block of cmark's output; every code block gets the
    ``dg-code`` box. Unknown languages and very long blocks stay uncoloured, with a warning."""
    problems: list[FieldProblem] = []
    if "<pre><code" not in fragment:
        return fragment, problems

    def colour(m: re.Match[str]) -> str:
        language, code = html.unescape(m.group(1)), m.group(2)
        coloured = _highlight(language, html.unescape(code), problems)
        return f'<pre class="dg-code"><code class="language-{m.group(1)}">{coloured if coloured is not None else code}</code></pre>'

    fragment = _BLOCK.sub(colour, fragment)
    return fragment.replace("<pre><code", '<pre class="dg-code"><code'), problems


def _highlight(language: str, code: str, problems: list[FieldProblem]) -> str | None:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        problems.append(
            FieldProblem(
                f"code language '{language}' is not known to Pygments, so the code block is shown "
                "without colours; see https://pygments.org/languages/ for the names",
                severity=WARNING,
                rule="code",
            )
        )
        return None
    if len(code) > MAX_HIGHLIGHTED:
        problems.append(
            FieldProblem(
                f"code block longer than {MAX_HIGHLIGHTED:,} characters is shown without colours",
                severity=WARNING,
                rule="code",
            )
        )
        return None
    return str(highlight(code, lexer, HtmlFormatter(nowrap=True)))
