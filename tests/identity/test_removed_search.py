"""After cards are removed, ``build`` and ``diff`` print the Anki search that finds the removed notes in a learner's
collection; run here in a real collection that imported both versions."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import AnkiCollection, run, write_deck

DECK = 'key: search-deck\nname: "Chem::Organic_1 *draft*"\ndescription: d\n'
TOPIC = """\
topic: t
title: T
cards:
  - id: keep
    front: Kept
    back: k
  - id: gone_one
    front: First removed
    back: a
  - id: gonexone
    front: Not removed, but '_' is a wildcard in Anki's search
    back: b
  - id: gone-two
    cloze: "{{c1::Second}} removed"
  - id: sub-gone
    front: In a subdeck
    back: c
"""


def test_the_printed_search_finds_exactly_the_removed_notes(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = write_deck(tmp_path, deck=DECK, topics={"t.yaml": TOPIC})
    assert run("build", cards).exit_code == 0
    anki.import_package(tmp_path / "output" / "search-deck.apkg")
    # another deck with a card of the same id: not found
    other = write_deck(tmp_path / "other", deck="key: other\nname: Other\ndescription: d\n", topics={"t.yaml": TOPIC})
    assert run("build", other).exit_code == 0
    anki.import_package(tmp_path / "other" / "output" / "other.apkg")

    text = TOPIC.split("  - id: gone_one")[0] + "  - id: gonexone" + TOPIC.split("  - id: gonexone")[1]
    text = text.split("  - id: gone-two")[0]
    (cards / "t.yaml").write_text(text, encoding="utf-8")
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("learners find the removed notes in Anki's browser with this search:")
    search = lines[at + 1].strip()
    assert search == r'"deck:Chem::Organic\_1 \*draft\*" (Id:gone-two OR Id:gone\_one OR Id:sub-gone)'
    found = sorted(anki.col.get_note(nid).fields[-1] for nid in anki.col.find_notes(search))
    assert found == ["gone-two", "gone_one", "sub-gone"]
