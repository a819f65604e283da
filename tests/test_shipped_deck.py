"""The deck deckgen ships (cards/): it builds, imports cleanly, and every card is held to the article."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
import yaml

from conftest import REPO, AnkiCollection, run

CARDS = REPO / "cards"
REQUIRED_TOPICS = {"bite-mechanism", "mrd", "ph-like", "lineage-switch"}


def article_path() -> Path | None:
    """The source article: $DECKGEN_ARTICLE, or ../shared/source/article.zh.txt beside the checkout."""
    candidates = [os.environ.get("DECKGEN_ARTICLE", ""), str(REPO.parent / "shared" / "source" / "article.zh.txt")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    if os.environ.get("CI"):
        pytest.fail("CI must have the source article beside the checkout (../shared/source/article.zh.txt)")
    pytest.skip("the source article is not available here (set DECKGEN_ARTICLE)")


def yaml_cards() -> list[dict]:
    cards = []
    for path in sorted(CARDS.glob("*.yaml")):
        if path.name != "deck.yaml":
            cards += yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]
    return cards


def test_shipped_deck_imports_cleanly(tmp_path: Path, anki: AnkiCollection) -> None:
    apkg = tmp_path / "deck.apkg"
    result = run("build", CARDS, "-o", apkg, "--locked")
    assert result.exit_code == 0, result.output
    log = anki.import_package(apkg)
    assert len(log.conflicting) == 0
    cards = yaml_cards()
    assert anki.col.note_count() == len(cards)
    expected_cards = 0
    for card in cards:
        if "cloze" in card:
            expected_cards += len({part.split("::")[0] for part in card["cloze"].split("{{c")[1:]})
        else:
            expected_cards += 2 if card.get("reverse") else 1
    assert anki.col.card_count() == expected_cards

    tags = {tag for note in anki.notes() for tag in note.tags}
    topics = {yaml.safe_load(p.read_text(encoding="utf-8"))["topic"] for p in CARDS.glob("*.yaml") if p.name != "deck.yaml"}
    assert REQUIRED_TOPICS <= topics
    assert {f"blinatumomab::{t}" for t in topics} <= tags
    for note in anki.notes():
        for name in ("Front", "Back", "Text", "Source", "Id"):
            if name in note:
                assert note[name].strip(), f"empty {name} in note {note['Id']}"


def test_every_source_excerpt_is_in_the_article() -> None:
    article = article_path()
    assert article is not None
    text = " ".join(unicodedata.normalize("NFKC", article.read_text(encoding="utf-8")).split())
    missing = []
    for card in yaml_cards():
        excerpt = " ".join(unicodedata.normalize("NFKC", card["source"]).split())
        if excerpt not in text:
            missing.append(card["id"])
    assert missing == []


def test_shipped_deck_passes_strict_check_against_the_article() -> None:
    article = article_path()
    result = run("check", CARDS, "--source", article, "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("0 error(s), 0 warning(s)\n")


def test_description_repeats_the_articles_notice() -> None:
    deck = yaml.safe_load((CARDS / "deck.yaml").read_text(encoding="utf-8"))
    assert "不代表任何医学建议" in deck["description"]
    assert "medical advice" in deck["description"]
    assert "academic exchange" in deck["description"]
