"""Whether a field placed in a template's JavaScript sits inside an ordinary string literal, decided so that it is
right or strict: one forward pass over the code, linear in its length (placements.py).

A field inside a ``'...'`` or ``"..."`` string only has to stay in the string (placements.SCRIPT_STRING); anywhere
else it is code (placements.SCRIPT_CODE: letters, digits, spaces, '.' and ','). Reading JavaScript without parsing it
is ambiguous in places: a ``/`` after ``)`` or ``}`` may start a regular expression (``if (x) /'/.test(s)``) or
divide (``(a + b) / 2``), ``-->`` and ``<!--`` start a comment in a classic script but not in a module. The scanner
follows every reading at once (a small set of states, forked at each ambiguity; a reading that turns into a syntax
error, such as a string running into a line break, is dropped) and calls a placement a string only when every live
reading agrees. Template literals (``${ }`` is code), regular expressions, comments, and anything it cannot follow
(a template section inside the code, more readings than it keeps, no live reading) give the strict rule.

The caller passes the code as the browser hands it to the JavaScript engine: a handler attribute's value with its
character references decoded (:func:`decode_attribute`), a ``javascript:`` URL also percent-decoded.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from html.entities import html5

# a state: (mode, template-literal brace depths, what a '/' would be in code: "re", "div" or "both")
State = tuple[str, tuple[int, ...], str]
START: State = ("code", (), "re")
MAX_READINGS = 16
_LINE_END = "\n\r\u2028\u2029"
_STOP = {
    "'": re.compile(r"['\\\n\r]"),
    '"': re.compile(r'["\\\n\r]'),
    "`": re.compile(r"[`\\]|\$\{"),
    "//": re.compile(r"[\n\r\u2028\u2029]"),
    "re": re.compile(r"[/\\\[\n\r\u2028\u2029]"),
    "re[": re.compile(r"[\]\\\n\r\u2028\u2029]"),
}
_CODE_STOP = re.compile(r"<!--|-->|['\"`/{}]")
_WORD_END = re.compile(r"[\w$]+$")
# after these words an expression starts: a '/' begins a regular expression
_KEYWORDS = frozenset("return typeof instanceof in new delete void throw case do else".split())
_CONTEXTUAL = frozenset("of yield await let async".split())  # keywords or names: either


def _slash_after(code: str, slash: str) -> str:
    """What a '/' would be after ``code`` (a run of code text without strings, comments or braces)."""
    code = code.rstrip()
    if not code:
        return slash  # only white space: unchanged
    last = code[-1]
    if last == "]":
        return "div"
    if last in ").+-":  # '(a) / 2' or 'if (a) /re/'; 'a++ / 2' or '++/re/.x'; '1. / 2'
        return "both"
    word = _WORD_END.search(code, max(0, len(code) - 16))
    if word is None:
        return "re"  # any other punctuator: an expression starts
    if word.start() > 0 and (code[word.start() - 1].isalnum() or code[word.start() - 1] in "_$"):
        return "div"  # longer than any keyword
    if word.group(0) in _KEYWORDS:
        return "re"
    return "both" if word.group(0) in _CONTEXTUAL else "div"


def _step(state: State, code: str, i: int) -> list[tuple[State, int]]:
    """Advance one reading from ``i`` by one token: the readings that follow, each with its position (the end of
    ``code`` when the text ran out); none when the reading turned into a syntax error."""
    mode, stack, slash = state
    n = len(code)
    if mode == "code":
        return _step_code(state, code, i)
    if mode == "/*":
        end = code.find("*/", i)
        return [(state, n)] if end == -1 else [(("code", stack, slash), end + 2)]
    m = _STOP["//" if mode == "<!--" else mode].search(code, i)
    if m is None:
        return [(state, n)]
    c, at = m.group(0), m.start()
    if c == "\\":
        if mode == "re" or mode == "re[":
            if code[at + 1 : at + 2] in tuple(_LINE_END):
                return []
        return [(state, at + (3 if code.startswith("\r\n", at + 1) else 2))]
    if mode in ("'", '"'):
        # a string that runs into a line break is a syntax error, not a reading
        return [] if c in "\n\r" else [(("code", stack, "div"), m.end())]
    if mode == "`":
        if c == "`":
            return [(("code", stack, "div"), m.end())]
        return [(("code", (*stack, 0), "re"), m.end())]  # '${'
    if mode in ("//", "<!--"):
        return [(("code", stack, slash), m.end())]
    if c in _LINE_END:  # a regular expression: it may not hold a line break
        return []
    if c == "[":
        return [(("re[", stack, slash), m.end())]
    if c == "]":
        return [(("re", stack, slash), m.end())]
    return [(("code", stack, "div"), m.end())]  # its flags are a word: still 'div'


def _step_code(state: State, code: str, i: int) -> list[tuple[State, int]]:
    _, stack, slash = state
    m = _CODE_STOP.search(code, i)
    end = len(code) if m is None else m.start()
    slash = _slash_after(code[i:end], slash)
    if m is None:
        return [(("code", stack, slash), end)]
    c, after = m.group(0), m.end()
    if c in ("<!--", "-->"):  # a comment in a classic script, operators in a module
        return [(("<!--", stack, slash), after), (("code", stack, "both"), after)]
    if c in "'\"`":
        return [((c, stack, slash), after)]
    if c == "{":
        return [(("code", (*stack[:-1], stack[-1] + 1) if stack else stack, "re"), after)]
    if c == "}":
        if stack and stack[-1] == 0:
            return [(("`", stack[:-1], slash), after)]
        return [(("code", (*stack[:-1], stack[-1] - 1) if stack else stack, "both"), after)]
    # '/': a comment, a regular expression or a division
    if code.startswith("//", m.start()):
        return [(("//", stack, slash), after + 1)]
    if code.startswith("/*", m.start()):
        return [(("/*", stack, slash), after + 1)]
    out: list[tuple[State, int]] = []
    if slash in ("re", "both"):
        out.append((("re", stack, slash), after))
    if slash in ("div", "both"):
        out.append((("code", stack, "re"), after))
    return out


def advance(states: frozenset[State], code: str) -> frozenset[State]:
    """The readings after ``code`` from each of ``states``; none when no reading survives or there are more than
    MAX_READINGS. Linear in ``len(code)`` times MAX_READINGS: every step moves forward."""
    n = len(code)
    done: set[State] = set()
    pending = [(s, 0) for s in states]
    while pending:
        if len(pending) + len(done) > MAX_READINGS:
            return frozenset()
        state, i = pending.pop()
        while True:
            if i >= n:
                done.add(state)
                break
            nxt = _step(state, code, i)
            if not nxt:
                break
            pending += nxt[1:]
            state, i = nxt[0]
    return frozenset(done)


def in_string(states: frozenset[State]) -> bool:
    """Whether every reading is inside an ordinary '...' or "..." string (none is: the strict rule)."""
    return bool(states) and all(mode in ("'", '"') for mode, _, _ in states)


def after_field(states: frozenset[State]) -> frozenset[State]:
    """The states after a field held to the rule :func:`in_string` chose: in a string it stays there; in code it is
    a word or nothing, so a '/' after it may be either."""
    return frozenset((mode, stack, "both") if mode == "code" else (mode, stack, slash) for mode, stack, slash in states)


_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
DANGLING_REFERENCE = re.compile(r"&#?[xX]?[A-Za-z0-9]*$")  # a field's text right after it could complete it


def decode_attribute(value: str) -> str:
    """An attribute value as the browser's DOM holds it: character references decoded by the HTML standard's rules
    for attributes (a named reference without ';' followed by '=' or a letter or digit stays as written)."""

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#"):
            return html.unescape(m.group(0))
        if ref in html5:
            # a name without ';' right before '=' stays as written
            return m.group(0) if value[m.end() : m.end() + 1] == "=" and not ref.endswith(";") else html5[ref]
        for k in range(len(ref) - 1, 1, -1):  # the longest name the table has without ';'
            if ref[:k] in html5:
                return m.group(0) if ref[k].isalnum() else html5[ref[:k]] + ref[k:]
        return m.group(0)

    return _REFERENCE.sub(one, value)


Item = tuple[str, str]  # ("text", code), ("field", ""), ("open", ""), ("close", "") or ("unknown", "")
_SECTION = {"#": "open", "^": "open", "/": "close"}


def items(
    text: str, start: int, end: int, tags: list[tuple[int, int, str]], *, attribute: bool, url: bool
) -> list[Item]:
    """The code of ``text[start:end]`` (holding the template ``tags``: start, end, inner text) as :func:`classify`
    reads it: its text as the browser hands it to the JavaScript engine (in an ``attribute``, character references
    decoded; in a javascript: ``url``, also tabs and line breaks removed and percent-decoded; the scheme reads as a
    label), its fields and the template's section tags."""
    out: list[Item] = []
    pos = start
    for tag_start, tag_end, inner in tags:
        out += _piece(text[pos:tag_start], attribute, url)
        out.append((_SECTION.get(inner.lstrip("{").strip()[:1], "field"), ""))
        pos = tag_end
    return out + [("text", _decoded(text[pos:end], attribute, url))]


