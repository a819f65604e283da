"""Reading Anki cloze syntax the way Anki does: ``{{c1::answer}}`` and ``{{c1::answer::hint}}``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"\{\{c(\d+)::")
_GENE_LIKE = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")
_MULTI = re.compile(r"\{\{c\d+(?:,\d+)+::")  # Anki 23.10's {{c1,2::...}}
_MALFORMED = re.compile(r"\{\{c\d+:(?!:)|\{\{C\d+::")
_SINGLE = re.compile(r"(?<!\{)\{[cC]\d+::[^{}]{0,200}\}?")  # {c1::answer}: one brace where Anki needs two


MAX_NUMBER = 500
"""The largest cloze number deckgen accepts: each number is a card, and a note with more is surely a mistake
(``{{c9999999999::x}}`` would otherwise ask for ten billion cards)."""

_SHOWN = 60  # characters of a deletion's text quoted in a message


@dataclass(frozen=True)
class Deletion:
    number: int
    answer: str
    hint: str | None
    offset: int  # of the opening braces in the text
    end: int = 0  # just after the closing braces


def clip(text: str, limit: int = _SHOWN) -> str:
    """``text`` for quoting in a message: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit:,} more characters)"


def parse(text: str) -> tuple[list[Deletion], list[tuple[int, str]]]:
    """Deletions in order, and (offset, message) for every malformed one. Linear in the text's length: each
    opening ``{{cN::`` is looked at once and the search for ``}}`` never goes back."""
    deletions: list[Deletion] = []
    problems: list[tuple[int, str]] = _single_braces(text) if "::" in text else []
    if "{{" not in text:
        return deletions, problems
    opens = list(_OPEN.finditer(text))  # openers cannot overlap, so this is every one of them
    close = -2  # the next '}}' at or after the current opener (-1: there is none; -2: not searched yet)
    pos = 0
    for index, m in enumerate(opens):
        start = m.start()
        if start < pos:
            continue
        if close != -1 and close < m.end():
            close = text.find("}}", m.end())
        nested = opens[index + 1].start() if index + 1 < len(opens) else -1
        digits = m.group(1)
        shown = f"c{clip(digits, 12)}"
        if nested != -1 and (close == -1 or nested < close):
            # Anki supports nesting, but an unclosed deletion followed by another is the common mistake.
            problems.append((start, f"cloze deletion '{{{{{shown}::' is not closed with '}}}}'"))
            pos = m.end()
            continue
        if close == -1:
            problems.append((start, f"cloze deletion '{{{{{shown}::' is not closed with '}}}}'"))
            break
        body = text[m.end() : close]
        pos = close + 2
        if len(digits) > len(str(MAX_NUMBER)) or int(digits) > MAX_NUMBER:
            problems.append(
                (start, f"cloze number {shown} is too large; number deletions c1, c2, ... up to c{MAX_NUMBER} at most")
            )
            continue
        number = int(digits)
        parts = body.split("::", 2)  # (a third part is an error; Anki shows the second as the hint)
        if number == 0:
            problems.append((start, "cloze numbers start at c1, not c0"))
        if len(parts) > 2:
            problems.append(
                (
                    start,
                    f"cloze deletion '{{{{c{number}::{clip(body)}}}}}' has more than one '::'; Anki reads the first '::' as "
                    "the start of the hint. Write '\\:\\:' for a literal '::' in the answer",
                )
            )
        answer, hint = parts[0], (parts[1] if len(parts) > 1 else None)
        if text.startswith("}", pos) and body.count("{") > body.count("}"):  # Anki's '}}}' gotcha
            problems.append(
                (
                    start,
                    f"cloze deletion '{{{{c{number}::{clip(body)}}}}}}}' ends in '}}}}}}': Anki closes the deletion at "
                    f"the first '}}}}', so the answer would be '{clip(body)}' and a '}}' would follow it; put a "
                    "space before the closing braces ('... } }}')",
                )
            )
        if not answer.strip():
            problems.append((start, f"cloze deletion c{number} has an empty answer"))
        deletions.append(Deletion(number, answer, hint, start, pos))
    for m in _MULTI.finditer(text):
        problems.append(
            (
                m.start(),
                f"'{clip(m.group(0), 20)}' (one deletion for several cards) is not supported by deckgen; "
                "write a deletion for each number",
            )
        )
    # a stray closing or opening brace pair that belongs to no deletion
    for m in _MALFORMED.finditer(text):
        problems.append(
            (m.start(), f"malformed cloze '{clip(m.group(0), 20)}'; write {{{{c1::answer}}}} (lowercase c, two colons)")
        )
    return deletions, problems


def _single_braces(text: str) -> list[tuple[int, str]]:
    """``{c1::answer}``: a cloze written with single braces, which Anki shows as typed."""
    problems = []
    for m in _SINGLE.finditer(text):
        shown = clip(m.group(0), 40)
        fixed = "{" + shown + "}" if shown.endswith("}") else "{" + shown + "...}}"
        problems.append(
            (m.start(), f"'{shown}' looks like a cloze with single braces; Anki needs two on each side: {fixed}")
        )
    return problems


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
