"""What rendering one field gives: the HTML for the note, the media it uses, and its problems."""

from __future__ import annotations

import re
from dataclasses import dataclass

from deckgen.errors import ERROR, WARNING

__all__ = ["ERROR", "WARNING", "FieldProblem", "Rendered"]


@dataclass(frozen=True)
class FieldProblem:
    """One problem in one field; the caller knows the field and adds its place (``errors.Problem``)."""

    message: str
    severity: str = ERROR  # errors.ERROR or errors.WARNING
    rule: str = "html"  # html, math, media, cloze, code: the check rule's name in machine-readable output

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Rendered:
    """``html`` is exactly the text nh3 approved (nothing is changed after approval); ``media`` the file names
    (in ``cards/media/``) the field references, in order of appearance, each once."""

    html: str
    media: tuple[str, ...] = ()
    problems: tuple[FieldProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


MAX_FIELD_CHARS = 65_536  # the longest field in 21 public decks (164,038 fields) has 5,594 characters


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def unusable(text: str) -> Rendered | None:
    """A field that is refused before any work: longer than MAX_FIELD_CHARS (bounded time on any input), or
    with a lone UTF-16 surrogate (JSON can carry one; it is no character and cannot be stored)."""
    if len(text) > MAX_FIELD_CHARS:
        message = (
            f"field is {len(text):,} characters long; deckgen renders fields of up to {MAX_FIELD_CHARS:,} characters "
            "(a card shows one screen of text); split it into several cards"
        )
    elif (bad := _SURROGATE.search(text)) is not None:
        message = f"field has a lone surrogate (U+{ord(bad.group(0)):04X}), which is not a character; remove it"
    else:
        return None
    return Rendered("", problems=(FieldProblem(message, rule="size"),))
