"""Writing files so that readers only ever see the old or the new version, never a part; reading files that
come from untrusted hands (media, the lock, cache entries) without following links or blocking."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def sigint_held() -> Iterator[None]:
    """Let a few renames finish even if Ctrl-C arrives meanwhile (it is dropped: the work it would stop is done)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def staged(targets: list[Path]) -> Iterator[list[Path]]:
    """Temporary paths beside several targets. When the body succeeds, each replaces its target, the renames
    shielded from Ctrl-C; on any exception every temporary file is removed and every target is untouched.
    An operating-system error (a full disk, a read-only folder) becomes an :class:`OutputError`."""
    from deckgen.errors import OutputError

    temps: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            temps.append(Path(name))
        yield temps
        for tmp, target in zip(temps, targets, strict=True):
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        with sigint_held():
            for tmp, target in zip(temps, targets, strict=True):
                os.replace(tmp, target)
    except OSError as exc:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        output = targets[0] if targets else Path()
        detail = exc.strerror or str(exc)
        if exc.filename and not str(exc.filename).startswith(str(output.parent)):
            detail += f" ({exc.filename})"  # e.g. a media file that vanished while the package was written
        raise OutputError(f"cannot write {output}: {detail}; nothing was changed") from None
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a new empty folder beside ``target``; on success it takes the place of ``target`` (a folder).

    The old folder is moved aside, the new one renamed into place, then the old one removed: readers see the
    old or the new folder, except for the instant between the two renames. On any exception (KeyboardInterrupt
    included) the new folder is removed and ``target`` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = tmp.with_name(tmp.name + ".old")  # unique because tmp is
    try:
        yield tmp
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.is_dir() else 0o755)
        if target.exists():
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old.exists():
                os.replace(old, target)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


class UnsafeFile(Exception):
    """A file that :func:`read_regular` refuses to read; ``reason`` is "symlink", "special" or "size"."""

    def __init__(self, reason: str, size: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.size = size


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_READ_FLAGS = (
    os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)


def open_dir_nofollow(path: str | Path, *, dir_fd: int | None = None) -> int:
    """A descriptor of the folder ``path`` (relative to ``dir_fd`` if given), refusing a symbolic link at its last
    component (:class:`UnsafeFile` "symlink") and anything that is not a folder (NotADirectoryError)."""
    flags = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    if dir_fd is not None and os.open not in os.supports_dir_fd:  # pragma: no cover - Windows
        raise OSError(errno.ENOSYS, "dir_fd is not supported here")
    try:
        fd = os.open(path, flags, dir_fd=dir_fd) if dir_fd is not None else os.open(path, flags)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or _is_link(path, dir_fd):
            raise UnsafeFile("symlink") from None
        raise
    if not stat.S_ISDIR(os.fstat(fd).st_mode):  # platforms without O_DIRECTORY
        os.close(fd)
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return fd


def _is_link(path: str | Path, dir_fd: int | None) -> bool:
    try:
        if dir_fd is not None:
            return stat.S_ISLNK(os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode)
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, NotImplementedError):
        return False


def read_regular(path: str | Path, max_bytes: int, *, dir_fd: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (relative to ``dir_fd`` if given), read once through one descriptor.

    A symbolic link at the last component is never followed (``O_NOFOLLOW``: a file swapped for a link after it
    was checked is refused, not read), a FIFO or device is never waited on (``O_NONBLOCK``, then ``fstat``), and
    no more than ``max_bytes`` are read even if the file grows meanwhile. Raises :class:`UnsafeFile` for a link, a
    special file or an oversized file; OSError for the rest (missing, permission denied)."""
    try:
        fd = os.open(path, _READ_FLAGS, dir_fd=dir_fd) if dir_fd is not None else os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or (exc.errno != errno.ENOENT and _is_link(path, dir_fd)):
            raise UnsafeFile("symlink") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("special")
        if not _NOFOLLOW and _is_link(path, dir_fd):  # pragma: no cover - no O_NOFOLLOW (Windows)
            raise UnsafeFile("symlink")
        if info.st_size > max_bytes:
            raise UnsafeFile("size", info.st_size)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise UnsafeFile("size", len(data))
        return data
    finally:
        os.close(fd)


def refuse_linked_output(output: Path, cards_dir: Path) -> None:
    """UsageError when ``output`` is a symbolic link, or when a folder on its way down from the folder that holds the
    cards folder is one: a link committed to the repository (``output -> /home/me/.config``) would make deckgen
    write outside it. Links above that folder (a home on another disk) are the user's own and are followed."""
    from deckgen.errors import UsageError

    out = Path(os.path.abspath(output))
    top = Path(os.path.abspath(cards_dir)).parent
    try:
        parts = out.relative_to(top).parts
    except ValueError:
        on_the_way = [out]
    else:
        on_the_way = [top.joinpath(*parts[:k]) for k in range(1, len(parts) + 1)]
    for path in on_the_way:
        if path.is_symlink():
            what = "is" if path == out else f"is inside '{file_display(path)}', which is"
            raise UsageError(
                f"output '{file_display(output)}' {what} a symbolic link; deckgen does not write through "
                "links (a committed link could lead outside the repository): remove the link, or give "
                "another path with -o"
            )


def file_display(path: Path) -> str:
    """How a path is shown in messages: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    if rel.startswith(".."):
        return str(path.absolute())
    # a line that starts with '::' or '##[' is a command to the GitHub Actions runner ('::stop-commands::x.yaml')
    return "./" + rel if rel.startswith((":", "#")) else rel
