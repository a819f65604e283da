"""A real headless Chromium for the tests, driven over the DevTools protocol with the standard library only.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol messages from file descriptor 3 and
writes replies and events to descriptor 4, each message a JSON text ended by a NUL byte. No websocket client,
no browser download: Debian's ``chromium`` package is enough (scripts/test.sh installs it).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _as_fds_3_and_4(read_end: int, write_end: int) -> Callable[[], None]:
    """Run in the child before exec: put the pipe ends on descriptors 3 and 4 (first moved out of the way)."""

    def setup() -> None:
        moved_read, moved_write = fcntl.fcntl(read_end, fcntl.F_DUPFD, 10), fcntl.fcntl(write_end, fcntl.F_DUPFD, 10)
        os.dup2(moved_read, 3)
        os.dup2(moved_write, 4)

    return setup


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium process with a fresh profile; use as a context manager."""

    def __init__(self, workdir: Path, timeout: float = 30.0):
        exe = chromium_path()
        if exe is None:
            raise BrowserError("Chromium is not installed; install Debian's 'chromium' package (scripts/test.sh does)")
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._buffer = b""
        self._next_id = 0
        profile = workdir / "chromium-profile"
        profile.mkdir(parents=True)
        self.log_path = workdir / "chromium-stderr.log"
        to_chromium_r, self._to_chromium = os.pipe()
        self._from_chromium, from_chromium_w = os.pipe()
        args = [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                args,
                pass_fds=(3, 4),
                preexec_fn=_as_fds_3_and_4(to_chromium_r, from_chromium_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group, so a hung browser can be ended as a whole
            )
        os.close(to_chromium_r)
        os.close(from_chromium_w)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- protocol ------------------------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"Chromium did not answer in {self.timeout}s (log: {self.log_path})")
            ready, _, _ = select.select([self._from_chromium], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_chromium, 1 << 16)
            if not chunk:
                raise BrowserError(f"Chromium closed the DevTools pipe (log: {self.log_path}):\n{self._log_tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept in ``events``."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chromium, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    # -- pages ---------------------------------------------------------------------------------------------

    def open(self, url: str, width: int = 1280, height: int = 900) -> Page:
        """A new tab with console and log reporting on, loaded with ``url`` (waits for the load event)."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session)
        self.call(
            "Emulation.setDeviceMetricsOverride", session, width=width, height=height, deviceScaleFactor=1, mobile=False
        )
        start = len(self.events)
        navigation = self.call("Page.navigate", session, url=url)
        if navigation.get("errorText"):
            raise BrowserError(f"navigating to {url}: {navigation['errorText']}")
        deadline = time.monotonic() + self.timeout
        while not any(
            e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in self.events[start:]
        ):
            self.events.append(self._read_message(deadline))
        return Page(self, session, start)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.call("Browser.close")
            except (BrowserError, OSError):
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group started for this browser only
                self.process.wait(10)
        for fd in (self._to_chromium, self._from_chromium):
            try:
                os.close(fd)
            except OSError:
                pass

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


class Page:
    def __init__(self, browser: Chromium, session: str, first_event: int):
        self.browser = browser
        self.session = session
        self.first_event = first_event

    def evaluate(self, expression: str) -> Any:
        result = self.browser.call("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and browser log errors (failed loads, CSP) so far."""
        self.evaluate("0")  # a round trip: every event sent before it has arrived
        found = []
        for event in self.browser.events[self.first_event :]:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                texts = [str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])]
                found.append(f"console.{params['type']}: {' '.join(texts)}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(f"uncaught: {details.get('exception', {}).get('description') or details.get('text')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                entry = params["entry"]
                found.append(
                    f"log {entry['level']} ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip()
                )
        return found

    def screenshot(self, path: Path) -> bytes:
        """A PNG of the whole page (not only the viewport)."""
        size = self.browser.call("Page.getLayoutMetrics", self.session)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.browser.call(
            "Page.captureScreenshot", self.session, format="png", captureBeyondViewport=True, clip=clip
        )["data"]
        png = base64.b64decode(data)
        path.write_bytes(png)
        return png

    def print_pdf(self, path: Path) -> bytes:
        """The page as Chromium prints it (print stylesheet, the page size its CSS asks for), as PDF bytes."""
        data = self.browser.call("Page.printToPDF", self.session, printBackground=True, preferCSSPageSize=True)["data"]
        pdf = base64.b64decode(data)
        path.write_bytes(pdf)
        return pdf


def read_ppm(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of a binary PPM (P6), as pdftoppm writes it."""
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6" or parts[3] != b"255":
        raise ValueError("not an 8-bit P6 PPM")
    width, height = int(parts[1]), int(parts[2])
    return width, height, parts[4][: width * height * 3]


def png_facts(data: bytes) -> tuple[int, int, int]:
    """(width, height, number of distinct byte values in the decoded image data) of a PNG, read with zlib."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid-colour RGB PNG (for test images)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def make_wav(seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A short silent 16-bit mono WAV file (for test audio: any browser can decode it)."""
    frames = b"\x00\x00" * int(seconds * rate)
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(frames))
        + b"WAVEfmt "
        + fmt
        + b"data"
        + struct.pack("<I", len(frames))
        + frames
    )
