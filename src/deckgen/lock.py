"""The lock file: what was last shipped, so that re-imports update exactly the edited notes.

Anki's importer replaces a note only when the incoming ``mod`` is strictly newer. The lock records, per card,
a hash of the note as shipped and the ``mod`` it was shipped with (likewise for note types and the deck).
Unchanged content keeps its recorded ``mod`` (reproducible builds; a learner's own later edit to that note is
not overwritten); changed or new content gets ``max(now, recorded + 1)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, Location, Problem
from .yamlsource import file_display

LOCK_VERSION = 1


@dataclass(frozen=True)
class Entry:
    hash: str
    mod: int
    kind: str = ""


@dataclass(frozen=True)
class Lock:
    created: int
    deck: Entry | None = None
    notetypes: dict[str, Entry] = field(default_factory=dict)
    cards: dict[str, Entry] = field(default_factory=dict)
    removed: dict[str, Entry] = field(default_factory=dict)

    def dumps(self) -> str:
        """Stable, diff-friendly text: one card a line, sorted by id."""

        def entry(e: Entry) -> str:  # hashes, kinds and ids are plain ASCII slugs: no escaping needed
            kind = f', "kind": "{e.kind}"' if e.kind else ""
            return f'{{"hash": "{e.hash}"{kind}, "mod": {e.mod}}}'

        def section(name: str, entries: dict[str, Entry]) -> str:
            if not entries:
                return f'  "{name}": {{}}'
            rows = ",\n".join(f'    "{k}": {entry(entries[k])}' for k in sorted(entries))
            return f'  "{name}": {{\n{rows}\n  }}'

        parts = [
            f'  "version": {LOCK_VERSION}',
            f'  "created": {self.created}',
            f'  "deck": {entry(self.deck) if self.deck else "null"}',
            section("notetypes", self.notetypes),
            section("cards", self.cards),
            section("removed", self.removed),
        ]
        return "{\n" + ",\n".join(parts) + "\n}\n"


def read_lock(path: Path) -> Lock | None:
    """The lock in ``path``, or None when there is none yet. A damaged lock is a content error."""
    display = file_display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(Location(display), f"cannot read the lock file ({exc}); restore it from git")]) from None
    try:
        data = json.loads(text)
        if data.get("version") != LOCK_VERSION:
            raise ValueError(f"unsupported lock version {data.get('version')!r}")

        def entries(name: str) -> dict[str, Entry]:
            return {k: Entry(hash=str(v["hash"]), mod=int(v["mod"]), kind=str(v.get("kind", ""))) for k, v in data[name].items()}

        deck = data["deck"]
        return Lock(
            created=int(data["created"]),
            deck=Entry(hash=str(deck["hash"]), mod=int(deck["mod"])) if deck else None,
            notetypes=entries("notetypes"),
            cards=entries("cards"),
            removed=entries("removed"),
        )
    except json.JSONDecodeError as exc:
        loc = Location(display, exc.lineno, exc.colno)
        message = (f"the lock file is not valid JSON ({exc.msg}); after a merge conflict take either side "
                   "(git checkout --theirs -- <lock>) and run 'deckgen build'; otherwise restore it from git")
        raise ContentError([Problem(loc, message)]) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ContentError([Problem(Location(display), f"the lock file is damaged ({exc}); restore it from git")]) from None


def next_mod(old: Entry | None, content_hash: str, now: int) -> int:
    if old is not None and old.hash == content_hash:
        return old.mod
    if old is None:
        return now
    return max(now, old.mod + 1)
