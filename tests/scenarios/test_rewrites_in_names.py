"""Text Anki's raw passes rewrite, in tags and deck names: Anki puts {{Tags}}, {{Deck}} and {{Subdeck}} into the
card side as they are, and then replaces ``[sound:...]`` with a play button, ``[[type:Field]]`` with a type-in
box and ``[$]...[/$]`` with a LaTeX image, over the whole side. deckgen never sees these as media or LaTeX
(the play button names a file the deck need not ship; desktop runs LaTeX for the image), so they are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, AnkiCollection, run, write_deck

HEAD = "topic: t\ntitle: T\n"
CARD = "cards:\n  - id: a\n    front: Q\n    back: A\n"


def _why(found: str, shown: str) -> str:
    return (
        f"Anki rewrites '{found}' wherever a card shows {shown}, before the page is read (into a play button, a "
        "type-in box or a LaTeX image, which Anki's desktop draws by running LaTeX); remove it"
    )


def test_anki_turns_a_tag_into_a_play_button_and_a_latex_image(anki: AnkiCollection) -> None:
    """Why: measured with the real backend, a tag shown by {{Tags}} becomes an av reference (the reviewer's play
    button) and a LaTeX image."""
    model = anki.col.models.by_name("Basic")
    model["tmpls"][0]["qfmt"] = "{{Front}} <div>{{Tags}}</div>"
    anki.col.models.update_dict(model)
    note = anki.col.new_note(model)
    note["Front"] = "Q"
    note.tags = ["[sound:a.mp3]", "[$]x[/$]"]
    anki.col.add_note(note, anki.col.decks.id("D"))
    card = note.cards()[0]
    question = card.question()
    assert "[anki:play:q:0]" in question and '<img class=latex alt="&#x24;x&#x24;"' in question, question
    assert [tag.filename for tag in card.question_av_tags()] == ["a.mp3"]


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize(
    "deck, topic, expected",
    [
        (
            DECK_YAML,
            HEAD + CARD + "    tags: ['[sound:a.mp3]']\n",
            "cards/t.yaml:7:12: error: card 'a': tag '[sound:a.mp3]' contains '[sound:'; "
            + _why("[sound:", "{{Tags}}"),
        ),
        (
            DECK_YAML,
            HEAD + CARD + "    tags: [ok, 'x[[type:Front]]']\n",
            "cards/t.yaml:7:16: error: card 'a': tag 'x[[type:Front]]' contains '[[type:'; "
            + _why("[[type:", "{{Tags}}"),
        ),
        (
            DECK_YAML,
            HEAD + CARD + "    tags: ['[$]x', 'y[/$]']\n",
            "cards/t.yaml:7:12: error: card 'a': tag '[$]x' contains '[$]'; " + _why("[$]", "{{Tags}}"),
        ),
        (
            DECK_YAML,
            HEAD + "deck: 'Sub[anki:play:q:0]'\n" + CARD,
            "cards/t.yaml:3:7: error: topic file: subdeck name 'Sub[anki:play:q:0]' contains '[anki:'; "
            + _why("[anki:", "{{Deck}} or {{Subdeck}}"),
        ),
    ],
)
def test_rewritten_text_in_tags_and_deck_names_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, deck: str, topic: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    result = run(command, "cards")
    assert result.exit_code == 1, result.output
    assert expected in result.output.splitlines(), result.output


def test_brackets_that_anki_does_not_rewrite_stay_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, topics={"t.yaml": HEAD + "deck: 'Part [1]'\n" + CARD + "    tags: ['chapter[2]', 'a:b']\n"})
    result = run("check", "cards")
    assert result.exit_code == 0, result.output
