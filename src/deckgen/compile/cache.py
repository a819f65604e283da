"""The per-file cache of parsed and rendered topic files, validated like input.

An entry maps the *content* of a topic file (plus its displayed path, the deck-level inputs of its notes and a
fingerprint of deckgen's own code and its renderers) to the parsed topic, its compiled notes and its problems.
The folder lives outside the repository (``$DECKGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/deckgen``, else
``~/.cache/deckgen``) so that a pull request cannot plant entries, and it is used only when it belongs to the
user running deckgen and nobody else may write to it. Entries are JSON (never pickle; written and read with orjson,
4x faster to write and 1.5x to read than the json module, and as safe: it only ever makes dicts, lists, strings,
numbers, booleans and None), written atomically, read
as regular files of bounded size, and every value is checked for its type and shape when decoded: anything odd
(a damaged, truncated or planted entry) is a miss, never an error. Deleting the folder is always safe.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from deckgen.compile.lint import prompt_key
from deckgen.compile.note import CompileContext, NoteSpec
from deckgen.errors import ERROR, WARNING, Location, Problem
from deckgen.fsutil import UnsafeFile, read_regular
from deckgen.model import Card, Topic
from deckgen.notetypes.builtin import NOTE_TYPES
from deckgen.notetypes.cloze import MAX_NUMBER
from deckgen.source.keys import CARD_FIELD, CARD_FIELDS, Shape
from deckgen.source.yamlfile import MAX_FILE_BYTES

CACHE_FORMAT = 6  # 5: cards by field name; 6: each card's duplicate-check key
MAX_ENTRY_BYTES = 8 * MAX_FILE_BYTES  # a rendered topic file is a few times its YAML

Result = tuple[Topic | None, list[NoteSpec], list[Problem]]


def default_cache_dir() -> Path:
    if os.environ.get("DECKGEN_CACHE_DIR"):
        return Path(os.environ["DECKGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deckgen"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever deckgen's code or a library that shapes its output changes: stale entries never match."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for dist in ("PyYAML", "nh3", "cmarkgfm", "Pygments"):
        try:
            versions.append(version(dist))
        except PackageNotFoundError:
            versions.append("?")
    h = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version}|{versions}".encode())
    package = Path(__file__).parent.parent  # the whole deckgen package, subpackages too
    for path in sorted(package.rglob("*.py")):  # subpackages too (render/, importers/, ...)
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def private(folder: Path) -> bool:
    """Whether ``folder`` may hold cache entries: it is missing (it will be created), or it is a real folder owned
    by this user that nobody else may write to (on a shared machine another user could plant entries)."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        return False
    return True


class Cache:
    def __init__(self, folder: Path):
        self.folder = folder

    def key(self, data: bytes, display: str, ctx: CompileContext) -> str:
        h = hashlib.sha256(code_fingerprint().encode())
        h.update(json.dumps([display, ctx.digest]).encode())
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, path: Path, widths: dict[str, int]) -> Result | None:
        """The entry for ``key``, or None if there is none or it is not exactly what :meth:`put` writes."""
        try:
            payload = orjson.loads(read_regular(self._file(key), MAX_ENTRY_BYTES))
            if type(payload) is not dict or payload.get("key") != key:
                return None
            return decode(payload, path, widths)
        except (OSError, UnsafeFile, ValueError, KeyError, TypeError, IndexError, RecursionError, StopIteration, _Odd):
            return None  # missing, unreadable or odd: recompute

    def put(self, key: str, result: Result) -> None:
        """Write an entry (temp file + rename, no fsync: a lost entry only costs speed)."""
        target = self._file(key)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(orjson.dumps({"key": key, **encode(result)}))
            os.replace(tmp, target)
        except (OSError, TypeError):  # orjson: TypeError for text it cannot write as UTF-8 (a lone surrogate)
            tmp.unlink(missing_ok=True)  # a read-only or full cache disk only costs speed


# An entry keeps cards as columns named by the card-field table (:data:`deckgen.source.keys.CARD_FIELDS`): each
# field is a list with one value per card (fields of several values are flat lists plus a list of counts), so a
# field the table adds is written and read back without a change here, and an entry written without it is a miss.
# Notes and problems are flat pools: the fixed strings of every record ("s", the same number per record), its
# fixed numbers ("i"), and the variable-length parts ("vs", "vi"), whose lengths the fixed numbers give. Checking
# an entry is then a few C loops over whole lists (a str.join raises TypeError on a non-string, sets of types,
# sums of the counts), not a check per value: a warm build of 50,000 cards does not pay for it, and a count that
# lies makes the sums disagree.

