"""Measured with the real Anki backend: what a package that carries a CrowdAnki deck's GUIDs does in a learner's
collection that the CrowdAnki add-on built.

CrowdAnki's deck.json has no Anki note type ids, and the add-on gives each learner's note types ids of their own
(``models.new`` + ``models.add``, crowd_anki/representation/note_model.py). A package made from that folder (by
deckgen, or here by genanki with the same fields and templates) carries other note type ids than any learner has.
Anki matches notes by GUID and note types by id, so:

- default import options: every note is *conflicting* (its note type id differs), nothing is updated, the package's
  note types are added beside the learner's, and every review is kept. Later packages do the same: edits never
  arrive.
- "Merge note types" (Anki 23.10+, ``merge_notetypes=True``): no conflict; each learner's note moves to the
  package's note type (same fields and templates, so every card keeps its ord), the learner's own CrowdAnki note
  types are merged away, every review and all scheduling are kept; from then on ordinary imports (default options)
  update the notes in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import genanki
import pytest

from tests.anki_source import Source

NEWER = 2_000_000_000  # a package mod newer than the learner's notes


def learner_from_crowdanki(path: Path, deck: dict[str, Any]) -> Any:
    """A collection built the way the CrowdAnki add-on imports deck.json: new note types (ids of its own, the
    crowdanki_uuid kept in the dict), notes with the deck's GUIDs, fields and tags, decks by name."""
    from anki.collection import Collection

    col = Collection(str(path))
    ids = {}
    for data in deck["note_models"]:
        model = col.models.new(data["name"])
        model.update({k: v for k, v in data.items() if k != "__type__"})
        col.models.add(model)
        ids[data["crowdanki_uuid"]] = model["id"]

    def add(d: dict[str, Any], parent: str) -> None:
        full = f"{parent}::{d['name']}" if parent else d["name"]
        did = col.decks.id(full)
        for n in d["notes"]:
            note = col.new_note(col.models.get(ids[n["note_model_uuid"]]))
            note.fields[:] = n["fields"]
            note.tags = list(n["tags"])
            note.guid = n["guid"]
            col.add_note(note, did)
        for child in d["children"]:
            add(child, full)

    add(deck, "")
    return col


def review_everything(col: Any) -> int:
    answered = 0
    for deck in col.decks.all_names_and_ids():
        col.decks.set_current(deck.id)
        while (card := col.sched.getCard()) is not None:
            card.start_timer()
            col.sched.answerCard(card, 3)
            answered += 1
    return answered


def package_with_other_ids(deck: dict[str, Any], path: Path, mod: int) -> Path:
    """What a tool that keeps the GUIDs but not the (unknown) note type ids ships: same fields and templates."""
    models = {}
    for i, m in enumerate(deck["note_models"]):
        models[m["crowdanki_uuid"]] = genanki.Model(
            1_900_000_000 + i,
            m["name"],
            fields=[{"name": f["name"]} for f in m["flds"]],
            templates=[{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]} for t in m["tmpls"]],
            css=m["css"],
            model_type=genanki.Model.CLOZE if m["type"] == 1 else genanki.Model.FRONT_BACK,
        )
    decks = []

    def add(d: dict[str, Any], parent: str) -> None:
        full = f"{parent}::{d['name']}" if parent else d["name"]
        gdeck = genanki.Deck(1_000_000_000 + len(decks), full)
        for n in d["notes"]:
            model = models[n["note_model_uuid"]]
            if model.model_type == genanki.Model.CLOZE:
                model.__dict__["_req"] = []  # genanki cannot render Image Occlusion's template; cloze cards ignore req
            gdeck.add_note(genanki.Note(model=model, fields=n["fields"], tags=n["tags"], guid=n["guid"]))
        decks.append(gdeck)
        for child in d["children"]:
            add(child, full)

    add(deck, "")
    genanki.Package(decks).write_to_file(str(path), timestamp=mod)
    return path


def state(col: Any) -> dict[str, Any]:
    return {
        "cards": col.db.all(
            "select nid, ord, did, type, queue, due, ivl, factor, reps, lapses from cards order by nid, ord"
        ),
        "notes": col.db.all("select guid, flds, tags from notes order by guid"),
        "mids": col.db.list("select distinct mid from notes order by mid"),
        "revlog": col.db.all("select * from revlog order by id"),
        "notetypes": sorted(m["id"] for m in col.models.all()),
    }


def import_(col: Any, apkg: Path, *, merge: bool) -> Any:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(merge_notetypes=merge)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log


@pytest.fixture
def crowd_deck(anki_source: Source) -> dict[str, Any]:
    deck: dict[str, Any] = json.loads((anki_source.crowdanki / "deck.json").read_text(encoding="utf-8"))
    return deck


@pytest.mark.parametrize("mod", [1_000_000_000, NEWER], ids=["older-mod", "newer-mod"])
def test_default_options_leave_every_note_conflicting(crowd_deck: dict[str, Any], tmp_path: Path, mod: int) -> None:
    col = learner_from_crowdanki(tmp_path / "learner.anki2", crowd_deck)
    try:
        assert review_everything(col) > 0
        before = state(col)
        log = import_(col, package_with_other_ids(crowd_deck, tmp_path / "deck.apkg", mod), merge=False)
        after = state(col)
        assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (0, 0, 0, 12)
        # the package's 7 note types are added beside the learner's, unused; the notes stay on the learner's
        assert len(after["notetypes"]) == len(before["notetypes"]) + 7
        assert after["mids"] == before["mids"]
        assert (
            after["notes"] == before["notes"]
            and after["cards"] == before["cards"]
            and after["revlog"] == before["revlog"]
        )
    finally:
        col.close()


@pytest.mark.parametrize("mod, updated", [(1_000_000_000, 0), (NEWER, 12)], ids=["older-mod", "newer-mod"])
def test_merge_note_types_moves_the_notes_and_keeps_every_review(
    crowd_deck: dict[str, Any], tmp_path: Path, mod: int, updated: int
) -> None:
    col = learner_from_crowdanki(tmp_path / "learner.anki2", crowd_deck)
    try:
        review_everything(col)
        before = state(col)
        log = import_(col, package_with_other_ids(crowd_deck, tmp_path / "deck.apkg", mod), merge=True)
        after = state(col)
        assert len(log.conflicting) == 0 and len(log.new) == 0
        assert (len(log.updated), len(log.duplicate)) == (updated, 12 - updated)
        assert after["mids"] == [1_900_000_000 + i for i in range(7)]  # the notes now use the package's note types
        assert len(after["notetypes"]) == len(before["notetypes"])  # the learner's CrowdAnki note types merged away
        assert after["notes"] == before["notes"]  # same fields and tags
        assert after["cards"] == before["cards"] and after["revlog"] == before["revlog"]  # scheduling and reviews kept

        # from then on, ordinary imports (default options) update in place
        edited = json.loads(json.dumps(crowd_deck))
        edited["notes"][0]["fields"][0] = "What does <b>你好</b> mean? (edited)"
        log = import_(col, package_with_other_ids(edited, tmp_path / "next.apkg", NEWER + 100), merge=False)
        assert (len(log.new), len(log.conflicting), len(log.updated)) == (0, 0, 12)
        assert col.db.scalar("select count() from notes where flds like '%(edited)%'") == 1
        final = state(col)
        assert final["cards"] == before["cards"] and final["revlog"] == before["revlog"]
        assert final["notetypes"] == after["notetypes"]
    finally:
        col.close()
