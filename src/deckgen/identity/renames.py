"""Probable renames: a card id that disappeared while a new one appeared asking (nearly) the same question.

A new id is a new note: learners start it from scratch and keep the old one. ``deckgen diff``, ``check`` and
``build`` all pair them the same way, with :func:`find_renames`.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

from deckgen.model import Card

RENAME_RATIO = 0.8


def _prompt(card: Card) -> str:
    return " ".join(card.prompt.split())


MAX_PAIRS = 1_000_000  # removed x added cards: more are not compared at all
MAX_COMPARED = 200_000_000  # characters x characters of the questions compared with difflib (about 5 s)


@dataclass(frozen=True)
class Renames:
    pairs: list[tuple[Card, Card, float]]
    skipped: str = ""  # why the comparison of changed questions was skipped ("" when it was not)


def find_renames(removed: list[Card], added: list[Card]) -> Renames:
    """Removed and added cards whose question (front or cloze text) is the same or nearly so; best pairs first.

    Cards with the very same question are always paired. Nearly equal questions are compared with difflib, whose
    cost grows with the product of the lengths: when the candidate pairs (those whose letters could be 80% alike)
    would cost more than :data:`MAX_COMPARED`, that comparison is skipped and ``skipped`` says why (100 removed x
    3,000 added shuffled questions took 11 minutes before)."""
    old = [_prompt(card) for card in removed]
    new = [_prompt(card) for card in added]
    candidates: list[tuple[float, int, int]] = []
    by_prompt: dict[str, list[int]] = {}
    for j, prompt in enumerate(new):
        if prompt:
            by_prompt.setdefault(prompt, []).append(j)
    for i, prompt in enumerate(old):
        candidates += [(-1.0, i, j) for j in by_prompt.get(prompt, ()) if prompt]
    skipped = _near_pairs(old, new, candidates)
    pairs = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for negative, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((removed[i], added[j], -negative))
    return Renames(pairs, skipped)


def _near_pairs(old: list[str], new: list[str], candidates: list[tuple[float, int, int]]) -> str:
    """Add (-ratio, i, j) to ``candidates`` for different questions at least RENAME_RATIO alike; or leave them and
    say why not."""
    if len(old) * len(new) > MAX_PAIRS:
        return f"{len(old):,} removed x {len(new):,} added cards are more than the {MAX_PAIRS:,} pairs deckgen compares"
    letters_new = [Counter(prompt) for prompt in new]
    near: list[tuple[int, int]] = []
    cost = 0
    for i, a in enumerate(old):
        letters_a = Counter(a)
        for j, b in enumerate(new):
            total = len(a) + len(b)
            if not a or not b or a == b or 2 * min(len(a), len(b)) < RENAME_RATIO * total:
                continue
            if 2 * sum((letters_a & letters_new[j]).values()) < RENAME_RATIO * total:
                continue
            near.append((i, j))
            cost += len(a) * len(b)
            if cost > MAX_COMPARED:
                return (
                    f"the questions of {len(old):,} removed and {len(new):,} added cards are too long and too alike "
                    f"to compare (over {MAX_COMPARED:,} character pairs)"
                )
    for i, j in near:
        ratio = difflib.SequenceMatcher(None, old[i], new[j], autojunk=False).ratio()
        if ratio >= RENAME_RATIO:
            candidates.append((-ratio, i, j))
    return ""