_NOTE_S, _NOTE_I, _PROBLEM_S, _PROBLEM_I = 5, 3, 5, 2
_PARTS: dict[Shape, tuple[str, ...]] = {  # a column's lists, for the shapes of several values per card
    "location": ("path", "line", "col"),
    "strs": ("n", "items"),
    "spots": ("n", "key", "line", "col"),
    "pairs": ("n", "name", "text"),
}


def widths(ctx: CompileContext) -> dict[str, int]:
    """The number of fields of each note type a card may have (the built-in ones and the deck's own)."""
    return {
        **{key: len(nt.fields) for key, nt in NOTE_TYPES.items()},
        **{nt.key: len(nt.fields) for nt in ctx.notetypes},
    }


def encode(result: Result) -> dict[str, Any]:
    topic, notes, problems = result
    cards = topic.cards if topic is not None else ()
    columns: dict[str, Any] = {"count": len(cards)}
    for field in CARD_FIELDS:
        columns[field.name] = _column(field.shape, [getattr(card, field.name) for card in cards])
    note_pools: dict[str, list[Any]] = {"s": [], "i": [], "vs": [], "vi": []}
    for n in notes:
        note_pools["s"] += (n.card_id, n.guid, n.notetype, n.sort_field, n.hash)
        note_pools["i"] += (len(n.tags), len(n.media), len(n.ords))
        note_pools["vs"] += (*n.fields, *n.tags, *n.media)
        note_pools["vi"] += n.ords
    return {
        "topic": None
        if topic is None
        else [topic.slug, topic.title, topic.location.path, topic.deck, topic.location.line, topic.location.col],
        "cards": columns,
        "prompts": [] if topic is None else _prompt_keys(topic),
        "notes": note_pools,
        "problems": {
            "s": [x for p in problems for x in (p.location.path, p.message, p.severity, p.context, p.rule)],
            "i": [x for p in problems for x in (p.location.line, p.location.col)],
        },
    }


def _prompt_keys(topic: Topic) -> list[str]:
    if len(topic.prompt_keys) == len(topic.cards):
        return list(topic.prompt_keys)
    return [prompt_key(card) for card in topic.cards]


def _column(shape: Shape, values: list[Any]) -> Any:
    """One card field's values as a column (see :data:`_PARTS`)."""
    if shape == "location":
        return {"path": [v.path for v in values], "line": [v.line for v in values], "col": [v.col for v in values]}
    if shape in ("str", "bool"):
        return values
    flat = [item for value in values for item in value]
    if shape == "strs":
        return {"n": [len(value) for value in values], "items": flat}
    parts = _PARTS[shape][1:]  # spots, pairs: a list per item of the tuples
    return {"n": [len(value) for value in values], **{part: [item[i] for item in flat] for i, part in enumerate(parts)}}


_CARD_ORDER = [field.name for field in dataclasses.fields(Card)]
assert sorted(_CARD_ORDER) == sorted(CARD_FIELD), "every Card field is a row of CARD_FIELDS, and back"


class _Odd(Exception):
    """A value of the wrong type or shape in an entry."""


def _pools(record: object, names: str) -> list[list[Any]]:
    if type(record) is not dict or record.keys() != set(names.split()):
        raise _Odd
    pools = [record[name] for name in names.split()]
    if not set(map(type, pools)) <= {list}:
        raise _Odd
    return pools


def _rows(pool: list[Any], width: int) -> zip[tuple[Any, ...]]:
    """``pool`` as tuples of ``width`` items (C: zip over one iterator repeated)."""
    return zip(*[iter(pool)] * width, strict=False)


def _strs(pool: Any, length: int) -> list[str]:
    if type(pool) is not list or len(pool) != length:
        raise _Odd
    "".join(pool)  # TypeError unless every item is a str
    return pool


def _ints(pool: Any, length: int) -> list[int]:
    if type(pool) is not list or len(pool) != length or not set(map(type, pool)) <= {int} or min(pool, default=0) < 0:
        raise _Odd
    return pool


def _split(items: list[Any], counts: list[int]) -> list[tuple[Any, ...]]:
    out, start = [], 0
    for count in counts:
        out.append(tuple(items[start : start + count]))
        start += count
    return out


