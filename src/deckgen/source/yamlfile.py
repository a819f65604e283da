"""Reading card files safely: bytes -> text -> YAML node tree, every problem with a place.

Only plain YAML is accepted. Nothing is ever *constructed* from the input (no Python objects, no
tag handlers): the loader composes a node tree (libyaml's C composer when available, which also caps
nesting at 1000 levels) and :class:`NodeReader` reads the few shapes a card file may have.
Aliases are refused (card files never need them, and refusing them makes "billion laughs"
documents harmless); so are tags other than the core schema's.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from deckgen.errors import Location, Problem
from deckgen.errors import did_you_mean as did_you_mean
from deckgen.fsutil import UnsafeFile, read_regular
from deckgen.fsutil import file_display as file_display
from deckgen.source.yamlhints import QUOTE_HINT, hint, indentation

try:  # libyaml's composer: ~3x faster, and it keeps line numbers just the same
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""A card file larger than this is refused (the largest real topic files are well under 1 MB)."""

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP, TIMESTAMP = _TAG + "seq", _TAG + "map", _TAG + "timestamp"
_PLAIN_TAGS = {STR, INT, FLOAT, BOOL, NULL, SEQ, MAP, TIMESTAMP}
_KIND = {
    STR: "text",
    INT: "a number",
    FLOAT: "a number",
    BOOL: "true/false",
    NULL: "nothing",
    SEQ: "a list",
    MAP: "a mapping",
    TIMESTAMP: "a date",
}


_RESOLVED_MAX = 10_000


class _Loader(_BaseLoader):
    """The safe loader, resolving scalars' tags faster (a fifth of composing a card file went there): a quoted
    scalar is always text, and a plain one's tag depends on its text alone (the safe loader has no path resolvers),
    so it is looked up once per distinct text (keys, ids and tags recur). tests/source/test_yamlfile_resolve.py
    holds the node trees equal to the safe loader's."""

    _resolved: dict[str, str] = {}

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode or value is None:
            return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
        if not implicit[0]:
            return STR
        tag = self._resolved.get(value)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
            if len(self._resolved) < _RESOLVED_MAX:
                self._resolved[value] = tag
        return tag


def read_bytes(path: Path, display: str) -> tuple[bytes | None, list[Problem]]:
    """A card file's bytes, refusing folders, oversized and unreadable files with a message."""
    where = Location(display)
    try:
        if path.is_dir():
            return None, [Problem(where, "is a folder, not a YAML file; rename it or move it out of the cards folder")]
        # one descriptor, never waiting on a FIFO or device, never reading more than the limit
        data = read_regular(path.resolve() if path.is_symlink() else path, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        if exc.reason == "size":
            return None, [
                Problem(
                    where,
                    f"file is {exc.size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; split it into "
                    "several topic files",
                )
            ]
        return None, [Problem(where, "is not a regular file (a FIFO or device); card files must be regular files")]
    except PermissionError:
        return None, [Problem(where, "cannot be read (permission denied); check the file's permissions")]
    except OSError as exc:
        return None, [Problem(where, f"cannot be read ({exc.strerror or exc}); check the file")]
    return data, []


def decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is dropped); invalid bytes, NUL characters and empty files are problems."""
    where = Location(display)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                Location(display, line, col),
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return None, [Problem(Location(display, line, col), "contains a NUL character; remove it")]
    if not text.strip():
        return None, [Problem(where, "file is empty; add content or delete the file")]
    return text, []


def compose(text: str, display: str) -> tuple[yaml.Node | None, list[Problem]]:
    """Parse one YAML document into a node tree (no construction)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mistake = indentation(text, exc)
        if mistake is not None:
            line, col, message = mistake
            return None, [Problem(Location(display, line + 1, col + 1), f"invalid YAML: {message}")]
        loc = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        what = exc.problem or "malformed YAML"
        if what == "exceeded maximum nesting depth":
            what = "nested too deeply (YAML nesting is limited to 1000 levels)"
        ctx = f" {exc.context}" if exc.context and exc.problem else ""
        return None, [Problem(loc, f"invalid YAML:{ctx} {what}".replace("  ", " ") + hint(text, exc))]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (the position is an index into text)
        offset = exc.position
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return None, [
            Problem(
                Location(display, line, col),
                f"invalid YAML: control character U+{code:04X} is not allowed; remove "
                f"it (inside double quotes it can be written '\\x{code:02x}')",
            )
        ]
    except yaml.YAMLError as exc:  # e.g. a second document
        return None, [Problem(Location(display), f"invalid YAML: {exc}")]
    except RecursionError:  # pure-Python composer on absurdly deep input
        return None, [Problem(Location(display), "invalid YAML: nested too deeply")]
    if node is None:
        return None, [Problem(Location(display), "file holds no YAML content; add content or delete the file")]
    if "*" in text and "&" in text:  # only a document with an anchor can hold an alias
        aliases = [
            Problem(
                Location(display, e.start_mark.line + 1, e.start_mark.column + 1),
                f"YAML alias '*{e.anchor}' is not allowed in card files; write the value out",
            )
            for e in yaml.parse(text, Loader=_Loader)
            if isinstance(e, yaml.AliasEvent) and e.start_mark is not None
        ]
        if aliases:
            return None, aliases
    return node, []


