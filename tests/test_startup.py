"""Start-up cost is structural: `deckgen --help` imports click and the command line alone, and a build imports no
module it does not use (genanki, Pygments, multiprocessing on a small deck, Anki). Checked by the modules a fresh
interpreter holds afterwards, not by a clock (speed is measured by bench/, never by a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_deck

HEAVY = ("genanki", "pygments", "cmarkgfm", "nh3", "yaml", "anki", "multiprocessing", "concurrent", "sqlite3")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code``: deckgen's by full name, the others by
    their top-level package."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    names = json.loads(proc.stdout.splitlines()[-1])
    return {name if name.startswith("deckgen.") else name.split(".")[0] for name in names}


def test_help_imports_the_command_line_alone() -> None:
    code = (
        "from deckgen.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "try:\n    main(['build', '--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = modules_after(code)
    assert "click" in loaded  # the check can fail: it sees what was imported
    assert {name for name in loaded if name.startswith("deckgen.")} == {"deckgen.cli", "deckgen.rules"}
    assert not loaded & {*HEAVY, "pathlib", "dataclasses"}


def test_a_build_imports_only_what_it_uses(tmp_path: Path) -> None:
    cards = write_deck(tmp_path)
    code = (
        "from pathlib import Path\nfrom deckgen.build import build\n"
        f"build(Path({str(cards)!r}), Path({str(tmp_path / 'out.apkg')!r}), now=1_700_000_000)"
    )
    loaded = modules_after(code)
    assert {"yaml", "nh3", "cmarkgfm", "sqlite3"} <= loaded  # what a build does use
    assert not loaded & {"genanki", "pygments", "anki", "multiprocessing", "concurrent"}
