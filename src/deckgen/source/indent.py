"""What a YAML parse error caused by indentation really is, said in the author's terms.

libyaml stops *after* a mis-indented line, with a message about the grammar ("did not find expected '-'
indicator", "mapping values are not allowed here"), and often on the next line. When the parser has failed, this
module looks at the lines around the place it stopped and, when the cause is clear, names the line that is out of
step with its siblings ("'Reading' is indented 4 spaces; the other fields of this card are at 6") or the line that
ends a ``|`` block too early. It is only consulted after a parse error, so it never changes what valid YAML means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deckgen.source import keys as spec

_KEY = re.compile(r"^(?P<lead>(?: *- +)*| *)(?P<key>[^\s#'\"\-?:,\[\]{}&*!|>%@`][^:#]*?|'[^']*'|\"[^\"]*\") *:(?: +|$)")
_BLOCK = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?$")
KNOWN_KEYS = frozenset(
    [*spec.CITATION, *spec.TEMPLATE, *spec.NOTETYPE, *spec.DECK, *spec.TOPIC, *spec.EDITOR_NOTE, *spec.CARD_KEYS]
)
"""Every key deckgen's files have (the fields of a deck's own note types come on top, under 'fields:')."""
_KEY_WIDTH = 120  # characters of a line where its key may be
_LOOK_BACK = 200  # lines looked at above the error: a sibling further away is not what the author is looking at


@dataclass(frozen=True)
class KeyLine:
    index: int  # 0-based line number
    key: str
    col: int  # where the key starts (its indentation for the mapping it belongs to)
    dash: int  # where the first '- ' starts, or -1 when the line starts no list item
    value: str  # the rest of the line after 'key:'


def key_line(lines: list[str], index: int) -> KeyLine | None:
    line = lines[index]
    m = _KEY.match(line[:_KEY_WIDTH])  # a key is short; a bound keeps the match linear on a hostile line
    if m is None:
        return None
    lead = m.group("lead")
    dash = lead.find("-") if "-" in lead else -1
    key = m.group("key").strip().strip("'\"")
    return KeyLine(index, key, m.start("key"), dash, line[m.end() :].strip())


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def diagnose(text: str, error_line: int) -> tuple[int, int, str] | None:
    """(0-based line, 0-based column, message) for an indentation mistake at or just before ``error_line``
    (0-based), or None when the cause is not clearly one."""
    lines = text.splitlines()
    error_line = min(error_line, len(lines) - 1)
    return _block_dedent(lines, error_line) or _odd_sibling(lines, error_line)


def _block_dedent(lines: list[str], error_line: int) -> tuple[int, int, str] | None:
    """A line inside a ``|``/``>`` block indented less than the block's first line ends the block early."""
    found = None
    for index in range(max(0, error_line - _LOOK_BACK), error_line + 1):
        head = key_line(lines, index)
        if head is None or not _BLOCK.match(head.value):
            continue
        first = next((i for i in range(index + 1, error_line + 1) if lines[i].strip()), None)
        if first is None or _indent(lines[first]) <= head.col:
            continue
        width = _indent(lines[first])
        end = next((i for i in range(first, error_line + 1) if lines[i].strip() and _indent(lines[i]) < width), None)
        if end is None:
            continue
        shallow = _indent(lines[end])
        if shallow > head.col or (shallow == head.col and key_line(lines, end) is None and head.dash == -1):
            found = (
                end,
                shallow,
                f"this line of the '{lines[index].strip()[-1] if lines[index].strip()[-1] in '|>' else '|'}' block "
                f"of '{head.key}' (line {index + 1}) is indented {_spaces(shallow)}, less than the block's first line "
                f"({width}), so YAML ends the block here; indent every line of the block by at least {_spaces(width)}",
            )
    return found


