"""The browser harness itself: it must see what goes wrong on a page, or the preview's browser test proves nothing."""

from __future__ import annotations

from pathlib import Path

from tests.browser import Chromium, make_png, png_facts


def test_browser_check_sees_broken_pages(tmp_path: Path) -> None:
    """The console/log check above can fail: a console error, an exception, a missing file and a blocked load are seen."""
    page_path = tmp_path / "broken.html"
    page_path.write_text(
        "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"img-src 'self'; script-src 'unsafe-inline'\">"
        '<p>x</p><img src="missing.png"><img src="https://example.invalid/remote.png">'
        "<script>console.error('boom'); undefinedFunction();</script>",
        encoding="utf-8",
    )
    with Chromium(tmp_path / "browser") as chromium:
        problems = chromium.open(page_path.as_uri()).problems()
    joined = "\n".join(problems)
    assert "console.error: boom" in joined
    assert "uncaught: ReferenceError: undefinedFunction is not defined" in joined
    assert "missing.png" in joined
    assert "remote.png" in joined and "Content Security Policy" in joined


def test_png_helpers_round_trip() -> None:
    width, height, distinct = png_facts(make_png(3, 2, (1, 2, 3)))
    assert (width, height, distinct) == (3, 2, 4)  # filter byte 0 and the three colour bytes
