"""Every Anki client that matters: the Python importer of desktop clients before 2.1.55 (anki 2.1.66 still ships
it) and the oldest installable client (2.1.36), each in its own venv (scripts/test.sh makes them, in
.ci-tools/anki-<version>), driven by tests/anki_client_driver.py with that client's own interpreter.

The tier is part of scripts/test.sh. Locally it can be skipped (scripts/test.sh --skip-anki-clients, or
DECKGEN_SKIP_ANKI_CLIENTS=1); in CI (CI set) it always runs, and a missing client venv fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, AnkiCollection, run, write_deck

CLIENTS = ("2.1.36", "2.1.66")
DRIVER = Path(__file__).with_name("anki_client_driver.py")
DECK = "Fixture::Immunotherapy"
QA = "deckgen Q/A (optional reverse) · fixture-deck"  # the fixture deck's own note types (its key in the name)
STOCK = ["Basic", "Basic (and reversed card)", "Basic (optional reversed card)", "Basic (type in the answer)", "Cloze"]

pytestmark = pytest.mark.anki_clients


def client_python(version: str) -> Path:
    if os.environ.get("DECKGEN_SKIP_ANKI_CLIENTS") and not os.environ.get("CI"):
        pytest.skip("old Anki clients skipped (DECKGEN_SKIP_ANKI_CLIENTS); CI always runs them")
    python = REPO / ".ci-tools" / f"anki-{version}" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"Anki {version} is not installed: scripts/test.sh makes .ci-tools/anki-{version}")
    return python


class Client:
    """One collection, opened and closed by the old client for every step (as a learner's Anki would)."""

    def __init__(self, version: str, folder: Path):
        self.python = client_python(version)
        self.version = version
        folder.mkdir()
        self.collection = folder / "collection.anki2"
        self.out = folder / "out.json"

    def __call__(self, *args: str) -> dict[str, Any]:
        proc = subprocess.run(
            [str(self.python), str(DRIVER), str(self.out), str(self.collection), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        result: dict[str, Any] = json.loads(self.out.read_text(encoding="utf-8"))
        assert result["state"]["anki"] == self.version
        return result

    def import_(self, apkg: Path) -> dict[str, Any]:
        return self("import", str(apkg))


def build(cards: Path, epoch: int) -> Path:
    result = run("build", cards, env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert result.exit_code == 0, result.output
    return cards.parent / "output" / "fixture-deck.apkg"


def notes_by_id(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    notes = {note["fields"]["Id"]: note for note in state["notes"]}
    assert len(notes) == len(state["notes"]), "two notes with the same card id"
    return notes


def edit_add_and_reverse(cards: Path) -> None:
    """The author's change: edit a card's answer, add a card, switch on the reverse card of another."""
    topic = cards / "basics.yaml"
    text = topic.read_text(encoding="utf-8")
    text = text.replace("of BCR::ABL1 cells", "of BCR::ABL1-positive cells")
    text = text.replace(
        'front: "Which blast fraction is meant by <5%?"',
        'front: "Which blast fraction is meant by <5%?"\n    reverse: true',
    )
    text += "  - id: crs-abbreviation\n    front: CRS\n    back: Cytokine release syndrome\n"
    topic.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("version", CLIENTS)
def test_fresh_import_review_edit_and_reimport(version: str, tmp_path: Path) -> None:
    client = Client(version, tmp_path / "client")
    cards = write_deck(tmp_path / "deck")
    first = client.import_(build(cards, 1_700_000_000))
    assert first["log"][:2] == ["Notes found in file: \u20684\u2069", "Notes added from file: \u20684\u2069"]
    state = first["state"]
    assert state["notetypes"] == sorted([*STOCK, "deckgen Cloze · fixture-deck", QA])
    assert len(state["cards"]) == 6 and {card["deck"] for card in state["cards"]} == {DECK}
    assert notes_by_id(state)["threshold"]["fields"]["Back"] == "<strong>Below five percent</strong> of BCR::ABL1 cells"

    reviewed = client("review", DECK)
    assert reviewed["answered"] == 6
    before = reviewed["state"]
    assert len(before["revlog"]) == 6 and all(card["reps"] == 1 for card in before["cards"])

    edit_add_and_reverse(cards)
    second = client.import_(build(cards, 1_700_000_100))
    after = second["state"]
    assert after["notetypes"] == before["notetypes"]  # no 'deckgen Q/A+' and no 'deckgen Q/A-<hash>' copy
    notes = notes_by_id(after)
    assert sorted(notes) == ["bite-abbreviation", "crs-abbreviation", "crs-fever", "threshold", "two-cloze"]
    assert notes["threshold"]["fields"]["Back"] == "<strong>Below five percent</strong> of BCR::ABL1-positive cells"
    assert notes["threshold"]["fields"]["Reverse"] == "y" and notes["threshold"]["mod"] == 1_700_000_100
    assert notes["crs-abbreviation"]["notetype"] == QA
    assert {note["guid"] for note in before["notes"]} < {note["guid"] for note in after["notes"]}
    # reviews kept: the same review log, every reviewed card unchanged; two new cards (the reverse, the new note)
    assert after["revlog"] == before["revlog"]
    old_cards = {card["id"]: card for card in before["cards"]}
    assert [card for card in after["cards"] if card["id"] in old_cards] == before["cards"]
    new_cards = [card for card in after["cards"] if card["id"] not in old_cards]
    by_note = {note["id"]: note["fields"]["Id"] for note in after["notes"]}
    assert sorted((by_note[card["nid"]], card["ord"], card["reps"]) for card in new_cards) == [
        ("crs-abbreviation", 0, 0),
        ("threshold", 1, 0),
    ]


@pytest.mark.parametrize("version", CLIENTS)
def test_a_note_the_learner_touched_after_the_build_skips_that_update(version: str, tmp_path: Path) -> None:
    client = Client(version, tmp_path / "client")
    cards = write_deck(tmp_path / "deck")
    client.import_(build(cards, 1_700_000_000))
    edit_add_and_reverse(cards)
    apkg = build(cards, 1_700_000_100)  # built first ...
    client("tag", "threshold", "mine")  # ... then the learner tags the note (its mod becomes now) ...
    notes = notes_by_id(client.import_(apkg)["state"])  # ... and imports the release
    assert notes["threshold"]["fields"]["Back"] == "<strong>Below five percent</strong> of BCR::ABL1 cells"
    assert notes["threshold"]["tags"] == ["fx::basics", "mine", "numbers"]
    assert "crs-abbreviation" in notes  # the rest of the release arrived


@pytest.mark.parametrize("version", CLIENTS)
def test_an_update_replaces_the_learners_tags_with_the_decks(version: str, tmp_path: Path) -> None:
    client = Client(version, tmp_path / "client")
    cards = write_deck(tmp_path / "deck")
    client.import_(build(cards, 1_700_000_000))
    client("tag", "threshold", "mine")
    edit_add_and_reverse(cards)
    notes = notes_by_id(client.import_(build(cards, int(time.time()) + 3600))["state"])  # built after the tagging
    assert notes["threshold"]["fields"]["Back"] == "<strong>Below five percent</strong> of BCR::ABL1-positive cells"
    assert notes["threshold"]["tags"] == ["fx::basics", "numbers"]


@pytest.mark.parametrize("version", CLIENTS)
def test_a_field_the_learner_adds_to_a_deckgen_note_type_stops_later_updates(version: str, tmp_path: Path) -> None:
    client = Client(version, tmp_path / "client")
    cards = write_deck(tmp_path / "deck")
    client.import_(build(cards, 1_700_000_000))
    client("add-field", QA, "My notes")
    edit_add_and_reverse(cards)
    after = client.import_(build(cards, 1_700_000_100))["state"]
    notes = notes_by_id(after)
    assert notes["threshold"]["fields"]["Back"] == "<strong>Below five percent</strong> of BCR::ABL1 cells"  # skipped
    forks = [name for name in after["notetypes"] if name.startswith(QA) and name != QA]
    assert len(forks) == 1 and forks[0].startswith(QA + "-")  # the Python importer's 'Name-<hash>' copy
    assert notes["crs-abbreviation"]["notetype"] == forks[0]


def test_on_the_new_importer_a_touched_note_skips_that_update_and_updates_bring_the_decks_tags(
    tmp_path: Path, anki: AnkiCollection
) -> None:
    """The same two rules on the current backend's importer (Anki's default options)."""
    cards = write_deck(tmp_path / "deck")
    anki.import_package(build(cards, 1_700_000_000))
    edit_add_and_reverse(cards)
    apkg = build(cards, 1_700_000_100)  # built first, then the learner marks the note, then imports
    note = anki.note_by_id_field("threshold")
    note.add_tag("marked")
    anki.col.update_note(note)
    log = anki.import_package(apkg)
    assert len(log.updated) == 0 and len(log.new) == 1
    assert anki.note_by_id_field("threshold")["Back"] == "<strong>Below five percent</strong> of BCR::ABL1 cells"

    topic = cards / "basics.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("-positive cells", "-positive blasts"), encoding="utf-8")
    anki.import_package(build(cards, int(time.time()) + 3600))  # built after the marking: applied, tags replaced
    note = anki.note_by_id_field("threshold")
    assert note["Back"] == "<strong>Below five percent</strong> of BCR::ABL1-positive blasts"
    assert sorted(note.tags) == ["fx::basics", "numbers"]


def test_merge_note_types_recovers_later_updates_on_the_new_importer(tmp_path: Path) -> None:
    """Anki 23.10+ (the current backend): after a learner added a field, Anki's defaults skip every update of the note
    type's notes (a 'deckgen Q/A+' copy); 'Merge note types' brings back the updates built after the learner's change
    (adding a field stamps every note of the type with that moment, so earlier releases look older and stay skipped)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    cards = write_deck(tmp_path / "deck")
    first = build(cards, 1_700_000_000)
    collections = []
    for name in ("defaults", "merge"):
        anki = AnkiCollection(tmp_path / f"{name}.anki2")
        anki.import_package(first)
        model = anki.col.models.by_name(QA)
        anki.col.models.add_field(model, anki.col.models.new_field("My notes"))
        anki.col.models.update_dict(model)
        collections.append(anki)
    defaults, merge = collections
    try:
        edit_add_and_reverse(cards)
        earlier = build(cards, 1_700_000_100)  # released before the learners added the field
        later_text = (cards / "basics.yaml").read_text(encoding="utf-8").replace("-positive cells", "-positive blasts")
        (cards / "basics.yaml").write_text(later_text, encoding="utf-8")
        later = cards.parent / "output" / "later.apkg"
        result = run("build", cards, "-o", later, env={"SOURCE_DATE_EPOCH": str(int(time.time()) + 3600)})
        assert result.exit_code == 0, result.output

        log = defaults.import_package(later)
        assert sorted(entry.fields[-1] for entry in log.conflicting) == ["bite-abbreviation", "threshold"]
        assert QA + "+" in defaults.notetype_names()
        assert (
            defaults.note_by_id_field("threshold")["Back"] == "<strong>Below five percent</strong> of BCR::ABL1 cells"
        )

        def import_merging(apkg: Path) -> Any:
            options = ImportAnkiPackageOptions(merge_notetypes=True)
            return merge.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log

        assert len(import_merging(earlier).updated) == 0  # older than the learner's change: skipped
        log = import_merging(later)
        assert len(log.conflicting) == 0 and len(log.updated) == 1
        note = merge.note_by_id_field("threshold")
        assert note["Back"] == "<strong>Below five percent</strong> of BCR::ABL1-positive blasts"
        assert "My notes" in note.keys() and QA + "+" not in merge.notetype_names()
    finally:
        for anki in collections:
            anki.close()
