"""What rendering one field gives: the HTML for the note, the media it uses, and its problems."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ERROR, WARNING

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


def too_long(text: str) -> Rendered | None:
    """A field longer than MAX_FIELD_CHARS is refused before any work (bounded time on any input)."""
    if len(text) <= MAX_FIELD_CHARS:
        return None
    return Rendered("", problems=(FieldProblem(
        f"field is {len(text):,} characters long; deckgen renders fields of up to {MAX_FIELD_CHARS:,} characters "
        "(a card shows one screen of text); split it into several cards", rule="size"),))
