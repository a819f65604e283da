"""`deckgen diff` shows lock changes that no card change explains, with a warning (real git repositories)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run, write_deck

Git = Callable[..., str]
ENV = {"SOURCE_DATE_EPOCH": "1700000000"}
FEVER = '"crs-fever": {"hash": "b8040cfbd77e7a6ed253", "kind": "cloze", "mod": 1700000000}'
LOCK_WARNING = (
    "`deckgen build` writes the lock, and after a deckgen upgrade it may ship cards again; a hand edit can "
    "instead stop updates from reaching learners or bring back a removed id. Check that the lock came from "
    "`deckgen build`."
)


@pytest.fixture
def repo(git_repo: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write_deck(root)
    (root / ".gitignore").write_text("output/\n", encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run("build", "cards", env=ENV).exit_code == 0
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    return root


def edit_lock(repo: Path, git: Git, old: str, new: str) -> str:
    lock = repo / "cards" / "deckgen.lock"
    text = lock.read_text(encoding="utf-8")
    assert old in text
    lock.write_text(text.replace(old, new, 1), encoding="utf-8")
    git("commit", "-qam", "lock edit")
    return git("rev-parse", "--short=7", "HEAD").strip()


def diff(*args: str) -> str:
    result = run("diff", *args, env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_mod_edited_by_hand(repo: Path, git_repo: Git) -> None:
    base = git_repo("rev-parse", "--short=7", "HEAD").strip()
    head = edit_lock(repo, git_repo, FEVER, FEVER.replace("1700000000", "1700000005"))
    assert diff("HEAD~1", "HEAD") == (
        f"## Deck changes: `HEAD~1` ({base}) → `HEAD` ({head})\n"
        "\n"
        "**0 added, 0 changed, 0 removed**\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        f"- **Lock file changed without a card change** `cards/crs-fever`: {LOCK_WARNING}\n"
        "\n"
        "### Lock file\n"
        "\n"
        "- `cards/crs-fever` mod: `1700000000` → `1700000005`\n"
    )


def test_a_far_future_mod(repo: Path, git_repo: Git) -> None:
    edit_lock(repo, git_repo, FEVER, FEVER.replace("1700000000", "2100000000"))
    out = diff("HEAD~1", "HEAD")
    assert (
        "- **Lock file mod in the future** `cards/crs-fever`: more than a day after now. Learners who import such a "
        "package never receive a later update of those notes; `deckgen build` refuses it. Restore the lock file from "
        "the base branch and run `deckgen build`.\n"
    ) in out
    assert "- `cards/crs-fever` mod: `1700000000` → `2100000000`\n" in out


def test_a_mod_that_goes_backwards_with_a_card_change(repo: Path, git_repo: Git) -> None:
    safety = repo / "cards" / "safety.yaml"
    safety.write_text(safety.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::a fever}}"), encoding="utf-8")
    assert run("build", "cards", env={"SOURCE_DATE_EPOCH": "1700000100"}).exit_code == 0
    lock = repo / "cards" / "deckgen.lock"
    text = lock.read_text(encoding="utf-8")
    lock.write_text(text.replace('"mod": 1700000100}', '"mod": 1600000000}'), encoding="utf-8")
    git_repo("commit", "-qam", "edit with an old mod")
    out = diff("HEAD~1", "HEAD")
    assert (
        "- **Lock file mod went backwards** `cards/crs-fever`: Anki applies an update only when its mod is newer than "
        "the learner's, so these changes would never arrive."
    ) in out
    assert "Lock file changed without a card change" not in out  # the card did change


def test_removed_entries_dropped_kinds_changed_and_created_moved(repo: Path, git_repo: Git) -> None:
    lock = repo / "cards" / "deckgen.lock"
    text = lock.read_text(encoding="utf-8")
    text = text.replace(
        '"removed": {}', '"removed": {\n    "old-card": {"hash": "aa", "kind": "qa", "mod": 1600000000}\n  }'
    )
    lock.write_text(text, encoding="utf-8")
    git_repo("commit", "-qam", "an earlier removal")
    text = text.replace('\n    "old-card": {"hash": "aa", "kind": "qa", "mod": 1600000000}\n  ', "")
    text = text.replace('"kind": "cloze", "mod": 1700000000}', '"kind": "qa", "mod": 1700000000}', 1)
    text = text.replace('"created": 1700000000', '"created": 1690000000')
    lock.write_text(text, encoding="utf-8")
    git_repo("commit", "-qam", "lock edits")
    out = diff("HEAD~1", "HEAD")
    assert "- **Lock file changed without a card change** `created`, `cards/crs-fever`, `removed/old-card`: " in out
    assert (
        "### Lock file\n\n- `created` created: `1700000000` → `1690000000`\n- `cards/crs-fever` kind: `cloze` → `qa`\n"
        "- `removed/old-card` entry: `present` → (none)\n"
    ) in out
    document = json.loads(run("diff", "HEAD~1", "HEAD", "--format", "json", env=ENV).stdout)
    assert document["lock"]["changes"] == [
        {"section": "created", "key": None, "field": "created", "old": "1700000000", "new": "1690000000"},
        {"section": "cards", "key": "crs-fever", "field": "kind", "old": "cloze", "new": "qa"},
        {"section": "removed", "key": "old-card", "field": "entry", "old": "present", "new": None},
    ]
    assert [w["type"] for w in document["warnings"]] == ["lock"]


def test_lock_deleted(repo: Path, git_repo: Git) -> None:
    git_repo("rm", "-q", "cards/deckgen.lock")
    git_repo("commit", "-qm", "no lock")
    out = diff("HEAD~1", "HEAD")
    assert "- **Lock file changed without a card change** `file`: " in out
    assert "- `file` lock file: `present` → (none)\n" in out


def test_an_ordinary_edit_and_build_has_no_lock_warning(repo: Path, git_repo: Git) -> None:
    safety = repo / "cards" / "safety.yaml"
    safety.write_text(
        safety.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::a fever}}")
        + "  - id: new-card\n    front: Q\n    back: A\n",
        encoding="utf-8",
    )
    assert run("build", "cards", env={"SOURCE_DATE_EPOCH": "1700000100"}).exit_code == 0
    (repo / "cards" / "basics.yaml").write_text(
        (repo / "cards" / "basics.yaml").read_text(encoding="utf-8").split("  - id: two-cloze")[0], encoding="utf-8"
    )
    assert run("build", "cards", env={"SOURCE_DATE_EPOCH": "1700000200"}).exit_code == 0
    git_repo("commit", "-qam", "edit, add, remove")
    out = diff("HEAD~1", "HEAD")
    assert "**1 added, 1 changed, 1 removed**" in out
    assert "Lock file" not in out
