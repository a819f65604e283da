"""The next lock file, decided from the last one: which cards are new, changed or removed, each one's ``mod``, and
the identity guards — what must never change under learners' feet (the deck key, a note type's id and schema, a
note's GUID, a card's note type)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deckgen.compile.note import NoteSpec
from deckgen.distribution import docs_url
from deckgen.errors import Problem
from deckgen.identity.ids import content_hash, notetype_hash, schema_hash
from deckgen.lock.model import Entry, Lock, next_mod
from deckgen.model import CLOZE, QA, Deck, NoteType
from deckgen.notetypes.builtin import SHARED_IDS

MERGE_HINT = "learners on Anki 23.10 or newer must tick 'Merge note types' in the import dialog"


@dataclass(frozen=True)
class LockPlan:
    lock: Lock
    new: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]  # removed by this build (not earlier ones)
    schema_changes: tuple[str, ...]  # note types whose fields or templates change, allowed by --allow-schema-change
    problems: tuple[Problem, ...]
    draft_changes: tuple[str, ...] = ()  # note types whose fields or templates change while the deck is a draft
    released_now: bool = False  # the last build was a draft ('released: false'), this one is not


def kind_words(kind: str) -> str:
    if kind == QA:
        return "a question/answer card"
    if kind == CLOZE:
        return "a cloze card"
    return f"a note of note type '{kind}'"


def plan_lock(
    deck: Deck,
    notes: list[NoteSpec],
    description_html: str,
    old: Lock | None,
    now: int,
    lock_display: str,
    *,
    allow_schema_change: bool = False,
    allow_identity_change: bool = False,
    committed: Callable[[], Lock | None] = lambda: None,
) -> LockPlan:
    """``committed`` gives the lock as last committed, if any: an id that a build removed but that removal was
    never committed is free again (ids are reserved by committed removals only)."""
    problems: list[Problem] = []
    old_cards = dict(old.cards) if old else {}
    old_removed = dict(old.removed) if old else {}
    comeback = [note.card_id for note in notes if note.card_id in old_removed and note.card_id not in old_cards]
    if comeback:
        last = committed()
        for card_id in comeback:
            if last is not None and card_id not in last.removed:  # removed by a build that was never committed
                old_cards[card_id] = old_removed.pop(card_id)
    cards_by_id = {card.id: card for card in deck.cards}
    identity = (
        ""
        if allow_identity_change
        else (
            " If that is really meant (learners keep the old notes and get new ones), build with --allow-identity-change"
        )
    )

    cards: dict[str, Entry] = {}
    new: list[str] = []
    changed: list[str] = []
    for note in notes:
        prev = old_cards.get(note.card_id)
        card = cards_by_id[note.card_id]
        context = f"card '{note.card_id}'"
        if note.card_id in old_removed and prev is None:
            problems.append(
                Problem(
                    card.where("id"),
                    f"id '{note.card_id}' belonged to a card removed earlier (see 'removed' in "
                    f"{lock_display}); ids are never reused: pick a new id, or delete that entry to "
                    "bring the old card back on purpose",
                    context=context,
                    rule="lock",
                )
            )
            continue
        if prev is not None and prev.kind and prev.kind != note.notetype:
            problems.append(
                Problem(
                    card.location,
                    f"this card was shipped as {kind_words(prev.kind)}; Anki cannot change a "
                    "note's type on re-import (it would skip the update). Give the new card a new id",
                    context=context,
                    rule="lock",
                )
            )
            continue
        if prev is not None and prev.guid != card.guid and not allow_identity_change:
            was = f"GUID '{prev.guid}'" if prev.guid else "a GUID derived from its id"
            now_is = f"'{card.guid}'" if card.guid else "one derived from its id"
            problems.append(
                Problem(
                    card.where("guid") if card.guid else card.location,
                    f"this card was shipped with {was}, now {now_is}: every learner would get it as a new "
                    f"note and keep the old one. Restore the GUID.{identity}",
                    context=context,
                    rule="identity",
                )
            )
            continue
        cards[note.card_id] = Entry(note.hash, next_mod(prev, note.hash, now), note.notetype, guid=card.guid)
        if prev is None:
            new.append(note.card_id)
        elif prev.hash != note.hash:
            changed.append(note.card_id)

    if (
        old is not None
        and old.deck is not None
        and old.deck.key
        and old.deck.key != deck.key
        and not allow_identity_change
    ):
        problems.append(
            Problem(
                deck.location,
                f"the deck key changed from '{old.deck.key}' to '{deck.key}': every learner "
                f"would get a second copy of all {len(notes)} notes (a note's identity comes from the key). "
                f"Put the key back.{identity}",
                context="deck",
                rule="identity",
            )
        )

    notetypes: dict[str, Entry] = {}
    schema_changes: list[str] = []
    draft_changes: list[str] = []
    used = {note.notetype for note in notes}
    for nt in deck.notetypes:
        h, schema = notetype_hash(nt), schema_hash(nt)
        prev = old.notetypes.get(nt.key) if old else None
        count = sum(1 for note in notes if note.notetype == nt.key)
        if prev is not None and prev.id and prev.id != nt.id and not allow_identity_change:
            problems.append(
                Problem(deck.location, _id_change(nt, prev.id, count, identity), context="deck", rule="identity")
            )
        elif prev is not None and prev.schema and prev.schema != schema and nt.key in used | old_types_used(old):
            if not deck.released and not nt.builtin:
                draft_changes.append(nt.key)
            elif allow_schema_change:
                schema_changes.append(nt.key)
            else:
                problems.append(
                    Problem(
                        deck.location,
                        f"note type '{nt.key}' changed its fields or templates since the lock: "
                        "Anki cannot change the fields or templates of a note type its learners have; every "
                        f"learner's Anki would add a copy named '{nt.name}+' and skip the updates of all "
                        f"{count} of its notes. Add a new note type (a new slug) and give its cards new ids; "
                        f"or, if {MERGE_HINT}, build with --allow-schema-change",
                        context="deck",
                        rule="schema",
                    )
                )
        notetypes[nt.key] = Entry(h, next_mod(prev, h, now), id=nt.id, schema=schema)

    removed_now = sorted(set(old_cards) - set(cards))  # (with problems the build stops: no lock is written)
    removed = dict(old_removed)
    for card_id in removed_now:
        removed[card_id] = old_cards[card_id]
    deck_hash = content_hash(deck.name, description_html)
    prev_deck = old.deck if old else None
    lock = Lock(
        created=old.created if old else now,
        deck=Entry(deck_hash, next_mod(prev_deck, deck_hash, now), key=deck.key, draft=not deck.released),
        notetypes=notetypes,
        cards=cards,
        removed=removed,
    )
    return LockPlan(
        lock,
        tuple(new),
        tuple(changed),
        tuple(removed_now),
        tuple(schema_changes),
        tuple(problems),
        draft_changes=tuple(draft_changes),
        released_now=prev_deck is not None and prev_deck.draft and deck.released,
    )


def _id_change(nt: NoteType, was: int, count: int, identity: str) -> str:
    if not nt.builtin:
        return (
            f"note type '{nt.key}' was shipped with Anki id {was}, now {nt.id}: every learner would get a second "
            f"note type and a second copy of all {count} of its notes. Put the id back (note_types.{nt.key}.id).{identity}"
        )
    if was not in SHARED_IDS and nt.id not in SHARED_IDS:  # the deck's own, derived from the key
        return (
            f"built-in note type '{nt.key}' was shipped with Anki id {was}, now {nt.id} (its id comes from the deck "
            f"key): every learner would get a second note type and a second copy of all {count} of its notes. "
            f"Put the deck key back.{identity}"
        )
    now_is = "the deck's own" if nt.id not in SHARED_IDS else "the shared one"
    return (
        f"built-in note type '{nt.key}' was shipped with Anki id {was}, now {nt.id} ({now_is}, from "
        "'note_type_ids' in deck.yaml): learners' Anki would skip all "
        f"{count} of its notes as conflicting. Remove 'note_type_ids' (the lock keeps the ids learners have); to "
        "move the deck to its own note types on purpose, build once with --allow-identity-change and tell learners "
        "to tick 'Merge note types' when they import that version (Anki 23.10 or newer; see "
        f"{docs_url('guides/updates', 'every-decks-own-note-types')})"
    )


def old_types_used(old: Lock | None) -> set[str]:
    return {entry.kind for entry in old.cards.values()} if old else set()
