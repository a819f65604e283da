"""deckgen preview --watch, run as the author runs it: a real process, a real port on 127.0.0.1, real file edits
seen by the real watcher, and the real Anki backend rendering each build."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import write_deck

BOUND = 60.0  # seconds: generous for a loaded 2-core machine (a rebuild of this deck takes well under one)


class Live:
    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deckgen", "preview", "cards", "--watch", "--port", "0"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        deadline = time.monotonic() + BOUND
        while not self.url:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("live preview at "):
                self.url = line.split()[3]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def get(self, path: str, host: str | None = None, headers: dict[str, str] | None = None) -> str:
        return self.response(path, host, headers)[0]

    def response(
        self, path: str, host: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[str, dict[str, str]]:
        request = urllib.request.Request(self.url + path.lstrip("/"), headers=headers or {})
        if host:
            request.add_header("Host", host)
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(response.read().decode()), dict(response.headers)

    def until(self, path: str, found: Callable[[str], bool]) -> tuple[str, float]:
        """The page at ``path`` once ``found`` holds for it, and how many seconds that took (polled)."""
        start = time.monotonic()
        while True:
            page = self.get(path)
            if found(page):
                return page, time.monotonic() - start
            assert time.monotonic() - start < BOUND, f"not seen within {BOUND} s: {page[:2000]}"
            time.sleep(0.1)

    def stop(self) -> list[str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=BOUND)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    write_deck(tmp_path)
    server = Live(tmp_path)
    yield server
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait()


def test_the_live_preview_rebuilds_on_save_and_shows_errors_at_their_place(tmp_path: Path, live: Live) -> None:
    assert live.url.startswith("http://127.0.0.1:")
    shell = live.get("/")
    assert '<iframe id="site" src="/site/index.html"' in shell
    assert '<div id="problems"></div>' in shell
    assert "bispecific T-cell engager<" in live.get("/site/index.html")
    assert json.loads(live.get("/__deckgen/state"))["version"] == 1

    topic = tmp_path / "cards" / "basics.yaml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("bispecific T-cell engager", "bispecific T-cell engager (BiTE)"), encoding="utf-8")
    page, seconds = live.until("/site/index.html", lambda page: "bispecific T-cell engager (BiTE)<" in page)
    print(f"edit seen in the live preview after {seconds:.2f} s")
    state = json.loads(live.get("/__deckgen/state"))
    assert state["ok"] is True and state["version"] >= 2 and state["panel"] == ""
    # a browser's reload asks "changed since <the time of the last build, in whole seconds>?": a rebuild within
    # that second must still be sent whole, never "304 Not Modified" (the frame then kept the old cards)
    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    page, headers = live.response("/site/index.html", headers={"If-Modified-Since": later})
    assert "bispecific T-cell engager (BiTE)<" in page
    assert headers.get("Cache-Control") == "no-store" and "Last-Modified" not in headers

    topic.write_text(text.replace("    back: bispecific", "   back: bispecific"), encoding="utf-8")
    shell, _ = live.until("/", lambda page: "indented 3 spaces" in page)
    assert (
        '<div id="problems"><p class="head">The last save has problems; the cards below are from the last build '
        'that worked.</p><ul><li class="error"><code>cards/basics.yaml:12:4</code> <b>error</b>: invalid YAML: '
        "&#x27;back&#x27; is indented 3 spaces; the other keys of this card are at 4: indent it 4 spaces like them"
        "<pre>   12 |    back: bispecific T-cell engager\n      |    ^</pre></li></ul></div>"
    ) in shell
    state = json.loads(live.get("/__deckgen/state"))
    assert state["ok"] is False and "basics.yaml:12:4" in state["panel"]
    assert "bispecific T-cell engager (BiTE)<" in live.get("/site/index.html")  # the last good build stays

    topic.write_text(text, encoding="utf-8")  # fixed: the panel empties, the cards are rebuilt
    live.until("/__deckgen/state", lambda page: json.loads(page)["ok"])
    assert "bispecific T-cell engager<" in live.get("/site/index.html")
    assert '<div id="problems"></div>' in live.get("/")

    with pytest.raises(urllib.error.HTTPError) as refused:  # DNS rebinding: another name for 127.0.0.1
        live.get("/", host="attacker.example")
    assert refused.value.code == 403
    out = live.stop()
    assert live.proc.returncode == 0
    assert out[-1] == "live preview stopped"
    assert [line for line in out if line.startswith("build ")][-1].endswith(": 4 notes")


def test_the_page_reloads_itself_in_a_real_browser(tmp_path: Path, live: Live) -> None:
    from tests.browser import Chromium

    with Chromium(tmp_path / "browser") as chromium:
        page = chromium.open(live.url, height=500)
        frame = "document.getElementById('site')"

        def wait_for(expression: str) -> float:
            start = time.monotonic()
            while not page.evaluate(expression):
                assert time.monotonic() - start < BOUND, f"not true within {BOUND} s: {expression}"
                time.sleep(0.05)
            return time.monotonic() - start

        text = (
            f"({frame}.contentDocument && {frame}.contentDocument.body ? {frame}.contentDocument.body.innerText : '')"
        )
        wait_for(f"{text}.includes('bispecific T-cell engager')")
        page.evaluate(f"{frame}.contentWindow.scrollTo(0, 300)")
        scrolled = page.evaluate(f"{frame}.contentWindow.scrollY")
        assert scrolled > 0

        topic = tmp_path / "cards" / "basics.yaml"
        text_before = topic.read_text(encoding="utf-8")
        topic.write_text(text_before.replace("T-cell engager", "T-cell engager (BiTE)"), encoding="utf-8")
        seconds = wait_for(f"{text}.includes('T-cell engager (BiTE)')")
        print(f"edit shown by Chromium after {seconds:.2f} s (500 ms polling)")
        wait_for(f"{frame}.contentWindow.scrollY === {scrolled}")  # reloaded where the author was

        topic.write_text(text_before.replace("    back: bispecific", "   back: bispecific"), encoding="utf-8")
        wait_for("document.getElementById('problems').innerText.includes(\"'back' is indented 3 spaces\")")
        assert "cards/basics.yaml:12:4" in page.evaluate("document.getElementById('problems').innerText")
        assert page.evaluate(f"{text}.includes('T-cell engager (BiTE)')")  # the last good build stays
        assert page.problems() == []  # no script error, nothing blocked by the page's policy


def test_a_save_before_the_watcher_runs_is_not_lost(tmp_path: Path) -> None:
    """The first build happens before the watcher starts; a save in between has no event, and is still built."""
    from deckgen.preview.live import LiveState, serve

    write_deck(tmp_path)
    topic = tmp_path / "cards" / "basics.yaml"
    text = topic.read_text(encoding="utf-8")
    stop, builds, urls = threading.Event(), [], []

    def rebuilt(state: LiveState) -> None:
        builds.append((state.version, state.ok, (tmp_path / "site" / "index.html").read_text(encoding="utf-8")))
        if state.version == 1:  # saved while the first build is reported: no watcher exists yet
            topic.write_text(text.replace("T-cell engager", "T-cell engager (BiTE)"), encoding="utf-8")
        elif state.version >= 2:
            stop.set()

    worker = threading.Thread(
        target=serve,
        args=(tmp_path / "cards", tmp_path / "site"),
        daemon=True,
        kwargs={"port": 0, "ready": urls.append, "rebuilt": rebuilt, "stop": stop},
    )
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), f"no second build within {BOUND} s: {[b[:2] for b in builds]}"
    assert [b[:2] for b in builds] == [(1, True), (2, True)]
    assert "T-cell engager (BiTE)<" not in builds[0][2] and "T-cell engager (BiTE)<" in builds[1][2]
    assert len(urls) == 1 and urls[0].startswith("http://127.0.0.1:")


def test_watch_refuses_an_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import run

    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path)
    result = run("preview", "cards", "--watch", "-o", "site")
    assert result.exit_code == 2
    assert result.output == (
        "deckgen: error: --watch serves the preview from a folder of its own; -o is for the static preview\n"
    )
    assert not (tmp_path / "site").exists()
