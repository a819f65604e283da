"""Every deck's built-in note types are its own (issue 17, item 1), measured with the real importer: two decks never
restyle each other, a deck whose learners have the shared note types keeps them, and the move to its own ones works
as the README says."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from deckgen.identity.ids import derived_id
from deckgen.notetypes.builtin import CLOZE_TYPE, QA_TYPE
from tests.conftest import REPO, AnkiCollection, run, write_deck

SHARED = {QA_TYPE.id, CLOZE_TYPE.id}
# main when deck-scoped note types were added (the deck's third edition): the release learners have
LAST_SHARED_RELEASE = "d3cf6841ce8a0a29e2d2bb22b10fae22b76c6e4f"
TOPIC = """\
topic: t
title: T
cards:
  - id: q
    front: "Question of {name}"
    back: Answer
  - id: c
    cloze: "{name} has a {{{{c1::cloze}}}}"
"""


def deck(root: Path, key: str, colour: str, extra: str = "") -> Path:
    yaml_text = f"key: {key}\nname: {key}\ndescription: d\ncss: '.card {{ color: {colour}; }}'\n{extra}"
    return write_deck(root, deck=yaml_text, topics={"t.yaml": TOPIC.format(name=key)})


def build(cards: Path, apkg: Path, *args: str) -> Path:
    result = run("build", cards, "-o", apkg, *args)
    assert result.exit_code == 0, result.output
    return apkg


def imported(anki: AnkiCollection, apkg: Path, *, merge: bool = False) -> object:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(merge_notetypes=merge)
    log = anki.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log
    return log


def questions(anki: AnkiCollection, deck_name: str) -> list[str]:
    return [anki.col.get_card(cid).question() for cid in anki.col.find_cards(f'"deck:{deck_name}"')]


@pytest.mark.parametrize("order", [("red", "blue"), ("blue", "red")])
def test_two_decks_keep_their_own_look_in_both_orders(
    tmp_path: Path, anki: AnkiCollection, order: tuple[str, str]
) -> None:
    colours = {"red": "rgb(255, 0, 0)", "blue": "rgb(0, 0, 255)"}
    packages = {name: build(deck(tmp_path / name, name, colours[name]), tmp_path / f"{name}.apkg") for name in colours}
    for name in order:
        log = imported(anki, packages[name])
        assert len(log.new) == 2 and not log.conflicting  # type: ignore[attr-defined]
    for name, colour in colours.items():
        other = colours["blue" if name == "red" else "red"]
        shown = questions(anki, name)
        assert len(shown) == 2
        assert all(f"color: {colour}" in html and f"color: {other}" not in html for html in shown), name
    names = anki.notetype_names()
    assert {"deckgen Q/A (optional reverse) · red", "deckgen Cloze · blue"} <= set(names)
    assert not any(name.endswith("+") for name in names)  # no note type renamed by Anki for a clash
    ids = {m["id"] for m in anki.col.models.all() if m["name"].startswith("deckgen")}
    assert ids == {derived_id(key, slug) for key in colours for slug in ("qa", "cloze")}


def test_a_lock_with_the_shared_ids_keeps_them(tmp_path: Path, anki: AnkiCollection) -> None:
    """The setting written once, then removed: the lock alone keeps the deck on the ids its learners have."""
    cards = deck(tmp_path, "old-deck", "red", "note_type_ids: shared\n")
    build(cards, tmp_path / "v1.apkg")
    (cards / "deck.yaml").write_text("key: old-deck\nname: old-deck\ndescription: d\nlang: ja\n", encoding="utf-8")
    imported(anki, tmp_path / "v1.apkg")
    v2 = run("build", cards, "-o", tmp_path / "v2.apkg")
    assert v2.exit_code == 0
    assert (
        "cards/deck.yaml:4:7: warning: deck: 'lang: ja' does not change the fonts of the shared built-in note types "
        "this deck keeps"
    ) in v2.output
    log = imported(anki, tmp_path / "v2.apkg")
    assert not log.conflicting  # type: ignore[attr-defined]
    assert sorted(m["id"] for m in anki.col.models.all() if m["name"].startswith("deckgen")) == sorted(SHARED)
    css = anki.col.models.get(QA_TYPE.id)["css"]
    assert "color: red" not in css  # v2 has no css: any more, and that arrived in place
    assert '"Noto Sans CJK SC", "PingFang SC"' in css  # lang: never changes the shared note types' CSS


def test_moving_a_deck_to_its_own_note_types(tmp_path: Path, anki: AnkiCollection) -> None:
    """As the README says: the build refuses until --allow-identity-change; learners who tick 'Merge note types'
    get the deck's notes on its own note types with every card kept; another deck on the shared ones is untouched."""
    other = build(deck(tmp_path / "other", "other", "blue", "note_type_ids: shared\n"), tmp_path / "other.apkg")
    cards = deck(tmp_path / "mover", "mover", "red", "note_type_ids: shared\n")
    imported(anki, build(cards, tmp_path / "v1.apkg"))
    imported(anki, other)
    cards_before = anki.col.db.all("select id, nid, ord from cards order by id")
    other_before = questions(anki, "other")

    text = (cards / "deck.yaml").read_text(encoding="utf-8").replace("note_type_ids: shared", "note_type_ids: deck")
    (cards / "deck.yaml").write_text(text, encoding="utf-8")
    refused = run("build", cards, "-o", tmp_path / "v2.apkg")
    assert refused.exit_code == 1
    assert (
        f"built-in note type 'qa' was shipped with Anki id {QA_TYPE.id}, now {derived_id('mover', 'qa')} (the deck's "
        "own, from 'note_type_ids' in deck.yaml): learners' Anki would skip all 1 of its notes as conflicting. Remove "
        "'note_type_ids' (the lock keeps the ids learners have); to move the deck to its own note types on purpose, "
        "build once with --allow-identity-change and tell learners to tick 'Merge note types'"
    ) in refused.output
    v2 = build(cards, tmp_path / "v2.apkg", "--allow-identity-change")

    unticked = imported(anki, v2)  # without 'Merge note types': skipped, nothing lost, nothing moved
    assert len(unticked.conflicting) == 2  # type: ignore[attr-defined]
    log = imported(anki, v2, merge=True)
    assert not log.conflicting  # type: ignore[attr-defined]

    def mid(deck_name: str, card_id: str) -> int:
        (nid,) = anki.col.find_notes(f'"deck:{deck_name}" Id:{card_id}')
        return int(anki.col.get_note(nid).mid)

    assert (mid("mover", "q"), mid("mover", "c")) == (derived_id("mover", "qa"), derived_id("mover", "cloze"))
    assert (mid("other", "q"), mid("other", "c")) == (QA_TYPE.id, CLOZE_TYPE.id)
    assert anki.col.db.all("select id, nid, ord from cards order by id") == cards_before  # every card, reviews kept
    assert all("color: red" in html for html in questions(anki, "mover"))
    assert questions(anki, "other") == other_before  # the other deck's cards look as they did


