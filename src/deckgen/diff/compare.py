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

from deckgen.compile.pipeline import gc_paused
from deckgen.diff.hazards import Hazard, HazardKind
from deckgen.diff.lock import LockReport, compare_locks
from deckgen.diff.notetypes import NoteTypeChange, compare_notetypes
from deckgen.git.media import MediaChanges, compare_media
from deckgen.git.repo import Snapshot, find_repo, snapshot_at, snapshot_worktree
from deckgen.identity.renames import find_renames
from deckgen.identity.search import removed_search
from deckgen.model import BUILTIN_KINDS, CLOZE, QA, Card, Deck
from deckgen.source import keys

# Fields compared for a card present at both revisions, in the order they are reported (then 'fields.<name>').
CARD_FIELDS = tuple(row.name for row in keys.CARD_FIELDS if row.compare and row.shape != "pairs")
TEXT_FIELDS = frozenset(row for row in CARD_FIELDS if keys.CARD_FIELD[row].compare == "text")
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
class DeckDiff:
    base: Snapshot
    head: Snapshot
    deck: tuple[FieldChange, ...]  # deck settings that changed
    topics: tuple[TopicChanges, ...]  # only topics with card changes, in deck order
    notetypes: tuple[str, ...]  # note type keys whose hash in the lock file differs
    notetype_changes: tuple[NoteTypeChange, ...] = ()  # the note types themselves, compared
    moved: tuple[Hazard, ...] = ()  # topics ("subdeck") and cards ("subdeck-cards") whose Anki deck changed
    lock: LockReport = LockReport()  # lock changes that no card change explains
    rename_skipped: str = ""  # why probable renames were not looked for (too many long, alike questions)
    media: MediaChanges = MediaChanges()  # files of cards/media/ added, replaced or removed

    def count(self, what: str) -> int:
        return sum(len(getattr(topic, what)) for topic in self.topics)

    @property
    def is_empty(self) -> bool:
        return not (
            self.deck
            or self.topics
            or self.notetypes
            or self.notetype_changes
            or self.moved
            or not self.lock.is_empty
            or not self.media.is_empty
        )

    def hazards(self) -> list[Hazard]:
        """Most severe first."""
        out: list[Hazard] = []
        by_field = {change.field: change for change in self.deck}
        deck_kinds: tuple[tuple[str, HazardKind], ...] = (("key", "deck-key"), ("name", "deck-name"))
        for field, kind in deck_kinds:
            if field in by_field:
                change = by_field[field]
                out.append(Hazard(kind, old=str(change.old), new=str(change.new)))
        if self.lock.future:
            out.append(
                Hazard("lock-future", ids=tuple(_entry_name(section, key) for section, key, _ in self.lock.future))
            )
        if self.lock.backwards:
            out.append(Hazard("lock-backwards", ids=tuple(_entry_name(c.section, c.key) for c in self.lock.backwards)))
        for nt in self.notetype_changes:
            if nt.id_changed:
                assert nt.old is not None and nt.new is not None
                out.append(Hazard("notetype-id", ids=(nt.key,), old=str(nt.old.id), new=str(nt.new.id)))
            if nt.schema_changed and self.base.deck.released:  # a draft's note types may change: nobody studies it
                out.append(Hazard("notetype-schema", ids=(nt.key,)))
            if nt.explicit_id:
                assert nt.new is not None
                out.append(Hazard("notetype-explicit-id", ids=(nt.key,), new=str(nt.new.id)))
            out += [Hazard("notetype-code", ids=(nt.key,), new=what, old=shown) for what, shown in nt.new_code]
        out += self.moved
        compared = {nt.key for nt in self.notetype_changes}
        out += [Hazard("notetype", ids=(key,)) for key in self.notetypes if key not in compared]
        for topic in self.topics:
            for card in topic.changed:
                for change in card.fields:
                    if change.field == "kind":
                        out.append(Hazard("kind", ids=(card.new.id,), old=str(change.old), new=str(change.new)))
        out += [
            Hazard("rename", ids=(pair.old.id, pair.new.id), similarity=pair.similarity)
            for topic in self.topics
            for pair in topic.renamed
        ]
        if self.rename_skipped:
            out.append(Hazard("rename-skipped", new=self.rename_skipped))
        if self.media.replaced:
            out.append(Hazard("media-replaced", ids=self.media.replaced))
        if self.media.skipped:
            out.append(Hazard("media-skipped", new=self.media.skipped))
        given = tuple(card.id for topic in self.topics for card in topic.added if card.guid)
        given += tuple(
            pair.new.id
            for topic in self.topics
            for pair in topic.renamed
            if pair.new.guid and pair.new.guid != pair.old.guid
        )
        if given:
            out.append(Hazard("guid", ids=given))
        regiven = tuple(
            c.new.id for topic in self.topics for c in topic.changed if any(f.field == "guid" for f in c.fields)
        )
        if regiven:
            out.append(Hazard("guid-changed", ids=regiven))
        removed_cards = [card for topic in self.topics for card in topic.removed]
        if removed_cards:
            findable = [card.id for card in removed_cards if card.kind in BUILTIN_KINDS]
            search = removed_search(self.base.deck.name, findable)
            ids = tuple(card.id for card in removed_cards)
            out.append(Hazard("removed", ids=ids, search=search, unsearchable=len(ids) - len(findable)))
        if self.lock.by_hand:
            out.append(
                Hazard("lock", ids=tuple(dict.fromkeys(_entry_name(c.section, c.key) for c in self.lock.by_hand)))
            )
        return out


