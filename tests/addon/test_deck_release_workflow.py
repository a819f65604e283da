"""The shipped deck's release workflow (.github/workflows/deck-release.yml): valid for GitHub, and its 'Write the
release' step, replayed in a throwaway clone at a deck tag, writes the package, both manifests and the add-on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "deck-release.yml"
VALIDATOR = REPO / ".ci-tools" / "node_modules" / ".bin" / "action-validator"


def workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def test_the_workflow_passes_the_schema_validator() -> None:
    if not VALIDATOR.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    proc = subprocess.run([str(VALIDATOR), str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_release_step_writes_every_asset(tmp_path: Path) -> None:
    wf = workflow()
    assert wf[True] == {"push": {"tags": ["deck-v[0-9]+.[0-9]+.[0-9]+"]}}
    step = next(s for s in wf["jobs"]["release"]["steps"] if s.get("name") == "Write the release")
    clone = tmp_path / "repo"
    shutil.copytree(REPO / "cards", clone / "cards")
    shutil.copytree(REPO / "scripts", clone / "scripts")
    shutil.copytree(REPO / "addon", clone / "addon", ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=clone, check=True)
    subprocess.run([*git, "add", "-A"], cwd=clone, check=True)
    subprocess.run([*git, "commit", "-qm", "deck"], cwd=clone, check=True)
    subprocess.run([*git, "tag", "deck-v1.0.0"], cwd=clone, check=True)
    topic = clone / "cards" / "mrd.yaml"  # an edit for the next release
    topic.write_text(
        topic.read_text(encoding="utf-8").replace('front: "MRD"', 'front: "MRD, spelled out"'), encoding="utf-8"
    )
    lock = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", "cards", "-o", str(tmp_path / "b.apkg")], cwd=clone
    )
    assert lock.returncode == 0
    subprocess.run([*git, "commit", "-qam", "edit"], cwd=clone, check=True)
    subprocess.run([*git, "tag", "deck-v1.1.0"], cwd=clone, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True).stdout.strip()
    # the step's own script, with deckgen already installed (this venv) instead of 'pip install .'
    script = step["run"].replace("python -I -m pip install .\n", "")
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "GITHUB_REF_NAME": "deck-v1.1.0", "GITHUB_SHA": sha, "PATH": f"{bindir}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=clone, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = sorted(p.name for p in (clone / "release").iterdir())
    assert names == [
        "blinatumomab-peds-ball.apkg",
        "blinatumomab-peds-ball.manifest.json",
        "deckgen.manifest.json",
        "deckgen_subscribe.ankiaddon",
    ]
    manifest = json.loads((clone / "release" / "deckgen.manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "deck-v1.1.0" and manifest["commit"] == sha
    assert manifest["changelog"].startswith("Since deck-v1.0.0: 0 cards added, 1 changed, 0 removed.")
    assert (clone / "notes.txt").read_text(encoding="utf-8") == manifest["changelog"] + "\n"