def test_shipped_deck_reimports_over_the_last_shared_release(tmp_path: Path, anki: AnkiCollection) -> None:
    """The package the last release's deckgen built from its cards, then this build: no new note type, nothing
    conflicting, every note on the note type it had."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", LAST_SHARED_RELEASE, "src", "cards"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.fail(f"commit {LAST_SHARED_RELEASE} is needed from git history (clone with full history)")
    old = tmp_path / "old"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(old, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    env = {**os.environ, "PYTHONPATH": str(old / "src"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    subprocess.run(
        [sys.executable, "-m", "deckgen", "build", "cards", "-o", str(tmp_path / "old.apkg"), "--locked"],
        cwd=old,
        env=env,
        check=True,
        capture_output=True,
    )
    first = imported(anki, tmp_path / "old.apkg")
    assert len(first.new) > 50  # type: ignore[attr-defined]
    types_before = anki.col.db.all("select id, name from notetypes order by id")
    mids_before = anki.col.db.all("select guid, mid from notes order by guid")

    log = imported(anki, build(REPO / "cards", tmp_path / "new.apkg", "--locked"))
    assert not log.conflicting and not log.missing_notetype  # type: ignore[attr-defined]
    assert anki.col.db.all("select id, name from notetypes order by id") == types_before
    assert {mid for _, mid in mids_before} <= SHARED
    kept = dict(anki.col.db.all("select guid, mid from notes"))
    assert all(kept[guid] == mid for guid, mid in mids_before if guid in kept)


@pytest.mark.parametrize(
    ("lang", "fonts"),
    [
        (
            "ja",
            '"Noto Sans", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Noto Sans CJK SC", "Noto Sans CJK KR",',
        ),
        (
            "zh",
            '"Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK JP", "Noto Sans CJK KR",',
        ),
        (
            "zh-Hant",
            '"Noto Sans", "Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei", "Noto Sans CJK JP", "Noto Sans CJK KR",',
        ),
        (
            "ko",
            '"Noto Sans", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans CJK JP", "Noto Sans CJK SC",',
        ),
        ("en", '"Noto Sans", "Noto Sans CJK SC", "PingFang SC", sans-serif;'),
    ],
)
def test_lang_orders_the_cjk_fonts_of_the_decks_own_note_types(
    tmp_path: Path, anki: AnkiCollection, lang: str, fonts: str
) -> None:
    cards = deck(tmp_path, "lang-deck", "black", f"lang: {lang}\n")
    imported(anki, build(cards, tmp_path / "deck.apkg"))
    for html in questions(anki, "lang-deck"):
        assert f'font-family: -apple-system, "Segoe UI", Roboto, {fonts}' in html


def test_lang_must_be_a_language_tag(tmp_path: Path) -> None:
    cards = deck(tmp_path, "lang-deck", "black", "lang: Japanese please\n")
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        "cards/deck.yaml:5:7: error: deck: 'lang' must be a language tag such as 'ja', 'zh-Hant' or 'en', got "
        "'Japanese please'"
    ) in result.output
