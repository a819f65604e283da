"""What changed in the lock file between two revisions *without* a matching change of the cards.

``deckgen build`` writes the lock; a pull request that edits it by hand can stop updates from reaching learners
(a ``mod`` far in the future, or one that goes backwards), bring back a removed id, or hide a card's change of
kind. ``deckgen diff`` shows every such change with a warning, since the card-by-card report cannot see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.lock.model import Entry, Lock
from deckgen.lock.read import FUTURE_SLACK

SECTIONS = ("notetypes", "cards", "removed")


@dataclass(frozen=True)
class LockChange:
    """One entry of the lock that differs: ``field`` is "hash", "mod", "kind", "entry" (added or removed: the
    absent side is ""), "created" or "file" (the whole lock added or deleted)."""

    section: str  # "cards", "removed", "notetypes", "deck", "created", "file"
    key: str  # the card id or note type key ("" for the deck, created, the file)
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class LockReport:
    by_hand: tuple[LockChange, ...] = ()  # changes no card change explains
    future: tuple[tuple[str, str, int], ...] = ()  # (section, key, mod) more than a day after now, at head
    backwards: tuple[LockChange, ...] = ()  # a mod that decreased: Anki skips an update that is not newer

    @property
    def is_empty(self) -> bool:
        return not (self.by_hand or self.future or self.backwards)


def _entry_changes(section: str, key: str, old: Entry | None, new: Entry | None) -> list[LockChange]:
    if old is None or new is None:
        if old is new:
            return []
        return [LockChange(section, key, "entry", "" if old is None else "present", "" if new is None else "present")]
    return [
        LockChange(section, key, name, str(getattr(old, name)), str(getattr(new, name)))
        for name in _FIELDS
        if getattr(old, name) != getattr(new, name)
    ]


_FIELDS = ("hash", "mod", "kind", "guid", "key", "id", "schema")
_RECORDED_SINCE_V2 = ("key", "id", "schema")  # a version-1 lock lacks them: the first version-2 build records them


def compare_locks(
    old: Lock | None, new: Lock | None, cards_changed: set[str], deck_changed: bool, now: int
) -> LockReport:
    """``cards_changed``: ids added, changed, removed or renamed in the cards (their lock entries may change);
    ``deck_changed``: the deck's name or description changed (its entry may change)."""
    if new is None:
        return LockReport(by_hand=(LockChange("file", "", "file", "present", ""),) if old is not None else ())
    future = _future(new, now)
    if old is None:
        return LockReport(future=future)
    changes: list[LockChange] = []
    if old.created != new.created:
        changes.append(LockChange("created", "", "created", str(old.created), str(new.created)))
    changes += _entry_changes("deck", "", old.deck, new.deck)
    for section in SECTIONS:
        before, after = getattr(old, section), getattr(new, section)
        for key in sorted(before.keys() | after.keys()):
            changes += _entry_changes(section, key, before.get(key), after.get(key))
    backwards = tuple(c for c in changes if c.field == "mod" and int(c.new) < int(c.old))
    rehashed = {(c.section, c.key) for c in changes if c.field == "hash"}
    by_hand = tuple(c for c in changes if not _explained(c, old, cards_changed, deck_changed, rehashed))
    return LockReport(by_hand=by_hand, future=future, backwards=backwards)


def _explained(
    change: LockChange, old: Lock, cards_changed: set[str], deck_changed: bool, rehashed: set[tuple[str, str]]
) -> bool:
    """Whether a build after the card changes in this diff makes this lock change."""
    if change.field in _RECORDED_SINCE_V2 and change.old in ("", "0"):
        return True
    if change.section == "cards":
        return change.key in cards_changed
    if change.section == "removed":  # a removed card is recorded; a build never drops or edits such an entry
        if (
            change.field == "entry"
            and change.old == ""
            and change.key not in old.cards
            and change.key not in old.removed
        ):
            return True  # a card added and removed between the two revisions (e.g. added, then renamed)
        return change.field == "entry" and change.old == "" and change.key in old.cards and change.key in cards_changed
    if change.section == "deck":
        return deck_changed
    if change.section == "notetypes":  # comes with deckgen itself (a hash change is reported as a note type change)
        return (
            change.field == "hash"
            or (change.field in ("mod", "id", "schema") and ("notetypes", change.key) in rehashed)
            or (change.field == "entry" and change.old == "")
        )
    return False


def _future(lock: Lock, now: int) -> tuple[tuple[str, str, int], ...]:
    limit = now + FUTURE_SLACK
    out: list[tuple[str, str, int]] = []
    if lock.created > limit:
        out.append(("created", "", lock.created))
    if lock.deck is not None and lock.deck.mod > limit:
        out.append(("deck", "", lock.deck.mod))
    for section in SECTIONS:
        entries: dict[str, Entry] = getattr(lock, section)
        out += [(section, key, entry.mod) for key, entry in sorted(entries.items()) if entry.mod > limit]
    return tuple(out)
