"""MathJax delimiters in tags and deck names: Anki puts {{Tags}}, {{Deck}} and {{Subdeck}} into the card's text, and
MathJax typesets ``\\(...\\)``/``\\[...\\]`` in any text (``\\href{javascript:...}``: a script on tap; ``\\style{...url()}``:
a request on every display). Refused in check, build and import; a backslash that starts no math is fine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, AnkiCollection, run, write_deck

HREF = "\\(\\href{javascript:alert(1)}{x}\\)"
STYLE = "\\(\\style{background:url(https://e.example/x.png)}{x}\\)"
HEAD = "topic: t\ntitle: T\n"
CARD = "cards:\n  - id: a\n    front: Q\n    back: A\n"


def _why(found: str, shown: str) -> str:
    return (
        f"'{found}' starts or ends math for MathJax, which typesets math wherever a card shows {shown}, so \\href or "
        "\\style there could run a script or load a URL; remove the backslash (put math in a field)"
    )


def test_anki_puts_tags_and_subdeck_names_into_the_text_as_they_are(anki: AnkiCollection) -> None:
    """Why the rule exists, measured with the real backend: the math reaches the page for MathJax to typeset."""
    model = anki.col.models.by_name("Basic")
    model["tmpls"][0]["qfmt"] = "{{Front}} <div>{{Tags}}</div> {{Subdeck}}"
    anki.col.models.update_dict(model)
    did = anki.col.decks.id(f"D::{HREF}")
    note = anki.col.new_note(model)
    note["Front"] = "Q"
    note.tags = [STYLE]
    anki.col.add_note(note, did)
    question = note.cards()[0].question()
    assert f"<div>{STYLE}</div>" in question and question.endswith(HREF)


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize(
    "deck, topic, expected",
    [
        (
            DECK_YAML,
            HEAD + CARD + f"    tags: ['{HREF}']\n",
            f"cards/t.yaml:7:12: error: card 'a': tag '{HREF}' contains '\\('; " + _why("\\(", "{{Tags}}"),
        ),
        (
            DECK_YAML,
            HEAD + CARD + f"    tags: [ok, 'x{STYLE}']\n",
            f"cards/t.yaml:7:16: error: card 'a': tag 'x{STYLE}' contains '\\('; " + _why("\\(", "{{Tags}}"),
        ),
        (
            DECK_YAML,
            HEAD + CARD + "    tags: ['a\\]b']\n",
            "cards/t.yaml:7:12: error: card 'a': tag 'a\\]b' contains '\\]'; " + _why("\\]", "{{Tags}}"),
        ),
        (
            DECK_YAML,
            HEAD + f"deck: '{HREF}'\n" + CARD,
            f"cards/t.yaml:3:7: error: topic file: subdeck name '{HREF}' contains '\\('; "
            + _why("\\(", "{{Deck}} or {{Subdeck}}"),
        ),
        (
            DECK_YAML.replace('name: "Fixture::Immunotherapy"', "name: 'Fixture::\\[x\\]'"),
            HEAD + CARD,
            "cards/deck.yaml:2:7: error: deck: deck name 'Fixture::\\[x\\]' contains '\\['; "
            + _why("\\[", "{{Deck}} or {{Subdeck}}"),
        ),
    ],
)
def test_math_delimiters_in_tags_and_deck_names_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, deck: str, topic: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    result = run(command, "cards")
    assert result.exit_code == 1, result.output
    assert expected in result.output.splitlines(), result.output
    assert not (tmp_path / "output").exists()  # nothing written


def test_a_backslash_that_starts_no_math_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anki: AnkiCollection
) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, topics={"t.yaml": HEAD + "deck: 'C\\+\\+ \\x'\n" + CARD + "    tags: ['a\\b', 'x\\\\y']\n"})
    result = run("build", "cards")
    assert result.exit_code == 0, result.output
    (package,) = (tmp_path / "output").glob("*.apkg")
    anki.import_package(package)
    (nid,) = anki.col.find_notes("")
    note = anki.col.get_note(nid)
    assert {"a\\b", "x\\\\y"} <= set(note.tags)
    assert anki.col.decks.name(note.cards()[0].did).endswith("::C\\+\\+ \\x")


def _crowdanki(here: Path, *, tag: str, child: str) -> None:
    model = {
        "__type__": "NoteModel",
        "crowdanki_uuid": "m1",
        "name": "Basic",
        "type": 0,
        "css": ".card {}",
        "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        "tmpls": [{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    }
    note = {"__type__": "Note", "guid": "g-1", "fields": ["Front one", "b"], "tags": [tag], "note_model_uuid": "m1"}
    deck = {"__type__": "Deck", "name": "Old", "desc": "", "media_files": [], "note_models": [model], "notes": []}
    deck["children"] = [{"__type__": "Deck", "name": child, "children": [], "media_files": [], "notes": [note]}]
    (here / "old").mkdir()
    (here / "old" / "deck.json").write_text(json.dumps(deck), encoding="utf-8")


@pytest.mark.parametrize("strip", [(), ("--strip-unsafe",)])
@pytest.mark.parametrize(
    "tag, child, expected",
    [
        (HREF, "Sub", f"cards/sub.yaml:11:10: error: card 'front-one': tag '{HREF}' contains '\\('; "),
        (
            "ok",
            HREF,
            f"cards/href-javascript-alert-1-x.yaml:3:7: error: topic file: subdeck name '{HREF}' contains '\\('; ",
        ),
    ],
)
def test_import_gives_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strip: tuple[str, ...], tag: str, child: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _crowdanki(tmp_path, tag=tag, child=child)
    result = run("import", "old", *strip)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith(expected) and "starts or ends math for MathJax" in line for line in lines), lines
    assert lines[-1] == "deckgen: 1 error(s); nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]
