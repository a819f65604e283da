"""The pull-request workflow that ``deckgen init`` writes: valid, hardened like the project's own, and every one of
its run: steps working in a repository of several decks (replayed in real throwaway git repositories)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from deckgen import __version__
from tests.conftest import REPO, AnkiCollection
from tests.scaffold.test_scaffold import deckgen, describe, env

Git = Callable[..., str]
VALIDATOR = REPO / ".ci-tools" / "node_modules" / ".bin" / "action-validator"


def test_the_scaffolds_workflow_passes_the_validator_and_is_hardened(tmp_path: Path) -> None:
    if not VALIDATOR.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    deckgen(tmp_path, "init", "--name", "Hardened")
    path = tmp_path / ".github/workflows/deck.yml"
    proc = subprocess.run([str(VALIDATOR), str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["review"]["steps"]
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    checkout = next(s for s in steps if "actions/checkout@" in s.get("uses", ""))
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["persist-credentials"] is False
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["run"] == 'python -I -m pip install "$DECKGEN"'  # the pinned release, nothing from the pull request
    comment = next(s for s in steps if "gh api" in s.get("run", ""))["run"]
    assert 'select(.user.login == \\"github-actions[bot]\\" and (.body | startswith(\\"$MARKER\\")))' in comment
    env = workflow["jobs"]["review"]["env"]  # git refuses a bare repository the pull request commits, in every step
    assert (env["GIT_CONFIG_COUNT"], env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_VALUE_0"]) == (
        "1",
        "safe.bareRepository",
        "explicit",
    )


def replay_workflow(repo: Path, tmp_path: Path) -> list[str]:
    """Run the workflow's own run: scripts in a pull-request checkout, as its job would (installing deckgen is this
    suite's own setup, and posting the comment needs GitHub). Returns the names of the steps that ran."""
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["review"]
    step_env = {**env(), **job["env"], "BASE_REF": "origin/main", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    step_env["DECKGEN"] = (
        f"deckgen-anki[preview]=={__version__}"  # what the maintainer sets (init ran from a local install)
    )
    ran = []
    for step in job["steps"]:
        script = step.get("run")
        if not script or "pip install" in script or "gh api" in script:
            continue
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=repo, capture_output=True, text=True, env=step_env)
        assert proc.returncode == 0, f"step {step.get('name')!r} failed:\n{proc.stdout}\n{proc.stderr}"
        ran.append(step["name"])
    return ran


