"""A progress bar for long builds, on a terminal only."""

from __future__ import annotations

import os
import sys


class TerminalProgress:
    """A one-line progress bar on stderr: only on a terminal, never in CI logs, and only once the work has
    taken more than ``delay`` seconds (a quick build prints nothing extra)."""

    def __init__(self, delay: float = 1.0, width: int = 30):
        import time

        self._clock = time.monotonic
        self.start = self._clock()
        self.delay = delay
        self.width = width
        self.shown = False
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or self._clock() - self.start < self.delay:
            return
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r{stage:<16} [{bar}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")  # clear the line before the summary
            sys.stderr.flush()
            self.shown = False
