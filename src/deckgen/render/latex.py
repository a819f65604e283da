"""Anki's LaTeX tags (``[latex]...[/latex]``, ``[$]...[/$]``, ``[$$]...[/$$]``) and the images Anki shows for them.

Anki replaces each tag with ``<img class=latex src="latex-SHA1.png">`` (rslib/src/latex.rs), whether or not the
image exists; the desktop draws a missing one by running LaTeX on the learner's computer, AnkiDroid never does.
A shared deck ships the images it rendered: deckgen accepts the tags as references to those images (the file must
be in ``media/``, as for any image), so no learner runs LaTeX for them. The name is Anki's: the SHA-1 of the body
(``$...$`` for ``[$]``, ``\\begin{displaymath}...\\end{displaymath}`` for ``[$$]``) after ``<br>``, ``<br/>`` and ``<div>``
become line breaks, other tags are removed and entities decoded. Only PNG names (a note type with ``latexsvg``
would name ``.svg`` files). Found in linear time, whatever the field holds: each search remembers where its text
is next found (or that it is not), so no part of the field is searched twice for the same text (an unclosed
``<!--`` or ``<style>`` repeated 20,000 times took 37 s with a regular expression).
"""

from __future__ import annotations

import hashlib
import html
import re

_TAGS = (
    ("[latex]", "[/latex]", "{}"),
    ("[$$]", "[/$$]", "\\begin{{displaymath}}{}\\end{{displaymath}}"),
    ("[$]", "[/$]", "${}$"),
)
# Anki writes r"<br( /)?>|<div>" in verbose mode, where the space is ignored: '<br>' and '<br/>', not '<br />'
_NEWLINES = re.compile(r"<br/?>|<div>", re.I)
# Anki removes r"<!--.*?-->|<style[^>]*?>.*?</style>|<script[^>]*?>.*?</script>|<[^>]*?>" (case-insensitive; 'ſ'
# folds to 's'); _without_html does the same in one pass
_ELEMENTS = ("style", "script")
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ\u017f", "abcdefghijklmnopqrstuvwxyzs")  # keeps every index


class _Next:
    """Where a text is next found in ``text`` at or after a position. A search from where a previous one started
    or later reuses its answer while it still lies ahead, so for positions that only grow each part of ``text`` is
    read once per needle."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.known: dict[str, tuple[int, int]] = {}  # needle -> (searched from, found at or -1)

    def find(self, needle: str, start: int) -> int:
        known = self.known.get(needle)
        if known is not None and known[0] <= start and (known[1] == -1 or known[1] >= start):
            return known[1]
        at = self.text.find(needle, start)
        self.known[needle] = (start, at)
        return at


def latex_bodies(text: str) -> list[str]:
    """The LaTeX of each of Anki's tags in ``text``, in order, as Anki hashes it. The tags are found in a case-folded
    copy of the same length (``str.lower`` makes 'İ' two characters, which moved every later body)."""
    lowered = text.translate(_FOLD)
    ahead = _Next(lowered)
    out: list[str] = []
    pos = 0
    closed = {opening: True for opening, _, _ in _TAGS}
    while True:
        found = [(ahead.find(o, pos), o, c, f) for o, c, f in _TAGS if closed[o]]
        found = [x for x in found if x[0] != -1]
        if not found:
            return out
        start, opening, closing, form = min(found, key=lambda x: x[0])
        end = ahead.find(closing, start + len(opening) + 1)  # at least one character, as Anki's '.+?'
        if end == -1:
            closed[opening] = False  # no closing tag after this one: none after a later one either
            continue
        body = form.format(text[start + len(opening) : end])
        out.append(_strip(body))
        pos = end + len(closing)


def _strip(body: str) -> str:
    text = without_html(_NEWLINES.sub("\n", body))
    return html.unescape(text).replace("\u00a0", " ") if "&" in text else text


def without_html(text: str) -> str:
    """``text`` without comments, <style> and <script> elements and tags, as Anki's ``strip_html`` removes them
    (rslib/src/text.rs; its ``<style.*?>`` finds the same ends as ``<style[^>]*?>``), in linear time."""
    lowered = text.translate(_FOLD)
    ahead = _Next(lowered)
    kept: list[str] = []
    last = 0
    at = lowered.find("<")
    while at != -1:
        end = _markup_end(lowered, ahead, at)
        if end == -1:
            at = lowered.find("<", at + 1)
            continue
        kept.append(text[last:at])
        last = end
        at = lowered.find("<", end)
    kept.append(text[last:])
    return "".join(kept)


def _markup_end(lowered: str, ahead: _Next, at: int) -> int:
    """Where the markup that starts with the '<' at ``at`` ends (the first of Anki's alternatives that matches),
    or -1: a '<' that no '>' follows is text."""
    if lowered.startswith("<!--", at) and (close := ahead.find("-->", at + 4)) != -1:
        return close + 3
    gt = ahead.find(">", at + 1)  # also the '>' of '<style[^>]*?>': neither name holds a '>'
    if gt == -1:
        return -1
    for name in _ELEMENTS:
        if lowered.startswith("<" + name, at) and (close := ahead.find(f"</{name}>", gt + 1)) != -1:
            return close + len(name) + 3
    return gt + 1


def latex_images(text: str) -> list[str]:
    """The file names of the images Anki shows for the LaTeX tags in ``text``."""
    if "[" not in text:
        return []
    return [f"latex-{hashlib.sha1(body.encode('utf-8')).hexdigest()}.png" for body in latex_bodies(text)]
