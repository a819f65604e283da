"""The lock file: what was last shipped, so that re-imports update exactly the edited notes.

Anki's importer replaces a note only when the incoming ``mod`` is strictly newer. The lock records, per card,
a hash of the note as shipped and the ``mod`` it was shipped with (likewise for note types and the deck).
Unchanged content keeps its recorded ``mod`` (reproducible builds; a learner's own later edit to that note is
not overwritten); changed or new content gets ``max(now, recorded + 1)``. Reading (and validating) a lock file
is :mod:`deckgen.lock.read`'s job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

LOCK_VERSION = 2
READABLE_VERSIONS = (1, 2)  # a version-1 lock is read as it is and written back as version 2


@dataclass(frozen=True)
class Entry:
    hash: str
    mod: int
    kind: str = ""  # cards: the note type's slug
    guid: str = ""  # cards: the GUID when the card gives one (imported notes)
    key: str = ""  # the deck: its key (identity guard)
    id: int = 0  # note types: the Anki note type id (identity guard)
    schema: str = ""  # note types: the hash of kind, field names and template names
    draft: bool = False  # the deck: built while ``released: false`` (its note types may still change)
    kept: str = ""  # the hash of the note (or note type) that keeps defects it was imported with (deckgen.lock.kept)


@dataclass(frozen=True)
class Lock:
    created: int
    deck: Entry | None = None
    notetypes: dict[str, Entry] = field(default_factory=dict)
    cards: dict[str, Entry] = field(default_factory=dict)
    removed: dict[str, Entry] = field(default_factory=dict)

    def dumps(self) -> str:
        """Stable, diff-friendly text: one card a line, sorted by id."""

        def entry(e: Entry) -> str:  # one line per entry; strings other than slugs and hashes are JSON-escaped
            parts = [f'"hash": "{e.hash}"']
            if e.key:
                parts.append(f'"key": "{e.key}"')
            if e.kind:
                parts.append(f'"kind": "{e.kind}"')
            if e.guid:
                parts.append(f'"guid": {json.dumps(e.guid)}')
            if e.id:
                parts.append(f'"id": {e.id}')
            parts.append(f'"mod": {e.mod}')
            if e.schema:
                parts.append(f'"schema": "{e.schema}"')
            if e.draft:
                parts.append('"draft": true')
            if e.kept:
                parts.append(f'"kept": "{e.kept}"')
            return "{" + ", ".join(parts) + "}"

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
