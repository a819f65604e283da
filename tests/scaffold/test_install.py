"""``deckgen init`` writes what works with the deckgen that runs it (issue 17, item 2): how deckgen was installed is
read from PEP 610's ``direct_url.json`` (an index release, a git URL at a commit, a local folder) and pinned as such;
the local case's pre-commit hook runs under the real pre-commit on a real commit."""

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

from deckgen import __version__
from deckgen.distribution import INDEX, LOCAL, URL, VCS, Install, install_from
from tests.conftest import REPO
from tests.scaffold.test_scaffold import deckgen, describe, env

COMMIT = "0123456789abcdef0123456789abcdef01234567"
GITHUB = "https://github.com/deckgen-anki/deckgen"


@pytest.mark.parametrize(
    ("direct_url", "want", "command"),
    [
        (None, Install(INDEX), f"python3 -m pip install 'deckgen-anki[preview]=={__version__}'"),
        (
            {"url": GITHUB, "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"}},
            Install(VCS, url=GITHUB, commit=COMMIT),
            f"python3 -m pip install 'deckgen-anki[preview] @ git+{GITHUB}@{COMMIT}'",
        ),
        (
            {"url": "file:///home/me/src/deck%20gen", "dir_info": {"editable": True}},
            Install(LOCAL, url="/home/me/src/deck gen", editable=True),
            "python3 -m pip install -e '/home/me/src/deck gen[preview]'",
        ),
        (
            {"url": "file:///home/me/deckgen", "dir_info": {}},
            Install(LOCAL, url="/home/me/deckgen"),
            "python3 -m pip install '/home/me/deckgen[preview]'",
        ),
        (
            {"url": "https://example.org/deckgen_anki-0.2.0-py3-none-any.whl", "archive_info": {}},
            Install(URL, url="https://example.org/deckgen_anki-0.2.0-py3-none-any.whl"),
            "python3 -m pip install 'deckgen-anki[preview] @ https://example.org/deckgen_anki-0.2.0-py3-none-any.whl'",
        ),
    ],
)
def test_how_deckgen_was_installed_and_the_command_that_installs_it_again(
    direct_url: dict[str, Any] | None, want: Install, command: str
) -> None:
    got = install_from(direct_url)
    assert got == want
    assert got.pip_command() == command


