"""The deck deckgen ships (cards/): it builds, imports cleanly, and every card is held to the article."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, AnkiCollection, run

CARDS = REPO / "cards"
CHANGED = 32  # kept cards whose content changed in the third edition (issue 19, and its second reading)
REQUIRED_TOPICS = {"bite-mechanism", "mrd", "ph-like", "lineage-switch"}
PREVIOUS_RELEASE = "a088cba"  # main with the second edition (issue 12), before the third (issue 19): 98 cards
EDITOR_NOTE_LABEL = "Editor's note — not from the source article"


def article_path() -> Path | None:
    """The source article: $DECKGEN_ARTICLE, or ../shared/source/article.zh.txt beside the checkout."""
    candidates = [os.environ.get("DECKGEN_ARTICLE", ""), str(REPO.parent / "shared" / "source" / "article.zh.txt")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    if os.environ.get("CI"):
        pytest.fail("CI must have the source article beside the checkout (../shared/source/article.zh.txt)")
    pytest.skip("the source article is not available here (set DECKGEN_ARTICLE)")


def yaml_cards(folder: Path = CARDS) -> list[dict]:
    cards = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "deck.yaml":
            cards += yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]
    return cards


def anki_card_count(cards: list[dict]) -> int:
    """How many Anki cards the YAML cards make: Q/A 1 (2 reversed), cloze one per cN."""
    count = 0
    for card in cards:
        if "cloze" in card:
            count += len({part.split("::")[0] for part in card["cloze"].split("{{c")[1:]})
        else:
            count += 2 if card.get("reverse") else 1
    return count


def test_shipped_deck_imports_cleanly(tmp_path: Path, anki: AnkiCollection) -> None:
    apkg = tmp_path / "deck.apkg"
    result = run("build", CARDS, "-o", apkg, "--locked")
    assert result.exit_code == 0, result.output
    log = anki.import_package(apkg)
    assert len(log.conflicting) == 0
    cards = yaml_cards()
    assert anki.col.note_count() == len(cards)
    assert anki.col.card_count() == anki_card_count(cards)

    tags = {tag for note in anki.notes() for tag in note.tags}
    topics = {
        yaml.safe_load(p.read_text(encoding="utf-8"))["topic"] for p in CARDS.glob("*.yaml") if p.name != "deck.yaml"
    }
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


def test_the_editor_notes_are_those_of_issues_12_and_19_and_cite_listed_references() -> None:
    deck = yaml.safe_load((CARDS / "deck.yaml").read_text(encoding="utf-8"))
    noted = {card["id"]: card["editor_note"]["ref"] for card in yaml_cards() if "editor_note" in card}
    assert noted == {
        "interfant-06-endpoints": "vandersluis-2023",
        "rialto-blast-threshold": "locatelli-2022",  # issue 12
        # issue 19: adult figures and an adult trial that the article presents as pediatric
        "rr-blinatumomab-cr-rate": "rr-blinatumomab-trials",
        "rr-blinatumomab-median-os": "rr-blinatumomab-trials",
        "rr-chemo-cr-rate": "rr-chemo-sources",
        "rr-chemo-median-os": "rr-chemo-sources",
        "chemo-free-combination-partner": "nct04530565",
    }
    assert set(deck["references"]) == set(noted.values())
    # every note says which population the outside source is about
    for cid in (
        "rr-blinatumomab-cr-rate",
        "rr-blinatumomab-median-os",
        "rr-chemo-cr-rate",
        "rr-chemo-median-os",
        "chemo-free-combination-partner",
    ):
        text = next(card for card in yaml_cards() if card["id"] == cid)["editor_note"]["text"]
        assert "**adults**" in text or "**adult**" in text, cid
    # no question makes the learner rehearse a study name or a trial number the article got wrong
    fronts = {card["id"]: card.get("front", card.get("cloze", "")) for card in yaml_cards()}
    assert not [cid for cid, front in fronts.items() if "Interfant" in front or "NCT0" in front]
    # reviewer provenance stays out of learner-facing fields
    assert not [card["id"] for card in yaml_cards() if "no heading" in card.get("extra", "")]
    # the RIALTO note states what its reference states, no inference beyond it (second reader, item A9)
    rialto = next(card for card in yaml_cards() if card["id"] == "rialto-blast-threshold")["editor_note"]["text"]
    assert rialto == (
        "The article places RIALTO among its Ph+ ALL results. RIALTO is an open-label, single-arm "
        "expanded-access study of blinatumomab in children with CD19-positive relapsed/refractory B-ALL "
        "(NCT02187354)."
    )


# --- re-importing this edition over the previous release, with the real backend -------------------------------


def previous_release(dest: Path) -> Path:
    """The cards folder (lock included) as it was at PREVIOUS_RELEASE, extracted from git into ``dest``."""
    result = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE, "cards"], capture_output=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"commit {PREVIOUS_RELEASE} (the previous release) is needed from git history: "
            f"{result.stderr.decode(errors='replace').strip()}; clone with full history"
        )
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as tar:
        tar.extractall(dest, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return dest / "cards"


def review_everything(anki: AnkiCollection, deck_name: str) -> int:
    """Study every card of the deck today (lifting the 20-new-cards-a-day limit), answering 'Easy' (graduates at once)."""
    did = anki.col.decks.id_for_name(deck_name)
    conf = anki.col.decks.config_dict_for_deck_id(did)
    conf["new"]["perDay"] = conf["rev"]["perDay"] = 9999  # Anki's maximum
    anki.col.decks.update_config(conf)
    assert anki.col.decks.config_dict_for_deck_id(did)["new"]["perDay"] == 9999
    anki.col.decks.set_current(did)
    answered = 0
    while (card := anki.col.sched.getCard()) is not None:
        card.start_timer()
        anki.col.sched.answerCard(card, 4)
        answered += 1
        assert answered < 10_000
    return answered


def cards_by_id_field(anki: AnkiCollection) -> dict[str, list[tuple[Any, ...]]]:
    """Card id (the YAML id) -> its Anki cards' scheduling rows (id, ord, type, queue, due, ivl, factor, reps, lapses)."""
    rows = anki.col.db.all(
        "select n.flds, c.id, c.ord, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses "
        "from cards c join notes n on c.nid = n.id order by c.id"
    )
    out: dict[str, list[tuple[Any, ...]]] = {}
    for flds, *row in rows:
        out.setdefault(flds.split("\x1f")[-1], []).append(tuple(row))  # 'Id' is the last field of both note types
    return out


