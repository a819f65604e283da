"""The one finder of media references (fields, imported fields, note type templates): what Anki finds, in order,
in time linear in the text however hostile it is."""

from __future__ import annotations

import time

import pytest

from deckgen.render.media import references


@pytest.mark.parametrize(
    "text, found",
    [
        ('<img src="a.png"> [sound:b c.mp3]', [("img", "a.png"), ("sound", "b c.mp3")]),
        ("[sound:first.mp3] <img src=second.png>", [("sound", "first.mp3"), ("img", "second.png")]),
        ("<img src='it&#x27;s.png'><IMG SRC=plain.jpg >", [("img", "it's.png"), ("img", "plain.jpg")]),
        ('<img alt="src=x.png" src="y.png">', [("img", "y.png")]),  # an attribute's text is not an attribute
        (
            '<audio data="c.ogg"></audio><source src="d.mp4"><video src="e.webm">',
            [("audio", "c.ogg"), ("source", "d.mp4"), ("video", "e.webm")],
        ),
        ('<img src="https://example.com/x.png">', [("img", "https://example.com/x.png")]),
        ("no media [sound:] <img> <img src=''> <imgx src=a.png> <img src=a.png", []),
    ],
)
def test_references_as_anki_finds_them(text: str, found: list[tuple[str, str]]) -> None:
    assert [(kind, name) for _, kind, name in references(text)] == found


def test_hostile_fields_take_linear_time() -> None:
    """Anki's pattern run by Python's backtracking regex took 1.3 s CPU on '<img ' and 22 quoted 'a's (doubling
    with each one more), and quadratic time on unclosed tags; deckgen import reads such fields from strangers."""
    texts = [
        "<img " + '"a"' * 50_000,
        "<img " + "'a'" * 50_000 + ">",
        "[sound:x" * 100_000,
        "<img " * 100_000,
        "<img a>" * 100_000,
        '<img a="' * 100_000,
        "<img src=a.png>" * 50_000,
    ]
    start = time.process_time()
    counts = [len(references(text)) for text in texts]
    assert time.process_time() - start < 3.0
    assert counts == [0, 0, 0, 0, 0, 0, 50_000]
