"""The lock file: what was last shipped, so that re-imports update exactly the edited notes.

Anki's importer replaces a note only when the incoming ``mod`` is strictly newer. The lock records, per card,
a hash of the note as shipped and the ``mod`` it was shipped with (likewise for note types and the deck).
Unchanged content keeps its recorded ``mod`` (reproducible builds; a learner's own later edit to that note is
not overwritten); changed or new content gets ``max(now, recorded + 1)``. Reading (and validating) a lock file
is :mod:`deckgen.lockread`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def next_mod(old: Entry | None, content_hash: str, now: int) -> int:
    if old is not None and old.hash == content_hash:
        return old.mod
    if old is None:
        return now
    return max(now, old.mod + 1)
