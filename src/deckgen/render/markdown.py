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

import bisect
import html
import re
from dataclasses import dataclass

from deckgen.render import gate, gfm, highlight, sanitize
from deckgen.render.result import MAX_FIELD_CHARS, WARNING, FieldProblem, Rendered, unusable

# Text with none of these renders to itself as one paragraph, and nh3 leaves it as it is (a property test holds
# both): no Markdown, no sanitizer needed. '{' is not here: cloze text takes the fast path; gate.py checks it.
MARKDOWN_CHARS = re.compile(
    r"[\\`*_\[\]<>&$~\x00-\x1f\x7f\u00a0\u2028\u2029\ufeff\ud800-\udfff]|^[-+=#>\s]|\s$|^\d+[.)]"
)
_MARKUP_ANYWHERE = re.compile(r"[\\`*_\[\]<>&$~\x00-\x1f\x7f\u00a0\u2028\u2029\ufeff\ud800-\udfff]")
_MARKUP_AT_START = re.compile(r"[-+=#>\s]|\d+[.)]")


def has_markup(text: str) -> bool:
    """Whether :data:`MARKDOWN_CHARS` finds anything in ``text``, about 4x faster: the character class is searched
    alone and the anchored alternatives are tried at the ends only (in one pattern, the engine tries every
    alternative at every position). A newline anywhere is in the class, so ``\\s$`` is the last character alone.
    tests/render/test_has_markup.py holds the two equal."""
    return bool(_MARKUP_ANYWHERE.search(text) or _MARKUP_AT_START.match(text) or text[-1:].isspace())


