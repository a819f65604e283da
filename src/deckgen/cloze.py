"""Reading Anki cloze syntax the way Anki does: ``{{c1::answer}}`` and ``{{c1::answer::hint}}``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"\{\{c(\d+)::")
_GENE_LIKE = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class Deletion:
    number: int
    answer: str
    hint: str | None
    offset: int  # of the opening braces in the text


def parse(text: str) -> tuple[list[Deletion], list[tuple[int, str]]]:
    """Deletions in order, and (offset, message) for every malformed one."""
    deletions: list[Deletion] = []
    problems: list[tuple[int, str]] = []
    pos = 0
    while True:
        m = _OPEN.search(text, pos)
        if m is None:
            break
        start = m.start()
        close = text.find("}}", m.end())
        nested = _OPEN.search(text, m.end())
        if nested is not None and (close == -1 or nested.start() < close):
            # Anki supports nesting, but an unclosed deletion followed by another is the common mistake.
            inner_close = text.find("}}", nested.end())
            if close == -1 or inner_close == close:
                problems.append((start, f"cloze deletion '{{{{c{m.group(1)}::' is not closed with '}}}}'"))
                pos = m.end()
                continue
        if close == -1:
            problems.append((start, f"cloze deletion '{{{{c{m.group(1)}::' is not closed with '}}}}'"))
            break
        body = text[m.end():close]
        number = int(m.group(1))
        parts = body.split("::")
        if number == 0:
            problems.append((start, "cloze numbers start at c1, not c0"))
        if len(parts) > 2:
            problems.append(
                (start, f"cloze deletion '{{{{c{number}::{body}}}}}' has more than one '::'; Anki reads the first '::' as the start "
                        "of the hint. Write '\\:\\:' for a literal '::' in the answer")
            )
        answer, hint = parts[0], (parts[1] if len(parts) > 1 else None)
        if not answer.strip():
            problems.append((start, f"cloze deletion c{number} has an empty answer"))
        deletions.append(Deletion(number, answer, hint, start))
        pos = close + 2
    # a stray closing or opening brace pair that belongs to no deletion
    for m in re.finditer(r"\{\{c\d+:(?!:)|\{\{C\d+::", text):
        problems.append((m.start(), f"malformed cloze '{m.group(0)}'; write {{{{c1::answer}}}} (lowercase c, two colons)"))
    return deletions, problems


def looks_like_split_term(deletion: Deletion) -> bool:
    """``{{c1::BCR::ABL1}}``: Anki shows answer 'BCR' with hint 'ABL1' — almost surely a gene fusion, not a hint."""
    return (
        deletion.hint is not None
        and bool(_GENE_LIKE.match(deletion.answer))
        and bool(_GENE_LIKE.match(deletion.hint))
        and any(c.isupper() for c in deletion.answer)
        and any(c.isupper() for c in deletion.hint)
    )


def numbers(deletions: list[Deletion]) -> list[int]:
    return sorted({d.number for d in deletions})
