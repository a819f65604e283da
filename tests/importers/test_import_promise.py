"""The promise of ``deckgen import``, held with the real Anki backend (issue 11):

1. a deck made with Anki (every stock note type and a custom one; see tests/anki_source.py), exported by Anki in
   every format;
2. a learner imports it and reviews every card;
3. ``deckgen import`` + ``deckgen build``, and the learner imports the result: 0 new, 0 updated, 0 conflicting,
   no new note type, every field, tag and card's scheduling unchanged;
4. one field edited in the YAML, built, imported: exactly that note changes, reviews kept;
5. from a CrowdAnki folder: in a collection the add-on built, the first package needs "Merge note types" once,
   loses no review, and later edits arrive with default options.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.anki_source import Source
from tests.conftest import AnkiCollection, run
from tests.importers.test_crowdanki_migration import import_, learner_from_crowdanki, review_everything

FORMATS = ["apkg", "apkg_legacy", "apkg_anki2", "colpkg", "colpkg_legacy"]


def snapshot(col: Any) -> dict[str, Any]:
    return {
        "notes": col.db.all("select id, guid, mid, mod, tags, flds from notes order by id"),
        "cards": col.db.all(
            "select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, odid "
            "from cards order by id"
        ),
        "revlog": col.db.all("select * from revlog order by id"),
        "notetypes": sorted((m["id"], m["name"], m["mod"], m["css"], json.dumps(m["tmpls"])) for m in col.models.all()),
        "decks": sorted(d.name for d in col.decks.all_names_and_ids()),
    }


def build(cards: Path, epoch: int) -> Path:
    result = run("build", cards, env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert result.exit_code == 0, result.output
    return next((cards.parent / "output").glob("*.apkg"))


def learner_with(apkg: Path, path: Path) -> AnkiCollection:
    learner = AnkiCollection(path)
    log = learner.import_package(apkg)
    assert len(log.new) == 12
    assert review_everything(learner.col) >= 19  # every card answered (some twice: learning steps)
    return learner


@pytest.mark.parametrize("fmt", FORMATS)
def test_first_build_is_a_no_op_and_an_edit_updates_only_that_note(
    anki_source: Source, tmp_path: Path, fmt: str
) -> None:
    # 2. the existing learner (the deck as Anki exported it, every card reviewed)
    learner = learner_with(anki_source.apkg, tmp_path / "learner.anki2")
    try:
        before = snapshot(learner.col)
        # 3. import with deckgen, build, re-import: nothing changes
        cards = tmp_path / "deck" / "cards"
        result = run("import", getattr(anki_source, fmt), "-o", cards, env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert result.exit_code == 0, result.output
        log = learner.import_package(build(cards, 1_800_000_000))
        assert (len(log.new), len(log.updated), len(log.conflicting), len(log.duplicate)) == (0, 0, 0, 12)
        assert snapshot(learner.col) == before  # fields, tags, mods, note types, decks, scheduling, review log

        # 4. edit one field in the YAML: exactly that note changes, reviews kept
        topic = cards / "vocabulary.yaml"
        text = topic.read_text(encoding="utf-8")
        assert text.count("English: a woman from Vietnam\n") == 1
        topic.write_text(
            text.replace("English: a woman from Vietnam\n", "English: a woman from Vietnam (edited)\n"),
            encoding="utf-8",
        )
        log = learner.import_package(build(cards, 1_800_000_100))
        assert (len(log.new), len(log.updated), len(log.conflicting), len(log.duplicate)) == (0, 1, 0, 11)
        after = snapshot(learner.col)
        changed = [(b, a) for b, a in zip(before["notes"], after["notes"], strict=True) if b != a]
        assert len(changed) == 1
        ((old, new),) = changed
        assert old[1] == new[1] and new[3] == 1_800_000_100
        assert new[5] == old[5].replace("a woman from Vietnam", "a woman from Vietnam (edited)")
        assert after["cards"] == before["cards"] and after["revlog"] == before["revlog"]
        assert after["notetypes"] == before["notetypes"] and after["decks"] == before["decks"]
    finally:
        learner.close()


def test_a_new_learner_gets_what_the_original_package_gives(anki_source: Source, tmp_path: Path) -> None:
    cards = tmp_path / "deck" / "cards"
    assert run("import", anki_source.apkg, "-o", cards).exit_code == 0
    got = {}
    for name, apkg in (("original", anki_source.apkg), ("deckgen", build(cards, 1_800_000_000))):
        learner = AnkiCollection(tmp_path / f"{name}.anki2")
        try:
            log = learner.import_package(apkg)
            assert (len(log.new), len(log.conflicting)) == (12, 0)
            col = learner.col
            media = Path(col.media.dir())
            got[name] = {
                # a fresh collection has the stock note types already: Anki names the deck's copies 'Basic+' etc.
                "notes": {n.guid: (n.note_type()["name"], list(n.fields), list(n.tags)) for n in learner.notes()},
                "cards": sorted(
                    (col.get_note(c.nid).guid, c.ord, col.decks.name(c.did))
                    for c in (col.get_card(cid) for cid in col.find_cards(""))
                ),
                "media": {p.name: p.read_bytes() for p in media.iterdir()},
                "notetypes": sorted(
                    (
                        m["name"],
                        [f["name"] for f in m["flds"]],
                        [(t["name"], t["qfmt"], t["afmt"]) for t in m["tmpls"]],
                        m["css"],
                    )
                    for m in col.models.all()
                ),
            }
        finally:
            learner.close()
    assert got["deckgen"] == got["original"]
    assert len(got["deckgen"]["cards"]) == 19 and got["deckgen"]["media"] == anki_source.expected.media


def test_crowdanki_learners_merge_note_types_once_and_keep_every_review(anki_source: Source, tmp_path: Path) -> None:
    folder = tmp_path / "Chinese Reader"
    shutil.copytree(anki_source.crowdanki, folder)
    (folder / "media" / "it's here & there.png").write_bytes(anki_source.expected.media["it's here & there.png"])
    deck = json.loads((folder / "deck.json").read_text(encoding="utf-8"))
    cards = tmp_path / "deck" / "cards"
    assert run("import", folder, "-o", cards).exit_code == 0
    apkg = build(cards, 1_800_000_000)

    # default options: every note conflicting, nothing changes (the package's note types are added unused)
    col = learner_from_crowdanki(tmp_path / "plain.anki2", deck)
    try:
        review_everything(col)
        before = snapshot(col)
        log = import_(col, apkg, merge=False)
        assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 12)
        after = snapshot(col)
        assert (after["notes"], after["cards"], after["revlog"]) == (before["notes"], before["cards"], before["revlog"])
    finally:
        col.close()

    # 'Merge note types' once: no conflict, the notes move to the deck's note types, every review kept
    col = learner_from_crowdanki(tmp_path / "merge.anki2", deck)
    try:
        review_everything(col)
        before = snapshot(col)
        log = import_(col, apkg, merge=True)
        assert (len(log.new), len(log.updated), len(log.conflicting), len(log.duplicate)) == (0, 0, 0, 12)
        after = snapshot(col)
        assert after["cards"] == before["cards"] and after["revlog"] == before["revlog"]
        assert [n[4:] for n in after["notes"]] == [n[4:] for n in before["notes"]]  # tags and fields
        assert len(after["notetypes"]) == len(before["notetypes"])

        # then an edit arrives with default options: exactly one note updated, reviews kept
        topic = cards / "vocabulary.yaml"
        topic.write_text(
            topic.read_text(encoding="utf-8").replace(
                "English: a woman from Vietnam\n", "English: a woman from Vietnam (edited)\n"
            ),
            encoding="utf-8",
        )
        log = import_(col, build(cards, 1_800_000_100), merge=False)
        assert (len(log.new), len(log.updated), len(log.conflicting), len(log.duplicate)) == (0, 1, 0, 11)
        final = snapshot(col)
        assert final["cards"] == before["cards"] and final["revlog"] == before["revlog"]
    finally:
        col.close()
