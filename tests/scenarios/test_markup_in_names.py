"""Tags and deck names reach cards as raw HTML ({{Tags}}, {{Deck}}, {{Subdeck}}): no markup may hide in them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, AnkiCollection, run, write_deck

HEAD = "topic: t\ntitle: T\n"
CARD = "cards:\n  - id: a\n    front: Q\n    back: A\n"


def test_anki_inserts_tags_and_deck_names_raw(anki: AnkiCollection) -> None:
    """Why the rule exists, measured with the real backend."""
    model = anki.col.models.by_name("Basic")
    model["tmpls"][0]["qfmt"] = "{{Front}} {{Tags}} {{Deck}}"
    anki.col.models.update_dict(model)
    did = anki.col.decks.id("Deck &lt;b&gt;")
    note = anki.col.new_note(model)
    note["Front"] = "Q"
    note.tags = ["<i>x</i>"]
    anki.col.add_note(note, did)
    question = note.cards()[0].question()
    assert "<i>x</i>" in question and "Deck &lt;b&gt;" in question  # inserted as HTML: an entity becomes markup


@pytest.mark.parametrize(
    "topic, expected",
    [
        (
            HEAD + "cards:\n  - id: a\n    front: Q\n    back: A\n    tags: ['<img/src=x/onerror=alert(1)>']\n",
            "cards/t.yaml:7:12: error: card 'a': tag '<img/src=x/onerror=alert(1)>' contains '<'; tags may not hold < > \" ' & "
            "(Anki shows {{Tags}} as HTML, so they could add markup to a card)",
        ),
        (
            HEAD + "deck: '<img src=x onerror=alert(1)>'\n" + CARD,
            "cards/t.yaml:3:7: error: topic file: subdeck name '<img src=x onerror=alert(1)>' contains '<'; deck names may not hold "
            "< > \" or an '&' that starts an entity (Anki shows {{Deck}} as HTML)",
        ),
        (
            HEAD + "deck: 'A&lt;b'\n" + CARD,
            "cards/t.yaml:3:7: error: topic file: subdeck name 'A&lt;b' contains '&'; deck names may not hold < > \" or an '&' that "
            "starts an entity (Anki shows {{Deck}} as HTML)",
        ),
    ],
)
def test_markup_in_tags_and_subdeck_names_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, topic: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, topics={"t.yaml": topic})
    result = run("check", "cards")
    assert result.exit_code == 1
    assert expected in result.output.splitlines(), result.output


def test_markup_in_the_deck_name_is_refused_and_a_plain_ampersand_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(
        tmp_path,
        deck=DECK_YAML.replace('name: "Fixture::Immunotherapy"', 'name: "Fixture::Im<b>muno"'),
        topics={"t.yaml": HEAD + CARD},
    )
    result = run("check", "cards")
    assert (
        "cards/deck.yaml:2:7: error: deck: deck name 'Fixture::Im<b>muno' contains '<'; deck names may not hold < > \" or "
        "an '&' that starts an entity (Anki shows {{Deck}} as HTML)"
    ) in result.output.splitlines(), result.output
    write_deck(
        tmp_path,
        deck=DECK_YAML.replace('name: "Fixture::Immunotherapy"', 'name: "Anatomy & Physiology::Children\'s"'),
        topics={"t.yaml": HEAD + CARD},
    )
    assert run("build", "cards").exit_code == 0


def test_a_fifo_named_like_a_topic_file_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.chdir(tmp_path)
    cards = write_deck(tmp_path, topics={"t.yaml": HEAD + CARD})
    os.mkfifo(cards / "x.yaml")
    result = run("check", "cards")
    assert (
        "cards/x.yaml: error: is not a regular file (a FIFO or device); card files must be regular files"
        in result.output
    )
