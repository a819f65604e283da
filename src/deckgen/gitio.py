"""A thin wrapper around the ``git`` command: find the repository, resolve revisions, read a cards folder at a
revision. Every failure the user can cause is a :class:`~deckgen.errors.UsageError` (exit code 2)."""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, DeckgenError, Location, Problem, UsageError
from .includes import MAX_INCLUDE_BYTES, Reader
from .layout import DECK_FILE, LOCK_FILE
from .loader import deck_from_files, is_topic_file, read_deck
from .lock import Lock
from .lockread import LINKED_LOCK, MAX_LOCK_BYTES, RESTORE, parse_lock, read_lock
from .model import Deck
from .yamlsource import MAX_FILE_BYTES, file_display

_ENV = {"GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
# Every git call runs with safe.bareRepository=explicit (git 2.38+, given as command-line configuration through the
# GIT_CONFIG_COUNT variables, the only scopes git reads it from): git then never takes a folder of the pull request
# that looks like a bare repository (HEAD, objects/, refs/ committed in cards/) for the repository itself, and
# refuses it instead ("cannot use bare repository") rather than reading a fake history from it.
_SAFE_CONFIG = (("safe.bareRepository", "explicit"),)


def git_env() -> dict[str, str]:
    """The environment of every git call: the user's, plus deckgen's settings appended to any GIT_CONFIG_* they set."""
    env = {**os.environ, **_ENV}
    count = env.get("GIT_CONFIG_COUNT", "")
    n = int(count) if count.isascii() and count.isdigit() else 0
    for key, value in _SAFE_CONFIG:
        env[f"GIT_CONFIG_KEY_{n}"] = key
        env[f"GIT_CONFIG_VALUE_{n}"] = value
        n += 1
    env["GIT_CONFIG_COUNT"] = str(n)
    return env


def looks_like_git_dir(folder: Path) -> bool:
    """Whether ``folder`` has what makes git take it for a repository's git folder (HEAD, objects/ and refs/)."""
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()


def refuse_git_dir(cards_dir: Path) -> None:
    """A cards folder that looks like a git folder (committed by a pull request, say) is refused: git run there
    would read it as a bare repository, with a history of the pull request's making."""
    if cards_dir.is_dir() and looks_like_git_dir(cards_dir):
        raise UsageError(
            f"the cards folder '{file_display(cards_dir)}' looks like a git repository (it holds HEAD, objects/ and refs/): "
            "git would read the deck's history from it instead of from your repository; remove those from the cards folder"
        )


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
        return subprocess.run([_git_exe(), *args], cwd=cwd, input=input, capture_output=True, env=git_env())
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc})") from None


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "no message"


def find_repo(cards_dir: Path) -> Repo:
    """The git work tree that holds ``cards_dir`` (which may not exist in the work tree any more)."""
    where = cards_dir.absolute()
    refuse_git_dir(where)
    start = where
    while not start.is_dir() and start != start.parent:
        start = start.parent
    result = git("rev-parse", "--show-toplevel", cwd=start)
    if result.returncode != 0:
        message = _first_line(result.stderr)
        if "cannot use bare repository" in message:  # a folder above the cards folder looks like one (see _SAFE_CONFIG)
            raise UsageError(f"git refuses a folder that looks like a bare git repository on the way from the cards folder "
                             f"'{file_display(cards_dir)}' up to the repository ({message.removeprefix('fatal: ')}); "
                             "remove its HEAD, objects/ and refs/")
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


@dataclass(frozen=True)
class _Blob:
    mode: str
    kind: str  # "blob" or "commit" (a submodule)
    object_id: str
    size: int  # -1 when git gives none


def _list_tree(repo: Repo, tree: str, label: str) -> dict[str, _Blob]:
    """Every file under ``tree`` (paths relative to it, as git stores them), with its size."""
    listing = git("ls-tree", "-r", "-z", "--long", tree, cwd=repo.top)
    if listing.returncode != 0:
        raise UsageError(f"git cannot list revision '{label}': {_first_line(listing.stderr)}")
    out: dict[str, _Blob] = {}
    duplicates: list[str] = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        info, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size = info.decode("ascii", "replace").split()
        path = os.fsdecode(raw_path)
        if path in out:
            duplicates.append(path)
        out[path] = _Blob(mode, kind, object_id, int(size) if size.isdigit() else -1)
    if duplicates:
        raise _TreeProblem(duplicates[0], "appears twice in the git tree (a crafted commit); deckgen diff refuses it")
    return out


