"""A thin wrapper around the ``git`` command: find the repository, resolve revisions, read a cards folder at a
revision. Every failure the user can cause is a :class:`~deckgen.errors.UsageError` (exit code 2)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from deckgen.errors import ContentError, DeckgenError, Location, Problem, UsageError
from deckgen.git.command import first_line, git
from deckgen.git.media import MediaFiles, at_revision, in_worktree
from deckgen.git.tree import MAX_LINK_BYTES, Blob, Tree, read_blobs, resolve
from deckgen.lock.model import Lock
from deckgen.lock.read import LINKED_LOCK, MAX_LOCK_BYTES, RESTORE, parse_lock, read_lock
from deckgen.model import Deck
from deckgen.source.defects import keepable
from deckgen.source.includes import MAX_INCLUDE_BYTES, Reader
from deckgen.source.layout import DECK_FILE, LOCK_FILE
from deckgen.source.loader import deck_from_files, is_topic_file, read_deck
from deckgen.source.yamlfile import MAX_FILE_BYTES, file_display


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
    media: MediaFiles = MediaFiles()  # the files of cards/media/, by git blob id


def find_repo(cards_dir: Path) -> Repo:
    """The git work tree that holds ``cards_dir`` (which may not exist in the work tree any more)."""
    where = cards_dir.absolute()
    refuse_git_dir(where)
    start = where
    while not start.is_dir() and start != start.parent:
        start = start.parent
    result = git("rev-parse", "--show-toplevel", cwd=start)
    if result.returncode != 0:
        message = first_line(result.stderr)
        if "cannot use bare repository" in message:  # a folder above the cards folder looks like one (see _SAFE_CONFIG)
            raise UsageError(
                f"git refuses a folder that looks like a bare git repository on the way from the cards folder "
                f"'{file_display(cards_dir)}' up to the repository ({message.removeprefix('fatal: ')}); "
                "remove its HEAD, objects/ and refs/"
            )
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
        raise UsageError(f"unknown revision '{rev}'{_branches_hint(repo)}")
    return result.stdout.decode().strip()


def _branches_hint(repo: Repo) -> str:
    """'; the branches here are master, origin/master': for a revision that names no commit (as 'main' where the
    default branch is 'master')."""
    result = git("for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes", cwd=repo.top)
    names = [n for n in result.stdout.decode(errors="replace").split("\n") if n and not n.endswith("/HEAD")]
    if result.returncode != 0 or not names:
        return "; this repository has no branches yet (commit first)"
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return f"; the branches here are {shown}"


def _cards_tree(repo: Repo, commit: str, label: str) -> str:
    """The id of the cards folder's tree at ``commit``."""
    if not repo.cards:
        return commit + "^{tree}"
    result = git("ls-tree", "-z", commit, "--", repo.cards, cwd=repo.top)
    if result.returncode != 0:
        raise UsageError(f"git cannot list revision '{label}': {first_line(result.stderr)}")
    for record in result.stdout.split(b"\0"):
        info, _, path = record.partition(b"\t")
        fields = info.split()
        if os.fsdecode(path) == repo.cards and len(fields) == 3 and fields[1] == b"tree":
            return fields[2].decode()
    raise UsageError(f"revision '{label}' has no cards folder '{repo.cards_display}'")


