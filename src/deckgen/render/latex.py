"""Anki's LaTeX tags (``[latex]...[/latex]``, ``[$]...[/$]``, ``[$$]...[/$$]``) and the images Anki shows for them.

Anki replaces each tag with ``<img class=latex src="latex-SHA1.png">`` (rslib/src/latex.rs), whether or not the
image exists; the desktop draws a missing one by running LaTeX on the learner's computer, AnkiDroid never does.
A shared deck ships the images it rendered: deckgen accepts the tags as references to those images (the file must
be in ``media/``, as for any image), so no learner runs LaTeX for them. The name is Anki's: the SHA-1 of the body
(``$...$`` for ``[$]``, ``\\begin{displaymath}...\\end{displaymath}`` for ``[$$]``) after ``<br>``, ``<br/>`` and ``<div>``
become line breaks, other tags are removed and entities decoded. Only PNG names (a note type with ``latexsvg``
would name ``.svg`` files). Found in one pass: each opening tag looks for its closing tag once.
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
_HTML = re.compile(r"<!--.*?-->|<style[^>]*?>.*?</style>|<script[^>]*?>.*?</script>|<[^>]*?>", re.I | re.S)


def latex_bodies(text: str) -> list[str]:
    """The LaTeX of each of Anki's tags in ``text``, in order, as Anki hashes it."""
    lowered = text.lower()
    out: list[str] = []
    pos = 0
    closed = {opening: True for opening, _, _ in _TAGS}
    while True:
        found = [(lowered.find(o, pos), o, c, f) for o, c, f in _TAGS if closed[o]]
        found = [x for x in found if x[0] != -1]
        if not found:
            return out
        start, opening, closing, form = min(found, key=lambda x: x[0])
        end = lowered.find(closing, start + len(opening) + 1)  # at least one character, as Anki's '.+?'
        if end == -1:
            closed[opening] = False  # no closing tag after this one: none after a later one either
            continue
        body = form.format(text[start + len(opening) : end])
        out.append(_strip(body))
        pos = end + len(closing)


def _strip(body: str) -> str:
    text = _HTML.sub("", _NEWLINES.sub("\n", body))
    return html.unescape(text).replace("\u00a0", " ") if "&" in text else text


def latex_images(text: str) -> list[str]:
    """The file names of the images Anki shows for the LaTeX tags in ``text``."""
    if "[" not in text:
        return []
    return [f"latex-{hashlib.sha1(body.encode('utf-8')).hexdigest()}.png" for body in latex_bodies(text)]
