"""The release as users get it: the sdist and the wheel built from this checkout, the wheel installed into a venv
outside the checkout, and init/build/check/preview/schema run from it (package data missing from the wheel, such as
the schemas or init's templates, fails here and nowhere else).

The venv is cached (.ci-tools/wheel-venv, made by scripts/test.sh with deckgen's dependencies but not deckgen, and
rebuilt whenever pyproject.toml changes). The wheel goes in with ``--no-index``: pip must find every dependency the
wheel declares already installed, so a dependency missing from pyproject.toml fails here too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from deckgen import __version__
from tests.conftest import REPO, AnkiCollection
from tests.scaffold.test_scaffold import describe

VENV = REPO / ".ci-tools" / "wheel-venv"
PACKAGE = REPO / "src" / "deckgen"


def package_files() -> list[str]:
    """Every file of the package in the source tree (code and data), as paths inside the wheel."""
    return sorted(
        str(p.relative_to(PACKAGE.parent))
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built from a copy of the checkout's files (tracked, or new and not ignored): no
    build leftovers such as an old egg-info's file list can add a file that the package data would miss."""
    source = tmp_path_factory.mktemp("source")
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_the_sdist_and_the_wheel_hold_every_file_of_the_package(dist: Path) -> None:
    wheel = dist / f"deckgen_anki-{__version__}-py3-none-any.whl"
    sdist = dist / f"deckgen_anki-{__version__}.tar.gz"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"deckgen_anki-{__version__}.dist-info/METADATA").decode()
        entry_points = archive.read(f"deckgen_anki-{__version__}.dist-info/entry_points.txt").decode()
    expected = package_files()
    assert "deckgen/schemas/deck.schema.json" in expected and "deckgen/scaffold/templates/deck.yml" in expected
    assert [name for name in expected if name not in names] == []
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert [name for name in expected if f"src/{name}" not in in_sdist] == []
    assert "Name: deckgen-anki\n" in metadata and f"Version: {__version__}\n" in metadata
    assert "Project-URL: Source, https://github.com/deckgen-anki/deckgen\n" in metadata
    assert "deckgen = deckgen.cli:main" in entry_points


def test_the_installed_wheel_works_outside_the_checkout(dist: Path, tmp_path: Path, anki: AnkiCollection) -> None:
    python = VENV / "bin" / "python"
    if not python.exists():
        pytest.fail("the wheel-test venv is missing: scripts/test.sh makes .ci-tools/wheel-venv")
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "deckgen-anki"], capture_output=True)
    proc = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(dist),
            f"deckgen-anki[preview]=={__version__}",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr

    work = tmp_path / "my-deck"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env['PATH']}"

    def deckgen(*args: str) -> str:
        proc = subprocess.run(["deckgen", *args], cwd=work, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    where = subprocess.run(
        ["python", "-c", "import deckgen; print(deckgen.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(VENV) and "site-packages" in where  # not the checkout's src/
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    assert deckgen("--version") == f"deckgen, version {__version__}\n"
    assert "  wrote .github/workflows/deck.yml\n" in deckgen("init", "--name", "Wheel deck")
    describe(work / "cards")  # the description init wrote is a warning until replaced
    assert deckgen("build").startswith("built output/wheel-deck.apkg: 3 notes, 5 cards")
    assert deckgen("check", "--strict") == "checked 3 cards in 1 topics: 0 error(s), 0 warning(s)\n"
    assert deckgen("preview") == "preview written to preview/index.html: 3 notes, 5 cards\n"
    assert deckgen("schema", "topic") == (PACKAGE / "schemas" / "topic.schema.json").read_text(encoding="utf-8")
    assert len(anki.import_package(work / "output" / "wheel-deck.apkg").new) == 3