def revlog_by_card(anki: AnkiCollection) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = {}
    for row in anki.col.db.all("select * from revlog order by id"):
        out.setdefault(row[1], []).append(tuple(row))
    return out


def test_new_edition_reimports_over_the_previous_release_keeping_every_review(
    tmp_path: Path, anki: AnkiCollection
) -> None:
    deck_name = yaml.safe_load((CARDS / "deck.yaml").read_text(encoding="utf-8"))["name"]
    old_cards_dir = previous_release(tmp_path / "previous")
    old_yaml = {card["id"]: card for card in yaml_cards(old_cards_dir)}
    new_yaml = {card["id"]: card for card in yaml_cards()}
    kept, removed, added = (
        old_yaml.keys() & new_yaml.keys(),
        old_yaml.keys() - new_yaml.keys(),
        new_yaml.keys() - old_yaml.keys(),
    )
    assert (len(old_yaml), len(kept), len(removed), len(added)) == (98, 75, 23, 1)
    # a kept cloze note that gained a deletion (debulking-strategy merged into it: the kept cards keep c1 and c2),
    # and one that lost its c2 (the '80%' of crs-mild-presentation)
    grown = {cid for cid in kept if anki_card_count([new_yaml[cid]]) > anki_card_count([old_yaml[cid]])}
    assert grown == {"debulking-benefits"}
    shrunk = {cid for cid in kept if anki_card_count([new_yaml[cid]]) < anki_card_count([old_yaml[cid]])}
    assert shrunk == {"crs-mild-presentation"}

    # The previous release, rebuilt at its own time from its own lock: every note exactly as it was shipped.
    old_apkg = tmp_path / "previous.apkg"
    result = run("build", old_cards_dir, "-o", old_apkg, env={"SOURCE_DATE_EPOCH": "1795728498"})
    assert result.exit_code == 0, result.output
    assert "98 notes, 109 cards, 16 topics (0 new, 0 changed, 0 removed)" in result.output
    log = anki.import_package(old_apkg)
    assert (len(log.new), len(log.conflicting)) == (98, 0)
    assert review_everything(anki, deck_name) == anki_card_count(list(old_yaml.values())) == 109
    types_before = anki.col.db.all("select id, name from notetypes order by id")
    cards_before = cards_by_id_field(anki)
    revlog_before = revlog_by_card(anki)
    assert set(cards_before) == set(old_yaml) and sum(len(v) for v in revlog_before.values()) == 109
    assert all(row[3] == 2 and row[5] > 0 for rows in cards_before.values() for row in rows)  # all in review, ivl > 0

    # This edition, as committed (--locked: the lock is current), imported over it.
    new_apkg = tmp_path / "new.apkg"
    result = run("build", CARDS, "-o", new_apkg, "--locked")
    assert result.exit_code == 0, result.output
    log = anki.import_package(new_apkg)
    lock = json.loads((CARDS / "deckgen.lock").read_text(encoding="utf-8"))
    old_lock = json.loads((old_cards_dir / "deckgen.lock").read_text(encoding="utf-8"))
    changed = {cid for cid in kept if lock["cards"][cid]["hash"] != old_lock["cards"][cid]["hash"]}
    assert len(changed) == CHANGED
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (1, CHANGED, 75 - CHANGED, 0)
    # recorded as removed, the ids cannot be reused: this edition's removals and every earlier one
    assert set(lock["removed"]) == removed | set(old_lock["removed"])

    # no forked note type: same ids and names, and the new styling arrived in place
    assert anki.col.db.all("select id, name from notetypes order by id") == types_before
    assert ".dg-editor-note {" in anki.col.models.by_name("deckgen Q/A (optional reverse)")["css"]

    cards_after = cards_by_id_field(anki)
    revlog_after = revlog_by_card(anki)
    for cid in kept | removed:  # every reviewed card keeps its scheduling (due, ivl, ...) and its review log
        if cid in grown:  # c1 and c2 as they were, and the new deletion's card is new (ord 2, never seen)
            by_ord = {row[1]: row for row in cards_after[cid]}
            assert sorted(by_ord) == [0, 1, 2] and [by_ord[0], by_ord[1]] == cards_before[cid], cid
            assert by_ord[2][2] == 0, cid
        else:  # crs-mild-presentation too: Anki keeps the card of the dropped c2 (an empty card), reviews intact
            assert cards_after[cid] == cards_before[cid], cid
        for row in cards_before[cid]:
            assert revlog_after[row[0]] == revlog_before[row[0]], cid
    assert revlog_after == revlog_before  # nothing added or lost: the new cards are unreviewed
    for cid in added:
        assert all(row[2] == 0 for row in cards_after[cid]), cid  # new, never seen
    # removed cards stay (a package cannot delete): 98 + 1 notes; 1 card of the added note, 1 new deletion
    assert anki.col.note_count() == 99
    assert anki_card_count([new_yaml[cid] for cid in added]) == 1
    assert anki.col.card_count() == 109 + 1 + 1
    # the search docs/shipped-deck.md gives learners finds exactly the removed notes
    page = (REPO / "docs" / "shipped-deck.md").read_text(encoding="utf-8")
    search = next(line for line in page.splitlines() if line.startswith('"deck:') and "Id:" in line)
    assert {anki.col.get_note(nid)["Id"] for nid in anki.col.find_notes(search)} == removed

    # the edits arrived: recued and merged cards and the editor's notes
    assert "Interfant" not in anki.note_by_id_field("interfant-06-endpoints")["Front"]
    source = anki.note_by_id_field("interfant-06-endpoints")["Source"]
    assert source.index("Interfant-06研究表明") < source.index(EDITOR_NOTE_LABEL) < source.index("van der Sluis IM")
    assert anki.note_by_id_field("crs-mild-presentation")["Text"] == "Mild CRS presents only as {{c1::fever}}."
    assert (
        "does not depend on hepatic or renal metabolism, and it does not worsen myelosuppression"
        in anki.note_by_id_field("bridging-no-hepatorenal-metabolism")["Back"]
    )
    tower = anki.note_by_id_field("rr-chemo-median-os")["Source"]
    assert tower.index("不足4个月") < tower.index(EDITOR_NOTE_LABEL) < tower.index("NEJMoa1609783")
    trial = anki.note_by_id_field("chemo-free-combination-partner")
    assert "NCT04530565" not in trial["Front"] and "newly diagnosed BCR-ABL-positive" in trial["Source"]
    rialto = anki.note_by_id_field("rialto-blast-threshold")["Source"]
    assert "expanded-access study" in rialto and "RIALTO expanded access study final analysis" in rialto
    desc = anki.col.decks.by_name(deck_name)["desc"]
    assert "van der Sluis IM" in desc and "Kantarjian H" in desc and "NCT04530565" in desc
