"""The package as a learner meets it: imported by the real Anki backend into a throwaway collection."""

from __future__ import annotations

import hashlib
import re
from html import unescape
from pathlib import Path

from tests.conftest import AnkiCollection, run

INLINE_TAG = re.compile(r"</?(?:a|b|code|del|em|i|ins|kbd|mark|s|small|span|strong|sub|sup|u)\b[^>]*>")


def html_to_text_line(html: str) -> str:
    """The text a learner sees: styles dropped, inline tags dropped (a browser joins their text), other tags
    read as spaces, whitespace folded."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = INLINE_TAG.sub("", html)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", "."))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(cards: Path, now: int | None = None) -> Path:
    env = {"SOURCE_DATE_EPOCH": str(now)} if now is not None else None
    result = run("build", cards, env=env)
    assert result.exit_code == 0, result.output
    return cards.parent / "output" / "fixture-deck.apkg"


def test_fresh_import_counts_names_tags_and_html(deck_dir: Path, anki: AnkiCollection) -> None:
    result = run("build", deck_dir)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("built ")
    assert "4 notes, 6 cards, 2 topics (4 new, 0 changed, 0 removed)" in result.output
    apkg = deck_dir.parent / "output" / "fixture-deck.apkg"

    log = anki.import_package(apkg)
    assert len(log.conflicting) == 0
    assert len(log.new) == 4
    col = anki.col
    assert col.note_count() == 4
    # Basic 1 card, reversed 2, cloze one per cN (2 + 1)
    assert col.card_count() == 1 + 2 + 2 + 1
    assert len(col.find_cards('"Id:bite-abbreviation"')) == 2
    assert len(col.find_cards('"Id:two-cloze"')) == 2
    assert "Fixture::Immunotherapy" in [d.name for d in col.decks.all_names_and_ids()]
    assert "Fixture" in [d.name for d in col.decks.all_names_and_ids()]
    assert len(col.find_cards('"deck:Fixture::Immunotherapy"')) == 6

    note = anki.note_by_id_field("threshold")
    assert sorted(note.tags) == ["fx::basics", "numbers"]
    assert note["Front"] == "Which blast fraction is meant by &lt;5%?"
    assert note["Back"] == "<strong>Below five percent</strong> of BCR::ABL1 cells"
    assert note["Extra"] == "Chinese term: 基底原始细胞"
    assert "基底原始细胞比例&lt;5%的患儿" in note["Source"]
    assert "A fixture article, Test Press" in note["Source"]
    assert anki.note_by_id_field("crs-fever").tags == ["fx::safety"]

    # what Anki renders: the cloze front shows a blank, the back the answer and the citation
    cloze_card = col.get_card(col.find_cards('"Id:two-cloze" card:1')[0])
    question = html_to_text_line(cloze_card.question())
    assert "Blinatumomab binds [...] on B cells and CD3 on T cells." in question and "CD19" not in question
    assert "Blinatumomab binds CD19 on B cells" in html_to_text_line(cloze_card.answer())
    answer = col.get_card(col.find_cards('"Id:threshold"')[0]).answer()
    assert "Below five percent" in answer and "Source:" in answer


def test_edit_updates_in_place_and_keeps_reviews(deck_dir: Path, anki: AnkiCollection) -> None:
    apkg = build(deck_dir, now=1_700_000_000)
    anki.import_package(apkg)
    assert anki.review_all("Fixture::Immunotherapy") == 6
    cards_before = anki.card_rows()
    revlog_before = anki.revlog_rows()
    notes_before = {row[1]: row for row in anki.note_rows()}
    types_before = anki.notetype_names()
    assert len(revlog_before) == 6

    topic = deck_dir / "basics.yaml"
    text = topic.read_text(encoding="utf-8")
    text = text.replace("of BCR::ABL1 cells", "of BCR::ABL1-positive cells").replace(
        "tags: [numbers]", "tags: [numbers, edited]"
    )
    topic.write_text(text, encoding="utf-8")
    result = run("build", deck_dir, env={"SOURCE_DATE_EPOCH": "1700000000"})  # same second: mod must still grow
    assert result.exit_code == 0, result.output
    assert "(0 new, 1 changed, 0 removed)" in result.output

    log = anki.import_package(apkg)
    assert len(log.updated) == 1 and len(log.new) == 0 and len(log.conflicting) == 0
    note = anki.note_by_id_field("threshold")
    assert note["Back"] == "<strong>Below five percent</strong> of BCR::ABL1-positive cells"
    assert sorted(note.tags) == ["edited", "fx::basics", "numbers"]
    assert anki.card_rows() == cards_before
    assert anki.revlog_rows() == revlog_before
    assert anki.col.note_count() == 4
    assert anki.notetype_names() == types_before
    after = {row[1]: row for row in anki.note_rows()}
    changed = [guid for guid in after if after[guid] != notes_before[guid]]
    assert changed == [note.guid]
    assert note.mod == 1_700_000_001


def test_unchanged_rebuild_is_identical_and_changes_nothing(deck_dir: Path, anki: AnkiCollection) -> None:
    apkg = build(deck_dir, now=1_700_000_000)
    first = sha256(apkg)
    anki.import_package(apkg)
    anki.review_all("Fixture::Immunotherapy")
    state = (anki.note_rows(), anki.card_rows(), anki.revlog_rows(), anki.notetype_names())

    build(deck_dir, now=1_750_000_000)  # much later: unchanged content keeps its recorded mod
    assert sha256(apkg) == first
    build(deck_dir)
    assert sha256(apkg) == first
    log = anki.import_package(apkg)
    assert len(log.new) == 0 and len(log.updated) == 0 and len(log.conflicting) == 0
    assert (anki.note_rows(), anki.card_rows(), anki.revlog_rows(), anki.notetype_names()) == state


def test_learners_own_edit_of_unchanged_card_is_kept(deck_dir: Path, anki: AnkiCollection) -> None:
    apkg = build(deck_dir, now=1_700_000_000)
    anki.import_package(apkg)
    note = anki.note_by_id_field("crs-fever")
    note["Extra"] = "my own mnemonic"
    anki.col.update_note(note)
    topic = deck_dir / "basics.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace("bispecific T-cell engager", "bispecific T-cell engager (BiTE)"),
        encoding="utf-8",
    )
    build(deck_dir, now=1_700_000_100)
    anki.import_package(apkg)
    assert anki.note_by_id_field("crs-fever")["Extra"] == "my own mnemonic"
    assert anki.note_by_id_field("bite-abbreviation")["Back"] == "bispecific T-cell engager (BiTE)"


def test_toggling_reverse_adds_the_card_without_forking_the_note_type(deck_dir: Path, anki: AnkiCollection) -> None:
    apkg = build(deck_dir, now=1_700_000_000)
    anki.import_package(apkg)
    anki.review_all("Fixture::Immunotherapy")
    types_before = anki.notetype_names()
    topic = deck_dir / "basics.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace(
            'front: "Which blast fraction is meant by <5%?"',
            'front: "Which blast fraction is meant by <5%?"\n    reverse: true',
        ),
        encoding="utf-8",
    )
    build(deck_dir, now=1_700_000_050)
    log = anki.import_package(apkg)
    assert len(log.conflicting) == 0 and len(log.updated) == 1
    assert len(anki.col.find_cards('"Id:threshold"')) == 2
    assert anki.notetype_names() == types_before


def test_removed_card_is_reported_and_remembered(deck_dir: Path) -> None:
    build(deck_dir, now=1_700_000_000)
    (deck_dir / "safety.yaml").unlink()
    result = run("build", deck_dir)
    assert result.exit_code == 0, result.output
    assert "(0 new, 0 changed, 1 removed)" in result.output
    assert "removed from the deck: crs-fever" in result.output
    assert '"crs-fever"' in (deck_dir / "deckgen.lock").read_text(encoding="utf-8").split('"removed"')[1]

    # the id cannot come back by accident
    (deck_dir / "more.yaml").write_text(
        "topic: more\ntitle: More\ncards:\n  - id: crs-fever\n    front: New question\n    back: New answer\n",
        encoding="utf-8",
    )
    result = run("build", deck_dir)
    assert result.exit_code == 1
    assert (
        f"{deck_dir / 'more.yaml'}:4:9: error: card 'crs-fever': id 'crs-fever' belonged to a card removed earlier"
        in result.output
    )


def test_changing_a_shipped_cards_kind_is_refused(deck_dir: Path) -> None:
    build(deck_dir, now=1_700_000_000)
    safety = deck_dir / "safety.yaml"
    safety.write_text(
        safety.read_text(encoding="utf-8").replace(
            'cloze: "Mild CRS shows only {{c1::fever}}."', "front: What does mild CRS show?\n    back: Only fever"
        ),
        encoding="utf-8",
    )
    result = run("build", deck_dir)
    assert result.exit_code == 1
    assert "card 'crs-fever': this card was shipped as a cloze card" in result.output


def test_locked_build_fails_when_lock_would_change(deck_dir: Path) -> None:
    lockless = run("build", deck_dir, "--locked")
    assert lockless.exit_code == 1
    assert "lock file is out of date with the cards (4 new, 0 changed, 0 removed)" in lockless.output
    assert not (deck_dir.parent / "output").exists()

    build(deck_dir)
    assert run("build", deck_dir, "--locked").exit_code == 0
    topic = deck_dir / "safety.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::high fever}}"), encoding="utf-8")
    lock_before = (deck_dir / "deckgen.lock").read_bytes()
    result = run("build", deck_dir, "--locked")
    assert result.exit_code == 1
    assert "(0 new, 1 changed, 0 removed)" in result.output
    assert (deck_dir / "deckgen.lock").read_bytes() == lock_before


def test_no_temporary_files_left_behind(deck_dir: Path, tmp_path: Path, monkeypatch) -> None:
    tmp = tmp_path / "systemtmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    build(deck_dir)
    build(deck_dir)
    assert list(tmp.iterdir()) == []
    assert sorted(p.name for p in (deck_dir.parent / "output").iterdir()) == ["fixture-deck.apkg"]


def test_escaped_double_colon_survives_in_a_cloze_answer(tmp_path: Path, anki: AnkiCollection) -> None:
    from tests.conftest import write_deck

    cards = write_deck(
        tmp_path,
        topics={
            "f.yaml": (
                'topic: f\ntitle: F\ncards:\n  - id: fusion\n    cloze: "Ph+ ALL carries {{c1::BCR\\\\:\\\\:ABL1}}."\n'
            )
        },
    )
    apkg = build(cards)
    anki.import_package(apkg)
    card = anki.col.get_card(anki.col.find_cards('"Id:fusion"')[0])
    assert html_to_text_line(card.question()).endswith("Ph+ ALL carries [...].")
    assert html_to_text_line(card.answer()).endswith("Ph+ ALL carries BCR::ABL1.")
    # Anki's own reading of the card's text (what it searches and compares typed answers with)
    assert anki.col._backend.html_to_text_line(text=card.answer(), preserve_media_filenames=False).endswith(
        "Ph+ ALL carries BCR::ABL1."
    )


def test_cache_gives_the_same_package_and_no_cache_skips_it(deck_dir: Path, private_cache: Path) -> None:
    apkg = build(deck_dir, now=1_700_000_000)
    first = sha256(apkg)
    entries = sorted(private_cache.rglob("*.json"))
    assert len(entries) == 2  # one per topic file
    build(deck_dir, now=1_700_000_000)  # from the cache
    assert sha256(apkg) == first
    for entry in entries:  # a damaged cache is ignored, not trusted
        entry.write_text("{not json", encoding="utf-8")
    build(deck_dir, now=1_700_000_000)
    assert sha256(apkg) == first
    for entry in private_cache.rglob("*.json"):
        entry.unlink()
    result = run("build", deck_dir, "--no-cache")
    assert result.exit_code == 0
    assert list(private_cache.rglob("*.json")) == []
    assert sha256(apkg) == first


def test_cache_is_not_trusted_across_deckgen_versions(deck_dir: Path, private_cache: Path, monkeypatch) -> None:
    import deckgen.compile.cache
    from deckgen.build import build as build_api

    build_api(deck_dir)
    assert len(list(private_cache.rglob("*.json"))) == 2
    monkeypatch.setattr(deckgen.compile.cache, "code_fingerprint", lambda: "another deckgen")
    build_api(deck_dir)
    assert len(list(private_cache.rglob("*.json"))) == 4  # nothing reused: new entries under new keys


def test_images_reach_the_collection_media_folder(tmp_path: Path, anki: AnkiCollection) -> None:
    from tests.conftest import write_deck

    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
    cards = write_deck(
        tmp_path,
        topics={
            "img.yaml": (
                "topic: img\ntitle: Images\ncards:\n"
                '  - id: figure\n    front: "Which cells? ![a dot](media/dot.png)"\n    back: B cells\n'
            )
        },
    )
    (cards / "media").mkdir()
    (cards / "media" / "dot.png").write_bytes(png)
    apkg = build(cards)
    anki.import_package(apkg)
    note = anki.note_by_id_field("figure")
    assert note["Front"] == 'Which cells? <img src="dot.png" alt="a dot">'
    assert (Path(anki.col.media.dir()) / "dot.png").read_bytes() == png
