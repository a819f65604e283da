"""The CSS reader (render/css.py, tinycss2) held to real Chromium: every URL the browser fetches for a style sheet
is one the reader finds, and what the browser never fetches (a URL in a comment or in a string that is no URL) the
reader does not report. The style sheets are hostile-screen H6's and hostile-import H6's: a '/*' inside a string or
url(), escapes before 'url' and '@import', string-form URLs in image-set()."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from deckgen.diff.code import EXTERNAL, IMPORT, css_code
from deckgen.render import css
from tests.browser import Chromium

# {u}: the server's address (the name after it says which rule fetched it); {e}: an element of the sheet's own
SHEETS = [
    'body::after{content:"/*"} {e}{background-image:url({u}/string-comment)} p::after{content:"*/"}',
    "{e}{background-image:url({u}/url-star/*.png)} {e} i{background-image:url({u}/after-star*/x.png)}",
    r"{e}{background-image:u\72l({u}/escaped-url)}",
    r'@\69mport "{u}/escaped-import.css";',
    '@charset "/*"; @import url({u}/import-after-charset.css); p::after{content:"*/"}',
    '{e}{background-image:image-set("{u}/image-set-string" 1x)}',
    "{e}{background-image:-webkit-image-set('{u}/webkit-image-set' 1x)}",
    '{e}{background-image:url( "{u}/quoted-url" )}',
    # fetched by nobody: a comment, a string that is text
    '/* {e}{background-image:url({u}/in-comment)} */ p::after{content:"url({u}/in-string)"}',
]


class _Log(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        _Log.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_reader_finds_what_chromium_fetches(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Log)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sheets = [sheet.replace("{u}", base).replace("{e}", f"#e{n}") for n, sheet in enumerate(SHEETS)]
    style = "".join(f"<style>{sheet}</style>" for sheet in sheets)
    elements = "".join(f"<div id=e{n}>x<i>y</i></div>" for n in range(len(SHEETS)))
    (tmp_path / "card.html").write_text(f"<!doctype html><head>{style}</head><body>{elements}", encoding="utf-8")
    try:
        with Chromium(tmp_path / "browser") as chromium:
            tab = chromium.open((tmp_path / "card.html").as_uri())
            tab.evaluate("new Promise(r => setTimeout(r, 500))")
    finally:
        server.shutdown()
    fetched = {p.split("/")[1] for p in _Log.paths}
    found = {ref.target[len(base) + 1 :].split("/")[0] for s in sheets for ref in css.references(s) if ref.target}
    assert "in-comment" not in fetched and "in-string" not in fetched
    assert {
        "string-comment",
        "url-star",
        "after-star*",
        "escaped-url",
        "escaped-import.css",
        "import-after-charset.css",
        "image-set-string",
        "webkit-image-set",
        "quoted-url",
    } <= fetched
    assert fetched <= found, fetched - found
    assert "in-comment" not in found and "in-string" not in found


def test_the_diff_warns_about_every_hostile_sheet() -> None:
    base = "https://evil.example"
    for sheet in SHEETS[:-1]:
        found = css_code(sheet.replace("{u}", base).replace("{e}", "div"))
        assert found[EXTERNAL] >= 1, sheet
    assert css_code(SHEETS[3].replace("{u}", base))[IMPORT] == 1
    assert css_code(SHEETS[-1].replace("{u}", base)) == Counter()


def test_a_field_style_that_loads_is_refused_as_the_tokenizer_reads_it() -> None:
    from deckgen.render import render_html

    for style in ("color: red; background-image: src(&quot;https://e.example/x&quot;)", "color: URL(x.png)"):
        problems = [p.message for p in render_html(f'<span style="{style}">x</span>').problems]
        assert any("could load a file" in m for m in problems), (style, problems)
    assert not render_html('<span style="color: red; font-family: &quot;a (b)&quot;">x</span>').problems


def test_css_too_deep_to_read_is_shown_not_read() -> None:
    """1 MB of '(' took 6 s and 300 MB in the tokenizer (an object per open block): CSS nested deeper than real CSS
    ever is gets one finding for the reviewer, in a bracket count's time."""
    import time

    started = time.process_time()
    found = css_code("(" * 1_000_000 + "url(https://evil.example/x)")
    assert time.process_time() - started < 5  # about 0.3 s here
    assert found == Counter({css.UNREAD: 1})
    assert css.references("a{" + "(" * 98 + "url(x)") == [css.Reference("url", "x")]  # 100 deep: still read
    assert css.references("a{" + "(" * 99 + "url(x)") == [css.Reference("unread", "")]
