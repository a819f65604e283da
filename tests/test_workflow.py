"""The pull-request workflow and the pre-commit hook: valid, and every deckgen step they run works."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, write_deck

WORKFLOW = REPO / ".github" / "workflows" / "deck.yml"
VALIDATOR = REPO / ".ci-tools" / "node_modules" / ".bin" / "action-validator"


def workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def steps() -> list[dict[str, Any]]:
    return list(workflow()["jobs"]["review"]["steps"])


def test_workflow_passes_the_schema_validator() -> None:
    if not VALIDATOR.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    proc = subprocess.run([str(VALIDATOR), str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_validator_rejects_a_broken_workflow(tmp_path: Path) -> None:
    if not VALIDATOR.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "run-on:"), encoding="utf-8")
    assert subprocess.run([str(VALIDATOR), str(broken)], capture_output=True).returncode != 0


def test_workflow_shape() -> None:
    wf = workflow()
    assert "pull_request" in wf[True]  # PyYAML reads the key `on` as True
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write"}
    runs = "\n".join(step.get("run", "") for step in steps())
    assert 'deckgen diff "$BASE_REF" > deck-diff.md' in runs
    assert "deckgen check --format github --strict" in runs
    assert "deckgen build --locked" in runs
    assert "deckgen preview -o preview" in runs
    checkout = next(s for s in steps() if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base branch must be there for the diff
    comment = next(s for s in steps() if "gh api" in s.get("run", ""))
    assert "<!-- deckgen-diff -->" in comment["run"] and "-X PATCH" in comment["run"]  # one comment, updated
    upload = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "output/*.apkg" in upload["with"]["path"] and "preview/" in upload["with"]["path"]


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def test_every_deckgen_step_runs_in_a_pull_request_checkout(tmp_path: Path) -> None:
    """Replay the workflow's own `run:` scripts in a throwaway repository: base branch, then a change."""
    repo = tmp_path / "repo"
    cards = write_deck(repo)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GITHUB_ACTIONS", None)
    subprocess.run(["deckgen", "build"], cwd=repo, check=True, capture_output=True, env=env)
    (repo / ".gitignore").write_text("output/\npreview/\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    git(repo, "checkout", "-qb", "change")
    topic = cards / "safety.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::fever}} (about 80%)"), encoding="utf-8")
    subprocess.run(["deckgen", "build"], cwd=repo, check=True, capture_output=True, env=env)
    git(repo, "commit", "-qam", "edit a card")

    summary = tmp_path / "summary.md"
    step_env = {**env, "BASE_REF": "origin/main", "GITHUB_STEP_SUMMARY": str(summary)}
    ran = []
    for step in steps():
        script = step.get("run")
        if not script or "pip install" in script or "gh api" in script:
            continue  # installing is this suite's own setup; posting needs GitHub
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=repo, capture_output=True, text=True, env=step_env)
        assert proc.returncode == 0, f"step {step.get('name')!r} failed:\n{proc.stdout}\n{proc.stderr}"
        ran.append(step.get("name"))
    assert len(ran) == 5
    diff = (repo / "deck-diff.md").read_text(encoding="utf-8")
    assert "**0 added, 1 changed, 0 removed" in diff
    assert summary.read_text(encoding="utf-8") == diff
    assert (repo / "output" / "fixture-deck.apkg").is_file()
    assert (repo / "preview" / "index.html").is_file()


def test_pre_commit_hook_definition_and_entry(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "deckgen-check" and hook["language"] == "python" and hook["pass_filenames"] is False
    cards = write_deck(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["deckgen", "build"], cwd=tmp_path, check=True, capture_output=True, env=env)
    command = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, env=env).returncode == 0
    (cards / "safety.yaml").write_text("topic: safety\ntitle: S\ncards:\n  - id: x\n    frnt: Q\n", encoding="utf-8")
    proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert "unknown key 'frnt' (did you mean 'front'?)" in proc.stdout
