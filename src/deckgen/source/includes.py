"""Text that deck.yaml gives inline or as ``{file: path}`` (note-type templates, CSS), read safely.

A path must be relative, inside the cards folder after resolving links, a regular file, UTF-8 and at most
:data:`MAX_INCLUDE_BYTES`; anything else is a located problem.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

import yaml

from deckgen.errors import Location
from deckgen.fsutil import UnsafeFile, read_regular
from deckgen.source.layout import outside
from deckgen.source.yamlfile import STR, NodeReader, decode, file_display

MAX_INCLUDE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Text:
    """A piece of text and where it came from: offsets into it can be turned into places."""

    value: str
    path: str  # the file shown in messages
    line: int  # where ``value`` starts
    col: int
    block: bool = False  # a YAML block scalar (``|``): line i of the value is at ``line + i``, column ``col``
    inline: bool = True  # False: ``value`` is a whole file of its own

    @cached_property
    def _line_starts(self) -> list[int]:
        """Offsets where each line of the value starts: a place costs a binary search, not a scan from the start
        (a template with 100,000 problems took 19 s counting lines)."""
        return [0, *(i + 1 for i, ch in enumerate(self.value) if ch == "\n")]

    def at(self, offset: int) -> Location:
        """The place of character ``offset`` of the value."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        col = offset - self._line_starts[line]
        if not self.inline:
            return Location(self.path, line + 1, col + 1)
        if self.block:
            return Location(self.path, self.line + line, self.col + col)
        if line == 0:
            return Location(self.path, self.line, self.col + col)
        return Location(self.path, self.line, self.col)  # a folded or quoted scalar: its start is close enough


def inline_text(r: NodeReader, node: yaml.ScalarNode, value: str) -> Text:
    mark = node.start_mark
    if node.style in ("|", ">"):
        # the value starts on the line after the indicator, at the block's indentation
        index = mark.line + 1
        while index <= node.end_mark.line and not r.line(index).strip():
            index += 1
        first = r.line(index)
        indent = len(first) - len(first.lstrip(" "))
        return Text(value, r.display, mark.line + 2, indent + 1, block=node.style == "|")
    quote = 1 if node.style in ("'", '"') else 0
    return Text(value, r.display, mark.line + 1, mark.column + 1 + quote)


Reader = Callable[[str], tuple[bytes | None, str, str | None]]
"""Reads a file of the cards folder by its relative path: (bytes or None, the name to show, the problem or None)."""


def disk_reader(root: Path) -> Reader:
    """Files of a cards folder on disk: regular files inside it only (no link at the last component, no path that
    leads outside after resolving links), at most :data:`MAX_INCLUDE_BYTES`."""

    def read(name: str) -> tuple[bytes | None, str, str | None]:
        path = root.joinpath(*PurePosixPath(name).parts)
        display = file_display(path)
        if not path.exists() and not path.is_symlink():
            return None, display, f"file '{name}' does not exist in the cards folder; create it or fix the path"
        if outside(root, path.parent) or path.is_symlink():
            return (
                None,
                display,
                f"'{name}' is a symbolic link or leads outside the cards folder; copy the file in instead",
            )
        try:
            return read_regular(path, MAX_INCLUDE_BYTES), display, None
        except UnsafeFile as exc:
            if exc.reason == "size":
                return (
                    None,
                    display,
                    f"'{name}' is over {MAX_INCLUDE_BYTES:,} bytes; templates and CSS are much smaller than that",
                )
            return None, display, f"'{name}' is not a regular file"
        except OSError as exc:
            return None, display, f"'{name}' cannot be read ({exc.strerror or exc})"

    return read


def text_or_file(
    r: NodeReader, node: yaml.Node, read: Reader, context: str, key: str, *, allow_empty: bool = False
) -> Text | None:
    """``key: text`` or ``key: {file: path inside the cards folder}``."""
    if isinstance(node, yaml.ScalarNode) and node.tag == STR:
        if not node.value.strip() and not allow_empty:
            r.error(node, f"'{key}' is empty; give it a value or remove the key", context)
            return None
        return inline_text(r, node, node.value)
    if not isinstance(node, yaml.MappingNode):
        r.text(node, context, key)  # reports the wrong type with the usual message
        return None
    fields = r.mapping(node, context, ("file",), required=("file",))
    if not fields or "file" not in fields:
        return None
    file_node = fields["file"][1]
    name = r.text(file_node, context, f"{key}.file")
    if name is None:
        return None
    rel = PurePosixPath(name)
    if rel.is_absolute() or "\\" in name or ".." in rel.parts or not rel.parts:
        r.error(
            file_node,
            f"'{name}' must be a relative path inside the cards folder, without '..' (e.g. note-types/back.html)",
            context,
        )
        return None
    data, display, message = read(rel.as_posix())
    if data is None:
        r.error(file_node, message or f"'{name}' cannot be read", context)
        return None
    if not data.strip():
        if not allow_empty:
            r.error(file_node, f"file '{name}' is empty", context)
            return None
        return Text("", display, 1, 1, inline=False)
    text, problems = decode(data, display)
    r.problems.extend(problems)
    if text is None:
        return None
    return Text(text, display, 1, 1, inline=False)
