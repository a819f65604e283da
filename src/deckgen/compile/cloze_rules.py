"""The rules a cloze text must follow (numbering, split terms); the syntax itself is :mod:`deckgen.notetypes.cloze`'s."""

from __future__ import annotations

from deckgen.errors import WARNING, Problem
from deckgen.model import Card
from deckgen.notetypes import cloze


def cloze_problems(card: Card, texts: list[tuple[str, str]] | None = None) -> list[Problem]:
    """The problems of a card's cloze text, or of the fields (key, text) of a cloze note type taken together
    (Anki numbers the deletions of all fields as one set)."""
    return cloze_check(card, texts)[0]


def cloze_check(card: Card, texts: list[tuple[str, str]] | None = None) -> tuple[list[Problem], list[int]]:
    """:func:`cloze_problems`, and the deletions' numbers (sorted, each once) from the same single parse."""
    texts = [("cloze", card.cloze)] if texts is None else texts
    context = f"card '{card.id}'"
    problems: list[Problem] = []
    deletions: list[tuple[cloze.Deletion, str]] = []
    for key, text in texts:
        found, malformed = cloze.parse(text)
        repeats: dict[str, int] = {}  # the same mistake 60,000 times in one field is reported once, with its count
        for _, message in malformed:
            repeats[message] = repeats.get(message, 0) + 1
        problems += [
            Problem(card.where(key), message if n == 1 else f"{message} ({n:,} times)", context=context, rule="cloze")
            for message, n in repeats.items()
        ]
        deletions += [(d, key) for d in found]
    where = card.where(texts[0][0]) if texts else card.location
    nums = cloze.numbers([d for d, _ in deletions])
    if not deletions and not problems:
        problems.append(
            Problem(
                where, "cloze card has no deletion; mark the answer as {{c1::answer}}", context=context, rule="cloze"
            )
        )
    elif (
        nums and not problems
    ):  # with a malformed deletion its number is unknown: no "skips c1" beside the real problem
        missing = sorted(set(range(1, nums[-1] + 1)) - set(nums))
        if missing:
            gaps = ", ".join(f"c{n}" for n in missing)
            problems.append(
                Problem(
                    where,
                    f"cloze numbers skip {gaps}; number deletions c1, c2, ... without gaps",
                    context=context,
                    rule="cloze",
                )
            )
    for d, key in deletions:
        if cloze.looks_like_split_term(d):
            answer, hint = cloze.clip(d.answer), cloze.clip(d.hint or "")
            problems.append(
                Problem(
                    card.where(key),
                    f"'{{{{c{d.number}::{answer}::{hint}}}}}': Anki shows answer '{answer}' with hint '{hint}'. "
                    f"If '{answer}::{hint}' is one term, write {answer}\\:\\:{hint}",
                    severity=WARNING,
                    context=context,
                    rule="cloze",
                )
            )
    return problems, nums
