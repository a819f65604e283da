"""Runs the `run:` steps of .github/workflows/deck.yml the way GitHub Actions would, against a throwaway repository.

Each step's shell runs with `bash --noprofile --norc -eo pipefail` (GitHub's default), the job's and the step's
`env:` (with the `${{ ... }}` expressions this workflow uses filled in), GITHUB_* variables, and `if:` and
`continue-on-error:` honoured. Steps that `uses:` an action are not run: the repository is prepared as
actions/checkout leaves it.

Two programs are replaced on PATH, and only because they talk to the outside world: `gh` (records every call
and the body it would post; answers the comment listing from a canned list, filtered by the real `jq`), and
`python -m pip` (records what it is asked to install and makes `deckgen` run *that* source tree, as pip
would; any other `python` call runs the real interpreter). Everything else (git, deckgen, bash) is real.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "deck.yml"

FAKE_PYTHON = """#!/bin/sh
# pip is replaced (no network, no install into the test's environment); every other use is the real python
for arg in "$@"; do
  if [ "$prev" = "-m" ] && [ "$arg" = "pip" ]; then exec "$REAL_PYTHON" "$FAKE_BIN/fake_pip.py" "$@"; fi
  prev="$arg"
done
exec "$REAL_PYTHON" "$@"
"""

FAKE_PIP = r"""
import json, os, re, sys
from pathlib import Path

args = sys.argv[1:]
target = args[-1]
source = Path(re.sub(r"\[[^\]]*\]$", "", target))
with open(os.environ["FAKE_PIP_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"args": args, "source": str(source)}) + "\n")
if not (source / "pyproject.toml").is_file():
    sys.exit(f"fake pip: {source} is not a project")
shim = Path(os.environ["FAKE_BIN"]) / "deckgen"
# like a console script: the installed package first, never the current directory (-P)
shim.write_text(
    "#!/bin/sh\n"
    f'exec "$REAL_PYTHON" -P -c \'import sys; sys.path.insert(0, "{source / "src"}"); sys.argv[0] = "deckgen"; '
    'from deckgen.cli import main; main()\' "$@"\n', encoding="utf-8")
shim.chmod(0o755)
"""

FAKE_GH = r"""
import json, os, subprocess, sys
from pathlib import Path

args = sys.argv[1:]
record = {"args": args, "token": os.environ.get("GH_TOKEN", "")}
for i, arg in enumerate(args):
    if arg == "-F" and args[i + 1].startswith("body=@"):
        record["body"] = Path(args[i + 1][len("body=@"):]).read_text(encoding="utf-8")
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\n")
if "--jq" in args:
    comments = Path(os.environ["FAKE_GH_COMMENTS"]).read_text(encoding="utf-8")
    sys.exit(subprocess.run(["jq", "-r", args[args.index("--jq") + 1]], input=comments, text=True).returncode)
print("{}")
"""


@dataclass
class StepResult:
    name: str
    returncode: int | None  # None: skipped
    stdout: str = ""
    stderr: str = ""


@dataclass
class Run:
    steps: list[StepResult]
    gh_calls: list[dict[str, Any]] = field(default_factory=list)
    pip_calls: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""

    def step(self, prefix: str) -> StepResult:
        return next(s for s in self.steps if s.name.startswith(prefix))


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _expand(value: str, context: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        expression = m.group(1).strip()
        if expression not in context:
            raise KeyError(f"the workflow uses ${{{{ {expression} }}}}, which this runner does not know")
        return context[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


def _runs(step: dict[str, Any], failed: bool) -> bool:
    condition = str(step.get("if", "success()")).replace("${{", "").replace("}}", "").strip()
    if condition == "!cancelled()":
        return True
    if condition == "success()":
        return not failed
    raise ValueError(f"unknown condition {condition!r}")


def run_workflow(
    repo: Path,
    work: Path,
    *,
    base_sha: str,
    base_ref: str = "main",
    pr: int = 7,
    comments: list[dict[str, Any]] | None = None,
) -> Run:
    """Run every `run:` step in ``repo`` (a checkout of the pull request's head). ``work`` holds the runner's
    temporary folder, HOME, TMPDIR and the fakes."""
    fake_bin, runner_temp, home, tmp = work / "fakebin", work / "runner-temp", work / "home", work / "tmp"
    for folder in (fake_bin, runner_temp, home, tmp):
        folder.mkdir(parents=True, exist_ok=True)
    (fake_bin / "python").write_text(FAKE_PYTHON, encoding="utf-8")
    (fake_bin / "fake_pip.py").write_text(FAKE_PIP, encoding="utf-8")
    (fake_bin / "gh").write_text(f"#!{sys.executable}\n{FAKE_GH}", encoding="utf-8")
    for name in ("python", "gh"):
        (fake_bin / name).chmod(0o755)
    (work / "comments.json").write_text(json.dumps(comments or []), encoding="utf-8")
    summary = work / "step-summary.md"
    summary.touch()
    venv_bin = str(Path(sys.executable).parent)  # deckgen must come from the install step, not from this test suite
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    env = {
        "PATH": f"{fake_bin}{os.pathsep}{path}",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": base_ref,
        "GITHUB_REPOSITORY": "owner/deck",
        "REAL_PYTHON": sys.executable,
        "FAKE_BIN": str(fake_bin),
        "FAKE_PIP_LOG": str(work / "pip.jsonl"),
        "FAKE_GH_LOG": str(work / "gh.jsonl"),
        "FAKE_GH_COMMENTS": str(work / "comments.json"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    context = {
        "github.base_ref": base_ref,
        "github.event.pull_request.base.sha": base_sha,
        "github.event.pull_request.number": str(pr),
        "github.repository": "owner/deck",
        "github.token": "ghs_FAKE_TOKEN",
    }
    job = workflow()["jobs"]["review"]
    env.update({k: _expand(str(v), context) for k, v in job.get("env", {}).items()})
    results: list[StepResult] = []
    failed = False
    for step in job["steps"]:
        name = step.get("name") or step.get("uses", "")
        if "run" not in step:
            results.append(StepResult(name, None))
            continue
        if not _runs(step, failed):
            results.append(StepResult(name, None))
            continue
        step_env = {**env, **{k: _expand(str(v), context) for k, v in step.get("env", {}).items()}}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        results.append(StepResult(name, proc.returncode, proc.stdout, proc.stderr))
        if proc.returncode != 0 and not step.get("continue-on-error"):
            failed = True

    def log(name: str) -> list[dict[str, Any]]:
        path = work / name
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    return Run(results, log("gh.jsonl"), log("pip.jsonl"), summary.read_text(encoding="utf-8"))


def copy_deckgen(dest: Path) -> None:
    """This checkout's deckgen (source and project files) into ``dest``, as a deck repository that ships it."""
    root = WORKFLOW.parent.parent.parent
    shutil.copytree(root / "src" / "deckgen", dest / "src" / "deckgen", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, dest / name)
