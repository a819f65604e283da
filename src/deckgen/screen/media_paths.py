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
pattern, so :func:`matches` computes the same leftmost-first match with one right-to-left pass over the positions
where the pattern can turn (quotes, `>`, `src=`), n log n at worst.
"""

from __future__ import annotations

import re
from bisect import bisect_left
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


class _Scan:
    """The positions Anki's pattern turns on (quotes, '>', spaces, ``src=``/``data=``), each list built once by a
    regex scan; the next one after a position is found by bisection."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.at = {c: [m.start() for m in re.finditer(re.escape(c), text)] for c in "\"'> "}

    def next(self, chars: str, i: int) -> int:
        """The index of the first character in ``chars`` at or after ``i`` (len(text) if none)."""
        found = self.n
        for c in chars:
            positions = self.at[c]
            k = bisect_left(positions, i)
            if k < len(positions):
                found = min(found, positions[k])
        return found

    def value(self, v: int) -> tuple[int, int, int] | None:
        """After ``src=`` at ``v``: (name start, name end, tag end) as Anki's three value forms match, in order."""
        text, n = self.text, self.n
        if v < n and text[v] in "\"'":
            close = self.next(text[v], v + 1)
            if v + 1 < close < n and self.next(">", close + 1) < n:  # 1, 2: quoted, then [^>]*>
                return v + 1, close, self.next(">", close + 1) + 1
        # 3: unquoted, '([^ >]+?)', where Anki's verbose pattern ignores the space in the class: at least one
        # character but '>', up to the first space or '>' after it
        if v >= n or text[v] == ">":
            return None
        stop = self.next(" >", v + 1)
        if stop >= n:
            return None
        if text[stop] == ">":
            return v, stop, stop + 1
        gt = self.next(">", stop + 1)
        return (v, stop, gt + 1) if gt < n else None

    def quoted_end(self, p: int) -> int:
        """The position after ``"[^"]+?"`` (or the single-quoted form) at ``p``, or -1."""
        close = self.next(self.text[p], p + 1) if self.text[p] in "\"'" else self.n
        return close + 1 if p + 1 < close < self.n else -1


_TURNS = re.compile(r"[>\"']|\b(?:src|data)\b=", re.I)  # where the loop can do anything but step on


def matches(text: str) -> list[MediaTag]:
    """Anki's ``HTML_MEDIA_TAGS.captures_iter(text)``: non-overlapping, leftmost-first. The loop
    ``(?:[^>]|"[^"]+?"|'[^']+?')+?`` followed by ``src=``/``data=`` and a value is decided per position from the
    right (lazy: try the rest first, then one more unit in the order of the alternatives): the first match from a
    loop position depends only on the position, and is the same as the next position's but where the text holds
    a quote, a '>' or ``src=``/``data=``. So only those positions are computed (from the right); any other takes
    the answer of the next one. Linear but for bisections."""
    if not _TAG_START.search(text):
        return []
    scan = _Scan(text)
    n = len(text)
    turns = [(m.start(), m.end() if m.group(0)[0] not in ">\"'" else -1) for m in _TURNS.finditer(text)]
    points = [p for p, _ in turns]
    found: list[tuple[int, int, int]] = []
    best = [-1] * len(turns)  # from loop position points[i]: index into found, or -1

    def after(p: int) -> int:
        k = bisect_left(points, p)
        return best[k] if k < len(points) else -1

    def stepped(p: int) -> int:  # one more unit from p: '[^>]', then a quoted string
        k = after(p + 1) if text[p] != ">" else -1
        if k == -1:
            end = scan.quoted_end(p)
            k = after(end) if end != -1 else -1
        return k

    for i in range(len(turns) - 1, -1, -1):
        p, src_end = turns[i]
        hit = scan.value(src_end) if src_end != -1 else None
        if hit is not None:
            found.append(hit)
            best[i] = len(found) - 1
        else:
            best[i] = stepped(p)
    out: list[MediaTag] = []
    pos = 0
    while (start := _TAG_START.search(text, pos)) is not None:
        e = start.end()  # the loop takes at least one unit before src= may follow
        k = stepped(e) if e < n else -1
        if k == -1:
            pos = start.start() + 1
            continue
        name_start, name_end, end = found[k]
        out.append(MediaTag(start.start(), end, name_start, name_end))
        pos = end
    return out


def encode_iri_paths(text: str, found: list[MediaTag] | None = None) -> str:
    """``text`` as Anki's ``encode_iri_paths`` leaves it (``found``: its :func:`matches`, if known)."""
    out: list[str] = []
    pos = 0
    for tag in matches(text) if found is None else found:
        name = text[tag.name_start : tag.name_end]
        full = text[tag.start : tag.end]
        out.append(text[pos : tag.start])
        out.append(full if _REMOTE.match(name) else full.replace(name, encode(name)))
        pos = tag.end
    out.append(text[pos:])
    return "".join(out)


def beyond_the_name(text: str, found: list[MediaTag]) -> list[tuple[str, str]]:
    """(the tag as written, the name) for each media tag (``found``: the text's :func:`matches`) where Anki's
    replace rewrites more than the file name itself: the encoded name also occurs elsewhere in the tag."""
    out = []
    for tag in found:
        name = text[tag.name_start : tag.name_end]
        full = text[tag.start : tag.end]
        if not _REMOTE.match(name) and encode(name) != name and full.count(name) > 1:
            out.append((full, name))
    return out