def _entry_name(section: str, key: str) -> str:
    """How a lock entry is named in warnings: 'cards/crs-fever', 'deck', 'created'."""
    return f"{section}/{key}" if key else section


def is_text_field(field: str) -> bool:
    """Whether a field's change is shown as an inline word diff (rather than "old -> new")."""
    return (
        field in TEXT_FIELDS
        or field in ("name", "description")
        or field.startswith(("source.", "fields.", "references."))
    )


def _value(card: Card, field: str) -> object:
    if field.startswith("fields."):
        return dict(card.fields).get(field[7:], "").strip()
    value = getattr(card, field)
    return value.strip() if isinstance(value, str) and field in TEXT_FIELDS else value


def card_changes(old: Card, new: Card) -> tuple[FieldChange, ...]:
    """The fields that differ (text compared without leading and trailing whitespace)."""
    changes = []
    names = [*(name for name, _ in old.fields), *(name for name, _ in new.fields if name not in dict(old.fields))]
    for field in (*CARD_FIELDS, *(f"fields.{name}" for name in names)):
        before, after = _value(old, field), _value(new, field)
        if before != after:
            changes.append(FieldChange(field, before, after))
    return tuple(changes)


def _deck_changes(old: Deck, new: Deck) -> tuple[FieldChange, ...]:
    changes = []
    for field in DECK_FIELDS:
        before, after = getattr(old, field).strip(), getattr(new, field).strip()
        if before != after:
            changes.append(FieldChange(field, before, after))
    for field in CITATION_FIELDS:
        before = getattr(old.citation, field) if old.citation else ""
        after = getattr(new.citation, field) if new.citation else ""
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
    renames = find_renames(removed, added)
    for old, new, ratio in renames.pairs:
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
    deck = _deck_changes(base.deck, head.deck)
    from deckgen.build import build_time

    cards_changed = {*added_ids, *removed_ids, *changed, *renamed, *renamed_old}
    lock = compare_locks(
        base.lock, head.lock, cards_changed, any(c.field in ("name", "description", "key") for c in deck), build_time()
    )
    return DeckDiff(
        base=base,
        head=head,
        deck=deck,
        topics=tuple(topics),
        notetypes=notetypes,
        lock=lock,
        notetype_changes=compare_notetypes(base.deck.notetypes, head.deck.notetypes, head.deck.key),
        moved=_moved(base.deck, head.deck),
        rename_skipped=renames.skipped,
        media=compare_media(base.media, head.media),
    )


def _moved(old: Deck, new: Deck) -> tuple[Hazard, ...]:
    """Topics, and cards in other topics, whose Anki (sub)deck changed; a deck rename is reported on its own."""
    if old.name != new.name:
        return ()
    old_topics = {topic.slug: topic for topic in old.topics}
    new_topics = {topic.slug: topic for topic in new.topics}
    out: list[Hazard] = []
    for slug, topic in new_topics.items():
        if slug in old_topics and old.deck_name(old_topics[slug]) != new.deck_name(topic):
            out.append(Hazard("subdeck", ids=(slug,), old=old.deck_name(old_topics[slug]), new=new.deck_name(topic)))
    was = {card.id: (topic.slug, old.deck_name(topic)) for topic in old.topics for card in topic.cards}
    cards: dict[tuple[str, str], list[str]] = {}
    for topic in new.topics:
        for card in topic.cards:
            slug, before = was.get(card.id, (topic.slug, ""))
            if slug != topic.slug and before != new.deck_name(topic):  # moved to a topic in another deck
                cards.setdefault((before, new.deck_name(topic)), []).append(card.id)
    out += [Hazard("subdeck-cards", ids=tuple(ids), old=before, new=after) for (before, after), ids in cards.items()]
    return tuple(out)


@gc_paused()
def diff_revisions(base: str, head: str | None, cards_dir: Path) -> DeckDiff:
    """Compare the cards folder at revision ``base`` with revision ``head`` (None: the work tree)."""
    repo = find_repo(cards_dir)
    old = snapshot_at(repo, base, media=True)
    new = snapshot_worktree(cards_dir) if head is None else snapshot_at(repo, head, media=True)
    return compare(old, new)


def kind_name(kind: str) -> str:
    if kind in (QA, CLOZE):
        return "cloze" if kind == CLOZE else "question/answer"
    return f"note type '{kind}'"
