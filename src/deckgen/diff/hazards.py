"""What ``deckgen diff`` warns about: the kinds of change that hurt people who already study the deck, each with
its one message (Markdown and JSON both show it through :func:`deckgen.diff.report.hazard_text`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

HazardKind = Literal[
    "deck-key",
    "deck-name",
    "lock-future",
    "lock-backwards",
    "notetype-id",
    "notetype-schema",
    "notetype-explicit-id",
    "notetype-code",
    "notetype",
    "subdeck",
    "subdeck-cards",
    "kind",
    "rename",
    "rename-skipped",
    "media-replaced",
    "media-skipped",
    "guid",
    "guid-changed",
    "removed",
    "lock",
]


@dataclass(frozen=True)
class Hazard:
    """Something in the change that hurts people who already study the deck."""

    type: HazardKind
    ids: tuple[str, ...] = ()  # the cards (or note type) concerned
    old: str = ""
    new: str = ""
    similarity: float | None = None
    search: str = ""  # "removed": the Anki browser search that finds the removed notes (identity.search)
    unsearchable: int = 0  # "removed": notes of the deck's own note types, which have no Id field to search


Message = tuple[str, str]
"""A warning's lead words (bold in Markdown) and the rest, templates for :meth:`str.format` with the fields that
:func:`deckgen.diff.report.hazard_text` gives: ``{old}``, ``{new}`` (as names), ``{id}`` (the first id),
``{second}``, ``{ids}`` (all of them), ``{named}`` (the first few, then a count), ``{detail}`` (``new`` as text),
``{old_kind}``, ``{new_kind}``, ``{percent}``, ``{it}`` ("it" or "them") and ``{removed}``."""

# One row per kind: mypy holds the two equal (a kind without a row, or a row of no kind, is an error), since
# hazard_text indexes this table with a HazardKind and the table's literal must have every key.
_Table = TypedDict(
    "_Table",
    {
        "deck-key": Message,
        "deck-name": Message,
        "lock-future": Message,
        "lock-backwards": Message,
        "notetype-id": Message,
        "notetype-schema": Message,
        "notetype-explicit-id": Message,
        "notetype-code": Message,
        "notetype": Message,
        "subdeck": Message,
        "subdeck-cards": Message,
        "kind": Message,
        "rename": Message,
        "rename-skipped": Message,
        "media-replaced": Message,
        "media-skipped": Message,
        "guid": Message,
        "guid-changed": Message,
        "removed": Message,
        "lock": Message,
    },
)

_MOVED = (
    ": {old} → {new}. Anki keeps the cards learners already have where they are; only learners who import them for "
    "the first time get them in the new deck."
)

MESSAGES: _Table = {
    "deck-key": (
        "Deck key changed",
        " {old} → {new}: every note's identity comes from the deck key, so every card arrives as a new note. "
        "Learners get a second copy of the whole deck with no review history. Keep the old key unless this is meant "
        "to be a separate deck.",
    ),
    "deck-name": (
        "Deck renamed",
        " {old} → {new}: learners' existing cards stay in the deck they are in (Anki does not move cards on import); "
        "only cards new to them go to the new deck, so they end up with two.",
    ),
    "subdeck": ("Moved to another deck", " topic {id}" + _MOVED),
    "subdeck-cards": ("Moved to another deck", " {ids}" + _MOVED),
    "notetype-id": (
        "Note type id changed",
        " {id} {old} → {new}: Anki matches note types by id, so learners get a second note type and a second copy "
        "of every note of it.",
    ),
    "notetype-schema": (
        "Note type fields or templates changed",
        " {id}: Anki cannot change them in a note type its learners have. Learners on Anki 23.10+ must tick 'Merge "
        "note types' when importing; otherwise Anki adds a copy of the note type and skips the updates of all its "
        "notes.",
    ),
    "notetype-explicit-id": (
        "New note type with a given id",
        " {id} (id {new}): Anki matches note types by id, so if another deck uses this id, importing this deck "
        "replaces that deck's templates and styling in learners' Anki. Remove the `id:` (deckgen derives one from "
        "the deck key) unless it is this deck's own note type moved from elsewhere.",
    ),
    "notetype-code": (
        "New code in a note type",
        " {id}: {detail}: {old}. Templates and CSS run in every learner's Anki; read this change as you would read "
        "code.",
    ),
    "notetype": (
        "Note type changed",
        " {id}: its hash in deckgen.lock differs between the revisions, so its fields, templates or styling changed "
        "(the lock cannot tell which). New templates and styling reach learners on import; a changed field or "
        "template name would make Anki skip the updates of every such note.",
    ),
    "kind": (
        "Card type changed",
        " {id}: {old_kind} → {new_kind} under the same id. Anki cannot change a note's type on import and skips the "
        "update; give the new card a new id.",
    ),
    "rename": (
        "Probable rename",
        " {id} → {second} (question {percent}% similar): a new id is a new note, so learners start this card from "
        "scratch and keep the old one as well. Keep the old id unless the card now asks something else.",
    ),
    "rename-skipped": (
        "Rename detection skipped",
        ": {detail}. Cards whose question is unchanged are still paired; look for renamed cards among the added and "
        "removed ones yourself (a new id is a new note).",
    ),
    "media-replaced": (
        "Media file replaced",
        " {named}: the file's content changed under the same name, so cards that show it change for learners while "
        "their text does not. Open the new file and check it before merging.",
    ),
    "media-skipped": ("Media not compared", ": {detail}; check changes under media/ yourself."),
    "guid": (
        "New card with a given guid",
        " {named}: Anki matches notes by guid, so if a note of another deck has this guid, importing this deck "
        "overwrites that note in learners' Anki. Remove `guid:` (deckgen derives one from the deck key and the card "
        "id) unless the card comes from an existing Anki deck.",
    ),
    "guid-changed": (
        "Card guid changed",
        " {named}: Anki matches notes by guid, so the card becomes another note (learners get a second copy without "
        "its reviews) or overwrites a note of another deck that has this guid. `deckgen build` refuses it unless "
        "`--allow-identity-change` is given.",
    ),
    "lock-future": (
        "Lock file mod in the future",
        " {ids}: more than a day after now. Learners who import such a package never receive a later update of "
        "those notes; `deckgen build` refuses it. Restore the lock file from the base branch and run `deckgen build`.",
    ),
    "lock-backwards": (
        "Lock file mod went backwards",
        " {ids}: Anki applies an update only when its mod is newer than the learner's, so these changes would never "
        "arrive. Restore the lock file from the base branch and run `deckgen build`.",
    ),
    "lock": (
        "Lock file changed without a card change",
        " {named}: `deckgen build` writes the lock, and after a deckgen upgrade it may ship cards again; a hand edit "
        "can instead stop updates from reaching learners or bring back a removed id. Check that the lock came from "
        "`deckgen build`.",
    ),
    "removed": (
        "{removed}",
        " {ids}: a package cannot delete notes, so learners keep {it} (and keep reviewing {it}) until they delete "
        "{it} themselves.",
    ),
}
