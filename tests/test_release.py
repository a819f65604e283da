"""The release: the workflow that builds, checks, tests and publishes a tag, and the one place that names the
distribution and the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 'build' (a test dependency) brings tomli on 3.10
    import tomli as tomllib
from deckgen import __version__
from deckgen.distribution import DISTRIBUTION, REPOSITORY, git_requirement, pip_requirement

RELEASE = REPO / ".github" / "workflows" / "release.yml"
VALIDATOR = REPO / ".ci-tools" / "node_modules" / ".bin" / "action-validator"
SHA_PINNED = re.compile(r"[a-z0-9-]+/[a-z0-9-]+@[0-9a-f]{40}")


def release() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    return data


def step(job: str, name: str) -> dict[str, Any]:
    return next(s for s in release()["jobs"][job]["steps"] if s.get("name") == name)


def test_release_workflow_passes_the_schema_validator() -> None:
    if not VALIDATOR.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    proc = subprocess.run([str(VALIDATOR), str(RELEASE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_release_runs_on_version_tags_and_publishes_only_after_the_wheel_test() -> None:
    wf = release()
    assert wf[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}  # PyYAML reads the key `on` as True
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    assert list(jobs) == ["build", "test", "publish"]
    assert jobs["test"]["needs"] == "build" and jobs["publish"]["needs"] == ["build", "test"]
    build = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "python -I -m build\n" in build and "python -I -m twine check --strict dist/*" in build
    test = "\n".join(s.get("run", "") for s in jobs["test"]["steps"])
    for command in (
        'deckgen init --name "Release check"',
        "deckgen build",
        "deckgen check --strict",
        "deckgen preview",
        "import_anki_package",
    ):
        assert command in test
    assert "actions/checkout" not in str(jobs["test"])  # the wheel is tested away from the sources


def test_publishing_uses_trusted_publishing_and_no_token() -> None:
    publish = release()["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"] == {"name": "pypi", "url": f"https://pypi.org/project/{DISTRIBUTION}/"}
    uses = publish["steps"][-1]["uses"]
    assert uses.startswith("pypa/gh-action-pypi-publish@") and SHA_PINNED.fullmatch(uses)
    assert "with" not in publish["steps"][-1]  # no password, no token: PyPI trusts the workflow's identity
    text = RELEASE.read_text(encoding="utf-8")
    assert "secrets." not in text and "password" not in text and "PYPI_API_TOKEN" not in text


def test_every_action_is_pinned_by_commit_and_no_checkout_keeps_a_token() -> None:
    for job in release()["jobs"].values():
        for s in job["steps"]:
            if "uses" in s:
                assert SHA_PINNED.fullmatch(s["uses"]), s["uses"]
            if s.get("uses", "").startswith("actions/checkout@"):
                assert s["with"]["persist-credentials"] is False


@pytest.mark.parametrize(("tag", "ok"), [(f"v{__version__}", True), ("v99.0.0", False)])
def test_the_tag_must_name_the_packages_version(tag: str, ok: bool) -> None:
    script = step("build", "The tag names the package's version")["run"]
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_REF_NAME": tag},
    )
    assert (proc.returncode == 0) is ok, proc.stdout + proc.stderr
    if not ok:
        assert (
            proc.stdout
            == f"::error::tag v99.0.0 does not match deckgen's version {__version__} (src/deckgen/__init__.py)\n"
        )


def test_the_distribution_and_the_repository_are_named_in_one_place() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "deckgen-anki"
    assert project["urls"]["Source"] == project["urls"]["Homepage"] == REPOSITORY
    assert project["scripts"] == {"deckgen": "deckgen.cli:main"}
    assert pip_requirement() == f"deckgen-anki[preview]=={__version__}"
    assert git_requirement() == f"deckgen-anki[preview] @ git+https://github.com/deckgen-anki/deckgen@v{__version__}"


def test_install_instructions_use_the_distribution_pinned() -> None:
    """Never 'pip install deckgen' (an unrelated project on PyPI), and always a version; the README's PyPI line, the
    scaffold that an index install writes and the package version agree."""
    from deckgen.distribution import INDEX, Install
    from deckgen.scaffold import files

    docs = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    readme, install = ((REPO / name).read_text(encoding="utf-8") for name in ("README.md", "docs/getting-started.md"))
    line = f"python3 -m pip install '{pip_requirement()}'"
    assert line in readme  # once the release is published (tests/test_docs.py holds the order)
    assert line in install
    deck = files.DeckInfo(key="k", name="N", cards=files.PurePosixPath("cards"))
    assert line in files.readme(deck, Install(INDEX))  # what init writes when deckgen came from PyPI
    assert f'DECKGEN: "{pip_requirement()}"' in files.workflow(Install(INDEX))
    assert f"    rev: v{__version__}\n" in files.pre_commit_config([deck.cards], Install(INDEX))
    for text in (readme, install):  # the line that works before a release is published
        assert "pip install -e './deckgen[preview]'" in text
    assert f"    rev: v{__version__}\n" in (REPO / "docs/guides/pull-requests.md").read_text(encoding="utf-8")
    for path in docs:  # no older pin left, in any version the docs name
        text = path.read_text(encoding="utf-8")
        assert set(re.findall(r"deckgen-anki\[preview\]==(\d[\d.]*\d)", text)) <= {__version__}, path
        assert set(re.findall(r"deckgen init (\d[\d.]*\d)", text)) <= {__version__}, path
    workflow_comment = (REPO / ".github/workflows/deck.yml").read_text(encoding="utf-8")
    assert pip_requirement() in workflow_comment
    for path in [
        *docs,
        REPO / "CONTRIBUTING.md",
        *(REPO / ".github").rglob("*.yml"),
        *(REPO / "src").rglob("*.py"),
        *(REPO / "src/deckgen/scaffold/templates").iterdir(),
    ]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install +['\"]?deckgen(?!-anki)\b", text), path
        for found in re.finditer(r"pip install +'(deckgen-anki[^']*)'", text):
            wanted = found.group(1)
            assert re.search(r"==(\d|@VERSION@)|@ git\+https://\S+@(v(\d|X\.Y\.Z)|COMMIT)|\{", wanted), (
                f"{path}: unpinned {wanted}"
            )


def test_contributing_records_how_the_name_was_found_free() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "pip index versions deckgen-anki --index-url https://pypi.org/simple/" in text
    assert "pip download deckgen-anki --no-deps --index-url https://pypi.org/simple/" in text
    assert "ERROR: No matching distribution found for deckgen-anki" in text
    assert REPOSITORY in text


def test_the_version_is_written_once() -> None:
    """In src/deckgen/__init__.py; the package build reads it there."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "deckgen.__version__"}
