"""Rename detection (``deckgen diff``) stays bounded on hostile input (finding #10), in a real throwaway repository."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from tests.conftest import cpu_seconds, run

Git = Callable[..., str]

DECK = "key: renames-deck\nname: Renames\ndescription: x\nsource:\n  title: y\n"


def topic(cards: list[tuple[str, str]]) -> str:
    lines = ["topic: t", "title: T", "cards:"]
    for card_id, front in cards:
        lines += [f"  - id: {card_id}", f'    front: "{front}"', "    back: x"]
    return "\n".join(lines) + "\n"


def write(root: Path, cards: list[tuple[str, str]]) -> None:
    (root / "cards").mkdir(parents=True, exist_ok=True)
    (root / "cards" / "deck.yaml").write_text(DECK, encoding="utf-8")
    (root / "cards" / "t.yaml").write_text(topic(cards), encoding="utf-8")


def commit(git: Git, message: str) -> None:
    git("add", "-A")
    git("commit", "-qm", message)


def hazards(*args: str) -> list[dict[str, object]]:
    result = run("diff", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["warnings"]
    assert isinstance(found, list)
    return found


def test_100_removed_by_3000_added_shuffled_questions_is_bounded(git_repo: Git, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Before: 661 s (every pair through difflib). Now the long comparison is skipped with a warning, and a card
    whose question did not change is still paired."""
    rng = random.Random(7)

    def prompt() -> str:
        return "".join(rng.choice("abcdefghij ") for _ in range(300)).strip()

    root = tmp_path / "repo"
    kept = "What does BiTE stand for?"
    write(root, [(f"old-{i}", prompt()) for i in range(100)] + [("kept-old", kept)])
    commit(git_repo, "base")
    write(root, [(f"new-{i}", prompt()) for i in range(3000)] + [("kept-new", kept)])
    commit(git_repo, "head")
    monkeypatch.chdir(root)
    started = cpu_seconds()  # this process and git's: another process on a loaded machine does not count
    found = hazards("HEAD~1", "HEAD")
    assert cpu_seconds() - started < 60
    assert {"type": "rename", "ids": ["kept-old", "kept-new"]}.items() <= found[0].items()
    skipped = [h for h in found if h["type"] == "rename-skipped"]
    assert [h["new"] for h in skipped] == [
        "the questions of 101 removed and 3,001 added cards are too long and too alike to compare (over 200,000,000 "
        "character pairs)"
    ]
    markdown = run("diff", "HEAD~1", "HEAD").stdout
    assert (
        "- **Rename detection skipped**: the questions of 101 removed and 3,001 added cards are too long and too "
        "alike to compare (over 200,000,000 character pairs). Cards whose question is unchanged are still paired; "
        "look for renamed cards among the added and removed ones yourself (a new id is a new note).\n"
    ) in markdown


def test_a_near_rename_is_still_found(git_repo: Git, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "repo"
    write(root, [("a", "Which receptor does blinatumomab bind on B cells?"), ("b", "What is CRS?")])
    commit(git_repo, "base")
    write(root, [("a2", "Which receptor does blinatumomab bind on B-cells?"), ("b", "What is CRS?")])
    commit(git_repo, "head")
    monkeypatch.chdir(root)
    found = hazards("HEAD~1", "HEAD")
    assert [(h["type"], h["ids"], h["similarity"]) for h in found] == [
        ("rename", ["a", "a2"], 0.98)
    ]  # 2 x 48 / 98 letters


def test_more_than_a_million_pairs_are_not_compared(git_repo: Git, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "repo"
    write(root, [(f"old-{i}", f"Question {i}?") for i in range(1001)])
    commit(git_repo, "base")
    write(root, [(f"new-{i}", f"Question {i}?") for i in range(999)] + [("other", "Something else?")])
    commit(git_repo, "head")
    monkeypatch.chdir(root)
    found = hazards("HEAD~1", "HEAD")
    assert [h["new"] for h in found if h["type"] == "rename-skipped"] == [
        "1,001 removed x 1,000 added cards are more than the 1,000,000 pairs deckgen compares"
    ]
    assert len([h for h in found if h["type"] == "rename"]) == 999  # the unchanged questions, still paired


def test_build_says_when_it_skipped_rename_detection(git_repo: Git, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "repo"
    write(root, [(f"old-{i}", f"Question {i}?") for i in range(1001)])
    monkeypatch.chdir(root)
    assert run("build", "cards").exit_code == 0
    commit(git_repo, "base")
    write(root, [(f"new-{i}", f"Question {i}?") for i in range(999)] + [("other", "Something else?")])
    result = run("build", "cards")
    assert result.exit_code == 0, result.output
    assert (
        "rename detection skipped: 1,001 removed x 1,000 added cards are more than the 1,000,000 pairs deckgen "
        "compares; cards whose question is unchanged are still paired, look for renamed cards among the new and "
        "removed ones yourself (a new id is a new note)\n"
    ) in result.stdout
    assert "(1 new, 0 changed, 2 removed, 999 renamed)" in result.stdout
