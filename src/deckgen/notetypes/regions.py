"""The parts of a template's HTML that are not plain text (tag and attribute names, attribute values, the raw text
of ``<script>`` and ``<style>``), found by following the HTML standard's tokenizer states closely enough for
templates, in one linear pass (placements.py places fields by them; shape.py checks what they cannot read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_RAW_TEXT = frozenset({"script", "style"})
_SPACE = " \t\n\r\f"


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str  # "name" (tag or attribute name), "value", "raw"
    tag: str
    attribute: str = ""  # as written
    quote: str = ""


@lru_cache(maxsize=32)
def regions(text: str) -> tuple[Region, ...]:
    """The parts of ``text`` that are not plain text, in order (read once per template: the template checks and
    placements all use them). Linear: every scan moves forward."""
    return tuple(_regions(text))


def _regions(text: str) -> list[Region]:
    out: list[Region] = []
    n, i = len(text), 0
    while True:
        i = text.find("<", i)
        if i == -1 or i + 1 >= n:
            return out
        nxt = text[i + 1]
        if text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = n if end == -1 else end + 3
            continue
        if nxt in "!?/" and not (nxt == "/" and i + 2 < n and text[i + 2].isascii() and text[i + 2].isalpha()):
            end = text.find(">", i + 1)  # a bogus comment
            i = n if end == -1 else end + 1
            continue
        closing = nxt == "/"
        start = i + (2 if closing else 1)
        if not (text[start : start + 1].isascii() and text[start : start + 1].isalpha()) and not text.startswith(
            "{{", start
        ):
            i += 1  # '<' followed by anything else is text
            continue
        j = start
        while j < n and text[j] not in _SPACE + "/>":
            j += 1
        tag = text[start:j].lower()
        out.append(Region(start, j, "name", tag))
        i, self_closing = _attributes(text, j, tag, out, closing)
        if tag in _RAW_TEXT and not closing and not self_closing:
            end = _raw_end(text, i, tag)
            out.append(Region(i, end, "raw", tag))
            i = end


def _attributes(text: str, i: int, tag: str, out: list[Region], closing: bool) -> tuple[int, bool]:
    """Reads the attributes of a tag from ``i`` (after its name); returns (position after '>', self-closing)."""
    n = len(text)
    self_closing = False
    while i < n:
        while i < n and text[i] in _SPACE + "/":
            self_closing = text[i] == "/"
            i += 1
        if i >= n:
            return n, False
        if text[i] == ">":
            return i + 1, self_closing
        self_closing = False
        start = i
        i += 1  # the first character of a name may be '='
        while i < n and text[i] not in _SPACE + "/>=":
            i += 1
        name = text[start:i]
        if not closing:
            out.append(Region(start, i, "name", tag))
        k = i
        while k < n and text[k] in _SPACE:
            k += 1
        if k >= n or text[k] != "=":
            continue
        k += 1
        while k < n and text[k] in _SPACE:
            k += 1
        if k < n and text[k] in "\"'":
            end = text.find(text[k], k + 1)
            end = n if end == -1 else end
            if not closing:
                out.append(Region(k + 1, end, "value", tag, name, text[k]))
            i = end + 1
        else:
            end = k
            while end < n and text[end] not in _SPACE + ">":
                end += 1
            if not closing:
                out.append(Region(k, end, "value", tag, name))
            i = end
    return n, False


def _raw_end(text: str, i: int, tag: str) -> int:
    m = re.compile(rf"</{tag}[\t\n\f\r />]", re.I).search(text, i)  # the HTML standard's whitespace: no \v
    return m.start() if m else len(text)
