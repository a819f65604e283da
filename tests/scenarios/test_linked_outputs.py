"""A committed ``output`` or ``preview`` symbolic link must not make build or preview write outside the repository
(hostile review #12): refused as a usage error, nothing written anywhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run, write_deck


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write_deck(root)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("command, link", [("build", "output"), ("preview", "preview")])
def test_a_linked_output_folder_is_refused(repo: Path, tmp_path: Path, command: str, link: str) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("<p>mine</p>", encoding="utf-8")
    os.symlink(victim, repo / link)
    before = files(repo)
    result = run(command, "cards")
    assert result.exit_code == 2, result.output
    shown = "output/fixture-deck.apkg" if command == "build" else "preview"
    what = "is inside 'output', which is" if command == "build" else "is"
    assert result.stderr == (
        f"deckgen: error: output '{shown}' {what} a symbolic link; deckgen does not write through links (a committed "
        "link could lead outside the repository): remove the link, or give another path with -o\n"
    )
    assert files(victim) == ["index.html"] and (victim / "index.html").read_text(encoding="utf-8") == "<p>mine</p>"
    assert files(repo) == before


def test_a_linked_output_file_is_refused(repo: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.apkg"
    victim.write_bytes(b"mine")
    (repo / "output").mkdir()
    os.symlink(victim, repo / "output" / "fixture-deck.apkg")
    result = run("build", "cards")
    assert result.exit_code == 2, result.output
    assert "output 'output/fixture-deck.apkg' is a symbolic link; deckgen does not write through links" in result.stderr
    assert victim.read_bytes() == b"mine"


def test_a_link_above_the_repository_is_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own links (a home folder on another disk) stay usable."""
    write_deck(tmp_path / "real")
    os.symlink(tmp_path / "real", tmp_path / "home")
    monkeypatch.chdir(tmp_path / "home")
    result = run("build", "cards")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "real" / "output" / "fixture-deck.apkg").is_file()
