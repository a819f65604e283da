"""Bad input: every problem reported at once, with file:line:col, exit code 1 (2 for usage), no traceback,
and the previous package left exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, TOPIC_YAML, run, write_deck


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, str]:
    """A deck that built once; returns (cards dir, package, sha256 of the package)."""
    cards = write_deck(tmp_path)
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    apkg = tmp_path / "output" / "fixture-deck.apkg"
    return cards, apkg, hashlib.sha256(apkg.read_bytes()).hexdigest()


def broken_build(built: tuple[Path, Path, str], name: str, content: str | bytes) -> tuple[str, Path]:
    """Write one file, build, check the old output is intact; return (output, path of the written file)."""
    cards, apkg, digest = built
    lock_before = (cards / "deckgen.lock").read_bytes()
    path = cards / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = run("build", cards)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert hashlib.sha256(apkg.read_bytes()).hexdigest() == digest
    assert (cards / "deckgen.lock").read_bytes() == lock_before
    assert sorted(p.name for p in apkg.parent.iterdir()) == [apkg.name]
    return result.output, path


CARD_ERRORS = [
    (
        "  - id: mrd-definition\n    frnt: What is MRD?\n    back: Minimal residual disease\n",
        "5:5: error: card 'mrd-definition': unknown key 'frnt' (did you mean 'front'?)",
    ),
    (
        "  - id: a1\n    front: Q only\n",
        "4:5: error: card 'a1': missing required key 'back' (a question/answer card needs front and back)",
    ),
    ("  - front: Q\n    back: A\n", "4:5: error: card #1: missing required key 'id'"),
    ("  - id: a1\n    front: Q\n    back: [1, 2]\n", "6:11: error: card 'a1': 'back' must be text, got a list"),
    (
        "  - id: a1\n    front: Q\n    back: 42\n",
        "6:11: error: card 'a1': 'back' must be text, got a number (42); put it in quotes: \"42\"",
    ),
    (
        "  - id: a1\n    front: Q\n    back: A\n    reverse: maybe\n",
        "7:14: error: card 'a1': 'reverse' must be true or false, got text",
    ),
    (
        '  - id: a1\n    front: Q\n    back: A\n    cloze: "{{c1::x}}"\n',
        "4:5: error: card 'a1': has both 'front' and 'cloze'; a card is either question/answer (front/back) or cloze",
    ),
    (
        "  - id: a1\n    front: Q\n    front: Q2\n    back: A\n",
        "6:5: error: card 'a1': duplicate key 'front' (first at line 5); keep only one",
    ),
    (
        '  - id: a1\n    front: Q\n    back: A\n    tags: [good, "two words"]\n',
        "7:18: error: card 'a1': tag 'two words' contains whitespace",
    ),
    ("  - id: Bad Id\n    front: Q\n    back: A\n", "4:9: error: card 'Bad Id': 'id' must be a slug, got 'Bad Id'"),
    (
        "  - id: a1\n    extra: only extra\n",
        "4:5: error: card 'a1': needs either 'front' and 'back' (question/answer), 'cloze', or 'type' and 'fields' (a note type of the deck)",
    ),
    (
        "  - id: a1\n    cloze: no deletion here\n",
        "5:12: error: card 'a1': cloze card has no deletion; mark the answer as {{c1::answer}}",
    ),
    (
        '  - id: a1\n    front: Q\n    back: "<script>alert(1)</script>"\n',
        "6:11: error: card 'a1': unsafe HTML: <script> is not allowed",
    ),
    (
        '  - id: a1\n    front: Q\n    back: "![x](media/missing.png)"\n',
        "4:5: error: card 'a1': image 'media/missing.png' does not exist",
    ),
    (
        '  - id: a1\n    front: Q\n    back: "![x](../secret.png)"\n',
        "6:11: error: card 'a1': image path '../secret.png' must name a file directly in the cards folder's media/",
    ),
    (
        "  - &x {id: a1, front: Q, back: A}\n  - *x\n",
        "5:5: error: YAML alias '*x' is not allowed in card files; write the value out",
    ),
    (
        "  - id: a1\n    front: !!python/object:os.system Q\n    back: A\n",
        "5:12: error: card 'a1': unsupported YAML tag '!!python/object:os.system'",
    ),
]


@pytest.mark.parametrize("cards_yaml, expected", CARD_ERRORS, ids=[e[1].split(": ", 2)[-1][:40] for e in CARD_ERRORS])
def test_card_errors(built: tuple[Path, Path, str], cards_yaml: str, expected: str) -> None:
    output, path = broken_build(built, "extra.yaml", "topic: extra\ntitle: Extra\ncards:\n" + cards_yaml)
    assert f"{path}:{expected}" in output
    assert output.rstrip().endswith("nothing was written")


def test_all_problems_in_one_pass(built: tuple[Path, Path, str]) -> None:
    text = (
        "topic: extra\ntitle: Extra\ncards:\n"
        "  - id: a1\n    frnt: Q\n    back: A\n"
        "  - id: threshold\n    front: Q\n    back: A\n"
        "  - id: a3\n    front: Q\n    back: A\n    tags: [x y]\n"
    )
    output, path = broken_build(built, "extra.yaml", text)
    lines = [line for line in output.splitlines() if ": error: " in line]
    assert len(lines) == 4
    joined = "\n".join(lines)
    assert f"{path}:5:5: error: card 'a1': unknown key 'frnt' (did you mean 'front'?)" in joined
    assert f"{path}:7:5: error: card 'threshold': duplicate id; first used at {built[0] / 'basics.yaml'}:4:5" in joined
    assert f"{path}:13:12: error: card 'a3': tag 'x y' contains whitespace" in joined
    assert output.rstrip().endswith("deckgen: 4 error(s); nothing was written")


@pytest.mark.parametrize(
    "content, expected",
    [
        ("topic: extra\ntitle: [unclosed\n", ":3:1: error: invalid YAML: while parsing a flow sequence"),
        (
            "topic: x\n  title: bad indent\n",
            ":2:3: error: invalid YAML: 'title' is indented 2 spaces; the other top-level keys are at 0: start it at "
            "the beginning of the line like them",
        ),
        (
            b"topic: extra\ntitle: caf\xe9\ncards: []\n",
            ":2:11: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
        ),
        ("", ": error: file is empty; add content or delete the file"),
        ("# only a comment\n", ": error: file holds no YAML content"),
        ("- just\n- a list\n", ":1:1: error: topic file: expected a mapping (key: value lines), got a list"),
        (
            "topic: extra\ntitle: T\ncards:\n  - id: a\n    front: x\n    back: y\ntopic: again\n",
            ":7:1: error: topic file: duplicate key 'topic' (first at line 1); keep only one",
        ),
        ("topic: Not A Slug\ntitle: T\ncards: []\n", ":1:8: error: topic file: 'topic' must be a slug"),
    ],
)
def test_file_level_errors(built: tuple[Path, Path, str], content: str | bytes, expected: str) -> None:
    output, path = broken_build(built, "extra.yaml", content)
    assert f"{path}{expected}" in output


def test_topic_file_that_is_a_folder(built: tuple[Path, Path, str]) -> None:
    cards, apkg, digest = built
    (cards / "folder.yaml").mkdir()
    result = run("build", cards)
    assert result.exit_code == 1
    assert f"{cards / 'folder.yaml'}: error: is a folder, not a YAML file" in result.output


def test_missing_cards_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("build", tmp_path / "nope")
    assert result.exit_code == 2
    assert (
        result.output
        == f"deckgen: error: cards folder '{tmp_path / 'nope'}' does not exist; pass the folder that holds deck.yaml\n"
    )


def test_missing_deck_manifest(tmp_path: Path) -> None:
    cards = write_deck(tmp_path)
    (cards / "deck.yaml").unlink()
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        f"{cards / 'deck.yaml'}: error: missing deck manifest; create deck.yaml with key, name and description"
        in result.output
    )


def test_deck_manifest_errors(tmp_path: Path) -> None:
    deck = DECK_YAML.replace("key: fixture-deck", "key: Fixture Deck").replace(
        "  title: A fixture article\n", "  titel: x\n"
    )
    cards = write_deck(tmp_path, deck=deck)
    result = run("build", cards)
    assert result.exit_code == 1
    manifest = cards / "deck.yaml"
    assert f"{manifest}:1:6: error: deck: 'key' must be a slug, got 'Fixture Deck'" in result.output
    assert f"{manifest}:7:3: error: deck source: unknown key 'titel' (did you mean 'title'?)" in result.output
    assert f"{manifest}:7:3: error: deck source: missing required key 'title'" in result.output


def test_output_into_cards_folder_is_refused(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML})
    result = run("build", cards, "-o", cards / "x.apkg")
    assert result.exit_code == 2
    assert "must not be written into the cards folder" in result.output
    assert not (cards / "x.apkg").exists()


def test_symlink_out_of_cards_folder(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML})
    outside = tmp_path / "outside.yaml"
    outside.write_text("topic: o\ntitle: O\ncards: []\n", encoding="utf-8")
    (cards / "linked.yaml").symlink_to(outside)
    result = run("build", cards)
    assert result.exit_code == 1
    assert f"{cards / 'linked.yaml'}: error: is a symbolic link to a file outside the cards folder" in result.output
