"""Mistakes that YAML swallows without a word, made loud: each with its place and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run, write_deck

HEAD = "topic: t\ntitle: T\ncards:\n"


def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards: str) -> tuple[int, list[str]]:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, topics={"t.yaml": HEAD + cards})
    result = run("check", "cards")
    return result.exit_code, result.output.splitlines()


def test_text_after_a_hash_is_an_error_in_every_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (
        "cards/t.yaml:5:31: error: card 'a': the text after ' #' is a YAML comment, not part of 'front' ('Which grade "
        "is CRS #2 in the table?' reads as 'Which grade is CRS'); put the value in quotes to keep it, or put the comment "
        "on a line of its own"
    )
    code, lines = check(
        tmp_path, monkeypatch, "  - id: a\n    front: Which grade is CRS #2 in the table?\n    back: A\n"
    )
    assert code == 1 and expected in lines
    # the answer would ship truncated: build and preview refuse it too, and write nothing
    for command in ("build", "preview"):
        result = run(command, "cards")
        assert result.exit_code == 1, result.output
        assert expected in result.output.splitlines()
    assert not (tmp_path / "output").exists() and not (tmp_path / "preview").exists()
    assert not (tmp_path / "cards" / "deckgen.lock").exists()
    # quoted, or '#' inside a word: no problem
    code, lines = check(tmp_path, monkeypatch, "  - id: a\n    front: 'Grade #2?'\n    back: C# and F#\n")
    assert not [line for line in lines if "comment" in line]


YAML_HINTS = [
    (
        "    front: *bold* question\n",
        "cards/t.yaml:5:17: error: invalid YAML: while scanning an alias did not find expected "
        "alphabetic or numeric character; a value starting with '*' is read as a YAML alias: put the value in quotes",
    ),
    (
        "    front: @mention\n",
        "cards/t.yaml:5:12: error: invalid YAML: while scanning for the next token found character that "
        "cannot start any token; a value cannot start with '@' in YAML: put the value in quotes",
    ),
    (
        "    front: `code`\n",
        "cards/t.yaml:5:12: error: invalid YAML: while scanning for the next token found character that "
        "cannot start any token; a value cannot start with '`' in YAML: put the value in quotes",
    ),
    (
        "    front: Ratio: 2 to 1\n",
        "cards/t.yaml:5:17: error: invalid YAML: mapping values are not allowed in this context; "
        "': ' inside an unquoted value starts a new key: put the value in quotes",
    ),
    (
        "\tfront: tab\n",
        "cards/t.yaml:5:1: error: invalid YAML: while scanning a plain scalar found a tab character that "
        "violates indentation; indent with spaces, not tabs",
    ),
    (
        "    front: !important\n",
        "cards/t.yaml:5:12: error: card 'a': unsupported YAML tag '!important'; card files use plain "
        "YAML only (a value starting with '!' is a tag: put the value in quotes)",
    ),
]


@pytest.mark.parametrize("line, expected", YAML_HINTS, ids=[e[0].strip()[:20] for e in YAML_HINTS])
def test_yaml_errors_say_how_to_fix_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, expected: str
) -> None:
    code, lines = check(tmp_path, monkeypatch, "  - id: a\n" + line + "    back: B\n")
    assert code == 1
    assert expected in lines, lines


def test_an_empty_topic_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path, topics={"t.yaml": "topic: t\ntitle: T\ncards: []\n"})
    result = run("check", "cards")
    assert (
        "cards/t.yaml:3:8: warning: topic file: the topic has no cards ('cards: []'); add cards or delete the file"
        in result.output.splitlines()
    )


def test_build_prints_the_warnings_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cards = write_deck(
        tmp_path,
        topics={
            "t.yaml": HEAD + "  - id: a\n    front: Same?\n    back: A\n"
            "  - id: b\n    front: same\n    back: B\n    tags: [X]\n"
            "  - id: c\n    front: Other\n    back: C\n    tags: [x]\n"
        },
    )
    (cards / "media").mkdir()
    (cards / "media" / "unused.png").write_bytes(b"\x89PNG")
    checked = [line for line in run("check", "cards").output.splitlines() if ": warning: " in line]
    built = run("build", "cards")
    assert built.exit_code == 0
    warned = [line for line in built.output.splitlines() if ": warning: " in line]
    assert len(checked) == 4  # duplicate front, tag case, unused file, the lock (check only: build writes it)
    assert warned == [line for line in checked if "deckgen.lock" not in line]


def test_an_unclosed_deletion_is_the_only_cloze_problem_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, lines = check(tmp_path, monkeypatch, "  - id: a\n    cloze: '{{c1::tuple is {{c2::list}} mutable'\n")
    assert code == 1
    cloze_lines = [line for line in lines if "card 'a'" in line]
    assert cloze_lines == ["cards/t.yaml:5:12: error: card 'a': cloze deletion '{{c1::' is not closed with '}}'"], lines


def test_a_broken_card_does_not_make_its_image_unused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cards = write_deck(tmp_path, topics={"t.yaml": HEAD + "  - id: a\n    front: '![x](media/x.png)'\n    bak: B\n"})
    (cards / "media").mkdir()
    (cards / "media" / "x.png").write_bytes(b"\x89PNG")
    lines = run("check", "cards").output.splitlines()
    assert not [line for line in lines if "no card uses this file" in line], lines


@pytest.mark.parametrize(
    "cloze, expected",
    [
        (
            "'{{c1::\\frac{1}{2}}}'",
            "cards/t.yaml:5:12: error: card 'a': cloze deletion '{{c1::\\frac{1}{2}}}' ends in '}}}': Anki "
            "closes the deletion at the first '}}', so the answer would be '\\frac{1}{2' and a '}' would follow it; put a space "
            "before the closing braces ('... } }}')",
        ),
        (
            "'{{c1,2::both}}'",
            "cards/t.yaml:5:12: error: card 'a': '{{c1,2::' (one deletion for several cards) is not supported "
            "by deckgen; write a deletion for each number",
        ),
    ],
)
def test_cloze_gotchas_say_what_anki_would_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cloze: str, expected: str
) -> None:
    code, lines = check(tmp_path, monkeypatch, f"  - id: a\n    cloze: {cloze}\n")
    assert code == 1
    assert [line for line in lines if "card 'a'" in line] == [expected], lines
