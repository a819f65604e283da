"""Writing files so that readers only ever see the old or the new version, never a part."""

from __future__ import annotations

import os
import shutil
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
    from .errors import OutputError

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
