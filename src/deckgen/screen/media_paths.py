"""Anki's media-path encoding, reproduced: what the desktop reviewer (``escape_media_filenames`` in
``prepare_card_text_for_display``) and AnkiDroid (``escapeMediaFilenames``) do to a card side before the webview
parses it (rslib/src/text.rs ``encode_iri_paths``, ``HTML_MEDIA_TAGS``, ``FRAGMENT_QUERY_UNION``).

For every ``<img|audio|video|object|source ... src=|data=...>`` tag (by Anki's pattern, which also matches
``data-src=`` and ``<img-zoom>``) whose file name is not an http(s) address, Anki percent-encodes the name (ASCII
controls, space, ``"``, ``<``, ``>``, backtick, ``#``) and replaces it with ``full.replace(name, encoded)``: a
substring replace over the *whole tag text*, which also rewrites every other occurrence of the name in the tag. If
one occurrence straddles a real attribute quote, that quote becomes ``%22`` and the attribute runs on into the
markup after the tag (a neighbouring field's ``" onerror=...`` becomes an attribute of the ``<img>``).

Anki matches with a regex (leftmost-first, lazy); Python's backtracking engine would be exponential on that
pattern, so :func:`matches` computes the same leftmost-first match with one right-to-left pass (linear).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

_TAG_START = re.compile(r"<\b(?:img|audio|video|object|source)\b", re.I)
_SRC = re.compile(r"\b(?:src|data)\b=", re.I)
_REMOTE = re.compile(r"^https?://", re.I)
_ENCODED = frozenset([*range(0x20), 0x7F, *b' "<>`#'])  # CONTROLS + FRAGMENT_QUERY_UNION


@dataclass(frozen=True)
class MediaTag:
    """One match of Anki's media tag pattern: ``text[start:end]`` is the tag, ``text[name_start:name_end]`` the
    file name Anki encodes."""

    start: int
    end: int
    name_start: int
    name_end: int


def encode(name: str) -> str:
    """The percent-encoding Anki applies to a local file name (non-ASCII characters stay as they are)."""
    return "".join(f"%{ord(c):02X}" if ord(c) in _ENCODED else c for c in name)


def _next_index(text: str, chars: str) -> array[int]:
    """For each position, the index of the next character in ``chars`` at or after it (len(text) if none)."""
    n = len(text)
    out = array("q", [n]) * (n + 2)
    for i in range(n - 1, -1, -1):
        out[i] = i if text[i] in chars else out[i + 1]
    return out


class _Scan:
    """The positions Anki's pattern needs, each computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.quote = {'"': _next_index(text, '"'), "'": _next_index(text, "'")}
        self.gt = _next_index(text, ">")
        self.stop = _next_index(text, " >")

    def value(self, v: int) -> tuple[int, int, int] | None:
        """After ``src=`` at ``v``: (name start, name end, tag end) as Anki's three value forms match, in order."""
        text, n = self.text, self.n
        if v < n and text[v] in "\"'":
            close = self.quote[text[v]][v + 1]
            if v + 1 < close < n and self.gt[close + 1] < n:  # 1, 2: quoted, then [^>]*>
                return v + 1, close, self.gt[close + 1] + 1
        # 3: unquoted, '([^ >]+?)', where Anki's verbose pattern ignores the space in the class: at least one
        # character but '>', up to the first space or '>' after it
        if v >= n or text[v] == ">":
            return None
        stop = self.stop[v + 1]
        if stop >= n:
            return None
        if text[stop] == ">":
            return v, stop, stop + 1
        return (v, stop, self.gt[stop + 1] + 1) if self.gt[stop + 1] < n else None

    def quoted_end(self, p: int) -> int:
        """The position after ``"[^"]+?"`` (or the single-quoted form) at ``p``, or -1."""
        close = self.quote[self.text[p]][p + 1] if self.text[p] in "\"'" else self.n
        return close + 1 if p + 1 < close < self.n else -1


def matches(text: str) -> Iterator[MediaTag]:
    """Anki's ``HTML_MEDIA_TAGS.captures_iter(text)``: non-overlapping, leftmost-first. The loop
    ``(?:[^>]|"[^"]+?"|'[^']+?')+?`` followed by ``src=``/``data=`` and a value is decided per position from the
    right (lazy: try the rest first, then one more unit in the order of the alternatives): the first match from a
    loop position depends only on the position."""
    if not _TAG_START.search(text):
        return
    scan = _Scan(text)
    n = len(text)
    found: list[tuple[int, int, int]] = []
    best = array("q", [-1]) * (n + 2)  # from loop position p: index into found, or -1
    for p in range(n - 1, -1, -1):
        m = _SRC.match(text, p)
        hit = scan.value(m.end()) if m else None
        if hit is not None:
            found.append(hit)
            best[p] = len(found) - 1
            continue
        k = best[p + 1] if text[p] != ">" else -1
        if k == -1:
            after = scan.quoted_end(p)
            k = best[after] if after != -1 else -1
        best[p] = k
    pos = 0
    while (start := _TAG_START.search(text, pos)) is not None:
        e = start.end()  # the loop takes at least one unit before src= may follow
        k = best[e + 1] if e < n and text[e] != ">" else -1
        if k == -1 and e < n:
            after = scan.quoted_end(e)
            k = best[after] if after != -1 else -1
        if k == -1:
            pos = start.start() + 1
            continue
        name_start, name_end, end = found[k]
        yield MediaTag(start.start(), end, name_start, name_end)
        pos = end


def encode_iri_paths(text: str) -> str:
    """``text`` as Anki's ``encode_iri_paths`` leaves it."""
    out: list[str] = []
    pos = 0
    for tag in matches(text):
        name = text[tag.name_start : tag.name_end]
        full = text[tag.start : tag.end]
        out.append(text[pos : tag.start])
        out.append(full if _REMOTE.match(name) else full.replace(name, encode(name)))
        pos = tag.end
    out.append(text[pos:])
    return "".join(out)


def beyond_the_name(text: str) -> list[tuple[str, str]]:
    """(the tag as written, the name) for each media tag where Anki's replace rewrites more than the file name
    itself: the encoded name also occurs elsewhere in the tag."""
    out = []
    for tag in matches(text):
        name = text[tag.name_start : tag.name_end]
        full = text[tag.start : tag.end]
        if not _REMOTE.match(name) and encode(name) != name and full.count(name) > 1:
            out.append((full, name))
    return out
