"""``deckgen init``: a deck repository that builds, passes its own checks and imports into Anki at once; files it
must not overwrite, and --force; names, keys and the marker. (Its workflow and several decks in one repository:
test_scaffold_workflow.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from deckgen import __version__
from deckgen.scaffold import derive_key
from deckgen.scaffold.marker import Origin, mark, origin
from tests.conftest import REPO, AnkiCollection, run

Git = Callable[..., str]
# the suite runs from an editable install (a local one): the JSON Schemas the YAML files name are written beside them
DECK_FILES = [
    "cards/deck.yaml",
    "cards/getting-started.yaml",
    "README.md",
    "schemas/deck.schema.json",
    "schemas/topic.schema.json",
]
SHARED_FILES = [".gitignore", ".github/workflows/deck.yml", ".pre-commit-config.yaml"]


def env() -> dict[str, str]:
    out = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    out.pop("GITHUB_ACTIONS", None)
    return out


def deckgen(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["deckgen", *args], cwd=cwd, capture_output=True, text=True, env=env(), stdin=subprocess.DEVNULL
    )
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def describe(cards: Path) -> None:
    """Replace the description 'deckgen init' wrote, as its warning asks (check --strict fails until then)."""
    deck = cards / "deck.yaml"
    text = deck.read_text(encoding="utf-8")
    start = text.index("description: |\n")
    end = text.index("\nrequires:", start)
    deck.write_text(text[:start] + "description: The deck of this test.\n" + text[end + 1 :], encoding="utf-8")


def files_under(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts
    )


def test_a_new_deck_builds_passes_its_checks_and_imports(tmp_path: Path, git_repo: Git, anki: AnkiCollection) -> None:
    repo = tmp_path / "repo"
    proc = deckgen(repo, "init", "--name", "Spanish::Verbs (B1)")
    assert proc.stdout.splitlines()[:9] == [
        "new deck 'Spanish::Verbs (B1)' (key: spanish-verbs-b1) in .",
        "  wrote cards/deck.yaml",
        "  wrote cards/getting-started.yaml",
        "  wrote README.md",
        "  wrote schemas/deck.schema.json",
        "  wrote schemas/topic.schema.json",
        "  wrote .gitignore",
        "  wrote .github/workflows/deck.yml",
        "  wrote .pre-commit-config.yaml",
    ]
    assert files_under(repo) == sorted(DECK_FILES + SHARED_FILES)
    assert (
        deckgen(repo, "build").stdout
        == "built output/spanish-verbs-b1.apkg: 3 notes, 5 cards, 1 topics (3 new, 0 changed, 0 removed)\n"
    )
    placeholder = deckgen(repo, "check", "--strict", check=False)
    assert placeholder.returncode == 1
    assert placeholder.stdout.splitlines() == [
        "cards/deck.yaml: warning: 'description' is still the text 'deckgen init' wrote; replace it with what the "
        "deck is about (Anki shows it on the deck's overview screen)",
        "checked 3 cards in 1 topics: 0 error(s), 1 warning(s)",
    ]
    describe(repo / "cards")
    deckgen(repo, "build")
    assert deckgen(repo, "check", "--strict").stdout == "checked 3 cards in 1 topics: 0 error(s), 0 warning(s)\n"
    git_repo("add", "-A")
    assert git_repo("status", "--porcelain").split() == [
        "A",
        ".github/workflows/deck.yml",
        "A",
        ".gitignore",
        "A",
        ".pre-commit-config.yaml",
        "A",
        "README.md",
        "A",
        "cards/deck.yaml",
        "A",
        "cards/deckgen.lock",
        "A",
        "cards/getting-started.yaml",
        "A",
        "schemas/deck.schema.json",
        "A",
        "schemas/topic.schema.json",
    ]  # output/ is ignored
    deckgen(repo, "build", "--locked")

    log = anki.import_package(repo / "output" / "spanish-verbs-b1.apkg")
    assert len(log.new) == 3 and len(log.conflicting) == 0
    assert anki.col.card_count() == 5  # Q/A 1, reversed 2, cloze with c1 and c2: 2
    assert len(anki.col.find_cards('"deck:Spanish::Verbs (B1)"')) == 5
    assert anki.note_by_id_field("spaced-repetition")["Reverse"] == "y"
    assert sorted(anki.note_by_id_field("how-updates-arrive").tags) == ["spanish-verbs-b1::getting-started"]


def test_the_deck_requires_this_release(tmp_path: Path) -> None:
    """What the workflow, the hook and the $schema lines pin (by how deckgen was installed): test_install.py."""
    deckgen(tmp_path, "init", "--name", "Pinned")
    deck = yaml.safe_load((tmp_path / "cards/deck.yaml").read_text(encoding="utf-8"))
    major, minor = __version__.split(".")[:2]
    assert deck == {
        "key": "pinned",
        "name": "Pinned",
        "requires": f">={major}.{minor},<{int(major) + 1}",
        "description": deck["description"],
    }


def test_without_a_name_it_asks_on_a_terminal_and_stops_elsewhere(tmp_path: Path) -> None:
    proc = deckgen(tmp_path, "init", check=False)
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "deckgen: error: deckgen init needs the deck's name: pass --name 'My deck' (it asks only on a terminal)\n"
    )
    assert files_under(tmp_path) == []

    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: deckgen on a terminal
        os.chdir(tmp_path)
        os.execvpe("deckgen", ["deckgen", "init", "deck"], env())
    seen = b""
    while b"Deck name" not in seen:
        seen += os.read(fd, 1024)
    os.write(fd, "Ça va::Verbs\n".encode())
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    assert "new deck 'Ça va::Verbs' (key: ca-va-verbs) in deck" in seen.decode()
    assert yaml.safe_load((tmp_path / "deck/cards/deck.yaml").read_text(encoding="utf-8"))["name"] == "Ça va::Verbs"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Spanish::"], "deck name 'Spanish::' has an empty part; write subdecks as 'Parent::Child'"),
        (["--name", "  "], "the deck name is empty; pass one with --name"),
        (["--name", "two\nlines"], "the deck name must be one line of printable text"),
        (
            ["--name", "中文词汇"],
            "cannot make a deck key from the name '中文词汇'; pass one with --key "
            "(use lowercase letters, digits, '-' and '_' (e.g. 'mrd-definition'))",
        ),
        (
            ["--name", "Deck", "--key", "My Deck"],
            "--key must be a slug, got 'My Deck'; use lowercase letters, digits, '-' and '_' (e.g. 'mrd-definition')",
        ),
    ],
)
def test_bad_names_and_keys_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    proc = deckgen(tmp_path, "init", *args, check=False)
    assert (proc.returncode, proc.stderr) == (2, f"deckgen: error: {message}\n")
    assert files_under(tmp_path) == []


def test_a_folder_the_workflow_would_refuse_is_a_usage_error(tmp_path: Path, git_repo: Git) -> None:
    """The scaffolded workflow refuses deck folders with shell-looking names; init refuses to make one."""
    repo = tmp_path / "repo"
    git_repo("init", "-q")
    proc = deckgen(repo, "init", "dir with `$(id)`", "--name", "Deck", check=False)
    assert (proc.returncode, proc.stderr) == (
        2,
        "deckgen: error: the deck's folder 'dir with `$(id)`/cards' (in the "
        "repository) has characters the deck workflow refuses (it runs deckgen on "
        "each deck folder): use letters, digits, '.', '_', '-', ' ' and '/' only, "
        "and do not start it with '-'\n",
    )
    assert files_under(repo) == []
    workflow = (REPO / "src/deckgen/scaffold/templates/deck.yml").read_text(encoding="utf-8")
    assert 're.fullmatch(r"(?!-)[\\w. /-]+", d)' in workflow  # the pattern init holds folders to
    deckgen(repo, "init", "Wörter 2", "--name", "Deck")
    assert (repo / "Wörter 2/cards/deck.yaml").is_file()


def test_a_name_without_latin_letters_takes_a_key(tmp_path: Path) -> None:
    deckgen(tmp_path, "init", "--name", "中文词汇", "--key", "zh-vocab")
    assert deckgen(tmp_path, "build").stdout.startswith("built output/zh-vocab.apkg: 3 notes")


def test_keys_derived_from_names() -> None:
    assert derive_key("Spanish::Verbs (B1)") == "spanish-verbs-b1"
    assert derive_key("Ça va — déjà vu") == "ca-va-deja-vu"
    assert derive_key("  --Anki 101--  ") == "anki-101"
    assert derive_key("中文") == ""


def test_existing_files_are_listed_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# my notes\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    for args in (["init", "--name", "Deck"], ["init", "--name", "Deck", "--force"]):
        proc = deckgen(tmp_path, *args, check=False)
        assert proc.returncode == 2
        hint = (
            "--force replaces only files that deckgen init wrote and nobody changed since"
            if "--force" in args
            else "--force replaces those that deckgen init wrote and nobody changed since"
        )
        assert proc.stderr == (
            "deckgen: error: deckgen init would overwrite 2 existing file(s):\n"
            "  README.md (not written by deckgen init)\n"
            "  .gitignore (not written by deckgen init)\n"
            f"  nothing was written; move them away or init the deck into another folder ({hint})\n"
        )
        assert files_under(tmp_path) == [".gitignore", "README.md"]


def test_force_replaces_only_what_init_wrote_and_nobody_changed(tmp_path: Path) -> None:
    deckgen(tmp_path, "init", "--name", "First")
    proc = deckgen(tmp_path, "init", "--name", "Second", check=False)
    assert proc.returncode == 2 and "  cards/deck.yaml (written by deckgen init, unchanged since)\n" in proc.stderr
    topic = tmp_path / "cards/getting-started.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Spaced repetition", "Spaced review"), encoding="utf-8")
    proc = deckgen(tmp_path, "init", "--name", "Second", "--force", check=False)
    assert proc.returncode == 2
    assert proc.stderr == (
        "deckgen: error: deckgen init would overwrite 1 existing file(s):\n"
        "  cards/getting-started.yaml (changed since deckgen init wrote it)\n"
        "  nothing was written; move them away or init the deck into another folder (--force replaces only files that "
        "deckgen init wrote and nobody changed since)\n"
    )
    assert "First" in (tmp_path / "cards/deck.yaml").read_text(encoding="utf-8")  # nothing was written

    topic.unlink()
    proc = deckgen(tmp_path, "init", "--name", "Second", "--force")
    assert "  wrote cards/deck.yaml\n" in proc.stdout and "  wrote .github/workflows/deck.yml\n" in proc.stdout
    assert yaml.safe_load((tmp_path / "cards/deck.yaml").read_text(encoding="utf-8"))["key"] == "second"
    assert "Spaced repetition" in topic.read_text(encoding="utf-8")


def test_the_marker_tells_intact_edited_and_foreign_files() -> None:
    text = "# yaml-language-server: $schema=x\nkey: a\n"
    marked = mark(text)
    assert marked.splitlines()[0] == "# yaml-language-server: $schema=x"
    assert re.fullmatch(
        r"# Written by deckgen init \S+ \(checksum [0-9a-f]{16}\): 'deckgen init --force' may replace "
        r"this file only while it is unchanged",
        marked.splitlines()[1],
    )
    assert origin(marked) is Origin.INTACT
    assert origin(marked.replace("\n", "\r\n")) is Origin.INTACT  # a checkout with CRLF line ends
    assert origin(marked.replace("key: a", "key: b")) is Origin.EDITED
    assert origin(marked + "more: 1\n") is Origin.EDITED
    assert origin(text) is Origin.FOREIGN
    assert origin(mark("# Title\n", markdown=True)) is Origin.INTACT
    assert mark("# Title\n", markdown=True).startswith("<!-- Written by deckgen init ")


def test_outside_git_the_folder_is_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "decks/a", "--name", "A")
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path) == sorted(f"decks/a/{name}" for name in DECK_FILES + SHARED_FILES)


def test_an_edited_repository_file_is_kept_and_init_says_what_to_add(tmp_path: Path, git_repo: Git) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "decks/a", "--name", "A")
    config = repo / ".pre-commit-config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  - repo: local\n    hooks: []\n", encoding="utf-8")
    before = config.read_text(encoding="utf-8")
    proc = deckgen(repo, "init", "decks/b", "--name", "B")
    assert "  kept  .pre-commit-config.yaml (changed since deckgen init wrote it)\n" in proc.stdout
    assert (
        "to do: add this hook to .pre-commit-config.yaml, under 'hooks:' of 'repo: local':\n"
        "      - id: deckgen-check\n"
        "        name: deckgen check decks/b/cards\n"
        "        entry: deckgen check\n"
        "        language: system\n"
        "        pass_filenames: false\n"
        '        args: [--strict, "decks/b/cards"]\n'
        '        files: "^decks/b/cards/"\n'
    ) in proc.stdout
    assert config.read_text(encoding="utf-8") == before
    assert deckgen(repo, "build", "decks/b/cards").returncode == 0


def test_init_adopts_a_deck_it_did_not_write(tmp_path: Path) -> None:
    """An imported deck (here: one written by hand) gets the repository files around it; its own files are kept."""
    from tests.conftest import write_deck

    cards = write_deck(tmp_path / "mydeck")
    subprocess.run(["git", "init", "-q", str(tmp_path / "mydeck")], check=True)
    before = {p.name: p.read_bytes() for p in cards.iterdir()}
    proc = deckgen(tmp_path / "mydeck", "init")  # no --name, no terminal: the deck's own name is used
    assert {p.name: p.read_bytes() for p in cards.iterdir()} == before
    assert files_under(tmp_path / "mydeck") == sorted(
        [
            ".github/workflows/deck.yml",
            ".gitignore",
            ".pre-commit-config.yaml",
            "README.md",
            *(f"cards/{name}" for name in before),
        ]
    )
    assert "cards/deck.yaml" in proc.stdout and "kept" in proc.stdout
    assert "fixture-deck" in (tmp_path / "mydeck" / "README.md").read_text(encoding="utf-8")
    assert deckgen(tmp_path / "mydeck", "build").returncode == 0


def test_the_placeholder_description_is_the_one_check_looks_for() -> None:
    from deckgen.check import PLACEHOLDER_DESCRIPTION

    template = (REPO / "src/deckgen/scaffold/templates/deck.yaml").read_text(encoding="utf-8")
    assert PLACEHOLDER_DESCRIPTION in " ".join(template.split())