_INTERESTING = re.compile(r"[\\`$]|\[sound:|\[(?:\$\$?|latex)\]", re.I)
_ANKI_LATEX_END = {"[$]": "[/$]", "[$$]": "[/$$]", "[latex]": "[/latex]"}
_FENCE = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*(`{3,}|~{3,})", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BACKTICKS = re.compile(r"`+")
_RAW_HTML = re.compile(r"<[A-Za-z/!?]")  # how CommonMark's raw HTML and autolinks start
_DOLLAR_OR_NEWLINE = re.compile(r"[$\n]")
_SPACE = re.compile(r"\s")
_MATH_LOOKING = re.compile(r"[\\^_{]")
_MATH_TOKENS = re.compile(r"\\\)|\\\]|\\.|[{}]", re.S)
# A tag, as far as placeholders and code need to know: it cannot run past the next '<', so finding all of
# them stays linear on any input (a value with '<' in it is cut short: only a context guess is then wrong).
_TAG = re.compile(r"""<[A-Za-z/!?][^<>"']*(?:(?:"[^"<]*"|'[^'<]*')[^<>"']*)*>""")


@dataclass(frozen=True)
class _Slot:
    source: str  # the text as written
    html: str  # what it becomes in running text
    attribute: str  # what it becomes inside an HTML attribute value


def render_markdown(text: str, *, cloze: bool = False) -> Rendered:
    """Render one Markdown field. A single paragraph is unwrapped (Anki fields are usually inline).
    ``cloze``: the field is cloze text (Anki renders it with ``{{cloze:...}}``)."""
    text = text.strip()
    if len(text) <= MAX_FIELD_CHARS and not has_markup(text):  # (no surrogate either)
        if "{{c" not in text:
            return Rendered(text)
        return Rendered(text, (), tuple(gate.cloze_problems(text, cloze)))
    refused = unusable(text)
    if refused:
        return refused
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
    approved, found = sanitize.approve(out, markdown=True, scanned="[" in text or bool(_RAW_HTML.search(text)))
    problems += found
    media, found = gate.inspect(approved, cloze=cloze)
    return Rendered(approved, tuple(media), tuple(dict.fromkeys(problems + found)))


# ------------------------------------------------------------------------------------------ 1. protect


class _Text:
    """The field's text with what the cutting needs precomputed, so that every search is bounded: a hostile
    field (thousands of unclosed '\\(' or '$') must not make the work quadratic."""

    def __init__(self, text: str):
        self.text = text
        self.lowered = text.lower()
        self.paragraph_ends = [m.start() for m in _BLANK_LINE.finditer(text)]
        self.budget = 4 * len(text) + 1000  # characters that searches for closing delimiters may scan
        self.code = self._code_spans()
        self._next_code = 0

    def paragraph_end(self, pos: int) -> int:
        k = bisect.bisect_left(self.paragraph_ends, pos)
        return self.paragraph_ends[k] if k < len(self.paragraph_ends) else len(self.text)

    def escaped(self, pos: int) -> bool:
        """Is the character at ``pos`` preceded by an odd number of backslashes?"""
        i = pos
        while i > 0 and self.text[i - 1] == "\\":
            i -= 1
        return (pos - i) % 2 == 1

    def _code_spans(self) -> list[tuple[int, int]]:
        """Fenced code blocks and backtick code spans (CommonMark's rules, simplified for containers), sorted."""
        text = self.text
        fences: list[tuple[int, int]] = []
        fence = _FENCE.search(text)
        while fence is not None:
            marker = fence.group(1)
            closing = re.compile(rf"^[ \t>]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.M)
            line_end = text.find("\n", fence.end())
            end_match = closing.search(text, line_end + 1) if line_end != -1 else None
            end = end_match.end() if end_match else len(text)
            fences.append((fence.start(), end))
            fence = _FENCE.search(text, end)
        spans = list(fences)
        starts = [f[0] for f in fences]
        unmatched: set[tuple[int, int]] = set()  # (run length, paragraph end) known to have no closer
        last_end = 0  # of the last code span found
        for run in _BACKTICKS.finditer(text):
            tick, length = run.start(), len(run.group(0))
            k = bisect.bisect_right(starts, tick) - 1
            if (k >= 0 and tick < fences[k][1]) or tick < last_end or self.escaped(tick):
                continue
            limit = self.paragraph_end(tick)
            if (length, limit) in unmatched:
                continue
            close = re.compile(rf"(?<!`)`{{{length}}}(?!`)").search(text, run.end(), limit)
            if close is None:
                unmatched.add((length, limit))
                continue
            spans.append((tick, close.end()))
            last_end = close.end()
        return sorted(spans)

    def code_end(self, pos: int) -> int:
        """The end of the code span or block that holds ``pos``, or -1 (positions must only grow)."""
        while self._next_code < len(self.code) and self.code[self._next_code][1] <= pos:
            self._next_code += 1
        if self._next_code < len(self.code) and self.code[self._next_code][0] <= pos:
            return self.code[self._next_code][1]
        return -1

    def math_end(self, start: int, close: str) -> int:
        """Where the math opened just before ``start`` closes (MathJax's rule: the matching delimiter outside
        braces), or -1."""
        braces = 0
        for token in _MATH_TOKENS.finditer(self.text, start):
            t = token.group(0)
            if t == close and braces == 0:
                self.budget -= token.start() - start
                return token.start()
            if t == "{":
                braces += 1
            elif t == "}" and braces:
                braces -= 1
        self.budget -= len(self.text) - start
        return -1

    def dollar_end(self, start: int) -> int:
        """Pandoc's rule for ``$math$``: the opening '$' is followed by a non-space, the closing one follows a
        non-space, is not escaped and is not followed by a digit; no blank line inside. -1 if there is none."""
        text = self.text
        if start >= len(text) or text[start].isspace():
            return -1
        limit = self.paragraph_end(start)
        i = start
        while True:
            i = text.find("$", i + 1, limit)
            if i == -1:
                self.budget -= limit - start
                return -1
            if not text[i - 1].isspace() and not self.escaped(i) and not (i + 1 < len(text) and text[i + 1].isdigit()):
                self.budget -= i - start
                return i


def spaced_dollars(text: str, i: int) -> str | None:
    """The '$ x_1 $' that starts at the '$' at ``i``: a '$', text on one line with a TeX-looking character
    ('\\', '^', '_', '{') and a space just inside one of the ends, a '$' not followed by a digit; or None.
    (The regex ``\\$(\\s[^$\\n]*?[\\\\^_{][^$\\n]*?|[^$\\n]*?[\\\\^_{][^$\\n]*?\\s)\\$(?!\\d)``, which backtracked
    quadratically on a '$' followed by a long line; here every search stops at the next '$' or newline.)"""
    n, k = len(text), i + 1

    def closes(j: int) -> bool:
        return j < n and text[j] == "$" and not (j + 1 < n and text[j + 1].isdecimal())

    if k < n and _SPACE.match(text, k):  # a space after the opening '$'
        end = _DOLLAR_OR_NEWLINE.search(text, k + 1)
        j = end.start() if end else n
        if closes(j) and _MATH_LOOKING.search(text, k + 1, j):
            return text[i : j + 1]
    end = _DOLLAR_OR_NEWLINE.search(text, k)
    if end is None:
        return None
    j = end.start()
    if text[j] == "\n":  # the space before the closing '$' is this newline
        if closes(j + 1) and _MATH_LOOKING.search(text, k, j):
            return text[i : j + 2]
    elif j - 1 > k and _SPACE.match(text, j - 1) and closes(j) and _MATH_LOOKING.search(text, k, j - 1):
        return text[i : j + 1]
    return None


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
    t = _Text(text)
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
        code_end = t.code_end(i)
        if code_end != -1:
            i = code_end
            continue
        two = text[i : i + 2]
        latex = m.group(0).lower()
        if latex in _ANKI_LATEX_END:  # Anki's own LaTeX tags: left as written (gate.py: images)
            end = t.lowered.find(_ANKI_LATEX_END[latex], i)
            i = len(text) if end == -1 else end + len(_ANKI_LATEX_END[latex])
        elif two in ("\\(", "\\["):
            close = "\\)" if two == "\\(" else "\\]"
            end = t.math_end(i + 2, close) if t.budget > 0 else -1
            if end == -1:
                unclosed = FieldProblem(
                    f"'{two}' starts math but has no matching '{close}', so Markdown shows '{two[1]}'; close the math, "
                    f"or write '{two[1]}' without the backslash",
                    severity=WARNING,
                    rule="math",
                )
                if unclosed not in problems:
                    problems.append(unclosed)
                i += 2
                continue
            tex = text[i + 2 : end]
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
                i = len(text)
                continue
            cut(i, end + 1, f"[sound:{html.escape(text[i + 7 : end], quote=False)}]")
            i = pos
        elif text.startswith("$$", i):
            end = text.find("$$", i + 2) if t.budget > 0 else -1
            if end != -1:
                t.budget -= end - i
            if end == -1 or not text[i + 2 : end].strip():
                i += 2
                continue
            cut(i, end + 2, f"\\[{html.escape(text[i + 2 : end], quote=False)}\\]")
            i = pos
        elif text[i] == "$":
            end = t.dollar_end(i + 1) if t.budget > 0 else -1
            if end == -1:
                spaced = spaced_dollars(text, i)
                if spaced:  # '$ x_1 $': not math by the rule, but it looks like it, and Markdown would eat the '_'
                    inner = spaced[1:-1].strip()
                    problems.append(
                        FieldProblem(
                            f"'{spaced}' is not turned into math: a '$' followed or preceded by a space is a dollar "
                            f"sign; write ${inner}$ or \\({inner}\\) for math, or \\$ for a dollar sign",
                            severity=WARNING,
                            rule="math",
                        )
                    )
                i += 1
                continue
            cut(i, end + 1, f"\\({html.escape(text[i + 1 : end], quote=False)}\\)")
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
        out.append(text_part(fragment[pos : tag.start()]))
        raw = tag.group(0)
        out.append(token.sub(lambda t: slots[int(t.group(1))].attribute, raw))
        name = raw[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(raw) > 2 else ""
        if name in ("code", "pre"):
            code_depth = max(0, code_depth + (-1 if raw.startswith("</") else 1))
        pos = tag.end()
    out.append(text_part(fragment[pos:]))
    return "".join(out)