def test_several_decks_in_one_repository(tmp_path: Path, git_repo: Git, anki: AnkiCollection) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "decks/a", "--name", "Deck A")
    describe(repo / "decks/a/cards")
    deckgen(repo, "build", "decks/a/cards")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "deck a")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    git_repo("checkout", "-qb", "deck-b")

    proc = deckgen(repo, "init", "decks/b", "--name", "Deck B")
    describe(repo / "decks/b/cards")
    assert proc.stdout.splitlines()[1:] == [
        "  wrote decks/b/cards/deck.yaml",
        "  wrote decks/b/cards/getting-started.yaml",
        "  wrote decks/b/README.md",
        "  wrote decks/b/schemas/deck.schema.json",
        "  wrote decks/b/schemas/topic.schema.json",
        "  wrote .pre-commit-config.yaml",
        "  kept  .gitignore (shared by every deck of the repository)",
        "  kept  .github/workflows/deck.yml (shared by every deck of the repository)",
        f"to do: set DECKGEN in .github/workflows/deck.yml before pull requests can be checked on GitHub: deckgen was "
        f"installed from {REPO}, which GitHub cannot reach (the file's first comment says how)",
        "next:",
        "  deckgen build decks/b/cards            # the package, and the lock file to commit",
        "  deckgen check --strict decks/b/cards   # what pull requests and the pre-commit hook run",
        "  pre-commit install             # once: every commit runs the check (pip install pre-commit)",
        "  git add -A && git commit -m 'New deck'",
    ]
    topic = repo / "decks/a/cards/getting-started.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace("at growing intervals", "at ever longer intervals"), encoding="utf-8"
    )
    assert deckgen(repo, "build", "decks/a/cards").stdout.startswith(
        "built decks/a/output/deck-a.apkg: 3 notes, 5 cards, 1 topics (0 new, 1 changed"
    )
    assert deckgen(repo, "build", "decks/b/cards").stdout.startswith(
        "built decks/b/output/deck-b.apkg: 3 notes, 5 cards, 1 topics (3 new"
    )
    for deck in ("a", "b"):  # separate keys, locks and outputs
        lock = json.loads((repo / f"decks/{deck}/cards/deckgen.lock").read_text(encoding="utf-8"))
        assert lock["deck"]["key"] == f"deck-{deck}"
        assert (
            deckgen(repo, "check", "--strict", f"decks/{deck}/cards").stdout
            == "checked 3 cards in 1 topics: 0 error(s), 0 warning(s)\n"
        )
    diff_a = deckgen(repo, "diff", "main", "--cards", "decks/a/cards").stdout
    assert "**0 added, 1 changed, 0 removed" in diff_a
    assert deckgen(repo, "diff", "main", "--cards", "decks/b/cards", check=False).returncode == 2  # not at main yet

    # the pre-commit configuration checks both decks
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = config["repos"][0]["hooks"]
    assert [(h["args"], h["files"]) for h in hooks] == [
        (["--strict", "decks/a/cards"], "^decks/a/cards/"),
        (["--strict", "decks/b/cards"], "^decks/b/cards/"),
    ]
    (definition,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        command = [*definition["entry"].split(), *hook["args"]]
        assert subprocess.run(command, cwd=repo, capture_output=True, env=env()).returncode == 0

    git_repo("add", "-A")
    git_repo("commit", "-qm", "deck b, and an edit in deck a")
    assert replay_workflow(repo, tmp_path) == [
        "DECKGEN must name a deckgen this runner can install",  # set by the replay, as the maintainer would
        "Find the decks",
        "Diff against the base branch",
        "Job summary",
        "Check the cards",
        "Build (the committed lock must be current)",
        "Preview",
    ]
    assert (repo / "decks.txt").read_text(encoding="utf-8") == "decks/a/cards\ndecks/b/cards\n"
    report = (repo / "deck-diff.md").read_text(encoding="utf-8")
    assert report.startswith("### Deck `decks/a/cards`\n\n## Deck changes: `origin/main` (")
    assert "**0 added, 1 changed, 0 removed" in report
    assert report.endswith(
        "### Deck `decks/b/cards`\n\nNew deck `decks/b/cards` (not in the base branch): see the "
        "check, the build and the preview.\n"
    )
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == report
    assert (repo / "comment.md").read_text(encoding="utf-8") == "<!-- deckgen-diff -->\n" + report
    for deck in ("a", "b"):
        assert (repo / f"decks/{deck}/output/deck-{deck}.apkg").is_file()
        assert (repo / f"decks/{deck}/preview/index.html").is_file()

    for deck in ("a", "b"):  # both decks side by side in one collection
        assert len(anki.import_package(repo / f"decks/{deck}/output/deck-{deck}.apkg").conflicting) == 0
    assert anki.col.note_count() == 6
    assert len(anki.col.find_cards('"deck:Deck A"')) == 5 and len(anki.col.find_cards('"deck:Deck B"')) == 5


def test_the_workflow_reports_a_broken_deck_and_cuts_a_huge_comment(tmp_path: Path, git_repo: Git) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "--name", "Big")
    describe(repo / "cards")
    deckgen(repo, "build")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    cards = "".join(
        f"  - id: card-{i}\n    front: Question {i} {'lorem ipsum ' * 20}\n    back: Answer {i}\n" for i in range(400)
    )
    (repo / "cards/more.yaml").write_text(f"topic: more\ntitle: More\ncards:\n{cards}", encoding="utf-8")
    deckgen(repo, "build")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "400 cards")
    replay_workflow(repo, tmp_path)
    report = (repo / "deck-diff.md").read_text(encoding="utf-8")
    comment = (repo / "comment.md").read_text(encoding="utf-8")
    assert len(report.encode()) > 60_000
    assert len(comment.encode()) < 60_100
    assert comment.endswith("\n\n**… truncated: see the job summary.**\n")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == report

    (repo / "cards/more.yaml").write_text(
        "topic: more\ntitle: More\ncards:\n  - id: x\n    frnt: Q\n", encoding="utf-8"
    )
    git_repo("commit", "-qam", "a broken card")
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    diff_step = next(s for s in workflow["jobs"]["review"]["steps"] if s.get("name") == "Diff against the base branch")
    step_env = {**env(), "BASE_REF": "origin/main", "MARKER": "<!-- deckgen-diff -->"}
    proc = subprocess.run(
        ["bash", "-e", "-c", diff_step["run"]], cwd=repo, capture_output=True, text=True, env=step_env
    )
    assert proc.returncode == 0, proc.stderr  # reported, not failed: the check step fails instead
    report = (repo / "deck-diff.md").read_text(encoding="utf-8")
    assert report.startswith("**deckgen could not read the deck `cards` at one of the revisions**")
    assert "cards/more.yaml:5:5: error: card 'x': unknown key 'frnt' (did you mean 'front'?)" in report
    check = subprocess.run(["deckgen", "check", "--format", "github", "--strict", "--", "cards"], cwd=repo, env=env())
    assert check.returncode == 1


