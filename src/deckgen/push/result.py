"""What a push gives back, and its one error."""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.errors import DeckgenError


class PushError(DeckgenError):
    """Anki refused the package or could not be reached; nothing was changed in the collection."""


@dataclass(frozen=True)
class PushResult:
    target: str  # what received the package, as shown to the author
    new: int  # notes added (-1: unknown, AnkiConnect does not say)
    updated: int
    unchanged: int
