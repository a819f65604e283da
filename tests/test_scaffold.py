"""``deckgen init``: a deck repository that builds, passes its own checks and imports into Anki at once; files it
must not overwrite; several decks in one repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import REPO, AnkiCollection, run
from deckgen import __version__
from deckgen.scaffold import derive_key
from deckgen.scaffold.marker import Origin, mark, origin

Git = Callable[..., str]
VALIDATOR = REPO / ".ci-tools" / "node_modules" / ".bin" / "action-validator"
PINNED = f"deckgen-anki[preview]=={__version__}"
DECK_FILES = ["cards/deck.yaml", "cards/getting-started.yaml", "README.md"]
SHARED_FILES = [".gitignore", ".github/workflows/deck.yml", ".pre-commit-config.yaml"]


def env() -> dict[str, str]:
    out = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    out.pop("GITHUB_ACTIONS", None)
    return out


def deckgen(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["deckgen", *args], cwd=cwd, capture_output=True, text=True, env=env(), stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts)


def test_a_new_deck_builds_passes_its_checks_and_imports(tmp_path: Path, git_repo: Git, anki: AnkiCollection) -> None:
    repo = tmp_path / "repo"
    proc = deckgen(repo, "init", "--name", "Spanish::Verbs (B1)")
    assert proc.stdout.splitlines()[:7] == [
        "new deck 'Spanish::Verbs (B1)' (key: spanish-verbs-b1) in .",
        "  wrote cards/deck.yaml",
        "  wrote cards/getting-started.yaml",
        "  wrote README.md",
        "  wrote .gitignore",
        "  wrote .github/workflows/deck.yml",
        "  wrote .pre-commit-config.yaml",
    ]
    assert files_under(repo) == sorted(DECK_FILES + SHARED_FILES)
    assert deckgen(repo, "build").stdout == "built output/spanish-verbs-b1.apkg: 3 notes, 5 cards, 1 topics (3 new, 0 changed, 0 removed)\n"
    assert deckgen(repo, "check", "--strict").stdout == "checked 3 cards in 1 topics: 0 error(s), 0 warning(s)\n"
    git_repo("add", "-A")
    assert git_repo("status", "--porcelain").split() == [
        "A", ".github/workflows/deck.yml", "A", ".gitignore", "A", ".pre-commit-config.yaml", "A", "README.md",
        "A", "cards/deck.yaml", "A", "cards/deckgen.lock", "A", "cards/getting-started.yaml"]  # output/ is ignored
    deckgen(repo, "build", "--locked")

    log = anki.import_package(repo / "output" / "spanish-verbs-b1.apkg")
    assert len(log.new) == 3 and len(log.conflicting) == 0
    assert anki.col.card_count() == 5  # Q/A 1, reversed 2, cloze with c1 and c2: 2
    assert len(anki.col.find_cards('"deck:Spanish::Verbs (B1)"')) == 5
    assert anki.note_by_id_field("spaced-repetition")["Reverse"] == "y"
    assert sorted(anki.note_by_id_field("how-updates-arrive").tags) == ["spanish-verbs-b1::getting-started"]


def test_the_scaffold_is_pinned_to_this_release_and_validates_against_the_schema(tmp_path: Path) -> None:
    import jsonschema

    deckgen(tmp_path, "init", "--name", "Pinned")
    workflow = yaml.safe_load((tmp_path / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    assert workflow["jobs"]["review"]["env"]["DECKGEN"] == PINNED
    text = (tmp_path / ".github/workflows/deck.yml").read_text(encoding="utf-8")
    assert f"deckgen-anki[preview] @ git+https://github.com/deckgen-anki/deckgen@v{__version__}" in text  # the fallback
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["repo"] == "https://github.com/deckgen-anki/deckgen"
    assert config["repos"][0]["rev"] == f"v{__version__}"
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert f"python3 -m pip install '{PINNED}'" in readme
    deck = yaml.safe_load((tmp_path / "cards/deck.yaml").read_text(encoding="utf-8"))
    major, minor = __version__.split(".")[:2]
    assert deck == {"key": "pinned", "name": "Pinned", "requires": f">={major}.{minor},<{int(major) + 1}",
                    "description": deck["description"]}
    for name, which in (("deck.yaml", "deck"), ("getting-started.yaml", "topic")):
        text = (tmp_path / "cards" / name).read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=https://raw.githubusercontent.com/deckgen-anki/deckgen/"
                               f"v{__version__}/src/deckgen/schemas/{which}.schema.json\n")
        schema = json.loads((REPO / "src/deckgen/schemas" / f"{which}.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(yaml.safe_load(text), schema)


def test_the_scaffolds_workflow_passes_the_validator_and_is_hardened(tmp_path: Path) -> None:
    if not VALIDATOR.exists():
        pytest.fail("action-validator is missing: scripts/test.sh installs it (npm install --prefix .ci-tools)")
    deckgen(tmp_path, "init", "--name", "Hardened")
    path = tmp_path / ".github/workflows/deck.yml"
    proc = subprocess.run([str(VALIDATOR), str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["review"]["steps"]
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["persist-credentials"] is False
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["run"] == 'python -I -m pip install "$DECKGEN"'  # the pinned release, nothing from the pull request
    comment = next(s for s in steps if "gh api" in s.get("run", ""))["run"]
    assert 'select(.user.login == \\"github-actions[bot]\\" and (.body | startswith(\\"$MARKER\\")))' in comment


def test_without_a_name_it_asks_on_a_terminal_and_stops_elsewhere(tmp_path: Path) -> None:
    proc = deckgen(tmp_path, "init", check=False)
    assert proc.returncode == 2
    assert proc.stderr == "deckgen: error: deckgen init needs the deck's name: pass --name 'My deck' (it asks only on a terminal)\n"
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


@pytest.mark.parametrize(("args", "message"), [
    (["--name", "Spanish::"], "deck name 'Spanish::' has an empty part; write subdecks as 'Parent::Child'"),
    (["--name", "  "], "the deck name is empty; pass one with --name"),
    (["--name", "two\nlines"], "the deck name must be one line of printable text"),
    (["--name", "中文词汇"], "cannot make a deck key from the name '中文词汇'; pass one with --key "
                          "(use lowercase letters, digits, '-' and '_' (e.g. 'mrd-definition'))"),
    (["--name", "Deck", "--key", "My Deck"], "--key must be a slug, got 'My Deck'; use lowercase letters, digits, '-' and "
                                           "'_' (e.g. 'mrd-definition')"),
])
def test_bad_names_and_keys_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    proc = deckgen(tmp_path, "init", *args, check=False)
    assert (proc.returncode, proc.stderr) == (2, f"deckgen: error: {message}\n")
    assert files_under(tmp_path) == []


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
        hint = ("--force replaces only files that deckgen init wrote and nobody changed since" if "--force" in args
                else "--force replaces those that deckgen init wrote and nobody changed since")
        assert proc.stderr == (
            "deckgen: error: deckgen init would overwrite 2 existing file(s):\n"
            "  README.md (not written by deckgen init)\n"
            "  .gitignore (not written by deckgen init)\n"
            f"nothing was written; move them away or init the deck into another folder ({hint})\n")
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
        "nothing was written; move them away or init the deck into another folder (--force replaces only files that "
        "deckgen init wrote and nobody changed since)\n")
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
    assert re.fullmatch(r"# Written by deckgen init \S+ \(checksum [0-9a-f]{16}\): 'deckgen init --force' may replace "
                        r"this file only while it is unchanged", marked.splitlines()[1])
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


def replay_workflow(repo: Path, tmp_path: Path) -> list[str]:
    """Run the workflow's own run: scripts in a pull-request checkout, as its job would (installing deckgen is this
    suite's own setup, and posting the comment needs GitHub). Returns the names of the steps that ran."""
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["review"]
    step_env = {**env(), **job["env"], "BASE_REF": "origin/main", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    ran = []
    for step in job["steps"]:
        script = step.get("run")
        if not script or "pip install" in script or "gh api" in script:
            continue
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=repo, capture_output=True, text=True, env=step_env)
        assert proc.returncode == 0, f"step {step.get('name')!r} failed:\n{proc.stdout}\n{proc.stderr}"
        ran.append(step["name"])
    return ran


