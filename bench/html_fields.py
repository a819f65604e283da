"""How often nh3 changes real Anki field HTML, and how: run over CrowdAnki exports (deck.json files).

    python bench/html_fields.py path/to/deck.json [...]

For every note field: is render_html's output the input byte for byte? If not, was anything reported
(content removed or refused) or was it only rewritten in form? Prints counts and the most common
differences, so the figures in docs/format/math-code-media.md can be checked again on other decks.
"""

from __future__ import annotations

import collections
import difflib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from deckgen.render import render_html


def notes(deck: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from deck.get("notes", [])
    for child in deck.get("children", []):
        yield from notes(child)


def change(before: str, after: str) -> str:
    """A short label for the first difference."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal":
            return f"{before[max(0, a1 - 8) : a2 + 8]!r} -> {after[max(0, b1 - 8) : b2 + 8]!r}"
    return "?"


def main() -> None:
    totals: collections.Counter[str] = collections.Counter()
    per_deck: dict[str, collections.Counter[str]] = {}
    changes: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    for arg in sys.argv[1:]:
        deck = json.loads(Path(arg).read_text(encoding="utf-8"))
        counts = per_deck.setdefault(Path(arg).name, collections.Counter())
        for note in notes(deck):
            for field in note["fields"]:
                result = render_html(field)
                if result.html == field:
                    kind = "same"
                elif any(p.is_error or "removed" in p.message for p in result.problems):
                    kind = "removed or refused"
                else:
                    kind = "form only"
                    changes[change(field, result.html)[:100]] += 1
                for p in result.problems:
                    reasons[f"{p.severity}: {p.message[:90]}"] += 1
                counts[kind] += 1
                totals[kind] += 1
    fields = sum(totals.values())
    print(f"{fields} fields in {len(per_deck)} decks")
    for kind, n in totals.most_common():
        print(f"  {kind:20} {n:7} ({100 * n / fields:.2f}%)")
    print("per deck (same / form only / removed or refused):")
    for name, c in per_deck.items():
        print(f"  {name[:60]:60} {c['same']:6} {c['form only']:6} {c['removed or refused']:6}")
    print("most common form-only changes:")
    for text, n in changes.most_common(15):
        print(f"  {n:6}  {text}")
    print("most common problems:")
    for text, n in reasons.most_common(25):
        print(f"  {n:6}  {text}")


if __name__ == "__main__":
    main()