def _read_column(shape: Shape, column: Any, count: int) -> list[Any]:
    """One card field's values, checked for the field's shape (raises _Odd, TypeError, ... otherwise)."""
    if shape == "str":
        return _strs(column, count)
    if shape == "bool":
        if type(column) is not list or len(column) != count or not set(map(type, column)) <= {bool}:
            raise _Odd
        return column
    parts = _PARTS[shape]
    if type(column) is not dict or column.keys() != set(parts):
        raise _Odd
    if shape == "location":
        paths, lines, cols = _strs(column["path"], count), _ints(column["line"], count), _ints(column["col"], count)
        return [Location(*place) for place in zip(paths, lines, cols, strict=True)]
    counts = _ints(column["n"], count)
    total = sum(counts)
    if shape == "strs":
        return _split(_strs(column["items"], total), counts)
    if shape == "spots":
        keys, lines, cols = _strs(column["key"], total), _ints(column["line"], total), _ints(column["col"], total)
        return _split(list(zip(keys, lines, cols, strict=True)), counts)
    names, texts = _strs(column["name"], total), _strs(column["text"], total)
    return _split(list(zip(names, texts, strict=True)), counts)


def _read_cards(columns: Any) -> list[Card]:
    if type(columns) is not dict or columns.keys() != {"count", *CARD_FIELD}:
        raise _Odd
    count = columns["count"]
    if type(count) is not int or count < 0:
        raise _Odd
    values = {field.name: _read_column(field.shape, columns[field.name], count) for field in CARD_FIELDS}
    # positional, in Card's own order: 1.7x faster than keywords from a dict per card (0.30 -> 0.18 s at 50k)
    return [Card(*card) for card in zip(*[values[name] for name in _CARD_ORDER], strict=True)]


def decode(payload: dict[str, Any], path: Path, widths: dict[str, int]) -> Result:
    """An entry back into values; raises _Odd (or TypeError, ValueError, ...) for anything :func:`encode` does not
    write."""
    t = payload["topic"]
    cards = _read_cards(payload["cards"])
    prompts = _strs(payload["prompts"], len(cards))
    ns, ni, nvs, nvi = _pools(payload["notes"], "s i vs vi")
    ps, pi = _pools(payload["problems"], "s i")
    if t is not None and (type(t) is not list or len(t) != 6):
        raise _Odd
    header = t or ["", "", "", "", 0, 0]
    for pool in (header[:4], ns, nvs, ps):
        "".join(pool)  # TypeError unless every item is a str
    if not set(map(type, chain(header[4:], ni, nvi, pi))) <= {int} or min(chain(header[4:], ni, nvi, pi)) < 0:
        raise _Odd
    note_count, problem_count = len(ns) // _NOTE_S, len(ps) // _PROBLEM_S
    if (len(ns), len(ni), len(ps), len(pi)) != (
        _NOTE_S * note_count,
        _NOTE_I * note_count,
        _PROBLEM_S * problem_count,
        _PROBLEM_I * problem_count,
    ):
        raise _Odd
    # the counts must add up to the variable pools exactly (then no slice below is ever cut short)
    if (
        sum(map(widths.__getitem__, ns[2::5])) + sum(ni[0::3]) + sum(ni[1::3]) != len(nvs)  # KeyError: no such type
        or sum(ni[2::3]) != len(nvi)
        or (nvi and max(nvi) >= MAX_NUMBER)
    ):
        raise _Odd
    if (
        not {card.kind for card in cards} <= widths.keys()
        or not set(ps[2::5]) <= {ERROR, WARNING}
        or (t is None and (cards or note_count))
    ):
        raise _Odd
    topic = None
    if t is not None:
        topic = Topic(
            slug=t[0],
            title=t[1],
            path=path,
            location=Location(t[2], t[4], t[5]),
            cards=tuple(cards),
            deck=t[3],
            prompt_keys=tuple(prompts),
        )
    if not set(ns[0::5]) <= {card.id for card in cards}:
        raise _Odd
    notes = []
    vs = vi = 0
    for (card_id, guid, notetype, sort_field, digest), (tag_count, media_count, ord_count) in zip(
        _rows(ns, _NOTE_S), _rows(ni, _NOTE_I), strict=True
    ):
        width = widths[notetype]
        fields = tuple(nvs[vs : vs + width])
        tags = tuple(nvs[vs + width : vs + width + tag_count])
        media = tuple(nvs[vs + width + tag_count : vs + width + tag_count + media_count])
        ords = tuple(nvi[vi : vi + ord_count])
        vs, vi = vs + width + tag_count + media_count, vi + ord_count
        notes.append(NoteSpec(card_id, guid, notetype, fields, tags, media, sort_field, ords, digest))
    problems = [
        Problem(Location(where, line, col), message, severity=severity, context=context, rule=rule)
        for (where, message, severity, context, rule), (line, col) in zip(
            _rows(ps, _PROBLEM_S), _rows(pi, _PROBLEM_I), strict=True
        )
    ]
    return topic, notes, problems
