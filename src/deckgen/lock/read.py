"""Reading the lock file, validated like input: it is committed by hand, merged, and may come from a pull request.

The lock must be a regular file (a link to /dev/zero is never read) of bounded size, valid UTF-8 JSON with no key
written twice; every entry goes through one small table of field checks (:data:`ENTRY_FIELDS`), and a ``mod``
must be a whole number from 0 to :data:`MAX_MOD`, and (when the build time is given) not more than a day after
it: a far-future ``mod`` would keep every later update from learners who imported it. Every problem is placed
at the line of the entry it concerns and names the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import chain
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import cast

from deckgen.errors import ContentError, Location, Problem
from deckgen.fsutil import UnsafeFile, read_regular
from deckgen.lock.model import LOCK_VERSION, READABLE_VERSIONS, Entry, Lock
from deckgen.source.yamlfile import file_display

MAX_LOCK_BYTES = 64 * 1024 * 1024
"""A lock larger than this is refused (50,000 cards take about 4 MB)."""

MAX_MOD = 2**31 - 1
"""The largest ``mod`` a lock may hold (2038-01-19): anything larger is a hand edit, not a build time."""

FUTURE_SLACK = 24 * 3600
"""How far after the build time a recorded ``mod`` may be (clocks differ) before it is an error."""

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\Z")  # card ids and note kinds (loader.SLUG)
_HASH = re.compile(r"[0-9a-f]{1,64}\Z")
_GUID = re.compile(r"[!-~]{1,100}\Z")
_SECTIONS = ("notetypes", "cards", "removed")
_TOP_KEYS = ("version", "created", "deck", *_SECTIONS)


class _Odd:
    """A JSON value the lock never holds (a fraction, 1e400, NaN, a 5000-digit number): kept only to be reported."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text if len(self.text) <= 24 else self.text[:24] + "…"


def _int(text: str) -> int | _Odd:
    return int(text) if len(text) <= 20 else _Odd(text)


_SLUG_LINES = re.compile(r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\n)*\Z")
_HASH_LINES = re.compile(r"(?:[0-9a-f]{1,64}\n)*\Z")


def _well_formed(section: dict[str, object], now: int | None) -> dict[str, Entry] | None:
    """A section's entries when every one is well formed, checked in bulk (C loops: a 50,000-card lock is read on
    every build); None when any is not, so that the slow path can say which and where."""
    keys = "\n".join(section) + "\n" if section else ""
    if keys.count("\n") != len(section) or not _SLUG_LINES.match(keys):
        return None
    if not set(map(type, section.values())) <= {dict}:
        return None
    items = cast("list[dict[str, object]]", list(section.values()))
    if not set(chain.from_iterable(items)) <= _FAST_FIELDS:
        return None
    try:
        hashes = list(map(itemgetter("hash"), items))
        mods = list(map(itemgetter("mod"), items))
    except KeyError:
        return None
    kinds = list(map(methodcaller("get", "kind", ""), items))
    guids = list(map(methodcaller("get", "guid", ""), items))
    limit = MAX_MOD if now is None else min(MAX_MOD, now + FUTURE_SLACK)
    if not set(map(type, hashes)) | set(map(type, kinds)) | set(map(type, guids)) <= {str} or not set(
        map(type, mods)
    ) <= {int}:
        return None
    if mods and (min(mods) < 0 or max(mods) > limit):
        return None
    text = "\n".join(hashes) + "\n" if hashes else ""
    if text.count("\n") != len(hashes) or not _HASH_LINES.match(text):
        return None
    if not all(not kind or _SLUG.match(kind) for kind in set(kinds)):
        return None
    if any(guids) and not all(not guid or _GUID.match(guid) for guid in guids):
        return None
    return dict(zip(section, map(Entry, hashes, mods, kinds, guids), strict=True))


def _shown(value: object) -> str:
    text = (
        repr(value) if not isinstance(value, (dict, list)) else ("a mapping" if isinstance(value, dict) else "a list")
    )
    return text if len(text) <= 40 else text[:40] + "…"