class _TreeProblem(Exception):
    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


_RESERVED = {"", ".", "..", ".git"}


def _tree_problems(files: dict[str, _Blob]) -> list[tuple[str, str]]:
    """(path, message) for names no checkout could hold safely: '\\', '.', '..', '.git', and names equal but for
    case (on a case-insensitive disk 'Media' and 'media' are one folder), or a name that is a file and a folder."""
    problems: list[tuple[str, str]] = []
    spelled: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for path in sorted(files):
        parts = path.split("/")
        bad = next((part for part in parts if "\\" in part or part.casefold() in _RESERVED), None)
        if bad is not None:
            what = "a backslash" if "\\" in bad else f"'{bad}'"
            problems.append((path, f"has {what} in its name (a crafted commit); rename it"))
            continue
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            kind = "file" if depth == len(parts) else "folder"
            first = spelled.setdefault(prefix.casefold(), prefix)
            if first != prefix:
                problems.append((path, f"differs only in case from '{first}' (they collide on case-insensitive disks); "
                                       "rename one"))
                break
            if kinds.setdefault(prefix, kind) != kind:
                problems.append((prefix, "is both a file and a folder in the git tree (a crafted commit); rename one"))
                break
    return problems


_MAX_LINKS = 8
_MAX_LINK_BYTES = 4096  # a link's target is a path (PATH_MAX); a longer "link" blob is never read


def _resolve(files: dict[str, _Blob], path: str, read_link: Callable[[str], str]) -> tuple[str | None, str]:
    """Follow symbolic links *in the tree* from ``path`` (nothing on disk is touched): (the file's path, "") or
    (None, the problem), with the loader's wording for a link leaving the cards folder."""
    for _ in range(_MAX_LINKS):
        entry = files.get(path)
        if entry is None:
            return None, "cannot be read (No such file or directory); check the file"
        if entry.mode != "120000":
            if entry.kind != "blob":
                return None, "is a submodule, not a YAML file; remove it from the cards folder"
            return path, ""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), read_link(path)))
        if target.startswith(("/", "../")) or target == "..":
            return None, "is a symbolic link to a file outside the cards folder; copy the file in instead"
        path = target
    return None, "cannot be read (too many levels of symbolic links); check the file"


def read_revision(repo: Repo, commit: str, label: str) -> tuple[dict[str, bytes], list[Problem], Reader]:
    """The top-level files of the cards folder at ``commit`` that the loader reads (deck.yaml, topic files, the lock),
    as bytes, read from git's object store into memory: nothing is written to disk, so a crafted tree (a link and a
    folder of one name, '..', names equal but for case) cannot make deckgen write anywhere. Names no checkout could
    hold, links that leave the cards folder and files over 16 MiB are problems at ``label:cards/path``."""
    prefix = f"{label}:{repo.cards}/" if repo.cards else f"{label}:"
    tree = _cards_tree(repo, commit, label)
    try:
        files = _list_tree(repo, tree, label)
    except _TreeProblem as exc:
        raise ContentError([Problem(Location(prefix + exc.path), exc.message)]) from None
    problems = [Problem(Location(prefix + path), message) for path, message in _tree_problems(files)]
    if problems:  # a tree no checkout could hold: nothing in it is read
        raise ContentError(problems)
    links = {path: entry for path, entry in files.items() if entry.mode == "120000" and 0 <= entry.size <= _MAX_LINK_BYTES}
    targets = _read_blobs(repo, sorted({entry.object_id for entry in links.values()}), label)
    link_text = {path: targets[entry.object_id].decode("utf-8", "replace") for path, entry in links.items()}
    wanted: dict[str, str] = {}  # name -> the path of the file it reads
    for name in sorted({path.split("/", 1)[0] for path in files}):
        if not (is_topic_file(name) or name in (DECK_FILE, LOCK_FILE)):
            continue
        where = Location(prefix + name)
        if name not in files:  # only files under it: a folder
            problems.append(Problem(where, "is a folder, not a YAML file; rename it or move it out of the cards folder"))
            continue
        if name == LOCK_FILE and files[name].mode == "120000":
            problems.append(Problem(where, f"{LINKED_LOCK}; {RESTORE}", rule="lock"))
            continue
        target, message = _resolve(files, name, lambda path: link_text.get(path, "/"))  # unread: treated as leaving
        if target is None:
            problems.append(Problem(where, message))
            continue
        size = files[target].size
        if size > MAX_FILE_BYTES and name != LOCK_FILE:
            problems.append(Problem(where, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; split it into "
                                           "several topic files"))
            continue
        if size > MAX_LOCK_BYTES:
            problems.append(Problem(where, f"is {size:,} bytes, over the {MAX_LOCK_BYTES:,}-byte limit for a lock file; "
                                           f"{RESTORE}", rule="lock"))
            continue
        wanted[name] = target
    blobs = _read_blobs(repo, sorted({files[path].object_id for path in wanted.values()}), label)

    def include(name: str) -> tuple[bytes | None, str, str | None]:
        """A file deck.yaml names (a template, CSS), read from the tree: like on disk, no links."""
        entry = files.get(name)
        if entry is None:
            return None, prefix + name, f"file '{name}' does not exist in the cards folder; create it or fix the path"
        if entry.mode == "120000":
            return None, prefix + name, f"'{name}' is a symbolic link or leads outside the cards folder; copy the file in instead"
        if entry.kind != "blob" or not 0 <= entry.size <= MAX_INCLUDE_BYTES:
            return None, prefix + name, f"'{name}' is over {MAX_INCLUDE_BYTES:,} bytes or not a regular file"
        return _read_blobs(repo, [entry.object_id], label)[entry.object_id], prefix + name, None

    return {name: blobs[files[path].object_id] for name, path in wanted.items()}, problems, include


