"""Math in card fields: which TeX is safe for Anki's MathJax, and where MathJax will find math.

Anki typesets ``\\(..\\)`` and ``\\[..\\]`` with MathJax 3 (``tex-chtml-full``: every TeX package but
``textmacros``, see texcommands.py). Some of those packages add links, CSS, ids, classes or fonts to the page
(``\\href``, ``\\style``, ``\\class``, ``\\cssId``, ``\\unicode``, ``\\mmlToken``), load code (``\\require``),
make interactive elements (``\\toggle``, ``\\mathtip``), or define macros and settings that stay in force for
the learner's next cards (``\\newcommand``, ``\\def``, ...). The check is an allow-list: inside math every
command must be one of MathJax's own minus those; a few safe commands whose arguments reach CSS (colours,
``\\bbox``, ``\\enclose``) have their arguments checked too. The dangerous commands are refused anywhere in a
field's text, not only inside delimiters, because other Anki clients and Anki's cloze rendering can turn text
into math (see gate.py).
"""

from __future__ import annotations

import re

from deckgen.distribution import docs_url
from deckgen.errors import did_you_mean
from deckgen.render.texcommands import COMMANDS, ENVIRONMENTS

MATH_DOCS = docs_url("format/math-code-media", "math")

_LINKS = "it would put a link in the card"
_STYLE = "it would add CSS, a class or an id to the card"
_DEFINES = "it defines a macro that would stay defined on the learner's other cards"
_SETTING = "it changes MathJax settings for the learner's other cards"

UNSAFE: dict[str, str] = {
    "href": _LINKS,
    "ref": _LINKS,
    "eqref": _LINKS,
    "style": _STYLE,
    "class": _STYLE,
    "cssId": _STYLE,
    "data": _STYLE,
    "mmlToken": "it can give MathML elements any attribute (href, style, class)",
    "unicode": "it can load a font and insert any character",
    "require": "it loads MathJax extensions",
    "toggle": "it makes an interactive element",
    "mathtip": "it makes an interactive element",
    "texttip": "it makes an interactive element",
    "newcommand": _DEFINES,
    "renewcommand": _DEFINES,
    "newenvironment": _DEFINES,
    "renewenvironment": _DEFINES,
    "def": _DEFINES,
    "let": _DEFINES,
    "DeclareMathOperator": _DEFINES,
    "Newextarrow": _DEFINES,
    "definecolor": _DEFINES,
    "DeclarePairedDelimiter": _DEFINES,
    "DeclarePairedDelimiterX": _DEFINES,
    "DeclarePairedDelimiterXPP": _DEFINES,
    "DeclarePairedDelimiters": _DEFINES,
    "DeclarePairedDelimitersX": _DEFINES,
    "newtagform": _SETTING,
    "renewtagform": _SETTING,
    "usetagform": _SETTING,
    "mathtoolsset": _SETTING,
}

COLOUR_COMMANDS = {  # command -> how many colour arguments come first (after an optional [model])
    "color": 1,
    "textcolor": 1,
    "colorbox": 1,
    "fcolorbox": 2,
    "cellcolor": 1,
    "rowcolor": 1,
    "columncolor": 1,
}

ALLOWED = frozenset(set().union(*COMMANDS.values()) - set(UNSAFE))
ALLOWED_ENVIRONMENTS = frozenset(set().union(*ENVIRONMENTS.values()))
_SUGGESTED = 20  # unknown commands of one formula that get a "did you mean"

_CS = re.compile(r"\\([A-Za-z]+|.)", re.S)
_NAMED_COLOUR = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]*|#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6})$")
_NUMERIC_COLOUR = re.compile(r"^[0-9.,\s]+$")
_COLOUR_MODELS = {"rgb", "RGB", "gray", "named"}  # MathJax 3 ColorUtil.ts
_BBOX_PADDING = re.compile(r"^(?:\.\d+|\d+(?:\.\d*)?)(?:pt|em|ex|mu|px|in|cm|mm)$")
_BBOX_COLOUR = re.compile(r"^(?:[a-z0-9]+|#[0-9a-f]{6}|#[0-9a-f]{3})$", re.I)
_BBOX_BORDER = re.compile(r"^border(?:-(?:top|right|bottom|left))?(?:-(?:width|style|color))?\s*:[\s\w.#%-]*$", re.I)
_ENCLOSE_OPTIONS = re.compile(r"^[\w\s=,#.-]*$")


