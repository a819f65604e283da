"""The TeX argument reader visits only the characters that matter (backslashes, braces, the closing bracket): on
random text it reads exactly what the former character-by-character loop read, written out here as the
reference, and it ends at the same place."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from deckgen.render.tex import MAX_ARGUMENT, _Reader


def reference_balanced(tex: str, pos: int, close: str) -> tuple[str, int]:
    start, depth = pos, 0
    stop = min(len(tex), start + MAX_ARGUMENT)
    while pos < stop:
        c = tex[pos]
        if c == "\\":
            pos += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0 and close == "}":
                pos += 1
                return tex[start : pos - 1], pos
            depth -= 1
        elif c == close and depth == 0:
            pos += 1
            return tex[start : pos - 1], pos
        pos += 1
    return tex[start:pos], pos


text = st.lists(st.sampled_from(["\\", "{", "}", "[", "]", "a", "bbox", " ", "x" * 60]), max_size=40).map("".join)


@given(text, st.integers(min_value=0, max_value=50), st.sampled_from(["]", "}"]))
@example("\\bbox[" * 100, 0, "]")
@example("a" * 199 + "\\]", 0, "]")
@example("{]}]", 0, "]")
@example("ab\\", 0, "}")
def test_balanced_reads_as_the_former_loop(tex: str, pos: int, close: str) -> None:
    pos = min(pos, len(tex))
    reader = _Reader(tex, pos)
    assert (reader._balanced(close), reader.pos) == reference_balanced(tex, pos, close)
