"""Bounded time and memory: no field, however hostile, makes rendering slow; cmark-gfm's memory is freed."""

from __future__ import annotations

import resource
import time

import pytest

from deckgen.render import render_html, render_markdown
from deckgen.render.gfm import to_html_with_extensions
from deckgen.render.result import MAX_FIELD_CHARS

N = MAX_FIELD_CHARS - 10
HOSTILE = {
    # each once took seconds to minutes somewhere in the pipeline (HTMLParser, backtracking regexes, rescans)
    "unclosed comments": "<!--" * (N // 4),
    "unclosed start tags": "<a " * (N // 3),
    "unclosed math": "\\( " * (N // 3),
    "unclosed dollars": "$a " * (N // 3),
    "unclosed sound tags": "[sound:" * (N // 7),
    "unclosed latex tags": "[$]" * (N // 3),
    "backticks": "`a`` " * (N // 5),
    "ampersands": "&" * N,
    "less-than": "<" * N,
    "colour arguments": "\\(" + "\\color{" * (N // 8) + "\\)",
    "bbox options": "\\(" + "\\bbox[" * (N // 7) + "\\)",
    "environments": "\\(" + "\\begin{" * (N // 8) + "\\)",
    "many math": "\\(x\\) " * (N // 6),
    "many unknown commands": "\\(" + "\\foo" * (N // 5) + "\\)",
    "cloze openers": "{{c1::" * (N // 6),
    "escaped colons": "a\\:" * (N // 3),
    "quote in an HTML block": "<div>\n" + "<a " * (N // 4) + '$x$ "',
    "attribute quotes": "<div>\n" + '<a title="' * (N // 12) + "$x$",
    "spaced dollars": "$ a_" * (N // 4),
    "image references": "".join(f"![{i}](media/i{i}.png)" for i in range(N // 25)),
    "sound references": "".join(f"[sound:s{i}.mp3]" for i in range(N // 18)),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_field_renders_in_bounded_time(name: str) -> None:
    text = HOSTILE[name]
    assert len(text) <= MAX_FIELD_CHARS
    for render, cloze in ((render_markdown, False), (render_markdown, True), (render_html, True)):
        start = time.perf_counter()
        rendered = render(text, cloze=cloze)
        elapsed = time.perf_counter() - start
        assert elapsed < 2.0, f"{name}: {render.__name__}(cloze={cloze}) took {elapsed:.2f}s"
        assert len(rendered.problems) <= 100, name


def test_field_over_the_limit_is_refused_at_once() -> None:
    start = time.perf_counter()
    rendered = render_markdown("<!--" * 1_000_000)
    assert time.perf_counter() - start < 0.5
    assert rendered.html == ""
    assert [p.message for p in rendered.problems] == [
        "field is 4,000,000 characters long; deckgen renders fields of up to 65,536 characters (a card shows one "
        "screen of text); split it into several cards"]


def test_cmark_gfm_memory_is_freed() -> None:
    """cmarkgfm's own wrapper leaks about 9 KB a call with extensions; 20,000 calls must not grow the process."""
    text = "| a | b |\n|---|---|\n| **1** | ~~2~~ |\n" * 3
    for _ in range(2000):  # warm up the allocator
        to_html_with_extensions(text)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(20_000):
        to_html_with_extensions(text)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # Linux: KiB
    assert grown_kib < 20_000, f"grew by {grown_kib} KiB"
