"""``deckgen preview --watch``: the preview served on 127.0.0.1, rebuilt when a card file is saved.

The page the author opens is a small shell of deckgen's own: the preview site (exactly the static one, which has
no script) in a frame, and a panel for problems. The shell asks ``/__deckgen/state`` twice a second for the build
number; when it changes it shows the new problems (each with its file:line:col and the line it points at) and,
when the build succeeded, reloads the frame where it was scrolled to. Card content never runs script: only the
shell does, and it is served with a policy that allows its own script and nothing from elsewhere.

Files are watched with ``watchfiles`` (the ``preview`` extra); when it is quiet, the folder's file times and sizes
are compared with the last build's, so no save is lost. A rebuild reads the whole deck again, through the parse
cache, so an unchanged topic costs a cache lookup. The site's files are sent with ``no-store`` and no validator: a
browser never keeps an old build. The server binds 127.0.0.1 only and answers only
requests addressed to it by that name (or ``localhost``), so a web page elsewhere cannot read it through DNS
rebinding.
"""

from __future__ import annotations

import html
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from deckgen.distribution import needs_package
from deckgen.errors import ContentError, DeckgenError, MissingDependency, Problem, printable
from deckgen.preview.site import preview
from deckgen.source.yamlfile import file_display

HOST = "127.0.0.1"
DEFAULT_PORT = 8400
_SHELL_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; frame-src 'self'; style-src 'unsafe-inline'"


@dataclass
class LiveState:
    """The last build: its number, and its problems (or the one message of a failure that is not the deck's)."""

    version: int = 0
    ok: bool = False
    problems: tuple[Problem, ...] = ()
    message: str = ""
    seconds: float = 0.0  # how long the last build took
    notes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def panel(self, root: Path) -> str:
        """The problems as HTML, each at its place: file:line:col, the message, and the line it points at."""
        with self.lock:
            problems, message, ok = self.problems, self.message, self.ok
        items = [f'<li class="error">{html.escape(message)}</li>'] if message else []
        for p in problems:
            excerpt = _excerpt(root, p)
            items.append(
                f'<li class="{p.severity}"><code>{html.escape(printable(str(p.location)))}</code> '
                f"<b>{p.severity}</b>: {html.escape(p.body)}{excerpt}</li>"
            )
        if not items:
            return ""
        head = "The last save has problems; the cards below are from the last build that worked." if not ok else ""
        return f'<p class="head">{head}</p><ul>{"".join(items)}</ul>' if head else f"<ul>{''.join(items)}</ul>"


def _excerpt(root: Path, problem: Problem) -> str:
    loc = problem.location
    if not loc.line:
        return ""
    path = Path(loc.path)
    path = path if path.is_absolute() else Path.cwd() / path
    try:
        if root.resolve() not in path.resolve().parents:
            return ""
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    if loc.line > len(lines):
        return ""
    line = lines[loc.line - 1]
    caret = " " * max(loc.col - 1, 0) + "^"
    return f"<pre>{loc.line:>5} | {html.escape(printable(line))}\n      | {caret}</pre>"


