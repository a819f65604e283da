"""The command line as a whole: help, docs, exit codes, lazy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run
from deckgen.cli import main

COMMANDS = sorted(main.commands)


def test_expected_commands_exist() -> None:
    assert {"build", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {name} ")
    help_text = main.commands[name].help or ""
    assert len(help_text.strip()) > 20
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"### `deckgen {name}" in readme, f"README has no section for 'deckgen {name}'"


def test_usage_errors_exit_2() -> None:
    result = run("build", "--no-such-option")
    assert result.exit_code == 2
    assert "No such option '--no-such-option'" in result.output


def test_python_dash_m_works(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "deckgen", "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("deckgen, version ")


def test_help_does_not_import_heavy_modules(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from deckgen.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('genanki', 'anki', 'cmarkgfm', 'nh3', 'yaml') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []"
