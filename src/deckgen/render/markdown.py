"""Markdown card fields -> the HTML stored in the note.

1. ``protect``: the parts Markdown must not touch are cut out of the text and replaced by placeholder words:
   math (``\\(..\\)``, ``\\[..\\]``, ``$..$``, ``$$..$$``), Anki's ``[sound:NAME]``, and escaped colons
   (``\\:``, which keep a literal ``::`` in a cloze answer). Code spans and fenced code are left alone.
2. cmark-gfm renders the Markdown (gfm.py).
3. Each placeholder becomes its HTML: math as its TeX, HTML-escaped, between Anki's delimiters (so the text
   MathJax reads is the TeX as written); ``\\:`` as a colon that an empty ``<span></span>`` keeps apart from
   a neighbouring colon (Anki's cloze parser looks for ``::`` in the field's HTML, and nh3 would turn any
   entity such as ``&#58;`` back into a plain colon). Inside code a placeholder becomes the text as written;
   inside an HTML attribute too, except that ``\\:`` is a plain colon there.
4. Code blocks with a language are coloured (highlight.py).
5. ``sanitize.approve`` (nh3) gives the bytes that are stored; gate.py checks those bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from . import gate, gfm, highlight, sanitize
from .result import WARNING, FieldProblem, Rendered

# Text with none of these renders to itself as one paragraph, and nh3 leaves it as it is (a property test holds
# both): no Markdown, no sanitizer needed. '{' is not here: cloze text takes the fast path; gate.py checks it.
MARKDOWN_CHARS = re.compile(r"[\\`*_\[\]<>&$~\x00-\x1f\x7f\u00a0\u2028\u2029]|^[-+=#>\s]|\s$|^\d+[.)]")

_INTERESTING = re.compile(r"[\\`$]|\[sound:")
_FENCE = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*(`{3,}|~{3,})", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


@dataclass(frozen=True)
class _Slot:
    source: str  # the text as written
    html: str  # what it becomes in running text
    attribute: str  # what it becomes inside an HTML attribute value


def render_markdown(text: str, *, cloze: bool = False) -> Rendered:
    """Render one Markdown field. A single paragraph is unwrapped (Anki fields are usually inline).
    ``cloze``: the field is cloze text (Anki renders it with ``{{cloze:...}}``)."""
    text = text.strip()
    if not MARKDOWN_CHARS.search(text):
        if "{{c" not in text:
            return Rendered(text)
        media, found = gate.inspect(text, cloze=cloze)
        return Rendered(text, tuple(media), tuple(found))
    problems: list[FieldProblem] = []
    slots: list[_Slot] = []
    prefix = ""
    if _INTERESTING.search(text):
        text, slots, prefix = _protect(text, problems)
    out = gfm.to_html(text)
    if out.startswith("<p>") and out.endswith("</p>\n") and out.count("<p>") == 1:
        out = out[3:-5]
    else:
        out = out.rstrip("\n")
    if slots:
        out = _restore(out, slots, prefix)
    out, found = highlight.highlight_blocks(out)
    problems += found
    approved, found = sanitize.approve(out, markdown=True)
    problems += found
    media, found = gate.inspect(approved, cloze=cloze)
    return Rendered(approved, tuple(media), tuple(dict.fromkeys(problems + found)))


# ------------------------------------------------------------------------------------------ 1. protect


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where fenced code blocks and backtick code spans are (CommonMark's rules, simplified for containers)."""
    spans: list[tuple[int, int]] = []
    fence = _FENCE.search(text)
    while fence is not None:
        marker = fence.group(1)
        closing = re.compile(rf"^[ \t>]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.M)
        line_end = text.find("\n", fence.end())
        end_match = closing.search(text, line_end + 1) if line_end != -1 else None
        end = end_match.end() if end_match else len(text)
        spans.append((fence.start(), end))
        fence = _FENCE.search(text, end)
    pos = 0
    while True:
        tick = text.find("`", pos)
        if tick == -1:
            break
        if _inside(spans, tick) or _escaped(text, tick):
            pos = tick + 1
            continue
        run = len(text) - tick - len(text[tick:].lstrip("`"))
        closer = re.compile(rf"(?<!`)`{{{run}}}(?!`)")
        paragraph_end = _BLANK_LINE.search(text, tick)
        limit = paragraph_end.start() if paragraph_end else len(text)
        close = closer.search(text, tick + run, limit)
        if close is None:
            pos = tick + run
            continue
        spans.append((tick, close.end()))
        pos = close.end()
    return sorted(spans)


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(start <= pos < end for start, end in spans)


def _escaped(text: str, pos: int) -> bool:
    backslashes = len(text[:pos]) - len(text[:pos].rstrip("\\"))
    return backslashes % 2 == 1


def _find_math_end(text: str, start: int, close: str) -> int:
    """The end of math opened just before ``start`` (MathJax's rule: the matching close outside braces), or -1."""
    braces, i = 0, start
    while i < len(text):
        if text.startswith(close, i) and braces == 0:
            return i
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            braces += 1
        elif c == "}" and braces:
            braces -= 1
        i += 1
    return -1


def _dollar_end(text: str, start: int) -> int:
    """Pandoc's rule for ``$math$``: the opening '$' is followed by a non-space, the closing one follows a
    non-space, is not escaped and is not followed by a digit; no blank line inside. -1 if there is none."""
    if start >= len(text) or text[start].isspace():
        return -1
    paragraph_end = _BLANK_LINE.search(text, start)
    limit = paragraph_end.start() if paragraph_end else len(text)
    i = start
    while True:
        i = text.find("$", i + 1)
        if i == -1 or i >= limit:
            return -1
        if not text[i - 1].isspace() and not _escaped(text, i) and not (i + 1 < len(text) and text[i + 1].isdigit()):
            return i


def _colon(text: str, pos: int) -> str:
    """``\\:`` at ``pos``: a colon that never forms '::' with a colon next to it."""
    before = "<span></span>" if pos > 0 and text[pos - 1] == ":" else ""
    after = "<span></span>" if text.startswith(":", pos + 2) else ""
    return f"{before}:{after}"


def _protect(text: str, problems: list[FieldProblem]) -> tuple[str, list[_Slot], str]:
    """Cut math, sound tags and escaped colons out of ``text``; returns (text with placeholders, slots, prefix)."""
    n = 0
    while f"DGQ{'Q' * n}S" in text:
        n += 1
    prefix = f"DGQ{'Q' * n}S"
    code = _code_spans(text)
    slots: list[_Slot] = []
    out: list[str] = []
    pos = 0
    i = 0

    def cut(start: int, end: int, replacement: str, attribute: str | None = None) -> None:
        nonlocal pos
        out.append(text[pos:start])
        out.append(f"{prefix}{len(slots)}E")
        source = text[start:end]
        slots.append(_Slot(source, replacement, source if attribute is None else attribute))
        pos = end

    while True:
        m = _INTERESTING.search(text, i)
        if m is None:
            break
        i = m.start()
        span = next((s for s in code if s[0] <= i < s[1]), None)
        if span is not None:
            i = span[1]
            continue
        two = text[i:i + 2]
        if two in ("\\(", "\\["):
            close = "\\)" if two == "\\(" else "\\]"
            end = _find_math_end(text, i + 2, close)
            if end == -1:
                problems.append(FieldProblem(
                    f"'{two}' starts math but has no matching '{close}', so Markdown shows '{two[1]}'; close the math, "
                    f"or write '{two[1]}' without the backslash", severity=WARNING, rule="math"))
                i += 2
                continue
            tex = text[i + 2:end]
            cut(i, end + 2, f"{two}{html.escape(tex, quote=False)}{close}")
            i = pos
        elif two == "\\:":
            cut(i, i + 2, _colon(text, i), ":")
            i = pos
        elif text[i] == "\\":
            i += 2
        elif text.startswith("[sound:", i):
            end = text.find("]", i)
            if end == -1:
                i += 7
                continue
            cut(i, end + 1, f"[sound:{html.escape(text[i + 7:end], quote=False)}]")
            i = pos
        elif text.startswith("$$", i):
            end = text.find("$$", i + 2)
            if end == -1 or not text[i + 2:end].strip():
                i += 2
                continue
            cut(i, end + 2, f"\\[{html.escape(text[i + 2:end], quote=False)}\\]")
            i = pos
        elif text[i] == "$":
            end = _dollar_end(text, i + 1)
            if end == -1:
                i += 1
                continue
            cut(i, end + 1, f"\\({html.escape(text[i + 1:end], quote=False)}\\)")
            i = pos
        else:  # a backtick outside any code span: literal
            i += 1
    out.append(text[pos:])
    return "".join(out), slots, prefix


# ------------------------------------------------------------------------------------------ 3. restore


def _restore(fragment: str, slots: list[_Slot], prefix: str) -> str:
    token = re.compile(re.escape(prefix) + r"(\d+)E")
    out: list[str] = []
    pos = 0
    code_depth = 0

    def text_part(part: str) -> str:
        if code_depth:
            return token.sub(lambda t: html.escape(slots[int(t.group(1))].source, quote=False), part)
        return token.sub(lambda t: slots[int(t.group(1))].html, part)

    for tag in _TAG.finditer(fragment):
        out.append(text_part(fragment[pos:tag.start()]))
        raw = tag.group(0)
        out.append(token.sub(lambda t: slots[int(t.group(1))].attribute, raw))
        name = raw[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(raw) > 2 else ""
        if name in ("code", "pre"):
            code_depth = max(0, code_depth + (-1 if raw.startswith("</") else 1))
        pos = tag.end()
    out.append(text_part(fragment[pos:]))
    return "".join(out)
