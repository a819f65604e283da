"""``deckgen build``: read everything, decide every ``mod``, then write the package and the lock atomically."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .compile import NoteSpec, content_hash, media_files, notetype_hash
from .errors import ContentError, Location, Problem, UsageError
from .loader import LOCK_FILE
from .lock import Entry, Lock, next_mod, read_lock
from .model import Deck
from .notetypes import CSS, NOTE_TYPES
from .pipeline import Compiled, Progress, gc_paused, load_and_compile
from .render import render_markdown
from .yamlsource import file_display


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
    media: tuple[Path, ...]
    old_lock: Lock | None
    lock: Lock
    lock_path: Path
    new: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]  # removed by this build (not earlier ones)

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
        what = f"{len(self.new)} new, {len(self.changed)} changed, {len(self.removed)} removed"
        return Problem(Location(file_display(self.lock_path)), f"lock file is out of date with the cards ({what}); "
                       "run 'deckgen build' and commit the lock file", rule="lock")


def render_description(deck: Deck) -> tuple[str, list[Problem]]:
    """The deck description's HTML (Markdown, like a card field) and its problems, placed at deck.yaml."""
    result = render_markdown(deck.description)
    problems = [Problem(deck.location, p.message, severity=p.severity, context="deck description", rule=p.rule)
                for p in result.problems]
    if result.media:
        problems.append(Problem(deck.location, "the deck description cannot show images or sounds (Anki does not take media "
                                "files along with a deck's description); remove them", context="deck description", rule="media"))
    return result.html, problems


def plan_build(
    cards_dir: Path,
    now: int | None = None,
    *,
    compiled: Compiled | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Load, render and compare with the lock. Raises ContentError with every problem found."""
    if compiled is None:
        compiled = load_and_compile(cards_dir, use_cache=use_cache, jobs=jobs, progress=progress)
    if compiled.deck is None or any(p.is_error for p in compiled.problems):
        found = render_description(compiled.deck)[1] if compiled.deck is not None else []
        raise ContentError([*compiled.problems, *found])
    deck = compiled.deck
    notes = list(compiled.notes)
    problems = list(compiled.problems)
    description_html, found = render_description(deck)
    problems += found
    lock_path = cards_dir / LOCK_FILE
    old = read_lock(lock_path)
    now = build_time() if now is None else now
    old_cards = old.cards if old else {}
    old_removed = old.removed if old else {}
    cards_by_id = {card.id: card for card in deck.cards}

    cards: dict[str, Entry] = {}
    new: list[str] = []
    changed: list[str] = []
    for note in notes:
        prev = old_cards.get(note.card_id)
        card = cards_by_id[note.card_id]
        if note.card_id in old_removed and prev is None:
            problems.append(
                Problem(card.where("id"), f"id '{note.card_id}' belonged to a card removed earlier (see 'removed' in "
                        f"{file_display(lock_path)}); ids are never reused: pick a new id, or delete that entry to "
                        "bring the old card back on purpose", context=f"card '{note.card_id}'", rule="lock")
            )
            continue
        if prev is not None and prev.kind and prev.kind != note.notetype:
            problems.append(
                Problem(card.location, f"this card was shipped as a {prev.kind} card; Anki cannot change a note's type on "
                        "re-import (it would skip the update). Give the new card a new id",
                        context=f"card '{note.card_id}'", rule="lock")
            )
            continue
        cards[note.card_id] = Entry(note.hash, next_mod(prev, note.hash, now), note.notetype)
        if prev is None:
            new.append(note.card_id)
        elif prev.hash != note.hash:
            changed.append(note.card_id)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ContentError(problems)

    removed_now = sorted(set(old_cards) - set(cards))
    removed = dict(old_removed)
    for card_id in removed_now:
        removed[card_id] = old_cards[card_id]
    notetypes = {}
    for key, nt in NOTE_TYPES.items():
        h = notetype_hash(nt, CSS)
        prev = old.notetypes.get(key) if old else None
        notetypes[key] = Entry(h, next_mod(prev, h, now))
    deck_hash = content_hash(deck.name, description_html)
    lock = Lock(
        created=old.created if old else now,
        deck=Entry(deck_hash, next_mod(old.deck if old else None, deck_hash, now)),
        notetypes=notetypes,
        cards=cards,
        removed=removed,
    )
    return Plan(
        deck=deck,
        notes=tuple(notes),
        warnings=tuple(problems),
        description_html=description_html,
        media=tuple(media_files(deck, notes)),
        old_lock=old,
        lock=lock,
        lock_path=lock_path,
        new=tuple(new),
        changed=tuple(changed),
        removed=tuple(removed_now),
    )


def write_package(plan: Plan, output: Path, *, progress: Progress | None = None) -> None:
    """Write the planned package atomically to ``output`` (the lock is not touched)."""
    from .fsutil import staged

    with staged([output]) as (tmp,):
        _write_apkg(plan, tmp, progress)


def _write_apkg(plan: Plan, path: Path, progress: Progress | None) -> None:
    from .package import write_apkg

    lock = plan.lock
    write_apkg(
        path,
        deck_key=plan.deck.key,
        deck_name=plan.deck.name,
        description_html=plan.description_html,
        deck_mod=lock.deck.mod if lock.deck else 0,
        notetype_mods={key: entry.mod for key, entry in lock.notetypes.items()},
        css=CSS,
        notes=plan.notes,
        note_mods={card_id: entry.mod for card_id, entry in lock.cards.items()},
        media=plan.media,
        created=lock.created,
        progress=progress,
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
) -> tuple[Plan, Path]:
    """Build the package and update the lock. Nothing is written unless everything was read and checked
    first; both files are replaced together at the end, or neither is."""
    from .fsutil import staged

    plan = plan_build(cards_dir, now, use_cache=use_cache, jobs=jobs, progress=progress)
    output = output or default_output(cards_dir, plan.deck.key)
    if output.is_dir():
        raise UsageError(f"output '{file_display(output)}' is a folder; give a file name ending in .apkg")
    if output.parent.resolve() == cards_dir.resolve():
        raise UsageError("the output file must not be written into the cards folder; choose another folder with -o")
    stale = plan.stale_lock()
    if locked and stale is not None:
        raise ContentError([stale])
    targets = [output] if stale is None else [output, plan.lock_path]
    with staged(targets) as temps:
        _write_apkg(plan, temps[0], progress)
        if len(temps) > 1:
            temps[1].write_text(plan.lock_text, encoding="utf-8")
    return plan, output
