"""The card-file loader resolves scalar tags through a memo (a quoted scalar is text; a plain one's tag depends on
its text alone): on random documents its node trees are exactly the safe loader's, tags, values, styles and
places included, and it fails where the safe loader fails, with the same message."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from deckgen.source.yamlfile import _Loader

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

PLAIN = [
    "yes", "No", "on", "OFF", "y", "true", "False", "~", "null", "", "0o17", "017", "0x1F", "1_000", "1e3", ".inf",
    "-.NaN", "2024-01-02", "2024-1-2 10:00:00", "12:30:00", "<<", "=", "a", "card-0001", "3.14", "+1", "-0",
    "text with words", "a: b", "#x", "'", "\"",
]  # fmt: skip
scalar = st.one_of(
    st.sampled_from(PLAIN),
    st.sampled_from(PLAIN).map(lambda s: f"'{s}'"),
    st.sampled_from(PLAIN).map(lambda s: f'"{s}"'),
    st.sampled_from(["!!str 1", "!!int 3", "!custom x", "!!binary aGk=", "! x", "&a 1", "*a"]),
)
key = st.sampled_from(["id", "front", "'back'", "yes", "1", "null", "<<", "? x"])
line = st.tuples(st.sampled_from(["", "  ", "- ", "  - "]), key, scalar).map(lambda t: f"{t[0]}{t[1]}: {t[2]}")
document = st.lists(st.one_of(line, scalar, st.just("- [a, 'b', yes, 1]"), st.just("x: |\n  yes\n  1")), max_size=8)


def dump(node: Any) -> Any:
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, yaml.MappingNode):
        return ("map", node.tag, node.flow_style, marks, [(dump(k), dump(v)) for k, v in node.value])
    return ("seq", node.tag, node.flow_style, marks, [dump(v) for v in node.value])


def composed(text: str, loader: Any) -> Any:
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        return ("error", str(exc))
    return None if node is None else dump(node)


@given(document.map("\n".join))
@example("a: yes\nb: 'yes'\nc: !!str yes\nd: 2024-01-02\ne: 0o17")
@example("- on\n- [off, 'on']\n- {yes: no}")
def test_same_nodes_as_the_safe_loader(text: str) -> None:
    for _ in range(2):  # the second time from the memo
        assert composed(text, _Loader) == composed(text, SafeLoader)