MAX_ARGUMENT = 200
_SPECIAL = {"]": re.compile(r"[\\{}\]]"), "}": re.compile(r"[\\{}]")}  # the characters _balanced looks at


class _Reader:
    """Reads MathJax-style arguments after a command: ``[optional]`` and ``{group}`` or a single token."""

    def __init__(self, tex: str, pos: int):
        self.tex, self.pos = tex, pos

    def _skip_spaces(self) -> None:
        while self.pos < len(self.tex) and self.tex[self.pos] in " \t\r\n":
            self.pos += 1

    def _balanced(self, close: str) -> str:
        """Up to the matching ``close`` (at most MAX_ARGUMENT characters: arguments that matter here are short).
        Only the characters that matter are visited (a backslash escapes the next character; braces nest)."""
        start, depth, tex = self.pos, 0, self.tex
        stop = min(len(tex), start + MAX_ARGUMENT)
        escaped_until = start  # the character a backslash escapes is skipped
        for m in _SPECIAL[close].finditer(tex, start, stop):
            i = m.start()
            if i < escaped_until:
                continue
            c = tex[i]
            if c == "\\":
                escaped_until = i + 2
            elif c == "{":
                depth += 1
            elif c == "}":
                if depth == 0 and close == "}":
                    self.pos = i + 1
                    return tex[start:i]
                depth -= 1
            elif depth == 0:  # c == close
                self.pos = i + 1
                return tex[start:i]
        self.pos = max(stop, escaped_until)
        return tex[start : self.pos]

    def optional(self) -> str | None:
        self._skip_spaces()
        if self.pos < len(self.tex) and self.tex[self.pos] == "[":
            self.pos += 1
            return self._balanced("]")
        return None

    def argument(self) -> str:
        self._skip_spaces()
        if self.pos >= len(self.tex):
            return ""
        c = self.tex[self.pos]
        if c == "{":
            self.pos += 1
            return self._balanced("}")
        m = _CS.match(self.tex, self.pos)
        if m:
            self.pos = m.end()
            return m.group(0)
        self.pos += 1
        return c


def _colour(name: str, model: str | None, value: str) -> str | None:
    value = value.strip()
    if model is not None and model.strip() not in _COLOUR_MODELS:
        return f"\\{name}[{model}]: '{model}' is not a colour model; use rgb, RGB, gray or none"
    if model is not None and model.strip() in ("rgb", "RGB", "gray"):
        ok = bool(_NUMERIC_COLOUR.match(value))
    else:
        ok = bool(_NAMED_COLOUR.match(value))
    if not ok:
        return f"\\{name}{{{value}}}: '{value}' is not a colour; write a name (red), #rrggbb or [rgb]{{1,0,0}}"
    return None


def _checked_arguments(name: str, reader: _Reader) -> str | None:
    """A problem with the arguments of a command whose arguments reach CSS, or None."""
    if name in COLOUR_COMMANDS:
        model = reader.optional()
        for _ in range(COLOUR_COMMANDS[name]):
            problem = _colour(name, model, reader.argument())
            if problem:
                return problem
    elif name == "bbox":
        options = reader.optional() or ""
        for part in (p.strip() for p in options.split(",")):
            if part and not (_BBOX_PADDING.match(part) or _BBOX_COLOUR.match(part) or _BBOX_BORDER.match(part)):
                return (
                    f"\\bbox[{options}]: '{part}' is not allowed; \\bbox takes a colour, a padding and a border "
                    "(e.g. \\bbox[yellow,5px,border:1px solid red]{x}), not CSS styles"
                )
            large = _too_large(part) if part else None
            if large:
                return (
                    f"\\bbox[{options}]: '{large[0]}' is too large: a padding or border in math is limited to "
                    f"{large[1]}em (about {large[1] * 16}px), so that it cannot cover the rest of the card; use a "
                    "smaller value"
                )
    elif name in DIMENSION_COMMANDS:
        return _dimension_problem(name, reader)
    elif name == "enclose":
        reader.argument()
        attributes = reader.optional()
        if attributes is not None and not _ENCLOSE_OPTIONS.match(attributes):
            return (
                f"\\enclose options '[{attributes}]' are not allowed; use plain key=value pairs such as mathcolor=red"
            )
    return None


