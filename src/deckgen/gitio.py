"""A thin wrapper around the ``git`` command: find the repository, resolve revisions, read a cards folder at a
revision. Every failure the user can cause is a :class:`~deckgen.errors.UsageError` (exit code 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .errors import ContentError, DeckgenError, Location, Problem, UsageError
from .layout import LOCK_FILE
from .loader import read_deck
from .lock import Lock, read_lock
from .model import Deck
from .yamlsource import file_display

_ENV = {"GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


@dataclass(frozen=True)
class Repo:
    top: Path  # the work tree's top folder
    cards: str  # the cards folder, relative to ``top``, in git's spelling ("" for the top itself)

    @property
    def cards_display(self) -> str:
        return f"{self.cards}/" if self.cards else "./"


@dataclass(frozen=True)
class Snapshot:
    """The deck as it is at one revision (or in the work tree)."""

    label: str  # the revision as the user wrote it; "" for the work tree
    commit: str  # full commit id; "" for the work tree
    deck: Deck
    lock: Lock | None


def _git_exe() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise UsageError("git is not installed or not on PATH; deckgen diff needs git to read earlier revisions")
    return exe


def git(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git; never raises for git's own failures (check ``returncode``), only when git cannot be run."""
    try:
        return subprocess.run([_git_exe(), *args], cwd=cwd, input=input, capture_output=True, env={**os.environ, **_ENV})
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc})") from None


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "no message"


def find_repo(cards_dir: Path) -> Repo:
    """The git work tree that holds ``cards_dir`` (which may not exist in the work tree any more)."""
    where = cards_dir.absolute()
    start = where
    while not start.is_dir() and start != start.parent:
        start = start.parent
    result = git("rev-parse", "--show-toplevel", cwd=start)
    if result.returncode != 0:
        message = _first_line(result.stderr)
        if "not a git repository" in message or "must be run in a work tree" in message:
            raise UsageError(
                f"not in a git repository: the cards folder '{file_display(cards_dir)}' is not inside a git work tree"
            )
        raise UsageError(f"git cannot use the repository at '{file_display(start)}': {message}")
    top = Path(os.fsdecode(result.stdout.rstrip(b"\n"))).resolve()
    try:
        rel = where.resolve().relative_to(top)
    except ValueError:
        raise UsageError(f"the cards folder '{file_display(cards_dir)}' is outside the git work tree '{top}'") from None
    return Repo(top=top, cards=rel.as_posix() if rel.parts else "")


def resolve_commit(repo: Repo, rev: str) -> str:
    """The full id of the commit ``rev`` names, or UsageError("unknown revision ...")."""
    if not rev or rev.startswith("-"):
        raise UsageError(f"unknown revision '{rev}'")
    result = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", cwd=repo.top)
    if result.returncode != 0:
        raise UsageError(f"unknown revision '{rev}'")
    return result.stdout.decode().strip()


def _cards_tree(repo: Repo, commit: str, label: str) -> str:
    """The id of the cards folder's tree at ``commit``."""
    if not repo.cards:
        return commit + "^{tree}"
    result = git("ls-tree", "-z", commit, "--", repo.cards, cwd=repo.top)
    if result.returncode != 0:
        raise UsageError(f"git cannot list revision '{label}': {_first_line(result.stderr)}")
    for record in result.stdout.split(b"\0"):
        info, _, path = record.partition(b"\t")
        fields = info.split()
        if os.fsdecode(path) == repo.cards and len(fields) == 3 and fields[1] == b"tree":
            return fields[2].decode()
    raise UsageError(f"revision '{label}' has no cards folder '{repo.cards_display}'")


def _safe_relative(path: str) -> PurePosixPath | None:
    p = PurePosixPath(path)
    if p.is_absolute() or not p.parts or any(part in ("..", ".", ".git") for part in p.parts):
        return None
    return p


