"""The subscription add-on's update, applied by the real Anki backend to temporary collections: releases made by
``deckgen release``, a learner who reviews, edits, protects fields and tags notes, and every refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from addon.deckgen_subscribe.manifest import Manifest, ManifestError, parse_manifest
from addon.deckgen_subscribe.update import REMOVED_TAG, Subscription, UpdateRefused, apply_release

from tests.conftest import DECK_YAML, SECOND_TOPIC_YAML, TOPIC_YAML, AnkiCollection, run, write_deck

DECK_NAME = "Fixture::Immunotherapy"


def release(
    cards: Path, out: Path, tag: str, when: int, *build_options: str, key: str = "fixture-deck"
) -> tuple[Manifest, Path]:
    env = {"SOURCE_DATE_EPOCH": str(when)}
    assert run("build", cards, "-o", out / "build.apkg", *build_options, env=env).exit_code == 0
    result = run("release", cards, "--tag", tag, "-o", out / tag, env=env)
    assert result.exit_code == 0, result.output
    manifest = parse_manifest((out / tag / f"{key}.manifest.json").read_bytes())
    return manifest, out / tag / f"{key}.apkg"


@pytest.fixture
def learner(tmp_path: Path) -> AnkiCollection:
    col = AnkiCollection(tmp_path / "learner.anki2")
    yield col
    col.close()


def test_first_install_then_an_update_keeps_reviews_and_removes_what_the_deck_removed(
    tmp_path: Path, learner: AnkiCollection
) -> None:
    cards = write_deck(tmp_path)
    v1, pkg1 = release(cards, tmp_path, "v1", 1_800_000_000)
    sub = Subscription("fixture-deck", "https://example.org/fixture-deck.manifest.json")
    first = apply_release(learner.col, v1, pkg1, sub)
    assert (first.new, first.updated) == (4, 0) and sub.version == "v1"
    reviews = learner.review_all(DECK_NAME)
    assert reviews > 0
    revlog = learner.revlog_rows()

    # the deck edits one card, removes the reviewed 'threshold' and adds a card that a later release removes
    topic = TOPIC_YAML.replace("bispecific T-cell engager", "bispecific T-cell engager (BiTE)")
    topic = topic[: topic.index("  - id: threshold")] + topic[topic.index("  - id: bite-abbreviation") :]
    write_deck(tmp_path, topics={"basics.yaml": topic, "safety.yaml": SECOND_TOPIC_YAML})
    v2, pkg2 = release(cards, tmp_path, "v2", 1_800_000_100)
    assert len(v2.removed) == 1
    second = apply_release(learner.col, v2, pkg2, sub)
    assert second.updated == 1 and second.new == 0
    assert learner.revlog_rows() == revlog  # every review kept
    removed = learner.col.get_note(learner.col.find_notes(f"tag:{REMOVED_TAG}")[0])
    assert removed["Id"] == "threshold"  # reviewed: tagged, never deleted
    assert second.tagged_removed == 1 and second.deleted == 0
    assert "(BiTE)" in learner.note_by_id_field("bite-abbreviation")["Back"]


def test_a_removed_note_never_reviewed_is_deleted_unless_the_learner_says_never(tmp_path: Path) -> None:
    cards = write_deck(tmp_path)
    v1, pkg1 = release(cards, tmp_path, "v1", 1_800_000_000)
    (cards / "safety.yaml").unlink()  # crs-fever removed
    v2, pkg2 = release(cards, tmp_path, "v2", 1_800_000_100)
    for removals, deleted, tagged in (("delete-unreviewed", 1, 0), ("tag", 0, 1)):
        col = AnkiCollection(tmp_path / f"{removals}.anki2")
        sub = Subscription("fixture-deck", "u", removals=removals)
        apply_release(col.col, v1, pkg1, sub)
        outcome = apply_release(col.col, v2, pkg2, sub)
        assert (outcome.deleted, outcome.tagged_removed) == (deleted, tagged), removals
        assert len(col.col.find_notes('"Id:crs-fever"')) == tagged
        col.close()


def test_protected_fields_and_the_learners_own_tags_survive_an_update(tmp_path: Path, learner: AnkiCollection) -> None:
    cards = write_deck(tmp_path)
    v1, pkg1 = release(cards, tmp_path, "v1", 1_800_000_000)
    sub = Subscription("fixture-deck", "u")
    apply_release(learner.col, v1, pkg1, sub)
    note = learner.note_by_id_field("bite-abbreviation")
    note["Back"] = "my own words"
    note["Extra"] = "an unprotected edit"
    note.tags = [*note.tags, "mine", "deckgen::protect::Back"]
    learner.col.update_note(note)

    topic = TOPIC_YAML.replace("bispecific T-cell engager", "BiTE!").replace(
        "reverse: true\n", "reverse: true\n    tags: [new]\n"
    )
    write_deck(tmp_path, topics={"basics.yaml": topic, "safety.yaml": SECOND_TOPIC_YAML})
    v2, pkg2 = release(cards, tmp_path, "v2", 1_800_000_100)
    outcome = apply_release(learner.col, v2, pkg2, sub)
    note = learner.note_by_id_field("bite-abbreviation")
    assert note["Back"] == "my own words" and outcome.kept_fields == 1
    assert note["Extra"] != "an unprotected edit"  # what the learner did not protect follows the deck
    assert {"mine", "deckgen::protect::Back", "new"} <= set(note.tags)


def test_refusals_change_nothing(tmp_path: Path, learner: AnkiCollection) -> None:
    cards = write_deck(tmp_path)
    v1, pkg1 = release(cards, tmp_path, "v1", 1_800_000_000)
    sub = Subscription("fixture-deck", "u")
    before = learner.note_rows()

    tampered = tmp_path / "tampered.apkg"
    data = bytearray(pkg1.read_bytes())
    data[len(data) // 2] ^= 1
    tampered.write_bytes(bytes(data))
    with pytest.raises(UpdateRefused) as refused:
        apply_release(learner.col, v1, tampered, sub)
    assert refused.value.kind == "checksum"

    with pytest.raises(UpdateRefused) as refused:
        apply_release(learner.col, v1, pkg1, Subscription("another-deck", "u"))
    assert refused.value.kind == "wrong-deck"
    assert learner.note_rows() == before == []


def test_a_release_that_would_touch_another_decks_note_is_refused(tmp_path: Path, learner: AnkiCollection) -> None:
    # the learner has deck A; deck B ships a card with the GUID of one of A's notes under B's own note type
    a = write_deck(tmp_path / "a")
    va, pkga = release(a, tmp_path / "a", "v1", 1_800_000_000)
    apply_release(learner.col, va, pkga, Subscription("fixture-deck", "u"))
    guid = learner.note_by_id_field("threshold").guid
    deck_b = DECK_YAML.replace("fixture-deck", "other-deck").replace("Fixture::", "Other::") + (
        "note_types:\n  own:\n    name: Other own\n    fields: [Front, Back]\n"
        "    templates:\n      - name: Card 1\n        front: '{{Front}}'\n        back: '{{Back}}'\n"
    )
    topic_b = f"topic: t\ntitle: T\ncards:\n  - id: x\n    type: own\n    guid: '{guid}'\n    fields:\n      Front: a\n      Back: b\n"
    b = write_deck(tmp_path / "b", deck=deck_b, topics={"t.yaml": topic_b})
    vb, pkgb = release(b, tmp_path / "b", "v1", 1_800_000_000, key="other-deck")
    before = learner.note_rows()
    with pytest.raises(UpdateRefused) as refused:
        apply_release(learner.col, vb, pkgb, Subscription("other-deck", "u"))
    assert refused.value.kind == "ownership"
    assert learner.note_rows() == before


def test_a_schema_change_stops_and_asks(tmp_path: Path, learner: AnkiCollection) -> None:
    deck = DECK_YAML + (
        "note_types:\n  own:\n    name: Own\n    fields: [Front, Back]\n"
        "    templates:\n      - name: Card 1\n        front: '{{Front}}'\n        back: '{{Back}}'\n"
    )
    topic = "topic: t\ntitle: T\ncards:\n  - id: x\n    type: own\n    fields:\n      Front: a\n      Back: b\n"
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    v1, pkg1 = release(cards, tmp_path, "v1", 1_800_000_000)
    sub = Subscription("fixture-deck", "u")
    apply_release(learner.col, v1, pkg1, sub)
    write_deck(tmp_path, deck=deck.replace("[Front, Back]", "[Front, Back, Note]"), topics={"t.yaml": topic})
    v2, pkg2 = release(cards, tmp_path, "v2", 1_800_000_100, "--allow-schema-change")
    with pytest.raises(UpdateRefused) as refused:
        apply_release(learner.col, v2, pkg2, sub)
    assert refused.value.kind == "schema" and sub.version == "v1"
    confirmed = apply_release(learner.col, v2, pkg2, sub, allow_schema_change=True)
    assert confirmed.updated == 1 and sub.version == "v2"
    db = learner.col.db  # (pylib's note type cache can predate the import)
    assert db.list("select name from notetypes where name like 'Own%'") == ["Own"]  # merged, no fork
    fields = "select f.name from fields f join notetypes n on n.id = f.ntid where n.name = 'Own' order by f.ord"
    assert db.list(fields) == ["Front", "Back", "Note"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(format=2), "format is not one this add-on reads"),
        (lambda m: m.update(min_addon_version="9.0.0"), "needs the deckgen add-on 9.0.0"),
        (lambda m: m["package"].update(size=10**12), "package size"),
        (lambda m: m["package"].update(name="../evil.apkg"), "not a plain .apkg file name"),
        (lambda m: m["package"].update(sha256="x"), "64 hex digits"),
        (lambda m: m["deck"].update(key="../x"), "not a deckgen deck key"),
    ],
)
def test_a_manifest_out_of_bounds_is_refused(tmp_path: Path, change, message: str) -> None:
    cards = write_deck(tmp_path)
    release(cards, tmp_path, "v1", 1_800_000_000)
    data = json.loads((tmp_path / "v1" / "fixture-deck.manifest.json").read_text())
    change(data)
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_manifest(json.dumps(data).encode())


def test_a_release_that_would_take_over_another_decks_note_type_is_refused(
    tmp_path: Path, learner: AnkiCollection
) -> None:
    # the learner has deck A with its own note type; deck B ships a note type with the same id (an explicit id:)
    own = (
        "note_types:\n  own:\n    name: {name}\n{id}    fields: [Front, Back]\n"
        "    templates:\n      - name: Card 1\n        front: '{{{{Front}}}}'\n        back: '{{{{Back}}}}'\n"
    )
    topic = "topic: t\ntitle: T\ncards:\n  - id: x\n    type: own\n    fields:\n      Front: a\n      Back: b\n"
    a = write_deck(tmp_path / "a", deck=DECK_YAML + own.format(name="A own", id=""), topics={"t.yaml": topic})
    va, pkga = release(a, tmp_path / "a", "v1", 1_800_000_000)
    apply_release(learner.col, va, pkga, Subscription("fixture-deck", "u"))
    a_type = next(nt.id for nt in va.notetypes if nt.name == "A own")
    deck_b = DECK_YAML.replace("fixture-deck", "other-deck").replace("Fixture::", "Other::")
    b = write_deck(
        tmp_path / "b", deck=deck_b + own.format(name="B own", id=f"    id: {a_type}\n"), topics={"t.yaml": topic}
    )
    vb, pkgb = release(b, tmp_path / "b", "v1", 1_800_000_000, key="other-deck")
    before = learner.note_rows()
    with pytest.raises(UpdateRefused) as refused:
        apply_release(learner.col, vb, pkgb, Subscription("other-deck", "u"))
    assert refused.value.kind == "ownership" and "belongs to another deck" in str(refused.value)
    assert learner.note_rows() == before
