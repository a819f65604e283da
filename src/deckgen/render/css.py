"""CSS read as a browser reads it: tokenized by tinycss2 (CSS Syntax Level 3, the tokenizer browsers implement), so
what loads is found whatever its spelling: a comment is a comment only outside strings and ``url(...)``; escapes
are decoded before ``url``/``@import`` are recognised (``u\\72l(``, ``@\\69mport``); ``url("...")``,
``src("...")`` and the strings of ``image-set()`` (also ``-webkit-image-set()``, ``image()``, ``cross-fade()``)
are URLs. Used by the screen policy (``<style>`` elements and style attributes), the diff's "new code" warning,
the import summary and the SVG check. Linear: one tokenization and one walk over its tokens (no recursion, so
deep nesting cannot overflow the stack).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import tinycss2

SCRIPT_SCHEMES = ("javascript:", "vbscript:")
# CSS functions whose string arguments are URLs (CSS Images 3/4): a string there loads like url() does
_URL_FUNCTIONS = frozenset({"url", "src"})
_STRING_URL_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")  # dropped inside a URL scheme by URL parsers ("java\tscript:")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_BRACKET = re.compile(r"[()\[\]{}]")
MAX_NESTING = 100
"""Brackets nested in each other that CSS deckgen reads may have (real CSS: a few). The tokenizer builds an object
per open block: 1 MB of '(' took 6 s and 300 MB to read, so deeper CSS is not read (see :func:`references`)."""


@dataclass(frozen=True)
class Reference:
    """Something the CSS loads: ``how`` is "url" (url(), src(), an image-set() string) or "import" (@import; its
    ``target`` is "" when the rule names no URL plainly); or "unread": CSS nested too deep to read."""

    how: str
    target: str


def references(css: str) -> list[Reference]:
    """Every URL the CSS ``css`` (a style sheet, or a style attribute's declarations) loads, and every @import; or,
    for CSS nested deeper than :data:`MAX_NESTING`, one "unread" reference (callers refuse it or show it)."""
    if nesting(css) > MAX_NESTING:
        return [Reference("unread", "")]
    out: list[Reference] = []
    stack: list[list[Any]] = [tinycss2.parse_component_value_list(css)]
    positions = [0]
    string_urls = [False]  # whether strings at this level are URLs (inside image-set() and its kind)
    prelude: str | None = None  # the at-rule whose prelude is being read ("import", "namespace") at the top level
    while stack:
        tokens, at = stack[-1], positions[-1]
        if at == len(tokens):
            stack.pop(), positions.pop(), string_urls.pop()
            continue
        positions[-1] = at + 1
        token = tokens[at]
        kind = token.type
        if len(stack) == 1 and (kind == "{} block" or (kind == "literal" and token.value == ";")):
            prelude = None
        if kind == "at-keyword":
            if len(stack) == 1:
                prelude = token.lower_value
            if token.lower_value == "import":
                out.append(Reference("import", ""))
        elif kind == "url":
            if not (prelude == "namespace" and len(stack) == 1):  # @namespace url(...) names a namespace: no load
                _add(out, "url", token.value, prelude)
        elif kind == "string":
            if string_urls[-1] or (prelude == "import" and len(stack) == 1):
                _add(out, "url", token.value, prelude)
        elif kind == "function":
            name = token.lower_name
            if name in _URL_FUNCTIONS:
                strings = [t.value for t in token.arguments if t.type == "string"]
                _add(out, "url", strings[0] if strings else "", prelude)
            stack.append(token.arguments)
            positions.append(0)
            string_urls.append(name in _STRING_URL_FUNCTIONS)
        elif kind in ("() block", "[] block", "{} block"):
            stack.append(token.content)
            positions.append(0)
            string_urls.append(string_urls[-1] and kind == "() block")
    return out


def nesting(css: str) -> int:
    """How deep ``(``, ``[`` and ``{`` nest in ``css``, counting those in strings and comments too: an upper bound
    of the tokenizer's nesting, in one pass."""
    depth = deepest = 0
    for match in _BRACKET.finditer(css):
        depth = depth + 1 if match.group(0) in "([{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _add(out: list[Reference], how: str, target: str, prelude: str | None) -> None:
    if prelude == "import" and out and out[-1] == Reference("import", ""):
        out[-1] = Reference("import", target)  # the URL of the @import itself
    else:
        out.append(Reference(how, target))


def url_kind(target: str) -> str:
    """What a URL from CSS reaches: "script" (javascript:, vbscript:), "external" (another host, any scheme but
    data:), "fragment" (``#id`` in the same document), "data" (a data: URL) or "local" (a file beside the page,
    in Anki a file of the collection's media)."""
    squeezed = _CONTROL.sub("", target).casefold()
    if squeezed.startswith(SCRIPT_SCHEMES):
        return "script"
    slashed = squeezed.replace("\\", "/")  # URL parsers read '\' as '/': '/\evil.example' is '//evil.example'
    scheme = _SCHEME.match(slashed)
    if scheme:
        return "data" if scheme.group(1) == "data" else "external"
    if slashed.startswith("//"):
        return "external"
    return "fragment" if squeezed.startswith("#") else "local"


UNREAD = f"CSS nested more than {MAX_NESTING} brackets deep (not read: review it by hand)"


def code(css: str, found: Counter[str], *, script: str, external: str, imported: str) -> None:
    """Count in ``found`` what of ``css`` is code or leaves the collection: @import rules (``imported``),
    javascript: URLs (``script``), URLs to another host (``external``), CSS too deep to read (:data:`UNREAD`)."""
    for ref in references(css):
        if ref.how == "unread":
            found[UNREAD] += 1
            continue
        if ref.how == "import":
            found[imported] += 1
        kind = url_kind(ref.target)
        if kind == "script":
            found[script] += 1
        elif kind == "external":
            found[external] += 1
