"""The Anki browser search that finds removed notes in a learner's collection.

A package cannot delete notes: learners delete removed cards themselves. deckgen's built-in note types carry the
card id in their ``Id`` field, so ``"deck:<deck name>" (Id:a OR Id:b)`` finds exactly those notes (``deck:`` also
covers the subdecks; the deck name keeps another deck's card of the same id out). In Anki's search ``_`` and ``*``
are wildcards and ``\\`` escapes: they are escaped here. Notes of a deck's own note types have no ``Id`` field and
are left out (the caller says how many).
"""

from __future__ import annotations

from collections.abc import Sequence


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*").replace('"', '\\"')


def removed_search(deck_name: str, card_ids: Sequence[str]) -> str:
    """``"deck:Name" (Id:a OR Id:b)``; empty when there is nothing to find."""
    if not card_ids:
        return ""
    ids = " OR ".join(f"Id:{_escape(card_id)}" for card_id in card_ids)
    return f'"deck:{_escape(deck_name)}" ({ids})'
