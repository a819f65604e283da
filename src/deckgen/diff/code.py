"""What in a note type's template or CSS looks like code, found by parsing (not by a pattern on the raw text, which
``<img/src/onerror=...>``, ``&#106;avascript:`` or CSS's ``\\68ttps://`` slip past): the template is read with
:mod:`html.parser` (attribute values come back with their character references decoded), style attributes,
``<style>`` elements and the CSS are read with their CSS escapes and comments undone. Used by ``deckgen diff`` to
warn a reviewer; nothing is changed or refused here."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

SCRIPT = "a <script> element"
HANDLER = "an event handler attribute (on...=)"
EXTERNAL = "an external URL"
JAVASCRIPT = "a javascript: URL"
IMPORT = "a CSS @import"

_CONTROL = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these inside a URL scheme ("java\tscript:")
_EXTERNAL = re.compile(r"\b(?:https?|ftp|wss?):|(?:^|[\s,(\"'=])//", re.I)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_HANDLER_NAME = re.compile(r"(?:^|[^a-z0-9_-])on[a-z]")


def _css_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            point = int(match.group(1), 16)
            return chr(point) if 0 < point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else "\ufffd"
        return match.group(2)

    return _CSS_ESCAPE.sub(one, _CSS_COMMENT.sub(" ", text))  # a comment separates tokens


def _value_code(value: str, found: Counter[str]) -> None:
    """A decoded attribute value, URL or CSS text: javascript: and external URLs."""
    squeezed = _CONTROL.sub("", value)
    if "javascript:" in squeezed.casefold() or "vbscript:" in squeezed.casefold():
        found[JAVASCRIPT] += 1
    slashed = value.replace("\\", "/")  # URL parsers read '\' as '/': '/\evil.example' and '\\evil.example' are '//...'
    if _EXTERNAL.search(slashed) or _EXTERNAL.search(_CONTROL.sub("", slashed)):
        found[EXTERNAL] += 1


def css_code(css: str, found: Counter[str] | None = None) -> Counter[str]:
    """Code in CSS text: @import, javascript: and external URLs, once escapes and comments are undone."""
    found = Counter() if found is None else found
    plain = _css_unescape(css)
    if re.search(r"@import\b", plain, re.I):
        found[IMPORT] += len(re.findall(r"@import\b", plain, re.I))
    _value_code(plain, found)
    return found


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Counter[str] = Counter()
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found[SCRIPT] += 1
        self._style = tag == "style"
        for name, value in attrs:
            if _HANDLER_NAME.search(name):  # also "{{#f}}onclick", a mustache section glued to the name
                self.found[HANDLER] += 1
            if value is None:
                continue
            if name == "style":
                css_code(value, self.found)
            else:
                _value_code(value, self.found)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._style = False

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            css_code(data, self.found)
        elif "javascript:" in _CONTROL.sub("", data).casefold():
            self.found[JAVASCRIPT] += 1


def template_code(template: str) -> Counter[str]:
    """Code in a template: <script>, any on* attribute, javascript: and external URLs in attribute values (srcset,
    style and every other), <style> content read as CSS."""
    scanner = _Scanner()
    scanner.feed(template)
    scanner.close()
    found = scanner.found
    if not found[JAVASCRIPT] and "javascript:" in _CONTROL.sub("", html.unescape(template)).casefold():
        found[JAVASCRIPT] += 1  # e.g. inside a comment or a broken tag the parser took for text
    return found
