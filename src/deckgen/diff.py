"""``deckgen diff``: what changed in a deck between two git revisions, card by card, keyed by card id.

Besides added, changed and removed cards this finds what hurts people who already study the deck: removed cards
(a package cannot delete notes), probable renames (a new id is a new note: its review history starts over),
a card changing between question/answer and cloze, note type changes recorded in the lock, and deck renames
or key changes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .gitio import Snapshot, find_repo, snapshot_at, snapshot_worktree
from .model import CLOZE, Card, Deck
from .pipeline import gc_paused

RENAME_RATIO = 0.8

# Fields compared for a card present at both revisions, in the order they are reported.
CARD_FIELDS = ("kind", "topic", "front", "back", "reverse", "cloze", "extra", "source", "editor_note", "editor_ref", "tags")
TEXT_FIELDS = frozenset({"front", "back", "cloze", "extra", "source", "editor_note"})
DECK_FIELDS = ("key", "name", "tag", "description")
CITATION_FIELDS = ("title", "publisher", "authors", "date", "url", "language", "note")

EQUAL, DELETE, INSERT = "equal", "delete", "insert"

# Scripts written without spaces between words are diffed per character, everything else per word.
_CJK = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs (+ extension A, compatibility)
    "\u3000-\u303f\uff00-\uffef"  # CJK punctuation, full-width forms
    "\U00020000-\U0003134f"  # CJK extensions B..G
)
_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+|\s+|.", re.DOTALL)


def tokenize(text: str) -> list[str]:
    """Words, runs of whitespace and single punctuation marks; each Chinese/Japanese character is its own token."""
    return _TOKEN.findall(text)


def inline_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """``old`` -> ``new`` as (op, text) segments, op being EQUAL, DELETE or INSERT; a replacement is a DELETE
    followed by an INSERT. Whitespace between two changes is folded into them, so 'a b' -> 'c d' reads as one
    replacement rather than two."""
    a, b = tokenize(old), tokenize(new)
    ops: list[list[str]] = []  # [op, old text, new text]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        ops.append(["equal" if tag == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2])])
    merged: list[list[str]] = []
    for index, op in enumerate(ops):
        between_changes = 0 < index < len(ops) - 1 and ops[index - 1][0] == ops[index + 1][0] == "change"
        if op[0] == "equal" and between_changes and not op[1].strip():
            op = ["change", op[1], op[2]]
        if merged and merged[-1][0] == op[0] == "change":
            merged[-1][1] += op[1]
            merged[-1][2] += op[2]
        else:
            merged.append(op)
    segments: list[tuple[str, str]] = []
    for kind, before, after in merged:
        if kind == "equal":
            segments.append((EQUAL, before))
            continue
        if before:
            segments.append((DELETE, before))
        if after:
            segments.append((INSERT, after))
    return tuple(segments)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object  # str for text, bool for reverse, tuple[str, ...] for tags
    new: object

    def segments(self) -> tuple[tuple[str, str], ...]:
        assert isinstance(self.old, str) and isinstance(self.new, str)
        return inline_diff(self.old, self.new)


@dataclass(frozen=True)
class CardChange:
    """A card present at both revisions (same id), or a probable rename (old.id != new.id)."""

    old: Card
    new: Card
    fields: tuple[FieldChange, ...]
    similarity: float = 1.0


@dataclass(frozen=True)
class TopicChanges:
    slug: str
    title: str
    added: tuple[Card, ...] = ()
    changed: tuple[CardChange, ...] = ()
    renamed: tuple[CardChange, ...] = ()
    removed: tuple[Card, ...] = ()


@dataclass(frozen=True)
class Hazard:
    """Something in the change that hurts people who already study the deck."""

    type: str  # "deck-key", "deck-name", "notetype", "kind", "rename", "removed"
    ids: tuple[str, ...] = ()  # the cards (or note type) concerned
    old: str = ""
    new: str = ""
    similarity: float | None = None


@dataclass(frozen=True)
class DeckDiff:
    base: Snapshot
    head: Snapshot
    deck: tuple[FieldChange, ...]  # deck settings that changed
    topics: tuple[TopicChanges, ...]  # only topics with card changes, in deck order
    notetypes: tuple[str, ...]  # note type keys whose hash in the lock file differs

    def count(self, what: str) -> int:
        return sum(len(getattr(topic, what)) for topic in self.topics)

    @property
    def is_empty(self) -> bool:
        return not (self.deck or self.topics or self.notetypes)

    def hazards(self) -> list[Hazard]:
        """Most severe first."""
        out: list[Hazard] = []
        by_field = {change.field: change for change in self.deck}
        for field, kind in (("key", "deck-key"), ("name", "deck-name")):
            if field in by_field:
                change = by_field[field]
                out.append(Hazard(kind, old=str(change.old), new=str(change.new)))
        out += [Hazard("notetype", ids=(key,)) for key in self.notetypes]
        for topic in self.topics:
            for card in topic.changed:
                for change in card.fields:
                    if change.field == "kind":
                        out.append(Hazard("kind", ids=(card.new.id,), old=str(change.old), new=str(change.new)))
        out += [
            Hazard("rename", ids=(pair.old.id, pair.new.id), similarity=pair.similarity)
            for topic in self.topics for pair in topic.renamed
        ]
        removed = tuple(card.id for topic in self.topics for card in topic.removed)
        if removed:
            out.append(Hazard("removed", ids=removed))
        return out


def is_text_field(field: str) -> bool:
    """Whether a field's change is shown as an inline word diff (rather than "old -> new")."""
    return field in TEXT_FIELDS or field in ("name", "description") or field.startswith(("source.", "references."))


