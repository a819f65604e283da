"""The pull-request workflow and the pre-commit hook: valid, and every deckgen step they run works."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, write_deck
from tests.workflow_runner import copy_deckgen, run_workflow

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
    assert "pull_request_target" not in wf[True]  # never run a pull request's content with the base's secrets
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write"}
    runs = "\n".join(step.get("run", "") for step in steps())
    assert 'deckgen diff "$BASE_REF" HEAD > deck-diff.md' in runs
    assert "deckgen check --format github --strict" in runs
    assert "deckgen build --locked" in runs
    assert "deckgen preview -o preview" in runs
    checkout = next(s for s in steps() if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base branch must be there for the diff
    upload = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "output/*.apkg" in upload["with"]["path"] and "preview/" in upload["with"]["path"]


def test_the_token_is_not_left_in_the_checkout() -> None:
    checkout = next(s for s in steps() if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False


def test_deckgen_is_installed_from_the_base_commit_never_from_the_pull_request() -> None:
    install = next(s for s in steps() if "pip install" in s.get("run", ""))
    assert workflow()["jobs"]["review"]["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert install["run"].splitlines() == [
        'git worktree add --detach "$RUNNER_TEMP/deckgen-base" "$BASE_SHA"',
        'python -I -m pip install "$RUNNER_TEMP/deckgen-base[preview]"',
    ]
    runs = "\n".join(step.get("run", "") for step in steps())
    assert "pip install -e" not in runs and "pip install ." not in runs


def test_python_never_imports_from_the_pull_request() -> None:
    """`python -m pip` and `python -` put the current folder (the pull request) first on sys.path; -I does not."""
    for step in steps():
        for line in step.get("run", "").splitlines():
            if re.match(r"\s*python\b", line):
                assert re.match(r"\s*python -I\b", line), line


def test_git_refuses_bare_repositories_in_the_whole_job() -> None:
    env = workflow()["jobs"]["review"]["env"]
    assert (env["GIT_CONFIG_COUNT"], env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_VALUE_0"]) == (
        "1",
        "safe.bareRepository",
        "explicit",
    )


def test_only_the_bots_own_comment_is_updated() -> None:
    comment = next(s for s in steps() if "gh api" in s.get("run", ""))
    assert workflow()["jobs"]["review"]["env"]["MARKER"] == "<!-- deckgen-diff -->"
    assert 'select(.user.login == \\"github-actions[bot]\\" and (.body | startswith(\\"$MARKER\\")))' in comment["run"]
    assert "-X PATCH" in comment["run"]  # one comment, updated


def test_a_cut_comment_says_so() -> None:
    diff = next(s for s in steps() if "deckgen diff" in s.get("run", ""))
    assert 'cut(report, 60_000, "see the job summary")' in diff["run"]
    assert 'f"\\n\\n**… truncated: {where}.**\\n"' in diff["run"]


def test_third_party_actions_are_pinned_by_commit() -> None:
    uses = [s["uses"] for s in steps() if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    text = WORKFLOW.read_text(encoding="utf-8")
    for ref, tag in [
        ("actions/checkout@11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"),
        ("actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
        ("actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    ]:
        assert f"{ref} # {tag}" in text


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return (
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env, input=input)
        .stdout.decode()
        .strip()
    )


def deckgen_here(repo: Path, *args: str) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("GITHUB_ACTIONS", None)
    subprocess.run([sys.executable, "-m", "deckgen", *args], cwd=repo, check=True, capture_output=True, env=env)


def base_repository(tmp_path: Path) -> tuple[Path, str]:
    """A deck repository that ships deckgen (like this one), its deck built and committed on 'main'."""
    repo = tmp_path / "repo"
    write_deck(repo)
    copy_deckgen(repo)
    deckgen_here(repo, "build")
    (repo / ".gitignore").write_text("/output/\n/preview/\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    git(repo, "checkout", "-qb", "change")
    return repo, git(repo, "rev-parse", "HEAD")


def test_every_step_runs_in_a_pull_request_checkout(tmp_path: Path) -> None:
    """Replay the workflow's own `run:` scripts in a throwaway repository: base branch, then a change."""
    repo, base = base_repository(tmp_path)
    topic = repo / "cards" / "safety.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::fever}} (about 80%)"), encoding="utf-8"
    )
    deckgen_here(repo, "build")
    git(repo, "commit", "-qam", "edit a card")

    run = run_workflow(repo, tmp_path / "work", base_sha=base)
    assert [s.returncode for s in run.steps] == [None, None, 0, 0, 0, 0, 0, 0, 0, None], run.steps
    assert run.pip_calls == [
        {
            "args": ["-I", "-m", "pip", "install", f"{tmp_path}/work/runner-temp/deckgen-base[preview]"],
            "source": f"{tmp_path}/work/runner-temp/deckgen-base",
        }
    ]
    diff = (repo / "deck-diff.md").read_text(encoding="utf-8")
    assert "**0 added, 1 changed, 0 removed" in diff
    assert run.summary == diff
    (listing, post) = run.gh_calls
    assert listing["args"][:2] == ["api", "repos/owner/deck/issues/7/comments"] and listing["token"] == "ghs_FAKE_TOKEN"
    assert post["args"][:2] == ["api", "repos/owner/deck/issues/7/comments"]  # no comment yet: a new one
    assert post["body"] == f"<!-- deckgen-diff -->\n{diff}"
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


def test_a_pull_request_touching_github_is_flagged_and_committed_links_are_not_written_through(tmp_path: Path) -> None:
    """Hostile review #11/#12: the comment flags changes under .github/ (without echoing the pull request's file
    names), and links committed where the job writes (deck-diff.md, comment.md, preview/) are removed first."""
    repo, base = base_repository(tmp_path)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "`evil`.yml").write_text("name: x\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("mine\n", encoding="utf-8")
    (outside / "site").mkdir()
    os.symlink(outside / "victim.txt", repo / "deck-diff.md")
    os.symlink(outside / "victim.txt", repo / "comment.md")
    os.symlink(outside / "site", repo / "preview")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links and a workflow")

    run = run_workflow(repo, tmp_path / "work", base_sha=base)
    assert [s.returncode for s in run.steps] == [None, None, 0, 0, 0, 0, 0, 0, 0, None], run.steps
    assert (outside / "victim.txt").read_text(encoding="utf-8") == "mine\n"
    assert list((outside / "site").iterdir()) == []
    assert (repo / "preview" / "index.html").is_file() and not (repo / "preview").is_symlink()
    (_, post) = run.gh_calls
    assert post["body"].startswith(
        "<!-- deckgen-diff -->\n**⚠️ This pull request changes 1 file(s) under `.github/`**: workflows run with this "
        "repository's token, and this very check runs the pull request's own version of this workflow (which could "
        "leave out this warning). Review those files first; a CODEOWNERS rule for `/.github/` makes that review "
        "required.\n\nNo deck changes"
    )
    assert "evil" not in post["body"]