# Sizes and shifts: a box of 3000px (\rule, \bbox padding) or a shift of -3000px (\kern, \raise) lays math over
# the rest of the card or pushes it out of sight. A size is held to MAX_SIZE_EM; a shift (\raise, \lower,
# \moveleft, \moveright, \rule's lift) and any negative space, which make math overlap its neighbours, to
# MAX_SHIFT_EM (MathJax's units converted to em).
MAX_SIZE_EM = 20
MAX_SHIFT_EM = 5
_EM_PER_UNIT = {
    "em": 1.0,
    "ex": 0.43,
    "pt": 0.1,
    "pc": 1.2,
    "in": 7.2,
    "cm": 7.2 / 2.54,
    "mm": 0.72 / 2.54,
    "mu": 1 / 18,
    "px": 1 / 16,
}
_DIMENSION = re.compile(
    r"([-+\s]*)(\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})\s*(?:true\s*)?(pt|em|ex|mu|px|mm|cm|in|pc)", re.I
)
# command -> how many dimension arguments follow (braced or not), after an optional '*' and '[...]'
DIMENSION_COMMANDS = {
    "kern": 1,
    "mkern": 1,
    "hskip": 1,
    "mskip": 1,
    "hspace": 1,
    "mspace": 1,
    "raise": 1,
    "lower": 1,
    "moveleft": 1,
    "moveright": 1,
    "rule": 2,
    "Rule": 3,
    "Space": 3,
    "\\": 0,
    "mathmakebox": 0,
    "makebox": 0,
    "mathclap": 0,
    "mathllap": 0,
    "mathrlap": 0,
}
_SHIFTS = frozenset({"raise", "lower", "moveleft", "moveright"})


def _negative(m: re.Match[str]) -> bool:
    return m.group(1).count("-") % 2 == 1  # TeX reads every sign: '--3em' is 3em, '-+-3em' too


def _em(m: re.Match[str]) -> float:
    return float(m.group(2)) * _EM_PER_UNIT[m.group(3).lower()]


def negative_total(text: str) -> float:
    """The negative spaces and shifts that dimension commands in ``text`` take, added up in em: nine \\kern-4em
    in a row move a box as far as one \\kern-36em. (Only their arguments count: '\\(a - 30mm\\)' is text.)"""
    total = 0.0
    for m in _CS.finditer(text):
        if m.group(1) in DIMENSION_COMMANDS:
            for part, _ in _dimension_parts(m.group(1), _Reader(text, m.end())):
                total += sum(_em(d) for d in _DIMENSION.finditer(part) if _negative(d))
    return total


def _too_large(text: str, *, shift: bool = False) -> tuple[str, int] | None:
    """The first dimension in ``text`` beyond its limit, as written, with that limit; or None."""
    for m in _DIMENSION.finditer(text):
        limit = MAX_SHIFT_EM if shift or _negative(m) else MAX_SIZE_EM
        if _em(m) > limit:
            return m.group(0).strip(), limit
    return None


def _dimension_parts(name: str, reader: _Reader) -> list[tuple[str, bool]]:
    """The arguments of a dimension command (text, whether it is a shift)."""
    reader._skip_spaces()
    if reader.tex.startswith("*", reader.pos):
        reader.pos += 1
    optional = reader.optional() or ""
    parts = [(optional, name == "rule")]  # \rule[lift]{width}{height}; \\[space]
    for _ in range(DIMENSION_COMMANDS[name]):
        reader._skip_spaces()
        unbraced = _DIMENSION.match(reader.tex, reader.pos)
        if unbraced and not reader.tex.startswith("{", reader.pos):
            parts.append((unbraced.group(0), name in _SHIFTS))
            reader.pos = unbraced.end()
        else:
            parts.append((reader.argument(), name in _SHIFTS))
    return parts