def _read_blobs(repo: Repo, object_ids: list[str], label: str) -> dict[str, bytes]:
    """The contents of these blobs, through one ``git cat-file --batch`` (sizes were checked before)."""
    if not object_ids:
        return {}
    proc = subprocess.Popen(
        [_git_exe(), "cat-file", "--batch"],
        cwd=repo.top, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    request = "".join(f"{object_id}\n" for object_id in object_ids).encode()

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
    out: dict[str, bytes] = {}
    try:
        for object_id in object_ids:
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[0].decode() != object_id or not header[2].isdigit():
                raise UsageError(f"git cat-file gave an unexpected answer while reading revision '{label}'")
            size = int(header[2])
            if size > MAX_LOCK_BYTES:  # sizes were checked from the listing; never trust a stream for memory
                raise UsageError(f"git cat-file gave an unexpected answer while reading revision '{label}'")
            out[object_id] = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
    finally:
        proc.stdout.close()
        feeder.join()
        proc.wait()
    return out


def _load(root: Path) -> tuple[Deck, Lock | None]:
    deck, problems = read_deck(root)
    if deck is None or any(p.is_error for p in problems):
        raise ContentError(problems)
    return deck, read_lock(root / LOCK_FILE)


def snapshot_at(repo: Repo, rev: str) -> Snapshot:
    """Read and validate the deck at revision ``rev`` from git's object store. A deck with errors there raises
    ContentError (problems at ``rev:cards/file:line:col``)."""
    commit = resolve_commit(repo, rev)
    files, problems, include = read_revision(repo, commit, rev)
    prefix = f"{rev}:{repo.cards}/" if repo.cards else f"{rev}:"
    deck, found = deck_from_files(Path(repo.cards or "."), {k: v for k, v in files.items() if k != LOCK_FILE},
                                  lambda name: prefix + name, include)
    problems += found
    if deck is None or any(p.is_error for p in problems):
        raise ContentError(problems)
    lock = parse_lock(files[LOCK_FILE], prefix + LOCK_FILE) if LOCK_FILE in files else None
    return Snapshot(label=rev, commit=commit, deck=deck, lock=lock)


def snapshot_worktree(cards_dir: Path) -> Snapshot:
    """The deck as it is in the work tree (uncommitted edits included)."""
    deck, lock = _load(cards_dir)
    return Snapshot(label="", commit="", deck=deck, lock=lock)


def committed(cards_dir: Path) -> Snapshot | None:
    """The deck as last committed (at HEAD), or None when there is none to read: not in a git repository, no commit
    yet, the cards folder not committed, git missing, or a deck with errors at HEAD. A cards folder that looks like
    a git repository is refused (UsageError): git must never read a history the cards folder supplies."""
    refuse_git_dir(cards_dir.absolute())
    try:
        return snapshot_at(find_repo(cards_dir), "HEAD")
    except DeckgenError:
        return None