def materialize(repo: Repo, commit: str, label: str, dest: Path) -> None:
    """Write the cards folder as it is at ``commit`` into the (empty) folder ``dest``.

    Files and symbolic links are written as git stores them (no attributes, filters or line-ending conversion);
    submodules are skipped.
    """
    tree = _cards_tree(repo, commit, label)
    listing = git("ls-tree", "-r", "-z", tree, cwd=repo.top)
    if listing.returncode != 0:
        raise UsageError(f"git cannot list revision '{label}': {_first_line(listing.stderr)}")
    blobs: list[tuple[str, str, PurePosixPath]] = []  # (mode, id, path)
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        info, _, raw_path = record.partition(b"\t")
        mode, kind, object_id = info.decode().split()
        path = _safe_relative(os.fsdecode(raw_path))
        if kind == "blob" and path is not None:
            blobs.append((mode, object_id, path))
    if not blobs:
        return
    proc = subprocess.Popen(
        [_git_exe(), "cat-file", "--batch"],
        cwd=repo.top, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **_ENV},
    )
    assert proc.stdin is not None and proc.stdout is not None
    request = "".join(f"{object_id}\n" for _, object_id, _ in blobs).encode()

    def feed() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(request)
        except BrokenPipeError:
            pass
        finally:
            proc.stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        for mode, object_id, path in blobs:
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[0].decode() != object_id:
                raise UsageError(f"git cat-file gave an unexpected answer while reading revision '{label}'")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each object
            target = dest.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                try:
                    os.symlink(os.fsdecode(data), target)
                except OSError:
                    pass  # no symlinks here (Windows without the privilege): the loader reports the file as missing
            else:
                target.write_bytes(data)
    finally:
        proc.stdout.close()
        feeder.join()
        proc.wait()


def _relabel(problems: list[Problem] | tuple[Problem, ...], tmp_root: Path, repo: Repo, label: str) -> list[Problem]:
    """Problems found in a temporary copy, placed at ``label:cards/file`` (git's notation) instead."""
    prefix = file_display(tmp_root)
    out = []
    for problem in problems:
        path = problem.location.path
        if path == prefix or path.startswith(prefix + os.sep):
            rest = Path(os.path.relpath(path, prefix)).as_posix()
            path = f"{label}:" + "/".join(part for part in (repo.cards, rest) if part and part != ".")
        message = problem.message.replace(prefix + os.sep, f"{label}:{repo.cards}/" if repo.cards else f"{label}:")
        out.append(replace(problem, message=message, location=Location(path, problem.location.line, problem.location.col)))
    return out


def _load(root: Path) -> tuple[Deck, Lock | None]:
    deck, problems = read_deck(root)
    if deck is None or any(p.is_error for p in problems):
        raise ContentError(problems)
    return deck, read_lock(root / LOCK_FILE)


def snapshot_at(repo: Repo, rev: str) -> Snapshot:
    """Read and validate the deck at revision ``rev``. A deck with errors there raises ContentError."""
    commit = resolve_commit(repo, rev)
    with tempfile.TemporaryDirectory(prefix="deckgen-diff-") as tmp:
        root = Path(tmp) / "cards"
        root.mkdir()
        materialize(repo, commit, rev, root)
        try:
            deck, lock = _load(root)
        except ContentError as exc:
            raise ContentError(_relabel(exc.problems, root, repo, rev)) from None
    return Snapshot(label=rev, commit=commit, deck=deck, lock=lock)


def snapshot_worktree(cards_dir: Path) -> Snapshot:
    """The deck as it is in the work tree (uncommitted edits included)."""
    deck, lock = _load(cards_dir)
    return Snapshot(label="", commit="", deck=deck, lock=lock)


def committed(cards_dir: Path) -> Snapshot | None:
    """The deck as last committed (at HEAD), or None when there is none to read: not in a git repository, no commit
    yet, the cards folder not committed, git missing, or a deck with errors at HEAD."""
    try:
        return snapshot_at(find_repo(cards_dir), "HEAD")
    except DeckgenError:
        return None