def load(data: bytes, display: str) -> tuple[str, yaml.Node | None, list[Problem]]:
    """A file's bytes as text and its YAML node tree (None, with the problems, when either step fails)."""
    text, problems = decode(data, display)
    if text is None:
        return "", None, problems
    node, problems = compose(text, display)
    return text, node, problems


class NodeReader:
    """Reads expected shapes out of a node tree, recording a located problem for every deviation."""

    def __init__(self, display: str, source: str = ""):
        self.display = display
        self.source = source  # the file's text, when a place inside a block scalar must be found
        self.problems: list[Problem] = []
        self._lines: list[str] | None = None

    def line(self, index: int) -> str:
        """Line ``index`` (0-based) of the source text, or "" when unknown."""
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines[index] if 0 <= index < len(self._lines) else ""

    def errors_since(self, before: int) -> bool:
        """Whether an error (not a warning) was recorded after the first ``before`` problems."""
        return any(p.is_error for p in self.problems[before:])

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.display, mark.line + 1, mark.column + 1)

    def error(self, node: yaml.Node, message: str, context: str = "") -> None:
        self.problems.append(Problem(self.loc(node), message, context=context))

    def plain(self, node: yaml.Node, context: str) -> bool:
        """Refuse non-core tags on every node that is read (aliases were refused by :func:`compose`)."""
        if node.tag not in _PLAIN_TAGS:
            hint = f" (a value starting with '!' is a tag: {QUOTE_HINT})" if not node.tag.startswith(_TAG) else ""
            self.error(
                node,
                f"unsupported YAML tag '{node.tag.replace(_TAG, '!!')}'; card files use plain YAML only{hint}",
                context,
            )
            return False
        return True

    def kind(self, node: yaml.Node) -> str:
        return _KIND.get(node.tag, "something else")

    def mapping(
        self, node: yaml.Node, context: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Keys -> (key node, value node). Duplicate, unknown, non-text and missing keys are problems."""
        if not self.plain(node, context):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"expected a mapping (key: value lines), got {self.kind(node)}", context)
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != STR:
                self.error(key_node, f"keys must be text, got {self.kind(key_node)}", context)
                continue
            key = key_node.value
            if key in out:
                first = self.loc(out[key][0])
                self.error(key_node, f"duplicate key '{key}' (first at line {first.line}); keep only one", context)
                continue
            if key not in allowed:
                self.error(key_node, f"unknown key '{key}'{did_you_mean(key, allowed)}", context)
                continue
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.error(node, f"missing required key '{key}'", context)
        return out

    def sequence(self, node: yaml.Node, context: str, what: str) -> list[yaml.Node] | None:
        if not self.plain(node, context):
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{what}' must be a list, got {self.kind(node)}", context)
            return None
        return list(node.value)

    def text(self, node: yaml.Node, context: str, key: str, *, any_scalar: bool = False) -> str | None:
        """A non-empty string. ``any_scalar`` also takes numbers and dates as their written text."""
        if not self.plain(node, context):
            return None
        ok = isinstance(node, yaml.ScalarNode) and (
            node.tag == STR or (any_scalar and node.tag in (INT, FLOAT, TIMESTAMP))
        )
        if not ok:
            if node.tag == NULL:
                self.error(node, f"'{key}' is empty; give it a value or remove the key", context)
            elif isinstance(node, yaml.ScalarNode):
                self.error(
                    node,
                    f"'{key}' must be text, got {self.kind(node)} ({node.value}); put it in quotes: \"{node.value}\"",
                    context,
                )
            else:
                self.error(node, f"'{key}' must be text, got {self.kind(node)}", context)
            return None
        value: str = node.value
        if not value.strip():
            self.error(node, f"'{key}' is empty; give it a value or remove the key", context)
            return None
        return value

    def comment_after(self, node: yaml.Node, context: str, key: str) -> None:
        """An error when an unquoted value is followed by ' #...' on its line: YAML reads that as a comment, so the
        text after it would silently disappear from the card (nobody means a comment in the middle of an answer)."""
        if not isinstance(node, yaml.ScalarNode) or node.style not in (None, "") or not self.source:
            return
        end = node.end_mark
        rest = self.line(end.line)[end.column :]
        if rest.strip().startswith("#"):
            self.problems.append(
                Problem(
                    Location(self.display, end.line + 1, end.column + 1 + len(rest) - len(rest.lstrip())),
                    f"the text after ' #' is a YAML comment, not part of '{key}' ('{node.value} {rest.strip()}' reads as "
                    f"'{node.value}'); {QUOTE_HINT} to keep it, or put the comment on a line of its own",
                    context=context,
                    rule="yaml",
                )
            )

    def boolean(self, node: yaml.Node, context: str, key: str) -> bool | None:
        if not self.plain(node, context):
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL:
            self.error(node, f"'{key}' must be true or false, got {self.kind(node)}", context)
            return None
        return node.value.lower() in ("true", "yes", "on")

    def text_list(self, node: yaml.Node, context: str, key: str) -> list[tuple[str, yaml.Node]] | None:
        items = self.sequence(node, context, key)
        if items is None:
            return None
        out = []
        for item in items:
            value = self.text(item, context, key, any_scalar=True)
            if value is not None:
                out.append((value, item))
        return out