def _odd_sibling(lines: list[str], error_line: int) -> tuple[int, int, str] | None:
    """Two neighbouring keys at different indentations where YAML allows none: the one out of step with the
    other siblings is named, with their indentation."""
    start = max(0, error_line - _LOOK_BACK)
    keyed = [k for i in range(start, min(len(lines), error_line + 2)) if (k := key_line(lines, i)) is not None]
    later = [k for k in keyed if k.index <= error_line]
    if len(later) < 2:
        return None
    low, high = later[-2], later[-1]
    if low.col == high.col:
        return None
    if high.col > low.col and (not low.value or _BLOCK.match(low.value)):
        return None  # a nested mapping or a block: deeper is right
    if high.col < low.col and high.col in _open_levels(lines, low):
        return None  # back out to an enclosing level: right
    before = next((k for k in reversed(keyed) if k.index < low.index and k.col <= max(low.col, high.col)), None)
    after = next((k for k in keyed if k.index > high.index), None)
    if before is not None and before.col == high.col:
        odd, good = low, before
    elif (after is not None and after.col == low.col) or (before is not None and before.col == low.col):
        odd, good = high, low
    elif after is not None and after.col == high.col:
        odd, good = low, after
    else:
        odd, good = high, low
    siblings = _siblings(lines, good)
    if odd is high and odd.col > good.col and odd.key not in KNOWN_KEYS and "fields" not in siblings:
        return None  # 'the ratio: 2 to 1' under 'front: What is': more text of the value, not a misplaced key
    if odd.dash != -1:
        item = next((k for k in reversed(keyed) if k.index < odd.index and k.dash not in (-1, odd.dash)), None)
        if item is not None:
            return (
                odd.index,
                odd.dash,
                f"the '-' of this item ('- {odd.key}') is indented {_spaces(odd.dash)}; the '-' of the items "
                f"before it is at {item.dash}: {_fix(item.dash)} like them",
            )
    return (
        odd.index,
        odd.col,
        f"'{odd.key}' is indented {_spaces(odd.col)}; {siblings} are at {good.col}: {_fix(good.col)} like them",
    )


def _fix(n: int) -> str:
    return "start it at the beginning of the line" if n == 0 else f"indent it {_spaces(n)}"


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"


def _open_levels(lines: list[str], line: KeyLine) -> set[int]:
    """The indentations a line after ``line`` may go back to: those of the mappings and lists enclosing it."""
    levels = {line.col}
    if line.dash != -1:
        levels.add(line.dash)
    floor = line.dash if line.dash != -1 else line.col
    for index in range(line.index - 1, max(-1, line.index - _LOOK_BACK), -1):
        if not _content(lines[index]):
            continue
        k = key_line(lines, index)
        indent = _indent(lines[index])
        if indent < floor or (k is not None and k.col < floor):
            if k is not None:
                levels.add(k.col)
            levels.add(indent)
            floor = min(indent, k.col if k is not None else indent)
    return levels


def _siblings(lines: list[str], good: KeyLine) -> str:
    """'the other fields of this card', 'the other keys of this card', 'the other keys under 'css''..."""
    for index in range(good.index, max(-1, good.index - _LOOK_BACK), -1):
        k = key_line(lines, index)
        if k is None:
            continue
        if k.col == good.col and k.dash != -1:  # the list item these keys belong to
            return "the other keys of this card" if _parent_key(lines, k) == "cards" else "the other keys of this item"
        if k.col < good.col:
            if k.key == "fields":
                return "the other fields of this card"
            return f"the other keys under '{k.key}'"
    return "the other top-level keys" if good.col == 0 else "the other keys here"


def _parent_key(lines: list[str], item: KeyLine) -> str:
    for index in range(item.index - 1, -1, -1):
        if _indent(lines[index]) >= item.dash:  # inside this list: not its parent (a cheap test before the regex)
            continue
        k = key_line(lines, index)
        if k is not None and k.col < item.dash and (k.dash == -1 or k.dash < item.dash):
            return k.key
    return ""
