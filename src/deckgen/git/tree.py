"""The cards folder at a revision, read from git's object store one folder at a time (never a recursive listing:
a crafted tree may hold millions of paths), and blobs read through one ``git cat-file --batch``."""

from __future__ import annotations

import os
import posixpath
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deckgen.errors import ContentError, Location, Problem, UsageError
from deckgen.git.command import first_line, git_env, git_exe
from deckgen.lock.read import MAX_LOCK_BYTES


@dataclass(frozen=True)
class Blob:
    mode: str
    kind: str  # "blob", "tree" (a folder) or "commit" (a submodule)
    object_id: str
    size: int  # -1 when git gives none


MAX_FOLDER_ENTRIES = 20_000  # entries of one folder that deckgen diff lists at a revision
MAX_LISTED_ENTRIES = 100_000  # entries of all the folders it lists for one revision


class TreeProblem(Exception):
    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def list_folder(top: Path, tree: str, label: str, limit: int) -> list[tuple[str, Blob]]:
    """The entries of one folder (``git ls-tree`` of ``tree``, never recursive), as git stores them (a crafted tree may
    name an entry twice). More than ``limit`` entries: git is stopped and OverflowError raised, so that a folder
    of a million entries costs neither the time nor the memory of listing it."""
    proc = subprocess.Popen(
        [git_exe(), "ls-tree", "-z", "--long", tree],
        cwd=top,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    out: list[tuple[str, Blob]] = []
    pending = b""
    try:
        while chunk := proc.stdout.read(1 << 16):
            *records, pending = (pending + chunk).split(b"\0")
            for record in records:
                info, _, raw_name = record.partition(b"\t")
                mode, kind, object_id, size = info.decode("ascii", "replace").split()
                out.append((os.fsdecode(raw_name), Blob(mode, kind, object_id, int(size) if size.isdigit() else -1)))
            if len(out) > limit:
                raise OverflowError(limit)
        stderr = proc.stderr.read()
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()
    if proc.returncode != 0:
        raise UsageError(f"git cannot list revision '{label}': {first_line(stderr)}")
    return out


_RESERVED = {"", ".", "..", ".git"}


def folder_problems(folder: str, entries: list[tuple[str, Blob]]) -> list[tuple[str, str]]:
    """(path, message) for names of one folder that no checkout could hold safely: '\\', '.', '..', '.git', a name
    twice (or as a file and a folder), names equal but for case (on a case-insensitive disk 'Media' and 'media'
    are one folder)."""
    problems: list[tuple[str, str]] = []
    first: dict[str, str] = {}
    kinds: dict[str, bool] = {}
    for name, entry in sorted(entries, key=lambda item: item[0]):
        path = f"{folder}/{name}" if folder else name
        if "\\" in name or name.casefold() in _RESERVED:
            what = "a backslash" if "\\" in name else f"'{name}'"
            problems.append((path, f"has {what} in its name (a crafted commit); rename it"))
            continue
        is_folder = entry.kind == "tree"
        if name in kinds:
            if kinds[name] != is_folder:
                problems.append((path, "is both a file and a folder in the git tree (a crafted commit); rename one"))
            else:
                problems.append((path, "appears twice in the git tree (a crafted commit); deckgen diff refuses it"))
            continue
        kinds[name] = is_folder
        spelled = first.setdefault(name.casefold(), name)
        if spelled != name:
            problems.append(
                (path, f"differs only in case from '{spelled}' (they collide on case-insensitive disks); rename one")
            )
    return problems


class Tree:
    """The cards folder at a revision, one folder at a time: only the folders that reading the deck needs are listed
    (the cards folder itself, and the folders on the way to a file that deck.yaml names or a link leads to), never
    the whole tree (media/ may hold any number of paths), each at most :data:`MAX_FOLDER_ENTRIES` entries."""

    def __init__(self, top: Path, root: str, label: str, prefix: str):
        self.top, self.label, self.prefix = top, label, prefix
        self._ids = {"": root}  # folder -> its tree id, for the folders met so far
        self._listings: dict[str, dict[str, Blob]] = {}
        self._budget = MAX_LISTED_ENTRIES

    def listing(self, folder: str) -> dict[str, Blob]:
        """The entries of ``folder`` ("" for the cards folder). ContentError for a folder with too many entries, or
        with names no checkout could hold (nothing in it is read then)."""
        if folder not in self._listings:
            where = Location(
                self.prefix + folder
                if folder
                else self.prefix.removesuffix("/")
                if self.prefix.endswith("/")
                else self.prefix + "."
            )
            try:
                entries = list_folder(self.top, self._ids[folder], self.label, min(MAX_FOLDER_ENTRIES, self._budget))
            except OverflowError:
                limit = "folder" if self._budget >= MAX_FOLDER_ENTRIES else "revision"
                count = MAX_FOLDER_ENTRIES if limit == "folder" else MAX_LISTED_ENTRIES
                raise ContentError(
                    [
                        Problem(
                            where,
                            f"has more than {count:,} entries (in one {limit}), more than deckgen "
                            "diff lists; keep the cards folder's own files fewer",
                        )
                    ]
                ) from None
            self._budget -= len(entries)
            problems = folder_problems(folder, entries)
            if problems:
                raise ContentError([Problem(Location(self.prefix + path), message) for path, message in problems])
            self._listings[folder] = dict(entries)
        return self._listings[folder]

    def subfolder(self, path: str) -> dict[str, Blob] | None:
        """The entries of the folder at ``path``, or None when there is no such folder (a link is not one)."""
        entry = self.entry(path)
        if entry is None or entry.kind != "tree":
            return None
        self._ids.setdefault(path, entry.object_id)
        return self.listing(path)

    def entry(self, path: str) -> Blob | None:
        """The entry at ``path`` (folders separated by '/'), or None when there is none (a link on the way is not
        followed: it is not a folder in the tree)."""
        folder = ""
        *folders, name = path.split("/")
        for part in folders:
            entry = self.listing(folder).get(part)
            if entry is None or entry.kind != "tree":
                return None
            folder = f"{folder}/{part}" if folder else part
            self._ids.setdefault(folder, entry.object_id)
        return self.listing(folder).get(name)


_MAX_LINKS = 8
MAX_LINK_BYTES = 4096  # a link's target is a path (PATH_MAX); a longer "link" blob is never read


def resolve(tree: Tree, path: str, read_link: Callable[[str, Blob], str]) -> tuple[str | None, str]:
    """Follow symbolic links *in the tree* from ``path`` (nothing on disk is touched): (the file's path, "") or
    (None, the problem), with the loader's wording for a link leaving the cards folder."""
    for _ in range(_MAX_LINKS):
        entry = tree.entry(path)
        if entry is None:
            return None, "cannot be read (No such file or directory); check the file"
        if entry.mode != "120000":
            if entry.kind != "blob":
                return None, "is a submodule, not a YAML file; remove it from the cards folder"
            return path, ""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), read_link(path, entry)))
        if target.startswith(("/", "../")) or target == "..":
            return None, "is a symbolic link to a file outside the cards folder; copy the file in instead"
        path = target
    return None, "cannot be read (too many levels of symbolic links); check the file"


def read_blobs(top: Path, object_ids: list[str], label: str) -> dict[str, bytes]:
    """The contents of these blobs, through one ``git cat-file --batch`` (sizes were checked before)."""
    if not object_ids:
        return {}
    proc = subprocess.Popen(
        [git_exe(), "cat-file", "--batch"],
        cwd=top,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git_env(),
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