def test_several_decks_in_one_repository(tmp_path: Path, git_repo: Git, anki: AnkiCollection) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "decks/a", "--name", "Deck A")
    deckgen(repo, "build", "decks/a/cards")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "deck a")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    git_repo("checkout", "-qb", "deck-b")

    proc = deckgen(repo, "init", "decks/b", "--name", "Deck B")
    assert proc.stdout.splitlines()[1:] == [
        "  wrote decks/b/cards/deck.yaml",
        "  wrote decks/b/cards/getting-started.yaml",
        "  wrote decks/b/README.md",
        "  wrote .pre-commit-config.yaml",
        "  kept  .gitignore (shared by every deck of the repository)",
        "  kept  .github/workflows/deck.yml (shared by every deck of the repository)",
        "next:",
        "  deckgen build decks/b/cards            # the package, and the lock file to commit",
        "  deckgen check --strict decks/b/cards   # what pull requests and the pre-commit hook run",
        "  git add -A && git commit -m 'New deck'",
    ]
    topic = repo / "decks/a/cards/getting-started.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("at growing intervals", "at ever longer intervals"), encoding="utf-8")
    assert deckgen(repo, "build", "decks/a/cards").stdout.startswith("built decks/a/output/deck-a.apkg: 3 notes, 5 cards, 1 topics (0 new, 1 changed")
    assert deckgen(repo, "build", "decks/b/cards").stdout.startswith("built decks/b/output/deck-b.apkg: 3 notes, 5 cards, 1 topics (3 new")
    for deck in ("a", "b"):  # separate keys, locks and outputs
        lock = json.loads((repo / f"decks/{deck}/cards/deckgen.lock").read_text(encoding="utf-8"))
        assert lock["deck"]["key"] == f"deck-{deck}"
        assert deckgen(repo, "check", "--strict", f"decks/{deck}/cards").stdout == "checked 3 cards in 1 topics: 0 error(s), 0 warning(s)\n"
    diff_a = deckgen(repo, "diff", "main", "--cards", "decks/a/cards").stdout
    assert "**0 added, 1 changed, 0 removed" in diff_a
    assert deckgen(repo, "diff", "main", "--cards", "decks/b/cards", check=False).returncode == 2  # not at main yet

    # the pre-commit configuration checks both decks
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = config["repos"][0]["hooks"]
    assert [(h["args"], h["files"]) for h in hooks] == [(["--strict", "decks/a/cards"], "^decks/a/cards/"),
                                                          (["--strict", "decks/b/cards"], "^decks/b/cards/")]
    (definition,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        command = [*definition["entry"].split(), *hook["args"]]
        assert subprocess.run(command, cwd=repo, capture_output=True, env=env()).returncode == 0

    git_repo("add", "-A")
    git_repo("commit", "-qm", "deck b, and an edit in deck a")
    assert replay_workflow(repo, tmp_path) == ["Find the decks", "Diff against the base branch", "Job summary",
                                               "Check the cards", "Build (the committed lock must be current)", "Preview"]
    assert (repo / "decks.txt").read_text(encoding="utf-8") == "decks/a/cards\ndecks/b/cards\n"
    report = (repo / "deck-diff.md").read_text(encoding="utf-8")
    assert report.startswith("### Deck `decks/a/cards`\n\n## Deck changes: `origin/main` (")
    assert "**0 added, 1 changed, 0 removed" in report
    assert report.endswith("### Deck `decks/b/cards`\n\nNew deck `decks/b/cards` (not in the base branch): see the "
                           "check, the build and the preview.\n")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == report
    assert (repo / "comment.md").read_text(encoding="utf-8") == "<!-- deckgen-diff -->\n" + report
    for deck in ("a", "b"):
        assert (repo / f"decks/{deck}/output/deck-{deck}.apkg").is_file()
        assert (repo / f"decks/{deck}/preview/index.html").is_file()

    for deck in ("a", "b"):  # both decks side by side in one collection
        assert len(anki.import_package(repo / f"decks/{deck}/output/deck-{deck}.apkg").conflicting) == 0
    assert anki.col.note_count() == 6
    assert len(anki.col.find_cards('"deck:Deck A"')) == 5 and len(anki.col.find_cards('"deck:Deck B"')) == 5


def test_the_workflow_reports_a_broken_deck_and_cuts_a_huge_comment(tmp_path: Path, git_repo: Git) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "--name", "Big")
    deckgen(repo, "build")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    cards = "".join(f"  - id: card-{i}\n    front: Question {i} {'lorem ipsum ' * 20}\n    back: Answer {i}\n" for i in range(400))
    (repo / "cards/more.yaml").write_text(f"topic: more\ntitle: More\ncards:\n{cards}", encoding="utf-8")
    deckgen(repo, "build")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "400 cards")
    replay_workflow(repo, tmp_path)
    report = (repo / "deck-diff.md").read_text(encoding="utf-8")
    comment = (repo / "comment.md").read_text(encoding="utf-8")
    assert len(report.encode()) > 60_000
    assert len(comment.encode()) < 60_100
    assert comment.endswith("\n\n**… truncated: see the job summary.**\n")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == report

    (repo / "cards/more.yaml").write_text("topic: more\ntitle: More\ncards:\n  - id: x\n    frnt: Q\n", encoding="utf-8")
    git_repo("commit", "-qam", "a broken card")
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    diff_step = next(s for s in workflow["jobs"]["review"]["steps"] if s.get("name") == "Diff against the base branch")
    step_env = {**env(), "BASE_REF": "origin/main", "MARKER": "<!-- deckgen-diff -->"}
    proc = subprocess.run(["bash", "-e", "-c", diff_step["run"]], cwd=repo, capture_output=True, text=True, env=step_env)
    assert proc.returncode == 0, proc.stderr  # reported, not failed: the check step fails instead
    report = (repo / "deck-diff.md").read_text(encoding="utf-8")
    assert report.startswith("**deckgen could not read the deck `cards` at one of the revisions**")
    assert "cards/more.yaml:5:5: error: card 'x': unknown key 'frnt' (did you mean 'front'?)" in report
    check = subprocess.run(["deckgen", "check", "--format", "github", "--strict", "--", "cards"], cwd=repo, env=env())
    assert check.returncode == 1


