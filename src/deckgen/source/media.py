"""Media files: the one place that decides whether a file in ``cards/media/`` may be read, listed or packaged.

A card's media file must be

- a *regular file* directly in ``cards/media/``: no symbolic link (neither ``media/`` itself nor a file in it,
  wherever it points: a link could carry ``.git/config`` or ``/etc/passwd`` into the package), no folder, FIFO
  or device;
- of a type Anki shows or plays and that cannot carry script: the images, audio, video and fonts in
  :data:`EXTENSIONS` (no ``.html``, ``.js``, ``.swf``, ...), and SVG images that an XML parser finds free of
  script and outside references (:mod:`deckgen.source.svg`);
- at most :data:`MAX_MEDIA_BYTES` (AnkiWeb does not sync larger files);
- named so that Anki keeps the name as it is (:func:`name_problem`): Anki's importer rewrites names with
  ``? * : " < > | [ ] ^ \\``, control or unassigned characters, trailing dots or spaces, Windows device names,
  more than 120 bytes, or not in Unicode NFC, and a card pointing at the original name would show nothing.

Files are read once, through a descriptor opened without following links (``O_NOFOLLOW``) below a
``media/`` descriptor opened the same way, so a file swapped for a link between the check and the read is
refused, never read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from deckgen.errors import ContentError, Location, Problem, did_you_mean
from deckgen.fsutil import UnsafeFile, open_dir_nofollow, read_regular
from deckgen.render.media import name_problem as render_name_problem
from deckgen.source.svg import MAX_SVG_BYTES, svg_problem
from deckgen.source.yamlfile import file_display

MEDIA_DIR = "media"
MAX_MEDIA_BYTES = 100 * 1024 * 1024
"""Anki's own limit for one media file (AnkiWeb does not sync a larger one)."""


"""Anki truncates longer media file names on import."""

