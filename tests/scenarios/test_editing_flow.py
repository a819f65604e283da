"""The editing flow in a real git repository: ids removed by an uncommitted build come back freely, and build,
check and diff count a renamed card the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run, write_deck

Git = Callable[..., str]


@pytest.fixture
def repo(git_repo: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write_deck(root)
    monkeypatch.chdir(root)
    assert run("build", "cards").exit_code == 0
    git_repo("add", "-A")
    git_repo("commit", "-q", "-m", "deck")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_id_removed_by_an_uncommitted_build_can_come_back(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    original = basics.read_text(encoding="utf-8")
    edit(
        basics,
        "  - id: bite-abbreviation\n    front: BiTE\n    back: bispecific T-cell engager\n    reverse: true\n",
        "",
    )
    assert "0 new, 0 changed, 1 removed" in run("build", "cards").output
    basics.write_text(original, encoding="utf-8")  # changed one's mind before committing
    result = run("build", "cards")
    assert result.exit_code == 0, result.output
    assert "(0 new, 0 changed, 0 removed)" in result.output
    assert git_repo("status", "--porcelain") == ""  # the lock is back to what was committed


def test_an_id_whose_removal_was_committed_stays_reserved(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    original = basics.read_text(encoding="utf-8")
    edit(
        basics,
        "  - id: bite-abbreviation\n    front: BiTE\n    back: bispecific T-cell engager\n    reverse: true\n",
        "",
    )
    run("build", "cards")
    git_repo("commit", "-q", "-am", "remove a card")
    basics.write_text(original, encoding="utf-8")
    result = run("build", "cards")
    assert result.exit_code == 1
    assert (
        "cards/basics.yaml:10:9: error: card 'bite-abbreviation': id 'bite-abbreviation' belonged to a card removed earlier "
        "(see 'removed' in cards/deckgen.lock); ids are never reused: pick a new id, or delete that entry to bring the "
        "old card back on purpose"
    ) in result.output.splitlines()


def test_build_check_and_diff_count_a_rename_the_same_way(repo: Path) -> None:
    edit(repo / "cards" / "basics.yaml", "id: two-cloze", "id: blinatumomab-targets")
    checked = run("check", "cards")
    assert (
        "cards/deckgen.lock: warning: lock file is out of date with the cards (0 new, 0 changed, 0 removed, 1 renamed); "
        "run 'deckgen build' and commit the lock file"
    ) in checked.output.splitlines()
    diffed = run("diff", "HEAD")
    assert "**0 added, 0 changed, 0 removed, 1 renamed** in 1 topic" in diffed.output
    built = run("build", "cards")
    assert built.exit_code == 0
    assert "(0 new, 0 changed, 0 removed, 1 renamed)" in built.output
    assert (
        "probable rename: 'two-cloze' -> 'blinatumomab-targets' (question 100% similar): a new id is a new note, so "
        "learners start it from scratch and keep the old one; keep the old id unless the card now asks something else"
    ) in built.output.splitlines()


def test_without_git_a_rename_is_a_new_and_a_removed_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    cards = write_deck(tmp_path)
    run("build", cards)
    edit(cards / "basics.yaml", "id: two-cloze", "id: blinatumomab-targets")
    assert "(1 new, 0 changed, 1 removed)" in run("build", cards).output


def test_a_card_added_then_renamed_in_two_commits_is_no_lock_alarm(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    basics.write_text(
        basics.read_text(encoding="utf-8") + "  - id: fresh\n    front: A brand new question?\n    back: Indeed\n",
        encoding="utf-8",
    )
    assert run("build", "cards").exit_code == 0
    git_repo("commit", "-q", "-am", "add a card")
    edit(basics, "id: fresh", "id: fresh-question")
    assert run("build", "cards").exit_code == 0
    git_repo("commit", "-q", "-am", "rename it")
    report = run("diff", "HEAD~2", "HEAD").output
    assert "Lock file" not in report and "**1 added, 0 changed, 0 removed**" in report, report