def _decoded(raw: str, attribute: bool, url: bool) -> str:
    code = decode_attribute(raw) if attribute else raw
    return urllib.parse.unquote(re.sub("[\t\n\r]", "", code), errors="replace") if url else code


def _piece(raw: str, attribute: bool, url: bool) -> list[Item]:
    """Text followed by a template tag: a field's text or a section could complete a character reference or a
    percent escape it ends with ('&#3{{F}}' with F '9' is '&#39;', a quote): nothing is certain after it."""
    dangling = (attribute and DANGLING_REFERENCE.search(raw)) or (url and re.search("%[0-9A-Fa-f]?$", raw))
    return [("text", _decoded(raw, attribute, url))] + ([("unknown", "")] if dangling else [])


def classify(items: list[Item]) -> list[bool]:
    """For each ("field", _) of ``items`` (the code in order: its text, its fields, the template's section tags
    around parts of it, and "unknown" where what follows cannot be read), whether it is certainly inside an
    ordinary string. A section's content may be there or not: after its close, both readings go on."""
    states = frozenset({START})
    saved: list[frozenset[State]] = []
    out: list[bool] = []
    for kind, code in items:
        if kind == "text":
            states = advance(states, code)
        elif kind == "field":
            out.append(in_string(states))
            states = after_field(states)
        elif kind == "open":
            saved.append(states)
        elif kind == "close" and saved:
            states = states | saved.pop()
            if len(states) > MAX_READINGS:
                states = frozenset()
        else:  # a section opened before the code, or text a field could change: nothing is certain from here on
            states = frozenset()
    return out
