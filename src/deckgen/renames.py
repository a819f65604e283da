"""Probable renames: a card id that disappeared while a new one appeared asking (nearly) the same question.

A new id is a new note: learners start it from scratch and keep the old one. ``deckgen diff``, ``check`` and
``build`` all pair them the same way, with :func:`pair_renames`.
"""

from __future__ import annotations

import difflib

from .model import Card

RENAME_RATIO = 0.8


def _prompt(card: Card) -> str:
    return " ".join(card.prompt.split())


def similarity(old: Card, new: Card) -> float:
    a, b = _prompt(old), _prompt(new)
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < RENAME_RATIO or matcher.quick_ratio() < RENAME_RATIO:
        return 0.0
    return matcher.ratio()


def pair_renames(removed: list[Card], added: list[Card]) -> list[tuple[Card, Card, float]]:
    """Removed and added cards whose question (front or cloze text) is the same or nearly so; best pairs first."""
    candidates = []
    for i, old in enumerate(removed):
        for j, new in enumerate(added):
            ratio = similarity(old, new)
            if ratio >= RENAME_RATIO:
                candidates.append((-ratio, i, j))
    pairs = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for negative, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((removed[i], added[j], -negative))
    return pairs