def _dimension_problem(name: str, reader: _Reader) -> str | None:
    parts = _dimension_parts(name, reader)
    found = next((d for d in (_too_large(text, shift=shift) for text, shift in parts) if d), None)
    if found is None:
        return None
    what = "a shift or a negative space" if found[1] == MAX_SHIFT_EM else "a size"
    return (
        f"\\{name}: '{found[0]}' is too large: {what} in math is limited to {found[1]}em (about {found[1] * 16}px), "
        "so that math cannot cover or push away the rest of the card; use a smaller value"
    )


CHECKED = frozenset({*COLOUR_COMMANDS, "bbox", "enclose", *DIMENSION_COMMANDS})


def unsafe_commands(text: str) -> list[str]:
    """Problems with the commands that must never reach MathJax, wherever they are in ``text``."""
    problems: list[str] = []
    for m in _CS.finditer(text):
        name = m.group(1)
        if name in UNSAFE:
            problems.append(f"unsafe math: \\{name} is not allowed: {UNSAFE[name]}; remove it")
        elif name in CHECKED:
            problem = _checked_arguments(name, _Reader(text, m.end()))
            if problem:
                problems.append(f"unsafe math: {problem}")
    return problems


def check_math(tex: str) -> list[str]:
    """Problems with one piece of math (the text between its delimiters): anything outside the allow-list."""
    problems = unsafe_commands(tex)
    total = negative_total(tex)
    if total > MAX_SHIFT_EM and not any("is too large" in p for p in problems):
        problems.append(
            f"unsafe math: negative spaces and shifts add up to {total:.4g}em in one formula; together they are "
            f"limited to {MAX_SHIFT_EM}em (about {MAX_SHIFT_EM * 16}px), so that math cannot cover the rest of "
            "the card; use fewer or smaller ones"
        )
    for m in _CS.finditer(tex):
        name = m.group(1)
        if name in ("begin", "end"):
            env = _Reader(tex, m.end()).argument().strip()
            if env not in ALLOWED_ENVIRONMENTS:
                problems.append(
                    f"math: environment '{env}' is not available in Anki's MathJax"
                    f"{did_you_mean(env, ALLOWED_ENVIRONMENTS) if len(problems) < _SUGGESTED else ''}; what math supports: {MATH_DOCS}"
                )
        elif name not in ALLOWED and name not in UNSAFE:
            # a suggestion costs a comparison with every command: hostile input with thousands of them gets none
            hint = did_you_mean(name, ALLOWED, prefix="\\") if len(problems) < _SUGGESTED else ""
            shown = {"\n": "\\n", "\t": "\\t", " ": "\\ (backslash space)"}.get(name, name)
            problems.append(
                f"math: \\{shown} is not a command of Anki's MathJax{hint}; "
                f"check the spelling (what math supports: {MATH_DOCS})"
            )
    return problems


_START = re.compile(r"\\\(|\\\[")
_END_TOKENS = re.compile(r"\\\)|\\\]|\\(?:[a-zA-Z]|.)|[{}]", re.S)


def find_math(text: str) -> list[tuple[int, int, str]]:
    """(start, end, TeX) of each ``\\(..\\)`` and ``\\[..\\]`` in ``text`` as MathJax's FindTeX finds them: the
    closing delimiter must match the opening one and sit outside any braces; math without an end is not math."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    budget = 4 * len(text) + 1000  # a hostile field of unclosed '\(' would make the search quadratic
    while True:
        start = _START.search(text, pos)
        if start is None or budget < 0:
            return found
        close = "\\)" if start.group(0) == "\\(" else "\\]"
        braces, end_match = 0, None
        for token in _END_TOKENS.finditer(text, start.end()):
            t = token.group(0)
            if t == close and braces == 0:
                end_match = token
                break
            if t == "{":
                braces += 1
            elif t == "}" and braces:
                braces -= 1
        budget -= (end_match.end() if end_match else len(text)) - start.end()
        if end_match is None:
            pos = start.end()
            continue
        found.append((start.start(), end_match.end(), text[start.end() : end_match.start()]))
        pos = end_match.end()
