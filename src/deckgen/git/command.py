"""Running the ``git`` command: every call with deckgen's environment (safe.bareRepository=explicit among it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from deckgen.errors import UsageError

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


def git_exe() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise UsageError("git is not installed or not on PATH; deckgen diff needs git to read earlier revisions")
    return exe


def git(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git; never raises for git's own failures (check ``returncode``), only when git cannot be run."""
    try:
        return subprocess.run([git_exe(), *args], cwd=cwd, input=input, capture_output=True, env=git_env())
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc})") from None


def first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "no message"