def installed_copy(tmp_path: Path, direct_url: dict[str, Any] | None) -> dict[str, str]:
    """deckgen as pip leaves it in site-packages (the package and a dist-info with ``direct_url.json``), not a source
    tree: the environment that runs it from there."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "src" / "deckgen", site / "deckgen", ignore=shutil.ignore_patterns("__pycache__"))
    info = site / f"deckgen_anki-{__version__}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: deckgen-anki\nVersion: {__version__}\n", encoding="utf-8"
    )
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return {**env(), "PYTHONPATH": str(site)}


def init_with(tmp_path: Path, direct_url: dict[str, Any] | None) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "deckgen", "init", "--name", "Pinned"],
        cwd=repo,
        env=installed_copy(tmp_path, direct_url),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return repo


def first_line(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0]


def test_an_index_release_is_pinned_by_version(tmp_path: Path) -> None:
    repo = init_with(tmp_path, None)
    validator = REPO / ".ci-tools" / "node_modules" / ".bin" / "action-validator"
    if not validator.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    checked = subprocess.run([str(validator), str(repo / ".github/workflows/deck.yml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    assert workflow["jobs"]["review"]["env"]["DECKGEN"] == f"deckgen-anki[preview]=={__version__}"
    assert "DECKGEN must name" not in str(workflow)  # no guard step: it can run as written
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["repo"] == GITHUB and config["repos"][0]["rev"] == f"v{__version__}"
    assert config["repos"][0]["hooks"] == [
        {"id": "deckgen-check", "name": "deckgen check cards", "args": ["--strict", "cards"], "files": "^cards/"}
    ]
    for name, which in (("deck.yaml", "deck"), ("getting-started.yaml", "topic")):
        assert first_line(repo / "cards" / name) == (
            "# yaml-language-server: $schema=https://raw.githubusercontent.com/deckgen-anki/deckgen/"
            f"v{__version__}/src/deckgen/schemas/{which}.schema.json"
        )
    assert not (repo / "schemas").exists()
    assert f"python3 -m pip install 'deckgen-anki[preview]=={__version__}'\n" in (repo / "README.md").read_text(
        encoding="utf-8"
    )


def test_a_git_commit_is_pinned_by_commit(tmp_path: Path) -> None:
    repo = init_with(tmp_path, {"url": GITHUB, "vcs_info": {"vcs": "git", "commit_id": COMMIT}})
    requirement = f"deckgen-anki[preview] @ git+{GITHUB}@{COMMIT}"
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    assert workflow["jobs"]["review"]["env"]["DECKGEN"] == requirement
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert (config["repos"][0]["repo"], config["repos"][0]["rev"]) == (GITHUB, COMMIT)
    assert first_line(repo / "cards" / "deck.yaml") == (
        f"# yaml-language-server: $schema=https://raw.githubusercontent.com/deckgen-anki/deckgen/{COMMIT}/src/"
        "deckgen/schemas/deck.schema.json"
    )
    assert f"python3 -m pip install '{requirement}'\n" in (repo / "README.md").read_text(encoding="utf-8")


def test_a_local_install_gets_a_local_hook_local_schemas_and_a_workflow_that_says_what_to_set(tmp_path: Path) -> None:
    """The suite's own deckgen is an editable install of this checkout: the real local case."""
    import jsonschema

    repo = tmp_path / "repo"
    proc = deckgen(repo.parent, "init", "repo", "--name", "Local")
    assert "to do: set DECKGEN in repo/.github/workflows/deck.yml before pull requests" in proc.stdout
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"] == [
        {
            "repo": "local",
            "hooks": [
                {
                    "id": "deckgen-check",
                    "name": "deckgen check cards",
                    "entry": "deckgen check",
                    "language": "system",
                    "pass_filenames": False,
                    "args": ["--strict", "cards"],
                    "files": "^cards/",
                }
            ],
        }
    ]
    for name, which in (("deck.yaml", "deck"), ("getting-started.yaml", "topic")):
        text = (repo / "cards" / name).read_text(encoding="utf-8")
        assert text.splitlines()[0] == f"# yaml-language-server: $schema=../schemas/{which}.schema.json"
        schema = json.loads((repo / "cards" / f"../schemas/{which}.schema.json").read_text(encoding="utf-8"))
        packaged = json.loads((REPO / "src/deckgen/schemas" / f"{which}.schema.json").read_text(encoding="utf-8"))
        assert schema.pop("$comment").startswith(f"Written by deckgen init {__version__} (checksum ")
        assert schema == packaged
        jsonschema.validate(yaml.safe_load(text), schema)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert f"python3 -m pip install -e '{REPO}[preview]'\n" in readme

    text = (repo / ".github/workflows/deck.yml").read_text(encoding="utf-8")
    assert "# BEFORE THIS WORKFLOW CAN RUN ON GITHUB: set DECKGEN below" in text
    job = yaml.safe_load(text)["jobs"]["review"]
    assert job["env"]["DECKGEN"] == ""
    guard = job["steps"][0]
    assert guard["name"] == "DECKGEN must name a deckgen this runner can install"
    for value, code in (("", 1), (f"deckgen-anki[preview]=={__version__}", 0)):
        run = subprocess.run(
            ["bash", "-e", "-c", guard["run"]], capture_output=True, text=True, env={**os.environ, "DECKGEN": value}
        )
        assert run.returncode == code
    assert run.stdout == ""
    stopped = subprocess.run(
        ["bash", "-e", "-c", guard["run"]], capture_output=True, text=True, env={**os.environ, "DECKGEN": ""}
    )
    assert stopped.stdout.startswith("::error file=.github/workflows/deck.yml::DECKGEN is empty: deckgen init ran ")


def test_the_local_hook_runs_under_the_real_pre_commit(tmp_path: Path) -> None:
    """init in a fresh repository, 'pre-commit install', then git commit: the hook runs deckgen and the commit
    succeeds; a broken card makes the next commit fail with deckgen's message."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git_env = {
        **env(),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(tmp_path),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
    }

    def sh(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(list(args), cwd=repo, env=git_env, capture_output=True, text=True)
        if ok:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    sh("git", "init", "-q", "-b", "main")
    sh("deckgen", "init", "--name", "Hooked")
    describe(repo / "cards")  # as the README says: the description first (check --strict warns until then)
    sh("deckgen", "build")
    sh(str(Path(sys.executable).parent / "pre-commit"), "install")
    sh("git", "add", "-A")
    commit = sh("git", "commit", "-m", "New deck")
    assert "deckgen check cards" in commit.stdout + commit.stderr and "Passed" in commit.stdout + commit.stderr
    assert sh("git", "log", "--oneline").stdout.count("\n") == 1

    topic = repo / "cards" / "getting-started.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("cloze: ", "clze: "), encoding="utf-8")
    sh("git", "add", "-A")
    refused = sh("git", "commit", "-m", "broken", ok=False)
    assert refused.returncode == 1
    out = refused.stdout + refused.stderr
    assert "Failed" in out and "unknown key 'clze' (did you mean 'cloze'?)" in out
    assert sh("git", "log", "--oneline").stdout.count("\n") == 1