# What Anki shows or plays (its editor's image and audio/video lists) and web fonts a note type's CSS may
# load; never a type that a browser engine would run (.html, .htm, .xhtml, .js, .mjs, .swf...). SVG only once checked.
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "avif", "ico", "bmp", "tif", "tiff"})
AUDIO_EXTENSIONS = frozenset({"mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "wav", "spx", "3gp"})
VIDEO_EXTENSIONS = frozenset({"mp4", "m4v", "webm", "ogv", "mov", "mkv", "mpg", "mpeg", "avi"})
FONT_EXTENSIONS = frozenset({"ttf", "otf", "woff", "woff2"})
EXTENSIONS = IMAGE_EXTENSIONS | AUDIO_EXTENSIONS | VIDEO_EXTENSIONS | FONT_EXTENSIONS | {"svg"}


SYMLINK = (
    "is a symbolic link; media files must be regular files in the cards folder's media/ (copy the file in instead)"
)
MEDIA_SYMLINK = "is a symbolic link; media/ must be a real folder inside the cards folder (copy the files in instead)"


def extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""


def type_problem(name: str) -> str | None:
    """Why a file of this type may not be shipped (None: it may)."""
    ext = extension(name)
    if ext in EXTENSIONS:
        return None
    shown = f"'.{ext}'" if ext else "without an extension"
    return (
        f"media type {shown} is not allowed: Anki would not show it, or it could carry script; use an image "
        "(png, jpg, gif, webp, avif), audio (mp3, m4a, ogg, opus, wav, flac), video (mp4, webm) or font "
        "(ttf, otf, woff, woff2) file"
    )


def name_problem(name: str) -> str | None:
    """Why Anki would not keep this media file name as written (None: it keeps it). One rule for the whole of
    deckgen: :func:`deckgen.render.media.name_problem`, which mirrors Anki's ``normalize_filename``."""
    reason = render_name_problem(name)
    return None if reason is None else f"the name {reason}; rename the file and its references"


@dataclass(frozen=True)
class MediaFile:
    """A media file that passed :func:`check_referenced`; :meth:`read` checks it again while reading it."""

    root: Path  # the cards folder
    name: str

    @property
    def display(self) -> str:
        return file_display(self.root / MEDIA_DIR / self.name)

    def read(self) -> bytes:
        """The file's bytes, read once through a descriptor that never followed a link. Raises ContentError
        (with the file's place) if the file is no longer what was checked."""
        try:
            folder = open_dir_nofollow(self.root / MEDIA_DIR)
        except UnsafeFile:
            raise ContentError(
                [Problem(Location(file_display(self.root / MEDIA_DIR)), MEDIA_SYMLINK, rule="media")]
            ) from None
        except OSError as exc:
            raise ContentError(
                [Problem(Location(self.display), f"cannot be read ({exc.strerror or exc})", rule="media")]
            ) from None
        try:
            data = read_regular(self.name, MAX_MEDIA_BYTES, dir_fd=folder)
        except UnsafeFile as exc:
            raise ContentError([Problem(Location(self.display), _unsafe_message(exc), rule="media")]) from None
        except OSError as exc:
            raise ContentError(
                [Problem(Location(self.display), f"cannot be read ({exc.strerror or exc})", rule="media")]
            ) from None
        finally:
            os.close(folder)
        if extension(self.name) == "svg" and (problem := svg_problem(data)) is not None:  # checked again as shipped
            raise ContentError([Problem(Location(self.display), problem, rule="media")])
        return data


def _unsafe_message(exc: UnsafeFile) -> str:
    if exc.reason == "symlink":
        return SYMLINK
    if exc.reason == "size":
        return f"file is {exc.size:,} bytes, over the {MAX_MEDIA_BYTES:,}-byte limit for a media file; make it smaller"
    return "is not a regular file (a folder, FIFO or device); media files must be regular files"


def _kind(folder: int, name: str) -> tuple[str, int]:
    """("file", size), ("symlink", 0), ("folder", 0), ("special", 0) or ("missing", 0), never following a link."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return "missing", 0
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return "missing", 0
    if stat.S_ISLNK(info.st_mode):
        return "symlink", 0
    if stat.S_ISDIR(info.st_mode):
        return "folder", 0
    if not stat.S_ISREG(info.st_mode):
        return "special", 0
    return "file", info.st_size


def _open_folder(root: Path) -> tuple[int | None, Problem | None]:
    """A descriptor of cards/media (None if there is none), or the problem with it."""
    path = root / MEDIA_DIR
    try:
        return open_dir_nofollow(path), None
    except UnsafeFile:
        return None, Problem(Location(file_display(path)), MEDIA_SYMLINK, rule="media")
    except NotADirectoryError:
        return None, Problem(Location(file_display(path)), "is a file; media/ must be a folder", rule="media")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, Problem(Location(file_display(path)), f"cannot be read ({exc.strerror or exc})", rule="media")


def _file_problem(root: Path, folder: int, name: str) -> tuple[bool, Problem | None]:
    """(exists, problem) for what is at ``name`` in media/, looked at without following links."""
    where = Location(file_display(root / MEDIA_DIR / name))
    kind, size = _kind(folder, name)
    if kind == "missing":
        return False, None
    if kind == "symlink":
        return True, Problem(where, SYMLINK, rule="media")
    if kind == "folder":
        return True, Problem(
            where, "is a folder; media files must be directly in media/ (Anki's media folder is flat)", rule="media"
        )
    if kind == "special":
        return True, Problem(
            where, "is not a regular file (a FIFO or device); media files must be regular files", rule="media"
        )
    if size > MAX_MEDIA_BYTES:
        return True, Problem(
            where,
            f"file is {size:,} bytes, over the {MAX_MEDIA_BYTES:,}-byte limit for a media file; make it smaller",
            rule="media",
        )
    if extension(name) == "svg":
        try:
            found = svg_problem(read_regular(name, MAX_SVG_BYTES + 1, dir_fd=folder))
        except UnsafeFile as exc:
            found = (
                f"is {exc.size:,} bytes, over the {MAX_SVG_BYTES:,}-byte limit for an SVG"
                if exc.reason == "size"
                else None
            )
        except OSError as exc:
            found = f"cannot be read ({exc.strerror or exc})"
        if found is not None:
            return True, Problem(where, found, rule="media")
    return True, None


def check_referenced(root: Path, uses: Iterable[tuple[str, Location, str]]) -> list[Problem]:
    """Problems with the media files that cards use: ``uses`` holds (name, place of the card, context).
    A name Anki would change or a type that may not be shipped is reported at each card that uses it, and so is
    a missing file; a file that is there but may not be read (a link, a folder, too large) once, at its place."""
    uses = list(uses)
    if not uses:
        return []
    folder, trouble = _open_folder(root)
    if trouble is not None:
        return [trouble]
    problems: list[Problem] = []
    verdicts: dict[str, str | None] = {}  # name -> message for each card using it (None: fine)
    present: list[str] | None = None  # the files in media/, read once when a name is not found
    try:
        for name, where, context in uses:
            if name not in verdicts:
                verdict = type_problem(name) or name_problem(name)
                if verdict is not None:
                    verdict = f"media file 'media/{name}': {verdict}"
                else:
                    exists, problem = _file_problem(root, folder, name) if folder is not None else (False, None)
                    if problem is not None:
                        problems.append(problem)
                    if not exists:
                        what = "image" if extension(name) in IMAGE_EXTENSIONS else "media file"
                        if present is None:
                            present = _present(folder)
                        suggest = len(verdicts) < _SUGGESTED and len(present) <= _SUGGEST_AMONG
                        close = did_you_mean(name, present, prefix="media/") if suggest else ""
                        verdict = (
                            f"{what} 'media/{name}' does not exist in {file_display(root / MEDIA_DIR)}{close}; "
                            "add the file or fix the name"
                        )
                verdicts[name] = verdict
            message = verdicts[name]
            if message is not None:
                problems.append(Problem(where, message, context=context, rule="media"))
    finally:
        if folder is not None:
            os.close(folder)
    return problems


_SUGGESTED, _SUGGEST_AMONG = 100, 5000  # a "did you mean" for the first missing names, in a folder of a sane size


def _present(folder: int | None) -> list[str]:
    """The names of the files in media/ (hidden ones left out), for a "did you mean"."""
    return [] if folder is None else [name for name in os.listdir(folder) if not name.startswith(".")]


def referenced(root: Path, names: Iterable[str]) -> tuple[MediaFile, ...]:
    """The media files to package, in a stable order (each checked by :func:`check_referenced` before). A name
    that is missing, or of a type or name deckgen does not ship, is left out: an error for any card, unless an
    imported card keeps it as the deck had it (see :mod:`deckgen.lock.kept`)."""
    wanted = sorted({name for name in names if type_problem(name) is None and name_problem(name) is None})
    if not wanted:
        return ()
    folder, _ = _open_folder(root)
    if folder is None:
        return ()
    try:
        return tuple(MediaFile(root, name) for name in wanted if _kind(folder, name)[0] == "file")
    finally:
        os.close(folder)


def folder_problems(root: Path, used: set[str]) -> list[Problem]:
    """Every entry of media/ checked (links, folders, types, names, sizes), and unused files as warnings.
    Hidden files (``.DS_Store``...) are skipped."""
    from deckgen.errors import WARNING

    folder, trouble = _open_folder(root)
    if trouble is not None:
        return [trouble]
    if folder is None:
        return []
    problems: list[Problem] = []
    try:
        for name in sorted(os.listdir(folder)):
            if name.startswith(".") or name in used:  # a used file is checked where it is used
                continue
            _, problem = _file_problem(root, folder, name)
            message = None if problem else type_problem(name)  # a name only matters once a card uses the file
            if problem is None and message is not None:
                problem = Problem(Location(file_display(root / MEDIA_DIR / name)), message, rule="media")
            problems.append(
                problem
                or Problem(
                    Location(file_display(root / MEDIA_DIR / name)),
                    "no card uses this file; reference it or delete it",
                    severity=WARNING,
                    rule="media",
                )
            )
    finally:
        os.close(folder)
    return problems


def copy_folder(source: Path, dest: Path) -> list[str]:
    """Copy the regular files of a flat media folder (e.g. the one Anki filled from a package) into ``dest``,
    each read once without following links; returns the names copied. Links and special files are left out
    (Anki writes neither)."""
    copied = []
    folder = open_dir_nofollow(source)
    try:
        for name in sorted(os.listdir(folder)):
            try:
                data = read_regular(name, MAX_MEDIA_BYTES, dir_fd=folder)
            except (UnsafeFile, IsADirectoryError):
                continue
            (dest / name).write_bytes(data)
            copied.append(name)
    finally:
        os.close(folder)
    return copied
