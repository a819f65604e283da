"""Subdecks per topic and the order of new cards, through the real Anki backend and deckgen diff."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, SECOND_TOPIC_YAML, TOPIC_YAML, AnkiCollection, run, write_deck

Git = Callable[..., str]


def build(cards: Path) -> Path:
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    return cards.parent / "output" / "fixture-deck.apkg"


def card_decks(anki: AnkiCollection) -> dict[str, str]:
    col = anki.col
    out = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        out[f"{card.note()['Id']}/{card.ord}"] = col.decks.name(card.did)
    return out


def test_a_topic_can_go_to_a_subdeck(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = write_deck(
        tmp_path,
        topics={
            "basics.yaml": TOPIC_YAML,
            "safety.yaml": SECOND_TOPIC_YAML.replace("title: Safety\n", 'title: Safety\ndeck: "Safety :: CRS"\n'),
        },
    )
    anki.import_package(build(cards))
    decks = card_decks(anki)
    assert decks["crs-fever/0"] == "Fixture::Immunotherapy::Safety::CRS"
    assert decks["threshold/0"] == "Fixture::Immunotherapy"
    assert set(decks.values()) == {"Fixture::Immunotherapy", "Fixture::Immunotherapy::Safety::CRS"}


def test_moving_a_topic_leaves_learners_cards_where_they_are(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = write_deck(tmp_path)
    anki.import_package(build(cards))
    safety = cards / "safety.yaml"
    safety.write_text(SECOND_TOPIC_YAML.replace("title: Safety\n", "title: Safety\ndeck: Safety\n"), encoding="utf-8")
    log = anki.import_package(build(cards))
    assert len(log.conflicting) == 0
    assert card_decks(anki)["crs-fever/0"] == "Fixture::Immunotherapy"  # measured: an existing card is not moved
    from tests.conftest import AnkiCollection as Fresh

    fresh = Fresh(tmp_path / "fresh.anki2")
    try:
        fresh.import_package(cards.parent / "output" / "fixture-deck.apkg")
        assert card_decks(fresh)["crs-fever/0"] == "Fixture::Immunotherapy::Safety"
    finally:
        fresh.close()


def test_new_cards_come_in_deck_order(tmp_path: Path, anki: AnkiCollection) -> None:
    deck = DECK_YAML + "order: [safety, basics]\n"
    cards = write_deck(tmp_path, deck=deck)
    anki.import_package(build(cards))
    anki.col.decks.set_current(anki.col.decks.id_for_name("Fixture::Immunotherapy"))
    seen = []
    for _ in range(10):
        card = anki.col.sched.getCard()
        if card is None:
            break
        seen.append(card.note()["Id"])
        anki.col.sched.answerCard(card, 4)
    # the order deck.yaml gives, then YAML order within a file (Anki shows a note's sibling cards later)
    assert list(dict.fromkeys(seen))[:4] == ["crs-fever", "threshold", "bite-abbreviation", "two-cloze"]


def test_order_and_subdeck_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(
        tmp_path,
        deck=DECK_YAML + "order: [safety, basic, safety]\n",
        topics={
            "basics.yaml": TOPIC_YAML.replace("title: The basics\n", "title: The basics\ndeck: 'A::'\n"),
            "safety.yaml": SECOND_TOPIC_YAML,
        },
    )
    result = run("check", "cards")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "cards/deck.yaml:9:17: error: deck: 'order' names topic 'basic', which no topic file defines (did you mean 'basics'?)"
        in lines
    )
    assert "cards/deck.yaml:9:24: error: deck: 'order' lists topic 'safety' twice" in lines
    assert (
        "cards/basics.yaml:3:7: error: topic file: subdeck name 'A::' has an empty part; write 'Sub' or 'Sub::Subsub' "
        "(the deck's own name goes in front of it)"
    ) in lines


def test_diff_warns_about_a_topic_moved_to_another_deck(
    tmp_path: Path, git_repo: Git, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    cards = write_deck(root)
    git_repo("add", "-A")
    git_repo("commit", "-q", "-m", "deck")
    monkeypatch.chdir(root)
    (cards / "safety.yaml").write_text(
        SECOND_TOPIC_YAML.replace("title: Safety\n", "title: Safety\ndeck: Safety\n"), encoding="utf-8"
    )
    result = run("diff", "HEAD")
    assert result.exit_code == 0
    assert (
        "- **Moved to another deck** topic `safety`: `Fixture::Immunotherapy` → `Fixture::Immunotherapy::Safety`. Anki "
        "keeps the cards learners already have where they are; only learners who import them for the first time get "
        "them in the new deck."
    ) in result.output
