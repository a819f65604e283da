"""The command line as a whole: help, docs, exit codes, lazy imports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from deckgen.cli import main
from tests.conftest import REPO, run

COMMANDS = sorted(main.commands)


def test_expected_commands_exist() -> None:
    assert {"build", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_a_section_in_the_docs(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {name} ")
    help_text = main.commands[name].help or ""
    assert len(help_text.strip()) > 20
    commands = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    assert f"\n## `deckgen {name}`\n" in commands, f"docs/commands.md has no section for 'deckgen {name}'"
    # the section's synopsis names every option the command has, and no other
    synopsis = commands.split(f"\n## `deckgen {name}`\n\n`", 1)[1].split("`\n", 1)[0]
    assert synopsis.startswith(f"deckgen {name} ")
    shown = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", synopsis))
    options = [p for p in main.commands[name].params if isinstance(p, click.Option) and p.name != "help"]
    assert shown == {min(o.opts, key=len) for o in options}, synopsis


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


# --- untrusted text in output: escaped once, where problems are shown -----------------------------------------

ESC_CLOZE = "{{c1::a::b::\\e[1A\\e[2K\\rchecked 0 cards: 0 error(s)\\u202e}}"  # YAML escapes: ESC, CR, a bidi override


def hostile_deck(tmp_path: Path) -> Path:
    from tests.conftest import write_deck

    cards = write_deck(
        tmp_path,
        topics={
            "a\n::stop-commands::x,y:z%.yaml": "topic: t\ntitle: T\ncards:\n  - id: a\n    front: Q\n    back: A\n    bad: 1\n",
            "b.yaml": f'topic: b\ntitle: B\ncards:\n  - id: b\n    cloze: "{ESC_CLOZE}"\n',
        },
    )
    return cards


def test_control_characters_in_card_text_and_file_names_are_escaped(tmp_path: Path) -> None:
    cards = hostile_deck(tmp_path)
    result = run("check", cards)
    assert result.exit_code == 1
    assert not any(ch in result.output for ch in "\x1b\r\u202e")
    lines = result.output.splitlines()
    assert lines == [
        f"{cards}/a\\n::stop-commands::x,y:z%.yaml:7:5: error: card 'a': unknown key 'bad'",
        f"{cards}/b.yaml:5:12: error: card 'b': cloze deletion '{{{{c1::a::b::\\x1b[1A\\x1b[2K\\rchecked 0 cards: 0 error(s)"
        "\\u202e}}' has more than one '::'; Anki reads the first '::' as the start of the hint. Write '\\:\\:' for a literal "
        "'::' in the answer",
        "checked 1 cards in 2 topics: 2 error(s), 0 warning(s)",
    ]


def test_github_format_escapes_file_names_and_messages(tmp_path: Path) -> None:
    cards = hostile_deck(tmp_path)
    result = run("check", cards, "--format", "github")
    lines = result.output.splitlines()
    assert lines[0] == (
        f"::error file={cards}/a%0A%3A%3Astop-commands%3A%3Ax%2Cy%3Az%25.yaml,line=7,col=5::card 'a': unknown key 'bad'"
    )
    assert lines[1].startswith(
        f"::error file={cards}/b.yaml,line=5,col=12::card 'b': cloze deletion '{{{{c1::a::b::\\x1b[1A"
    )
    assert not any(line.startswith("::stop-commands") for line in lines)
    assert len(lines) == 3  # two commands and the summary: no line was injected


def test_usage_error_messages_are_escaped(tmp_path: Path) -> None:
    result = run("check", tmp_path / "no\x1b[2Jcards")
    assert result.exit_code == 2
    assert (
        result.output
        == f"deckgen: error: cards folder '{tmp_path}/no\\x1b[2Jcards' does not exist; pass the folder that holds deck.yaml\n"
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_states_its_exit_codes_and_defaults(name: str) -> None:
    text = " ".join(run(name, "--help").output.split())
    assert "Exit codes: 0 " in text
    if name != "schema":  # the only command without an option or argument that has a default
        assert "default" in text


def test_the_command_list_is_not_cut_off() -> None:
    output = run("--help").output
    listed = output.split("Commands:\n", 1)[1]
    for name in COMMANDS:
        short = main.commands[name].short_help
        assert short and f"  {name}" in listed
        line = next(line for line in listed.splitlines() if line.strip().startswith(name + " "))
        assert line.split(None, 1)[1] == short, "the short help must fit on the command's line"
    assert "..." not in listed


def test_build_help_names_the_lock_file_and_source_date_epoch() -> None:
    text = " ".join(run("build", "--help").output.split())
    assert "CARDS_DIR/deckgen.lock" in text and "SOURCE_DATE_EPOCH" in text


def test_check_help_lists_every_rule_and_the_table_covers_the_code() -> None:
    from deckgen.rules import RULES

    output = run("check", "--help").output
    for name in RULES:
        assert re.search(rf"^ +{re.escape(name or '(none)')} +\S", output, re.M), name
    used = set()
    for path in (REPO / "src" / "deckgen").rglob("*.py"):
        used |= set(re.findall(r'\brule="([a-z-]*)"', path.read_text(encoding="utf-8")))
    assert used, "no rule names found in the code"
    assert used <= set(RULES), f"rules without a line in deckgen/rules.py: {sorted(used - set(RULES))}"