def _value(card: Card, field: str) -> object:
    value = getattr(card, field)
    return value.strip() if isinstance(value, str) and field in TEXT_FIELDS else value


def card_changes(old: Card, new: Card) -> tuple[FieldChange, ...]:
    """The fields that differ (text compared without leading and trailing whitespace)."""
    changes = []
    for field in CARD_FIELDS:
        before, after = _value(old, field), _value(new, field)
        if before != after:
            changes.append(FieldChange(field, before, after))
    return tuple(changes)


def _prompt(card: Card) -> str:
    return " ".join(card.prompt.split())


def similarity(old: Card, new: Card) -> float:
    a, b = _prompt(old), _prompt(new)
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < RENAME_RATIO or matcher.quick_ratio() < RENAME_RATIO:
        return 0.0
    return matcher.ratio()


def pair_renames(removed: list[Card], added: list[Card]) -> list[tuple[Card, Card, float]]:
    """Removed and added cards whose question (front or cloze text) is the same or nearly so; best pairs first."""
    candidates = []
    for i, old in enumerate(removed):
        for j, new in enumerate(added):
            ratio = similarity(old, new)
            if ratio >= RENAME_RATIO:
                candidates.append((-ratio, i, j))
    pairs = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for negative, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((removed[i], added[j], -negative))
    return pairs


def _deck_changes(old: Deck, new: Deck) -> tuple[FieldChange, ...]:
    changes = []
    for field in DECK_FIELDS:
        before, after = getattr(old, field).strip(), getattr(new, field).strip()
        if before != after:
            changes.append(FieldChange(field, before, after))
    for field in CITATION_FIELDS:
        before, after = getattr(old.citation, field), getattr(new.citation, field)
        if before != after:
            changes.append(FieldChange(f"source.{field}", before, after))
    old_refs = {ref.key: ref.text for ref in old.references}
    new_refs = {ref.key: ref.text for ref in new.references}
    for key in [*new_refs, *(k for k in old_refs if k not in new_refs)]:  # the editor's notes' references
        if old_refs.get(key, "") != new_refs.get(key, ""):
            changes.append(FieldChange(f"references.{key}", old_refs.get(key, ""), new_refs.get(key, "")))
    return tuple(changes)


def compare(base: Snapshot, head: Snapshot) -> DeckDiff:
    old_cards = {card.id: card for card in base.deck.cards}
    new_cards = {card.id: card for card in head.deck.cards}
    added = [card for card in head.deck.cards if card.id not in old_cards]
    removed = [card for card in base.deck.cards if card.id not in new_cards]
    changed = {}
    for card in head.deck.cards:
        if card.id in old_cards:
            fields = card_changes(old_cards[card.id], card)
            if fields:
                changed[card.id] = CardChange(old_cards[card.id], card, fields)
    renamed = {}
    for old, new, ratio in pair_renames(removed, added):
        renamed[new.id] = CardChange(old, new, card_changes(old, new), ratio)
    renamed_old = {pair.old.id for pair in renamed.values()}

    titles = {topic.slug: topic.title for topic in base.deck.topics}
    titles.update({topic.slug: topic.title for topic in head.deck.topics})
    head_slugs = [topic.slug for topic in head.deck.topics]
    order = head_slugs + [topic.slug for topic in base.deck.topics if topic.slug not in head_slugs]
    added_ids = {card.id for card in added} - renamed.keys()
    removed_ids = {card.id for card in removed} - renamed_old
    head_by_topic: dict[str, list[Card]] = {}
    for card in head.deck.cards:
        head_by_topic.setdefault(card.topic, []).append(card)
    removed_by_topic: dict[str, list[Card]] = {}
    for card in base.deck.cards:
        if card.id in removed_ids:
            removed_by_topic.setdefault(card.topic, []).append(card)
    topics = []
    for slug in order:
        in_head = head_by_topic.get(slug, [])
        topic = TopicChanges(
            slug=slug,
            title=titles[slug],
            added=tuple(card for card in in_head if card.id in added_ids),
            changed=tuple(changed[card.id] for card in in_head if card.id in changed),
            renamed=tuple(renamed[card.id] for card in in_head if card.id in renamed),
            removed=tuple(removed_by_topic.get(slug, ())),
        )
        if topic.added or topic.changed or topic.renamed or topic.removed:
            topics.append(topic)

    notetypes: tuple[str, ...] = ()
    if base.lock is not None and head.lock is not None:
        old_types, new_types = base.lock.notetypes, head.lock.notetypes
        both = sorted(old_types.keys() & new_types.keys())
        notetypes = tuple(key for key in both if old_types[key].hash != new_types[key].hash)
    return DeckDiff(base=base, head=head, deck=_deck_changes(base.deck, head.deck), topics=tuple(topics), notetypes=notetypes)


@gc_paused()
def diff_revisions(base: str, head: str | None, cards_dir: Path) -> DeckDiff:
    """Compare the cards folder at revision ``base`` with revision ``head`` (None: the work tree)."""
    repo = find_repo(cards_dir)
    old = snapshot_at(repo, base)
    new = snapshot_worktree(cards_dir) if head is None else snapshot_at(repo, head)
    return compare(old, new)


def kind_name(kind: str) -> str:
    return "cloze" if kind == CLOZE else "question/answer"
