"""What deckgen's build would do to an imported field, decided before anything is written.

A field is HTML, and ``deckgen build`` passes every HTML field through the sanitizer (:func:`deckgen.render.render_html`).
For each field the import learns whether the build keeps it byte for byte, changes its bytes without a problem
(the sanitizer's normal form, e.g. ``<br/>`` -> ``<br>``: listed as a warning), or reports problems: unsafe HTML
(script, handlers, ``javascript:``) and HTML outside deckgen's allow-list stop the import unless ``--strip-unsafe``,
which replaces the field with the sanitizer's output and lists the note.

``--markdown`` writes a field in Markdown when, for every note, the Markdown renders back to exactly the HTML Anki
had (checked with deckgen's own renderer); otherwise the field stays HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from deckgen.errors import Location, Problem
from deckgen.render import render_html, render_markdown
from deckgen.source.defects import keepable

_NOWHERE = Location("")

UNSAFE = "unsafe HTML"


@dataclass(frozen=True)
class FieldReview:
    built: str  # what the build makes of the field
    problems: tuple[str, ...]  # the sanitizer's errors (the build would refuse the field)
    warnings: tuple[str, ...] = ()  # what the build would drop with a warning (e.g. a CSS property outside the list)

    @property
    def unsafe(self) -> bool:
        return any(p.startswith(UNSAFE) for p in self.problems)


_cache: dict[tuple[str, bool], FieldReview] = {}
# what can make plain text more than text for the sanitizer: markup, controls, and the text-level syntax it checks
# ([sound:...] names, math after '\\', cloze braces, '$' math)
_MARKUP = re.compile(r'[<>&"\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xa0\[\\{}$]')


def review(text: str, *, cloze: bool = False) -> FieldReview:
    """The build's view of one HTML field, ``cloze`` when the build reads it as cloze text (memoised: real decks
    repeat many field values)."""
    found = _cache.get((text, cloze))
    if found is None:
        if not text.strip():
            found = FieldReview("", ())
        elif not _MARKUP.search(text):
            found = FieldReview(text, ())  # text without markup: the sanitizer keeps it as it is (a property test)
        else:
            result = render_html(text, cloze=cloze)
            # a defect the deck may keep (e.g. a tag no browser knows) is the build's to list (deckgen.lock.kept)
            errors = [p for p in result.problems if p.is_error]
            kept = [p for p in errors if keepable(Problem(_NOWHERE, f"field '': {p.message}", rule=p.rule))]
            found = FieldReview(
                result.html,
                tuple(p.message for p in errors if p not in kept),
                tuple(p.message for p in result.problems if not p.is_error),
            )
        if len(_cache) < 200_000:
            _cache[(text, cloze)] = found
    return found


_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_TAG = re.compile(r"<(/?)([a-z]+)>")
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>#!|~]|^\s*[-+=]|^\s*\d+[.)]|  |\t")


def to_markdown(field: str) -> str | None:
    """Markdown that renders to exactly ``field``, or None when deckgen cannot find one. Tries plain text and the
    inline tags Markdown writes itself (``<strong>``/``<em>`` and ``<b>``/``<i>`` when Anki has them), then proves it
    with the renderer."""
    if not field.strip():
        return None
    candidate = _TAG.sub(lambda m: _INLINE.get(m.group(2), "\0"), field)
    if "\0" in candidate or "<" in candidate:
        return None
    candidate = html.unescape(candidate)
    if _MD_SPECIAL.search(candidate.replace("**", "").replace("*", "")):
        return None
    rendered = render_markdown(candidate)
    return candidate if rendered.html == field and not rendered.problems else None
