"""deck.yaml's ``requires``: a build or check with a deckgen outside the range is one error naming both versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from deckgen import __version__
from deckgen.source.requires import unmet
from tests.conftest import DECK_YAML, run, write_deck

Git = Callable[..., str]


def deck_with(requires: str, extra: str = "") -> str:
    return DECK_YAML.replace("tag: fx\n", f"tag: fx\nrequires: {requires}\n{extra}")


def test_a_met_requirement_builds(tmp_path: Path) -> None:
    major, minor = __version__.split(".")[:2]
    cards = write_deck(tmp_path, deck=deck_with(f'">={major}.{minor},<{int(major) + 1}"'))
    result = run("build", cards)
    assert result.exit_code == 0, result.output


def test_another_deckgen_refuses_to_build_and_check_naming_both_versions(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, deck=deck_with('">=99.1,<100"', extra="future_key: 1\n"))
    message = (
        f"error: deck: this deck requires deckgen >=99.1,<100, and this is deckgen {__version__}; a deck is built "
        "with the deckgen it names (packages are reproducible only with the same renderer): install one, e.g. "
        "pip install 'deckgen-anki[preview]>=99.1,<100'"
    )
    result = run("build", cards)
    assert result.exit_code == 1
    # only this problem: the unknown key is probably the newer deckgen's, so it is not reported
    assert result.output == f"{cards / 'deck.yaml'}:4:11: {message}\ndeckgen: 1 error(s); nothing was written\n"
    assert not (tmp_path / "output").exists() and not (cards / "deckgen.lock").exists()

    result = run("check", cards, "--format", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.output)["problems"]
    assert (problem["line"], problem["col"], problem["rule"]) == (4, 11, "requires")
    assert problem["message"].startswith(f"this deck requires deckgen >=99.1,<100, and this is deckgen {__version__};")


@pytest.mark.parametrize("value", ["banana", "'0.2'", "'>=0.2,<'"])
def test_a_requires_that_is_no_version_specifier_is_an_error_at_its_place(tmp_path: Path, value: str) -> None:
    cards = write_deck(tmp_path, deck=deck_with(value))
    shown = value.strip("'")
    result = run("check", cards)
    assert result.exit_code == 1
    assert (
        f"{cards / 'deck.yaml'}:4:11: error: deck: 'requires' must be a deckgen version specifier such as "
        f"'>=0.2,<1', got '{shown}'"
    ) in result.output


def test_requires_must_be_text(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, deck=deck_with("0.2"))
    result = run("check", cards)
    assert result.exit_code == 1
    assert f"{cards / 'deck.yaml'}:4:11: error: deck: 'requires' must be text, got a number (0.2)" in result.output


def test_diff_reads_revisions_whatever_their_requires(
    tmp_path: Path, git_repo: Git, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request that moves to another deckgen changes `requires`: the base revision still names the old one."""
    repo = tmp_path / "repo"
    write_deck(repo, deck=deck_with('"<0.1"'))
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No deck changes between `HEAD`")


def test_version_comparison() -> None:
    assert not unmet(">=0.2,<1", "0.2.0")
    assert not unmet(">=0.2,<1", "0.9.9")
    assert unmet(">=0.2,<1", "1.0.0")
    assert unmet(">=0.2,<1", "0.1.9")
    assert not unmet(">=0.2,<1", "0.3.0.dev1")  # a development version of a release in the range
    assert not unmet("==0.2.*", "0.2.5")
