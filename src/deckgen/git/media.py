"""Media files in ``deckgen diff``: which files of ``cards/media/`` were added, replaced or removed.

A replaced picture under an approved question changes what learners see while no card text changes, so a
reviewer must be told. Files are compared by git's blob id: at a revision it comes from the tree listing (nothing
is read), in the work tree each regular file is hashed the way git hashes it (links and other entries are the
build's concern, media.py). Nothing is decoded or shown: the report names the files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from deckgen.errors import ContentError
from deckgen.git.tree import MAX_FOLDER_ENTRIES, Tree
from deckgen.source.media import MEDIA_DIR

_REGULAR = ("100644", "100755")


@dataclass(frozen=True)
class MediaFiles:
    """The media files of one revision: (name, git blob id), sorted; or why they were not listed."""

    files: tuple[tuple[str, str], ...] = ()
    skipped: str = ""


@dataclass(frozen=True)
class MediaChanges:
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: str = ""  # why media were not compared

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.replaced or self.removed)

    def lists(self) -> list[tuple[str, tuple[str, ...]]]:
        """("added" | "replaced" | "removed", names) for each list that has names, in that order."""
        return [
            (what, names)
            for what, names in (("added", self.added), ("replaced", self.replaced), ("removed", self.removed))
            if names
        ]


def _too_many(where: str) -> str:
    return f"{where} has more than {MAX_FOLDER_ENTRIES:,} files, more than deckgen diff compares"


def at_revision(tree: Tree, label: str) -> MediaFiles:
    """The media files in the tree (from its listing: no file is read)."""
    try:
        listing = tree.subfolder(MEDIA_DIR)
    except ContentError:  # too many entries, or names no checkout could hold (the deck's own check reports those)
        return MediaFiles(skipped=_too_many(f"media/ at {label}"))
    if listing is None:
        return MediaFiles()
    return MediaFiles(tuple(sorted((name, e.object_id) for name, e in listing.items() if e.mode in _REGULAR)))


def git_blob_id(path: Path) -> str:
    """The id git gives the file's content (sha1 of 'blob <size>\\0' and the bytes), read in chunks."""
    digest = hashlib.sha1(usedforsecurity=False)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        digest.update(b"blob %d\0" % os.fstat(f.fileno()).st_size)
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def in_worktree(cards_dir: Path) -> MediaFiles:
    """The regular files of cards/media/ in the work tree, hashed as git would."""
    folder = cards_dir / MEDIA_DIR
    if folder.is_symlink() or not folder.is_dir():
        return MediaFiles()
    out: list[tuple[str, str]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if len(out) >= MAX_FOLDER_ENTRIES:
                return MediaFiles(skipped=_too_many("media/ in the work tree"))
            if entry.is_file(follow_symlinks=False):
                try:
                    out.append((entry.name, git_blob_id(Path(entry.path))))
                except OSError:
                    continue  # unreadable: the build says so
    return MediaFiles(tuple(sorted(out)))


def compare_media(old: MediaFiles, new: MediaFiles) -> MediaChanges:
    if old.skipped or new.skipped:
        return MediaChanges(skipped=old.skipped or new.skipped)
    before, after = dict(old.files), dict(new.files)
    return MediaChanges(
        added=tuple(sorted(set(after) - set(before))),
        replaced=tuple(sorted(name for name in set(before) & set(after) if before[name] != after[name])),
        removed=tuple(sorted(set(before) - set(after))),
    )
