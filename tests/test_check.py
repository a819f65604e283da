"""deckgen check: one failing fixture per rule, with the exact message and place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import TOPIC_YAML, run, write_deck

ARTICLE = Path(__file__).resolve().parent.parent.parent / "shared" / "source" / "article.zh.txt"


def checked(tmp_path: Path, topic: str, *args: str, name: str = "t.yaml") -> tuple[int, str, Path]:
    cards = write_deck(tmp_path, topics={name: topic})
    assert run("build", cards).exit_code in (0, 1)
    result = run("check", cards, *args)
    return result.exit_code, result.output, cards / name


def topic(cards_yaml: str) -> str:
    return "topic: t\ntitle: T\ncards:\n" + cards_yaml


RULES = [
    # (cards yaml, expected line fragment after the path, exit code)
    (
        '  - id: a\n    cloze: "{{c1::one}} and {{c3::three}}"\n',
        ":5:12: error: card 'a': cloze numbers skip c2; number deletions c1, c2, ... without gaps",
        1,
    ),
    (
        '  - id: a\n    cloze: "{{c1::unclosed and more"\n',
        ":5:12: error: card 'a': cloze deletion '{{c1::' is not closed with '}}'",
        1,
    ),
    (
        '  - id: a\n    cloze: "{{c1:one}} and {{c2::two}}"\n',
        ":5:12: error: card 'a': malformed cloze '{{c1:'; write {{c1::answer}} (lowercase c, two colons)",
        1,
    ),
    (
        '  - id: a\n    cloze: "Fusion {{c1::BCR::ABL1}} is targeted"\n',
        ":5:12: warning: card 'a': '{{c1::BCR::ABL1}}': Anki shows answer 'BCR' with hint 'ABL1'. If 'BCR::ABL1' is one term, write BCR\\:\\:ABL1",
        0,
    ),
    (
        '  - id: a\n    cloze: "{{c1::a::b::c}}"\n',
        ":5:12: error: card 'a': cloze deletion '{{c1::a::b::c}}' has more than one '::'",
        1,
    ),
    (
        '  - id: a\n    cloze: "plain text"\n',
        ":5:12: error: card 'a': cloze card has no deletion; mark the answer as {{c1::answer}}",
        1,
    ),
    (
        '  - id: a\n    front: "What is MRD?"\n    back: A\n  - id: b\n    front: "what is MRD"\n    back: B\n',
        ":8:12: warning: card 'b': same front as card 'a'",
        0,
    ),
    (
        '  - id: a\n    front: "Which cells does CD19 mark?"\n    back: A\n  - id: b\n    front: "CD19 does mark which cells?"\n    back: B\n',
        ":8:12: warning: card 'b': front has the same words as card 'a'",
        0,
    ),
    (
        '  - id: a\n    front: Q\n    back: ""\n',
        ":6:11: error: card 'a': 'back' is empty; give it a value or remove the key",
        1,
    ),
    (
        "  - id: a\n    front: Q1\n    back: A\n    tags: [MRD]\n  - id: b\n    front: Q2\n    back: B\n    tags: [mrd]\n",
        ":11:11: warning: card 'b': tag 'mrd' differs from 'MRD' only in case",
        0,
    ),
    (
        "  - id: a\n    front: Q\n    back: \"<iframe src='https://example.com'></iframe>\"\n",
        ":6:11: error: card 'a': unsafe HTML: <iframe> is not allowed (Anki would run or load it); remove it",
        1,
    ),
    (
        "  - id: a\n    front: \"<b onclick='steal()'>Q</b>\"\n    back: A\n",
        ":5:12: error: card 'a': unsafe HTML: event handler attribute 'onclick' on <b> would run script in Anki; remove it",
        1,
    ),
    (
        "  - id: a\n    front: Q\n    back: \"<a href='javascript:alert(1)'>x</a>\"\n",
        ":6:11: error: card 'a': unsafe HTML: 'javascript:' URL in <a href> is not allowed; remove it",
        1,
    ),
    (
        '  - id: a\n    front: Q\n    back: "<marquee>x</marquee>"\n',
        ":6:11: error: card 'a': HTML tag <marquee> is not supported",
        1,
    ),
    (
        '  - id: a\n    front: Q\n    back: "![x](/etc/passwd)"\n',
        ":6:11: error: card 'a': image path '/etc/passwd' must name a file directly in the cards folder's media/",
        1,
    ),
]


@pytest.mark.parametrize("cards_yaml, expected, code", RULES, ids=[r[1].split(": ", 2)[-1][:45] for r in RULES])
def test_rule(tmp_path: Path, cards_yaml: str, expected: str, code: int) -> None:
    exit_code, output, path = checked(tmp_path, topic(cards_yaml))
    assert f"{path}{expected}" in output
    assert exit_code == code, output


def test_warning_fails_only_with_strict(tmp_path: Path) -> None:
    text = topic(
        "  - id: a\n    front: Q1\n    back: A\n    tags: [MRD]\n  - id: b\n    front: Q2\n    back: B\n    tags: [mrd]\n"
    )
    exit_code, output, _ = checked(tmp_path, text)
    assert exit_code == 0
    assert output.endswith("checked 2 cards in 1 topics: 0 error(s), 1 warning(s)\n")
    assert run("check", tmp_path / "cards", "--strict").exit_code == 1


def test_missing_and_unused_media(tmp_path: Path) -> None:
    cards = write_deck(
        tmp_path, topics={"t.yaml": topic('  - id: a\n    front: Q\n    back: "![fig](media/fig.png)"\n')}
    )
    result = run("check", cards)
    assert f"{cards / 't.yaml'}:4:5: error: card 'a': image 'media/fig.png' does not exist" in result.output
    (cards / "media").mkdir()
    (cards / "media" / "fig.png").write_bytes(b"\x89PNG fake")
    (cards / "media" / "orphan.png").write_bytes(b"\x89PNG fake")
    run("build", cards)
    result = run("check", cards)
    assert result.exit_code == 0
    assert (
        f"{cards / 'media' / 'orphan.png'}: warning: no card uses this file; reference it or delete it" in result.output
    )
    assert "fig.png" not in result.output


def test_source_excerpt_must_be_in_a_document(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Blinatumomab binds CD19 on B cells\nand CD3 on T cells.\n", encoding="utf-8")
    text = topic(
        '  - id: a\n    front: Q1\n    back: A\n    source: "binds CD19 on B cells and CD3"\n'
        '  - id: b\n    front: Q2\n    back: B\n    source: "binds CD20"\n'
        "  - id: c\n    front: Q3\n    back: C\n"
    )
    exit_code, output, path = checked(tmp_path, text, "--source", str(doc))
    assert exit_code == 1
    assert f"{path}:11:13: error: card 'b': source excerpt not found in {doc}" in output
    assert f"{path}:12:5: warning: card 'c': has no 'source' excerpt" in output
    assert "card 'a'" not in output


def test_lock_out_of_date_is_a_warning_in_check_and_an_error_for_build_locked(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, topics={"t.yaml": TOPIC_YAML})
    stale = (
        f"{cards / 'deckgen.lock'}: warning: lock file is out of date with the cards (3 new, 0 changed, 0 removed); "
        "run 'deckgen build' and commit the lock file"
    )
    result = run("check", cards)
    assert result.exit_code == 0  # editing goes on; pre-commit does not block it
    assert stale in result.output.splitlines()
    assert run("check", cards, "--strict").exit_code == 1
    locked = run("build", cards, "--locked")
    assert locked.exit_code == 1
    assert stale.replace(": warning: ", ": error: ") in locked.output.splitlines()
    run("build", cards)
    assert run("check", cards, "--strict").exit_code == 0


def test_loader_errors_are_reported_by_check(tmp_path: Path) -> None:
    exit_code, output, path = checked(tmp_path, topic("  - id: a\n    frnt: Q\n    back: A\n"))
    assert exit_code == 1
    assert f"{path}:5:5: error: card 'a': unknown key 'frnt' (did you mean 'front'?)" in output


def test_github_and_json_formats(tmp_path: Path) -> None:
    exit_code, output, path = checked(
        tmp_path, topic('  - id: a\n    cloze: "{{c1::x}} {{c3::y}}"\n'), "--format", "github"
    )
    assert exit_code == 1
    assert (
        output.splitlines()[0]
        == f"::error file={path},line=5,col=12::card 'a': cloze numbers skip c2; number deletions c1, c2, ... without gaps"
    )
    result = run("check", tmp_path / "cards", "--format", "json")
    data = json.loads(result.output)
    assert data["errors"] == 1 and data["cards"] == 1
    assert data["problems"][0] == {
        "path": str(path),
        "line": 5,
        "col": 12,
        "severity": "error",
        "context": "card 'a'",
        "message": "cloze numbers skip c2; number deletions c1, c2, ... without gaps",
        "rule": "cloze",
    }


def test_unknown_source_document_is_a_usage_error(tmp_path: Path) -> None:
    cards = write_deck(tmp_path)
    result = run("check", cards, "--source", tmp_path / "nope.txt")
    assert result.exit_code == 2
    assert result.output == f"deckgen: error: source document '{tmp_path / 'nope.txt'}' does not exist\n"


def _strip_with_parse(text: str) -> str:
    from deckgen.notetypes import cloze

    deletions, _ = cloze.parse(text)
    out, last = [], 0
    for d in deletions:
        out += [text[last : d.offset], d.answer]
        last = d.end
    return "".join(out) + text[last:]


@given(
    st.lists(
        st.sampled_from(
            [
                "{{c1::",
                "{{c2::",
                "{{c501::",
                "{{c007::",
                "{{c0::",
                "{{c",
                "}}",
                "}",
                "{",
                "::",
                ":",
                "a",
                " ",
                "{{C1::",
                "x}}y",
            ]
        ),
        max_size=20,
    ).map("".join)
)
@example("{{c1::a::b::c}} {{c9999::x}}")
def test_the_duplicate_rule_reads_clozes_as_cloze_parse(text: str) -> None:
    from deckgen.compile.lint import _without_cloze_markup

    assert _without_cloze_markup(text) == _strip_with_parse(text)
