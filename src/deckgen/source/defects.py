"""The defects an imported deck may keep: problems that are errors for a new or edited card, but that a card
``deckgen import`` brought in as it was may keep while it stays unchanged (see :mod:`deckgen.lock.kept`).

Each is harmless on the learner's screen and was already there for every learner of the shared deck: a missing
media file (an empty image), a media file of a type or name deckgen does not ship (the learner's copy stays), a
tag no browser knows (``<bu>``: inert), an empty first field, a cloze note without a deletion or with a gap in its
numbering, an unclosed deletion (Anki shows it as text). What could run or load (script, handlers, a hostile SVG,
an image from a web address) is never in this list.
"""

from __future__ import annotations

import re

from deckgen.errors import Problem

KEEPABLE: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("unknown or malformed HTML tag", "html", re.compile(r"HTML tag <[^>]*> is not supported")),
    ("missing media file", "media", re.compile(r"'media/.*' does not exist in .*; add the file or fix the name")),
    (
        "media file name Anki rewrites",
        "media",
        re.compile(r"(the|media file) name .*; rename the file and its references?$"),
    ),
    ("media type deckgen does not ship", "media", re.compile(r"media type .* is not allowed: Anki would not show it")),
    ("image path with folders", "media", re.compile(r"^field '.*': image '.*' must be a file name")),
    ("empty first field", "", re.compile(r"it is the note type's first field, which Anki requires$")),
    ("cloze note without a deletion", "cloze", re.compile(r"cloze card has no deletion")),
    ("gap in cloze numbering", "cloze", re.compile(r"^cloze numbers skip ")),
    ("unclosed cloze deletion", "cloze", re.compile(r"cloze deletion .* is not closed")),
)


def keepable(problem: Problem) -> str:
    """The defect class of an error an imported card may keep ('' for every other problem)."""
    if not problem.is_error:
        return ""
    for label, rule, pattern in KEEPABLE:
        if problem.rule == rule and pattern.search(problem.message):
            return label
    return ""
