"""``deckgen build``: read everything, decide every ``mod``, then write the package and the lock atomically."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.compile.deck import media_files
from deckgen.compile.note import NoteSpec
from deckgen.compile.pipeline import Compiled, Progress, gc_paused, load_and_compile
from deckgen.errors import ContentError, Location, Problem, UsageError
from deckgen.identity.renames import find_renames
from deckgen.identity.search import removed_search
from deckgen.lock.kept import Kept, keep, mark
from deckgen.lock.model import Lock
from deckgen.lock.plan import plan_lock
from deckgen.lock.read import read_lock
from deckgen.model import BUILTIN_KINDS, Card, Deck
from deckgen.source.layout import LOCK_FILE
from deckgen.source.media import MediaFile

if TYPE_CHECKING:
    from deckgen.git.repo import Snapshot
from deckgen.source.yamlfile import file_display


def build_time() -> int:
    """Now, in whole seconds; SOURCE_DATE_EPOCH overrides it (reproducible-builds convention)."""
    override = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if override.isdigit():
        return int(override)
    return int(time.time())


@dataclass(frozen=True)
class Plan:
    """Everything a build will write, decided before anything is written."""

    deck: Deck
    notes: tuple[NoteSpec, ...]
    warnings: tuple[Problem, ...]
    description_html: str
    media: tuple[MediaFile, ...]
    old_lock: Lock | None
    lock: Lock
    lock_path: Path
    new: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]  # removed by this build (not earlier ones)
    schema_changes: tuple[str, ...] = ()  # note types whose schema changes (allowed by --allow-schema-change)
    draft_changes: tuple[str, ...] = ()  # note types whose schema changes while the deck is a draft
    released_now: bool = False  # the lock was a draft's, this build is released: note types are frozen from now on
    renamed: tuple[
        tuple[str, str, float], ...
    ] = ()  # probable renames (old id, new id, similarity) since the last commit
    rename_skipped: str = ""  # why near renames were not looked for (see renames.find_renames)
    kept: Kept = Kept((), frozenset(), frozenset())  # defects imported cards keep (see deckgen.lock.kept)

    def counts(self) -> str:
        """ "1 new, 2 changed, 0 removed" (and "1 renamed" when ids were probably renamed), as diff counts them."""
        renamed_old = {old for old, _, _ in self.renamed}
        renamed_new = {new for _, new, _ in self.renamed}
        text = (
            f"{len(set(self.new) - renamed_new)} new, {len(self.changed)} changed, "
            f"{len(set(self.removed) - renamed_old)} removed"
        )
        return text + (f", {len(self.renamed)} renamed" if self.renamed else "")

    def removed_search(self) -> tuple[str, int]:
        """The Anki search that finds the notes this build removed in a learner's collection, and how many of them
        it cannot find (notes of the deck's own note types have no Id field)."""
        old = self.old_lock.cards if self.old_lock else {}
        findable = [card_id for card_id in self.removed if card_id in old and old[card_id].kind in BUILTIN_KINDS]
        return removed_search(self.deck.name, findable), len(self.removed) - len(findable)

    @property
    def card_count(self) -> int:
        return sum(len(note.ords) for note in self.notes)

    @cached_property
    def lock_text(self) -> str:
        return self.lock.dumps()

    @cached_property
    def lock_is_current(self) -> bool:
        """Whether the lock file on disk already says what this build would write (read once)."""
        try:
            return self.lock_path.read_text(encoding="utf-8") == self.lock_text
        except (OSError, UnicodeDecodeError):
            return False

    def stale_lock(self) -> Problem | None:
        """The problem to report when the committed lock does not match the cards (``--locked``, ``check``)."""
        if self.lock_is_current:
            return None
        return Problem(
            Location(file_display(self.lock_path)),
            f"lock file is out of date with the cards ({self.counts()}); run 'deckgen build' and commit the lock file",
            rule="lock",
        )


def plan_build(
    cards_dir: Path,
    now: int | None = None,
    *,
    compiled: Compiled | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_schema_change: bool = False,
    allow_identity_change: bool = False,
    importing: bool = False,
) -> Plan:
    """Load, render and compare with the lock. Raises ContentError with every problem found. ``importing``: the
    first build of ``deckgen import``, which keeps the defects the deck already had (see :mod:`deckgen.lock.kept`)."""
    if compiled is None:
        compiled = load_and_compile(cards_dir, use_cache=use_cache, jobs=jobs, progress=progress)
    if compiled.deck is None:
        raise ContentError(compiled.problems)
    lock_path = cards_dir / LOCK_FILE
    now = build_time() if now is None else now
    old = read_lock(lock_path, now)  # a mod more than a day ahead of now is an error: it would block later updates
    problems, kept = keep(compiled.problems, compiled.notes, compiled.deck.notetypes, old, importing=importing)
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    deck = compiled.deck
    notes = list(compiled.notes)
    if (found := kept.summary(deck.location)) is not None:
        problems.append(found)
    description_html = compiled.description_html
    head = _Committed(cards_dir)
    decided = plan_lock(
        deck,
        notes,
        description_html,
        old,
        now,
        file_display(lock_path),
        allow_schema_change=allow_schema_change,
        allow_identity_change=allow_identity_change,
        committed=head.lock,
    )
    problems += decided.problems
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    new_ids = set(decided.new)
    renamed, rename_skipped = head.renames(decided.removed, [card for card in deck.cards if card.id in new_ids])
    return Plan(
        deck=deck,
        notes=tuple(notes),
        warnings=tuple(sorted(problems, key=Problem.sort_key)),
        description_html=description_html,
        media=media_files(deck, notes),
        old_lock=old,
        lock=mark(decided.lock, kept),
        lock_path=lock_path,
        new=decided.new,
        changed=decided.changed,
        removed=decided.removed,
        schema_changes=decided.schema_changes,
        draft_changes=decided.draft_changes,
        released_now=decided.released_now,
        renamed=tuple(renamed),
        rename_skipped=rename_skipped,
        kept=kept,
    )


class _Committed:
    """The deck as last committed in git, read once and only when a build needs it (an id that comes back, or
    removed and new ids that may be renames)."""

    def __init__(self, cards_dir: Path):
        self.cards_dir = cards_dir
        self._snapshot: Snapshot | None | bool = False

    def snapshot(self) -> Snapshot | None:
        if self._snapshot is False:
            from deckgen.git.repo import committed

            self._snapshot = committed(self.cards_dir)
        assert self._snapshot is not True
        return self._snapshot

    def lock(self) -> Lock | None:
        snapshot = self.snapshot()
        return snapshot.lock if snapshot else None

    def renames(self, removed: tuple[str, ...], added: list[Card]) -> tuple[list[tuple[str, str, float]], str]:
        """Probable renames (old id, new id, similarity), and why near ones were not looked for ("" if they were)."""
        if not removed or not added:
            return [], ""
        snapshot = self.snapshot()
        if snapshot is None:
            return [], ""
        gone = set(removed)
        found = find_renames([card for card in snapshot.deck.cards if card.id in gone], added)
        return [(old.id, new.id, ratio) for old, new, ratio in found.pairs], found.skipped


def write_package(plan: Plan, output: Path, *, progress: Progress | None = None) -> None:
    """Write the planned package atomically to ``output`` (the lock is not touched)."""
    from deckgen.fsutil import staged

    with staged([output]) as (tmp,):
        write_planned_apkg(plan, tmp, progress)


def package_state(deck_key: str) -> Path | None:
    """The private folder where the deflated pieces of this deck's package are kept between builds (None if the
    cache folder is not private to this user: see :func:`deckgen.compile.cache.private`)."""
    import hashlib

    from deckgen.compile.cache import default_cache_dir, private

    folder = default_cache_dir()
    if not private(folder):
        return None
    return folder / "packages" / hashlib.sha256(deck_key.encode()).hexdigest()[:32]


def write_planned_apkg(plan: Plan, path: Path, progress: Progress | None, *, state: Path | None = None) -> None:
    """Write the planned package to ``path``; ``state``: see :func:`deckgen.apkg.write_apkg`."""
    from deckgen.apkg import write_apkg

    lock = plan.lock
    write_apkg(
        path,
        deck_key=plan.deck.key,
        deck_name=plan.deck.name,
        note_decks={
            card.id: plan.deck.deck_name(topic) for topic in plan.deck.topics if topic.deck for card in topic.cards
        },
        description_html=plan.description_html,
        deck_mod=lock.deck.mod if lock.deck else 0,
        notetypes=plan.deck.notetypes,
        notetype_mods={key: entry.mod for key, entry in lock.notetypes.items()},
        notes=plan.notes,
        note_mods={card_id: entry.mod for card_id, entry in lock.cards.items()},
        media=plan.media,
        created=lock.created,
        progress=progress,
        state=state,
    )


def default_output(cards_dir: Path, deck_key: str) -> Path:
    return cards_dir.parent / "output" / f"{deck_key}.apkg"


@gc_paused()
def build(
    cards_dir: Path,
    output: Path | None = None,
    *,
    locked: bool = False,
    now: int | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    allow_schema_change: bool = False,
    allow_identity_change: bool = False,
) -> tuple[Plan, Path]:
    """Build the package and update the lock. Nothing is written unless everything was read and checked
    first; both files are replaced together at the end, or neither is."""
    from deckgen.fsutil import refuse_linked_output, staged

    plan = plan_build(
        cards_dir,
        now,
        use_cache=use_cache,
        jobs=jobs,
        progress=progress,
        allow_schema_change=allow_schema_change,
        allow_identity_change=allow_identity_change,
    )
    output = output or default_output(cards_dir, plan.deck.key)
    refuse_linked_output(output, cards_dir)
    if output.is_dir():
        raise UsageError(f"output '{file_display(output)}' is a folder; give a file name ending in .apkg")
    if output.parent.resolve() == cards_dir.resolve():
        raise UsageError("the output file must not be written into the cards folder; choose another folder with -o")
    stale = plan.stale_lock()
    if locked and stale is not None:
        raise ContentError([stale])
    targets = [output] if stale is None else [output, plan.lock_path]
    with staged(targets) as temps:
        write_planned_apkg(plan, temps[0], progress, state=package_state(plan.deck.key) if use_cache else None)
        if len(temps) > 1:
            temps[1].write_text(plan.lock_text, encoding="utf-8")
    return plan, output