def test_a_deck_folder_name_cannot_forge_a_log_command(tmp_path: Path, git_repo: Git) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "--name", "Deck")
    describe(repo / "cards")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    hostile = repo / "::warning::forged" / "cards"
    hostile.mkdir(parents=True)
    (hostile / "deck.yaml").write_text("key: x\n", encoding="utf-8")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "a hostile folder name")
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    find = next(s for s in workflow["jobs"]["review"]["steps"] if s.get("name") == "Find the decks")
    proc = subprocess.run(
        ["bash", "-e", "-c", find["run"]],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**env(), "BASE_REF": "origin/main"},
    )
    assert proc.returncode == 1
    assert (proc.stdout, proc.stderr) == (
        "",
        "::error::1 deck folder(s) have names with characters other than letters, "
        "digits, '.', '_', '-', ' ' and '/'; rename them\n",
    )


def test_links_where_the_job_writes_are_removed_and_github_changes_are_flagged(tmp_path: Path, git_repo: Git) -> None:
    """Hostile review #11/#12 for the scaffold's workflow: committed links named like the job's files or like a
    deck's output/ and preview/ are never written through; changes under .github/ head the comment (as a count)."""
    repo = tmp_path / "repo"
    deckgen(repo, "init", "--name", "Linked")
    describe(repo / "cards")
    deckgen(repo, "build")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    outside = tmp_path / "outside"
    (outside / "site").mkdir(parents=True)
    (outside / "victim.txt").write_text("mine\n", encoding="utf-8")
    for name in ("comment.md", "decks.txt"):
        os.symlink(outside / "victim.txt", repo / name)
    os.symlink(outside / "site", repo / "preview")
    (repo / ".github" / "workflows" / "`x`.yml").write_text("name: x\n", encoding="utf-8")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "links")
    replay_workflow(repo, tmp_path)
    assert (outside / "victim.txt").read_text(encoding="utf-8") == "mine\n"
    assert list((outside / "site").iterdir()) == []
    assert (repo / "preview" / "index.html").is_file() and not (repo / "preview").is_symlink()
    comment = (repo / "comment.md").read_text(encoding="utf-8")
    assert comment.startswith("<!-- deckgen-diff -->\n**⚠️ This pull request changes 1 file(s) under `.github/`**")
    assert "`x`" not in comment