def read_revision(
    repo: Repo, commit: str, label: str, *, media: bool = False
) -> tuple[dict[str, bytes], list[Problem], Reader, MediaFiles]:
    """The top-level files of the cards folder at ``commit`` that the loader reads (deck.yaml, topic files, the lock),
    as bytes, read from git's object store into memory: nothing is written to disk, so a crafted tree (a link and a
    folder of one name, '..', names equal but for case) cannot make deckgen write anywhere. Only the folders needed
    are listed (see :class:`Tree`). Names no checkout could hold, links that leave the cards folder and files over
    16 MiB are problems at ``label:cards/path``."""
    prefix = f"{label}:{repo.cards}/" if repo.cards else f"{label}:"
    tree = Tree(repo.top, _cards_tree(repo, commit, label), label, prefix)
    top = tree.listing("")
    link_ids = sorted(
        {entry.object_id for entry in top.values() if entry.mode == "120000" and 0 <= entry.size <= MAX_LINK_BYTES}
    )
    link_text = {
        object_id: data.decode("utf-8", "replace") for object_id, data in read_blobs(repo.top, link_ids, label).items()
    }

    def read_link(path: str, entry: Blob) -> str:
        """A link's target; "/" (read as leaving the cards folder) for a "link" too long to be a path."""
        if not 0 <= entry.size <= MAX_LINK_BYTES:
            return "/"
        if entry.object_id not in link_text:
            link_text[entry.object_id] = read_blobs(repo.top, [entry.object_id], label)[entry.object_id].decode(
                "utf-8", "replace"
            )
        return link_text[entry.object_id]

    problems: list[Problem] = []
    wanted: dict[str, str] = {}  # name -> the path of the file it reads
    for name in sorted(top):
        if not (is_topic_file(name) or name in (DECK_FILE, LOCK_FILE)):
            continue
        where = Location(prefix + name)
        if top[name].kind == "tree":
            problems.append(
                Problem(where, "is a folder, not a YAML file; rename it or move it out of the cards folder")
            )
            continue
        if name == LOCK_FILE and top[name].mode == "120000":
            problems.append(Problem(where, f"{LINKED_LOCK}; {RESTORE}", rule="lock"))
            continue
        try:
            target, message = resolve(tree, name, read_link)
        except ContentError as exc:  # a folder on the way that no checkout could hold, or too large
            problems += exc.problems
            continue
        if target is None:
            problems.append(Problem(where, message))
            continue
        entry = tree.entry(target)
        assert entry is not None
        if entry.size > MAX_FILE_BYTES and name != LOCK_FILE:
            problems.append(
                Problem(
                    where,
                    f"file is {entry.size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; split it into "
                    "several topic files",
                )
            )
            continue
        if entry.size > MAX_LOCK_BYTES:
            problems.append(
                Problem(
                    where,
                    f"is {entry.size:,} bytes, over the {MAX_LOCK_BYTES:,}-byte limit for a lock file; {RESTORE}",
                    rule="lock",
                )
            )
            continue
        wanted[name] = entry.object_id
    blobs = read_blobs(repo.top, sorted(set(wanted.values())), label)

    def include(name: str) -> tuple[bytes | None, str, str | None]:
        """A file deck.yaml names (a template, CSS), read from the tree: like on disk, no links."""
        try:
            entry = tree.entry(name)
        except ContentError as exc:
            return None, exc.problems[0].location.path, exc.problems[0].message
        if entry is None:
            return None, prefix + name, f"file '{name}' does not exist in the cards folder; create it or fix the path"
        if entry.mode == "120000":
            return (
                None,
                prefix + name,
                f"'{name}' is a symbolic link or leads outside the cards folder; copy the file in instead",
            )
        if entry.kind != "blob" or not 0 <= entry.size <= MAX_INCLUDE_BYTES:
            return None, prefix + name, f"'{name}' is over {MAX_INCLUDE_BYTES:,} bytes or not a regular file"
        return read_blobs(repo.top, [entry.object_id], label)[entry.object_id], prefix + name, None

    files = {name: blobs[object_id] for name, object_id in wanted.items()}
    return files, problems, include, (at_revision(tree, label) if media else MediaFiles())


def _stops(problems: list[Problem]) -> bool:
    """Whether the deck cannot be read for a comparison: an error other than a defect an imported card may keep (an
    empty first field; whether a card may still keep it is ``deckgen check``'s and the build's decision)."""
    return any(p.is_error and not keepable(p) for p in problems)


def _load(root: Path) -> tuple[Deck, Lock | None]:
    deck, problems = read_deck(root)
    if deck is None or _stops(problems):
        raise ContentError(problems)
    return deck, read_lock(root / LOCK_FILE)


def snapshot_at(repo: Repo, rev: str, *, media: bool = False) -> Snapshot:
    """Read and validate the deck at revision ``rev`` from git's object store (and list its media files when
    ``media``). A deck with errors there raises ContentError (problems at ``rev:cards/file:line:col``)."""
    commit = resolve_commit(repo, rev)
    files, problems, include, media_files = read_revision(repo, commit, rev, media=media)
    prefix = f"{rev}:{repo.cards}/" if repo.cards else f"{rev}:"
    deck, found = deck_from_files(Path(repo.cards or "."), files, lambda name: prefix + name, include)
    problems += found
    if deck is None or _stops(problems):
        raise ContentError(problems)
    lock = parse_lock(files[LOCK_FILE], prefix + LOCK_FILE) if LOCK_FILE in files else None
    return Snapshot(label=rev, commit=commit, deck=deck, lock=lock, media=media_files)


def snapshot_worktree(cards_dir: Path) -> Snapshot:
    """The deck as it is in the work tree (uncommitted edits included)."""
    deck, lock = _load(cards_dir)
    return Snapshot(label="", commit="", deck=deck, lock=lock, media=in_worktree(cards_dir))


def committed(cards_dir: Path) -> Snapshot | None:
    """The deck as last committed (at HEAD), or None when there is none to read: not in a git repository, no commit
    yet, the cards folder not committed, git missing, or a deck with errors at HEAD. A cards folder that looks like
    a git repository is refused (UsageError): git must never read a history the cards folder supplies."""
    refuse_git_dir(cards_dir.absolute())
    try:
        return snapshot_at(find_repo(cards_dir), "HEAD")
    except DeckgenError:
        return None