SHELL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{title} · deckgen live preview</title>
<style>
html, body {{ margin: 0; height: 100%; font-family: system-ui, sans-serif; }}
body {{ display: flex; flex-direction: column; }}
#problems:empty {{ display: none; }}
#problems {{ max-height: 45vh; overflow: auto; background: #fff4f2; border-bottom: 2px solid #d93025; padding: 4px 16px; }}
#problems li.warning {{ color: #7a5500; }} #problems pre {{ margin: 4px 0 8px; background: #fff; padding: 4px; }}
#problems .head {{ font-weight: 600; }}
iframe {{ flex: 1; border: 0; width: 100%; }}
</style></head>
<body data-version="{version}">
<div id="problems">{panel}</div>
<iframe id="site" src="/site/index.html" title="cards"></iframe>
<script src="/__deckgen/live.js"></script>
</body></html>
"""

LIVE_JS = """"use strict";
let version = document.body.dataset.version;
const frame = document.getElementById("site");
async function poll() {
  try {
    const state = await (await fetch("/__deckgen/state", {cache: "no-store"})).json();
    if (String(state.version) !== version) {
      version = String(state.version);
      document.getElementById("problems").innerHTML = state.panel;
      if (state.ok) {
        const y = frame.contentWindow ? frame.contentWindow.scrollY : 0;
        frame.addEventListener("load", () => frame.contentWindow.scrollTo(0, y), {once: true});
        frame.contentWindow.location.reload();
      }
    }
  } catch (e) { /* the server restarts or stopped: try again */ }
  setTimeout(poll, 500);
}
setTimeout(poll, 500);
"""


def _handler(site: Path, root: Path, state: LiveState, title: str) -> type[Any]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site.parent), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            pass

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() != "last-modified":  # never revalidated: see _send_site
                super().send_header(keyword, value)

        def _send_site(self) -> None:
            """A file of the site, never from the browser's cache. The base class answers a conditional request
            by the file's time in whole seconds, so a rebuild within the second of the last one was answered
            "304 Not Modified" and the frame kept the old cards; without a validator and with no-store the
            browser asks for the whole file every time."""
            for name in ("If-Modified-Since", "If-None-Match"):
                del self.headers[name]
            super().do_GET()

        def end_headers(self) -> None:
            if self.path.split("?", 1)[0].startswith(f"/{site.name}/"):
                super().send_header("Cache-Control", "no-store")
            super().end_headers()

        def _send(self, body: str, content_type: str, csp: str = "") -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            if csp:
                self.send_header("Content-Security-Policy", csp)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host not in (HOST, "localhost"):
                self.send_error(403, "the live preview answers only on 127.0.0.1")
                return
            path = self.path.split("?", 1)[0]
            if path == "/":
                shell = SHELL.format(
                    csp=_SHELL_CSP, title=html.escape(title), version=state.version, panel=state.panel(root)
                )
                self._send(shell, "text/html; charset=utf-8", _SHELL_CSP)
            elif path == "/__deckgen/live.js":
                self._send(LIVE_JS, "text/javascript; charset=utf-8")
            elif path == "/__deckgen/state":
                body = {"version": state.version, "ok": state.ok, "panel": state.panel(root)}
                self._send(json.dumps(body), "application/json")
            elif path.startswith(f"/{site.name}/"):
                self._send_site()
            else:
                self.send_error(404)

        def do_HEAD(self) -> None:
            self.send_error(405)

    return Handler


def rebuild(cards_dir: Path, site: Path, state: LiveState) -> None:
    """Build the preview into ``site``; record the outcome (the old site stays when the deck has errors)."""
    start, notes = time.perf_counter(), 0
    try:
        result = preview(cards_dir, site)
        problems, ok, message, notes = tuple(result.plan.warnings), True, "", result.note_count
    except ContentError as exc:
        problems, ok, message = exc.problems, False, ""
    except MissingDependency:
        raise
    except DeckgenError as exc:
        problems, ok, message = (), False, str(exc)
    with state.lock:
        state.problems, state.ok, state.message = problems, ok, message
        state.seconds, state.notes = time.perf_counter() - start, notes
        state.version += 1


def _fingerprint(root: Path, keep: Callable[[Any, str], bool], modified: Any) -> frozenset[tuple[str, int, int]]:
    """Every file under ``root`` the watcher would report (its filter decides), with its time and size."""
    seen = set()
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if not keep(modified, path):
                continue
            try:
                info = os.stat(path)
            except OSError:
                continue
            seen.add((path, info.st_mtime_ns, info.st_size))
    return frozenset(seen)


def serve(
    cards_dir: Path,
    site: Path,
    *,
    port: int = DEFAULT_PORT,
    ready: Callable[[str], None] = lambda url: None,
    rebuilt: Callable[[LiveState], None] = lambda state: None,
    stop: threading.Event | None = None,
) -> None:
    """Serve the live preview until ``stop`` is set (or the process is interrupted).

    The watcher's events start a rebuild; besides, whenever it has been quiet for half a second the folder's
    files are compared (name, time, size) with what the last build read, so a save is never lost: not one made
    before the watcher started, nor one its events missed. ``ready`` is called once the watcher runs.
    """
    try:
        import watchfiles
    except ImportError:
        raise MissingDependency(needs_package("watchfiles", "preview --watch")) from None
    stop = stop or threading.Event()
    state = LiveState()
    root = cards_dir.resolve()
    keep = watchfiles.DefaultFilter()

    def build() -> frozenset[tuple[str, int, int]]:
        read = _fingerprint(root, keep, watchfiles.Change.modified)  # before: a save during the build counts
        rebuild(cards_dir, site, state)
        rebuilt(state)
        return read

    built = build()
    server = ThreadingHTTPServer((HOST, port), _handler(site, root, state, file_display(cards_dir)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    announced = False
    try:
        for changes in watchfiles.watch(
            root, watch_filter=keep, stop_event=stop, debounce=200, step=50, rust_timeout=500, yield_on_timeout=True
        ):
            if not announced:  # the first answer of the watcher: it is running
                ready(f"http://{HOST}:{server.server_address[1]}/")
                announced = True
            if changes or _fingerprint(root, keep, watchfiles.Change.modified) != built:
                built = build()
    finally:
        server.shutdown()
        server.server_close()
