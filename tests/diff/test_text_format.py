"""``deckgen diff --format text``: plain text for a terminal (the default there, coloured), Markdown elsewhere; card
text can never reach the terminal as an escape sequence."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_deck
from tests.diff.test_diff import Git, commit, diff, edit, short
from tests.scaffold.test_scaffold import env


@pytest.fixture
def repo(git_repo: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/repo with the fixture deck committed on 'main'; the current directory is the repository."""
    root = tmp_path / "repo"
    write_deck(root)
    commit(git_repo, "fixture deck")
    monkeypatch.chdir(root)
    return root


def test_text_is_plain(repo: Path, git_repo: Git) -> None:
    topic = repo / "cards" / "basics.yaml"
    edit(topic, 'back: "**Below five percent** of', 'back: "**Below 5 percent** ($\\\\Delta$) of')
    edit(topic, "    back: bispecific T-cell engager\n    reverse: true\n", "")
    edit(topic, "  - id: bite-abbreviation\n    front: BiTE\n", "")
    assert diff("main", "--format", "text") == (
        f"Deck changes: main ({short(git_repo, 'main')}) → working tree\n"
        "0 added, 1 changed, 1 removed in 1 topic\n"
        "\n"
        "Warnings\n"
        "  ! Removed card 'bite-abbreviation': a package cannot delete notes, so learners keep it (and keep reviewing "
        "it) until they delete it themselves. In Anki's browser, this search finds it: "
        "'\"deck:Fixture::Immunotherapy\" (Id:bite-abbreviation)'\n"
        "\n"
        "basics: The basics\n"
        "  ~ changed threshold\n"
        "    back: **Below [-five-]{+5+} percent**{+ ($\\Delta$)+} of BCR::ABL1 cells\n"
        "  - removed bite-abbreviation (question/answer)\n"
        "    front: BiTE\n"
        "    back: bispecific T-cell engager\n"
        "    reverse: yes\n"
    )


def tty_diff(cwd: Path, *args: str, no_color: bool = False) -> str:
    """``deckgen diff`` with its output on a pseudo-terminal, as a person at a terminal runs it."""
    leader, follower = pty.openpty()
    environment = {**env(), "TERM": "xterm"}
    environment.pop("NO_COLOR", None)
    if no_color:
        environment["NO_COLOR"] = "1"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "deckgen"), "diff", *args],
        cwd=cwd,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=environment,
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    return out.decode("utf-8").replace("\r\n", "\n")


def test_on_a_terminal_text_is_the_default_and_coloured(repo: Path, git_repo: Git) -> None:
    topic = repo / "cards" / "basics.yaml"
    edit(topic, "**Below five percent**", "**Below 5 percent**")
    shown = tty_diff(repo, "main")
    assert "\x1b[33m  ~ changed threshold\x1b[0m\n" in shown
    assert "    back: **Below \x1b[31mfive\x1b[0m\x1b[32m5\x1b[0m percent** of BCR::ABL1 cells\n" in shown
    assert "\\*\\*" not in shown and "<del>" not in shown  # no Markdown escapes, no HTML
    plain = tty_diff(repo, "main", no_color=True)
    assert "\x1b" not in plain and "    back: **Below [-five-]{+5+} percent** of BCR::ABL1 cells\n" in plain
    assert diff("main").startswith("## Deck changes")  # not a terminal: Markdown, as before


def test_card_text_never_reaches_the_terminal_as_an_escape_sequence(repo: Path, git_repo: Git) -> None:
    topic = repo / "cards" / "basics.yaml"
    edit(topic, 'back: "**Below five percent**', 'back: "\\e]0;pwned\\a\\e[2J**Below five percent**')
    shown = tty_diff(repo, "main")
    assert "⟨U+001B⟩]0;pwned⟨U+0007⟩⟨U+001B⟩[2J" in shown
    assert "\x1b]" not in shown and "\x07" not in shown and "\x1b[2J" not in shown