def test_an_edited_repository_file_is_kept_and_init_says_what_to_add(tmp_path: Path, git_repo: Git) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "decks/a", "--name", "A")
    config = repo / ".pre-commit-config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  - repo: local\n    hooks: []\n", encoding="utf-8")
    before = config.read_text(encoding="utf-8")
    proc = deckgen(repo, "init", "decks/b", "--name", "B")
    assert "  kept  .pre-commit-config.yaml (changed since deckgen init wrote it)\n" in proc.stdout
    assert ("to do: add this hook to .pre-commit-config.yaml, under the deckgen repository's 'hooks:':\n"
            "      - id: deckgen-check\n"
            "        name: deckgen check decks/b/cards\n"
            '        args: [--strict, "decks/b/cards"]\n'
            '        files: "^decks/b/cards/"\n') in proc.stdout
    assert config.read_text(encoding="utf-8") == before
    assert deckgen(repo, "build", "decks/b/cards").returncode == 0


def test_a_deck_folder_name_cannot_forge_a_log_command(tmp_path: Path, git_repo: Git) -> None:
    repo = tmp_path / "repo"
    deckgen(repo, "init", "--name", "Deck")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    git_repo("update-ref", "refs/remotes/origin/main", "main")
    hostile = repo / "::warning::forged" / "cards"
    hostile.mkdir(parents=True)
    (hostile / "deck.yaml").write_text("key: x\n", encoding="utf-8")
    git_repo("add", "-A")
    git_repo("commit", "-qm", "a hostile folder name")
    workflow = yaml.safe_load((repo / ".github/workflows/deck.yml").read_text(encoding="utf-8"))
    find = next(s for s in workflow["jobs"]["review"]["steps"] if s.get("name") == "Find the decks")
    proc = subprocess.run(["bash", "-e", "-c", find["run"]], cwd=repo, capture_output=True, text=True,
                          env={**env(), "BASE_REF": "origin/main"})
    assert proc.returncode == 1
    assert (proc.stdout, proc.stderr) == ("", "::error::1 deck folder(s) have names with characters other than letters, "
                                              "digits, '.', '_', '-', ' ' and '/'; rename them\n")