def _check_mod(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MOD:
        return None
    return f"must be a whole number of seconds from 0 to {MAX_MOD}, got {_shown(value)}"


def _check_hash(value: object) -> str | None:
    return None if isinstance(value, str) and _HASH.match(value) else f"must be a hexadecimal hash, got {_shown(value)}"


def _check_kind(value: object) -> str | None:
    return (
        None
        if isinstance(value, str) and (not value or _SLUG.match(value))
        else f"must be a note kind, got {_shown(value)}"
    )


def _check_guid(value: object) -> str | None:
    return (
        None
        if isinstance(value, str) and _GUID.match(value)
        else f"must be an Anki GUID (printable ASCII), got {_shown(value)}"
    )


def _check_key(value: object) -> str | None:
    return (
        None if isinstance(value, str) and _SLUG.match(value) else f"must be a deck key (a slug), got {_shown(value)}"
    )


def _check_draft(value: object) -> str | None:
    return None if value is True else f"must be true (a draft deck; left out once released), got {_shown(value)}"


def _check_id(value: object) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**63 - 1
    return None if ok else f"must be an Anki note type id (a whole number), got {_shown(value)}"


# The fields an entry may have, each with its check. To add one (a newer lock version): add it here, to Entry, to
# Entry construction in _LockReader.entry (and _well_formed, the bulk path, if card entries carry it), and to Lock.dumps.
ENTRY_FIELDS: dict[str, Callable[[object], str | None]] = {
    "hash": _check_hash,
    "mod": _check_mod,
    "kind": _check_kind,
    "guid": _check_guid,
    "key": _check_key,
    "id": _check_id,
    "schema": _check_hash,
    "draft": _check_draft,
    "kept": _check_hash,
}
_FAST_FIELDS = frozenset({"hash", "mod", "kind", "guid"})  # what card entries hold; the bulk path reads those only
REQUIRED_FIELDS = ("hash", "mod")


class _LockReader:
    """Validates a parsed lock document; every problem is placed at the line of the entry it concerns."""

    def __init__(self, text: str, display: str, now: int | None):
        self.text = text
        self.display = display
        self.now = now
        self.problems: list[Problem] = []
        self.keys = 0  # keys the decoded document holds (a key written twice was kept once)

    def where(self, *keys: str) -> Location:
        """The place of ``"key":`` (each key searched after the previous one), else the whole file."""
        pos = -1
        for key in keys:
            m = _key_pattern(key).search(self.text, max(pos, 0))
            if m is None:
                break
            pos = m.start()
        return _place(self.text, self.display, pos) if pos >= 0 else Location(self.display)

    def fail(self, keys: tuple[str, ...], message: str) -> None:
        self.problems.append(Problem(self.where(*keys), f"{message}; {_RESTORE}", rule="lock"))

    def future(self, keys: tuple[str, ...], what: str, mod: int) -> None:
        if self.now is not None and mod > self.now + FUTURE_SLACK:
            self.problems.append(
                Problem(
                    self.where(*keys),
                    f"{what} has mod {mod} ({_date(mod)}), more than a day after this build ({_date(self.now)}): learners who "
                    "imported it would never receive a later update of it. If the lock was edited by hand, "
                    f"{_RESTORE}; if a build machine's clock was wrong, set SOURCE_DATE_EPOCH past that time",
                    rule="lock",
                )
            )

    def entry(self, value: object, keys: tuple[str, ...], what: str) -> Entry | None:
        if not isinstance(value, dict):
            self.fail(keys, f"{what} must be a mapping with 'hash' and 'mod', got {_shown(value)}")
            return None
        ok = True
        for name, item in value.items():
            check = ENTRY_FIELDS.get(name)
            message = f"unknown field '{name}'" if check is None else check(item)
            if message is not None:
                self.fail(keys, f"{what}: '{name}' {message}" if check is not None else f"{what}: {message}")
                ok = False
        for name in REQUIRED_FIELDS:
            if name not in value:
                self.fail(keys, f"{what} has no '{name}'")
                ok = False
        if not ok:
            return None
        mod = value["mod"]
        assert isinstance(mod, int)
        self.future(keys, what, mod)
        nt_id = value.get("id", 0)
        return Entry(
            hash=str(value["hash"]),
            mod=mod,
            kind=str(value.get("kind", "")),
            guid=str(value.get("guid", "")),
            key=str(value.get("key", "")),
            id=nt_id if isinstance(nt_id, int) else 0,
            schema=str(value.get("schema", "")),
            draft=value.get("draft") is True,
            kept=str(value.get("kept", "")),
        )

    def section(self, data: dict[str, object], name: str) -> dict[str, Entry]:
        value = data.get(name)
        if not isinstance(value, dict):
            self.fail((name,), f"'{name}' must be a mapping of entries, got {_shown(value)}")
            return {}
        self.keys += len(value)
        fast = _well_formed(value, self.now)
        if fast is not None:
            self.keys += sum(map(len, value.values()))
            return fast
        out: dict[str, Entry] = {}
        for key, item in value.items():
            if isinstance(item, dict):
                self.keys += len(item)  # as the bulk path counts them: a key written twice is then found cheaply
            if not _SLUG.match(key):
                self.fail((name, key), f"'{name}' has an entry named {_shown(key)}, which is not an id")
                continue
            entry = self.entry(item, (name, key), f"'{name}' entry '{key}'")
            if entry is not None:
                out[key] = entry
        return out

    def lock(self, data: object) -> Lock | None:
        if not isinstance(data, dict):
            self.fail((), f"the lock file must hold a mapping, got {_shown(data)}")
            return None
        if data.get("version") not in READABLE_VERSIONS:
            self.fail(
                ("version",),
                f"unsupported lock version {_shown(data.get('version'))} (this deckgen reads version "
                f"{LOCK_VERSION}); use the deckgen that wrote it",
            )
            return None
        self.keys += len(data)
        if isinstance(data.get("deck"), dict):
            self.keys += len(data["deck"])
        for key in data:
            if key not in _TOP_KEYS:
                self.fail((key,), f"unknown key {_shown(key)}")
        created = data.get("created")
        message = _check_mod(created)
        if message is not None:
            self.fail(("created",), f"'created' {message}")
        elif isinstance(created, int):
            self.future(("created",), "'created'", created)
        deck = data.get("deck")
        deck_entry = None if deck is None else self.entry(deck, ("deck",), "'deck'")
        sections = {name: self.section(data, name) for name in _SECTIONS}
        if self.problems:
            return None
        assert isinstance(created, int)
        return Lock(created=created, deck=deck_entry, **sections)


def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")


def _place(text: str, display: str, pos: int) -> Location:
    line = text.count("\n", 0, pos) + 1
    return Location(display, line, pos - (text.rfind("\n", 0, pos) + 1) + 1)


RESTORE = "restore the lock file from git (e.g. git checkout main -- <lock file>) and run 'deckgen build'"
LINKED_LOCK = "is a symbolic link; the lock file must be a regular file in the cards folder"
_RESTORE = RESTORE


def _date(seconds: int) -> str:
    import datetime

    try:
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return "far in the future"


def read_lock(path: Path, now: int | None = None) -> Lock | None:
    """The lock in ``path``, or None when there is none yet. A damaged or tampered lock is a content error with
    every problem at its place; with ``now`` (the build time), a ``mod`` more than a day after it is one too.
    The lock must be a regular file (a link to /dev/zero is not read), at most :data:`MAX_LOCK_BYTES`."""
    display = file_display(path)
    try:
        data = read_regular(path, MAX_LOCK_BYTES)
    except FileNotFoundError:
        return None
    except UnsafeFile as exc:
        if exc.reason == "symlink":
            message = LINKED_LOCK
        elif exc.reason == "size":
            message = f"is {exc.size:,} bytes, over the {MAX_LOCK_BYTES:,}-byte limit for a lock file"
        else:
            message = "is not a regular file (a folder, FIFO or device)"
        raise ContentError([Problem(Location(display), f"{message}; {_RESTORE}", rule="lock")]) from None
    except OSError as exc:
        raise ContentError(
            [
                Problem(
                    Location(display),
                    f"cannot read the lock file ({exc.strerror or exc}); restore it from git",
                    rule="lock",
                )
            ]
        ) from None
    return parse_lock(data, display, now)


def parse_lock(data: bytes, display: str, now: int | None = None) -> Lock:
    """A lock from its bytes (see :func:`read_lock`); raises ContentError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(
            [
                Problem(
                    Location(display), f"the lock file is not valid UTF-8 (byte {exc.start}); {_RESTORE}", rule="lock"
                )
            ]
        ) from None
    try:
        document = _load_json(text)
    except json.JSONDecodeError as exc:
        loc = Location(display, exc.lineno, exc.colno)
        message = (
            f"the lock file is not valid JSON ({exc.msg}); after a merge conflict take either side "
            "(git checkout --theirs -- <lock>) and run 'deckgen build'; otherwise restore it from git"
        )
        raise ContentError([Problem(loc, message, rule="lock")]) from None
    except RecursionError:
        raise ContentError(
            [Problem(Location(display), f"the lock file is nested too deeply; {_RESTORE}", rule="lock")]
        ) from None
    reader = _LockReader(text, display, now)
    lock = reader.lock(document)
    if lock is None or (reader.keys != text.count('":') and reader.keys != sum(1 for _ in _KEY.finditer(text))):
        duplicate = _duplicate(
            text, display
        )  # the decoder keeps the last of a key written twice; a reviewer reads the first
        if duplicate is not None:
            raise ContentError([duplicate])
    if lock is None:
        raise ContentError(reader.problems[:100])
    return lock


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?|[{}]')


def _duplicate(text: str, display: str) -> Problem | None:
    """The first key written twice in one JSON object, at its second place (the lock is valid JSON here)."""
    stack: list[set[str]] = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if token == "{":
            stack.append(set())
        elif token == "}":
            if stack:
                stack.pop()
        elif m.group(2) and stack:
            key = json.loads(f'"{m.group(1)}"')
            if key in stack[-1]:
                return Problem(
                    _place(text, display, m.start()),
                    f"the lock file names {_shown(key)} twice (a hand edit or a bad merge); {_RESTORE}",
                    rule="lock",
                )
            stack[-1].add(key)
    return None


_KEY = re.compile(r'"\s*:')


def _load_json(text: str) -> object:
    """The plain C decoder; a number it cannot keep (thousands of digits) is kept as text, for the message."""
    try:
        return json.loads(text, parse_float=_Odd, parse_constant=_Odd)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return json.loads(text, parse_int=_int, parse_float=_Odd, parse_constant=_Odd)
