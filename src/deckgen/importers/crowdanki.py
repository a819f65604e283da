"""CrowdAnki export folders: ``deck.json`` and ``media/``, as the CrowdAnki add-on writes them
(crowd_anki/export/anki_exporter.py, crowd_anki/representation/{deck,note,note_model}.py).

``deck.json`` is the deck's Anki dict with ``__type__: "Deck"``, ``name`` (the full name at the top, the last
component in ``children``), ``desc``, ``notes`` (``guid``, ``fields``, ``tags``, ``note_model_uuid``; no id, no
``mod``), ``children`` (subdecks, the same shape), ``media_files`` (names per deck) and, at the top, ``note_models``
(Anki's note type dict without ``id``/``mod``/``usn``/``did``, plus ``crowdanki_uuid``). CrowdAnki keeps no Anki
note type id: each learner's add-on makes note types with ids of its own.

The add-on lists media with pylib's ``files_in_str``, which keeps HTML entities: a file ``a & b.png`` referenced as
``<img src="a &amp; b.png">`` is listed as ``a &amp; b.png`` and cannot be copied (the add-on goes on without it).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from deckgen.importers import limits
from deckgen.importers.guids import unique
from deckgen.importers.limits import Budget, check_guids, fail
from deckgen.importers.model import CLOZE, STANDARD, Collection, Deck, MediaFile, Note, NoteType, Template

DECK_JSON = "deck.json"
MEDIA = "media"


class _Shape(Exception):
    def __init__(self, where: str, message: str):
        super().__init__(message)
        self.where = where
        self.message = message


def _bad(where: str, message: str) -> NoReturn:
    raise _Shape(where, message)


_MISSING = object()
_KINDS = {str: "text", list: "a list", dict: "an object", int: "a whole number"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    names: dict[type, str] = {str: "text", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _get(obj: dict[str, Any], key: str, kind: type, where: str, default: Any = _MISSING) -> Any:
    if key not in obj:
        if default is _MISSING:
            _bad(where, f"'{key}' is missing")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        _bad(where, f"'{key}' must be {_KINDS[kind]}, got {_json_kind(value)}")
    return value


def _strings(obj: dict[str, Any], key: str, where: str) -> list[str]:
    value = _get(obj, key, list, where, default=[])
    for i, item in enumerate(value):
        if not isinstance(item, str):
            _bad(f"{where}.{key}[{i}]", "must be text")
    return list(value)


def read_crowdanki(folder: Path, display: str) -> Collection:
    deck_path = folder / DECK_JSON
    deck_display = os.path.join(display, DECK_JSON)
    data = _load(deck_path, deck_display)
    budget = Budget(display)
    try:
        if not isinstance(data, dict):
            _bad("(top)", "deck.json must hold one JSON object (the deck)")
        if data.get("__type__", "Deck") != "Deck":
            _bad("(top)", f"'__type__' is {data.get('__type__')!r}, not 'Deck': this is not a CrowdAnki deck export")
        models = _note_models(data)
        decks: list[Deck] = []
        notes: list[Note] = []
        listed: list[tuple[str, str]] = []
        _deck(data, "", "(top)", models, decks, notes, listed)
    except _Shape as exc:
        fail(deck_display, exc.message, context=exc.where)
    except RecursionError:
        fail(deck_display, "subdecks are nested too deeply")
    notes, duplicates = unique(notes, deck_display)
    check_guids([note.guid for note in notes], deck_display)
    media = _media(folder, display, listed, deck_display, budget)
    return Collection(
        source=display,
        format="crowdanki",
        decks=tuple(decks),
        notetypes=tuple(models.values()),
        notes=tuple(notes),
        media=media,
        duplicates=duplicates,
    )


def _load(path: Path, display: str) -> Any:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        fail(display, "does not exist; a CrowdAnki export folder holds deck.json and media/")
    except OSError as exc:
        fail(display, f"cannot be read ({exc.strerror or exc})")
    if not stat.S_ISREG(st.st_mode):
        fail(display, "is not a regular file (a symbolic link?); copy the real deck.json into the folder")
    if st.st_size > limits.MAX_DECK_JSON_BYTES:
        fail(display, f"is {st.st_size:,} bytes, more than the {limits.MAX_DECK_JSON_BYTES:,} deckgen reads")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.MAX_DECK_JSON_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(display, f"is not valid UTF-8 (byte {exc.start}); CrowdAnki writes UTF-8")
    except OSError as exc:
        fail(display, f"cannot be read ({exc.strerror or exc})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(display, f"is not valid JSON ({exc.msg})", line=exc.lineno, col=exc.colno)
    except RecursionError:
        fail(display, "is nested too deeply to be a CrowdAnki deck")


def _note_models(data: dict[str, Any]) -> dict[str, NoteType]:
    out: dict[str, NoteType] = {}

    def collect(deck: dict[str, Any], where: str) -> None:
        for i, model in enumerate(_get(deck, "note_models", list, where, default=[])):
            nt = _note_model(model, f"{where}.note_models[{i}]" if where != "(top)" else f"note_models[{i}]")
            if nt.source_key in out:
                _bad(f"note_models[{i}]", f"crowdanki_uuid '{nt.source_key}' is used by two note models")
            out[nt.source_key] = nt
        for j, child in enumerate(_get(deck, "children", list, where, default=[])):
            if isinstance(child, dict):
                collect(child, f"{'' if where == '(top)' else where + '.'}children[{j}]")

    collect(data, "(top)")
    return out


def _note_model(model: Any, where: str) -> NoteType:
    if not isinstance(model, dict):
        _bad(where, "must be an object (a note model)")
    uuid = _get(model, "crowdanki_uuid", str, where)
    name = _get(model, "name", str, where)
    fields = []
    for i, fld in enumerate(sorted(_dicts(model, "flds", where), key=_ord)):
        fields.append(_get(fld, "name", str, f"{where}.flds[{i}]"))
    templates = []
    for i, tmpl in enumerate(sorted(_dicts(model, "tmpls", where), key=_ord)):
        w = f"{where}.tmpls[{i}]"
        templates.append(Template(_get(tmpl, "name", str, w), _get(tmpl, "qfmt", str, w), _get(tmpl, "afmt", str, w)))
    if not fields:
        _bad(where, "'flds' is empty; a note model needs at least one field")
    if not templates:
        _bad(where, "'tmpls' is empty; a note model needs at least one template")
    kind = _get(model, "type", int, where, default=0)
    sortf = _get(model, "sortf", int, where, default=0)
    stock = model.get("originalStockKind", 0)
    return NoteType(
        id=0,
        name=name,
        kind=CLOZE if kind == 1 else STANDARD,
        fields=tuple(fields),
        templates=tuple(templates),
        css=_get(model, "css", str, where, default=""),
        sort_field=sortf if 0 <= sortf < len(fields) else 0,
        mod=0,
        original_stock_kind=stock if isinstance(stock, int) and not isinstance(stock, bool) else 0,
        source_key=uuid,
    )


def _dicts(obj: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = _get(obj, key, list, where)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            _bad(f"{where}.{key}[{i}]", "must be an object")
    return list(items)


def _ord(item: dict[str, Any]) -> int:
    value = item.get("ord", 0)
    return value if isinstance(value, int) else 0


def _deck(
    data: dict[str, Any],
    parent: str,
    where: str,
    models: dict[str, NoteType],
    decks: list[Deck],
    notes: list[Note],
    listed: list[tuple[str, str]],
) -> None:
    name = _get(data, "name", str, where)
    if not name.strip():
        _bad(where, "'name' is empty")
    full = f"{parent}::{name}" if parent else name
    decks.append(Deck(id=0, name=full, description=_get(data, "desc", str, where, default="")))
    prefix = "" if where == "(top)" else where + "."
    for name_ in _strings(data, "media_files", where):
        listed.append((name_, f"{prefix}media_files"))
    for i, note in enumerate(_get(data, "notes", list, where, default=[])):
        w = f"{prefix}notes[{i}]"
        if not isinstance(note, dict):
            _bad(w, "must be an object (a note)")
        guid = _get(note, "guid", str, w)
        model_uuid = _get(note, "note_model_uuid", str, w)
        nt = models.get(model_uuid)
        if nt is None:
            _bad(w, f"'note_model_uuid' '{model_uuid}' names no note model in 'note_models'")
        fields = tuple(_strings(note, "fields", w))
        if len(fields) != len(nt.fields):
            _bad(w, f"has {len(fields)} fields, but its note model '{nt.name}' has {len(nt.fields)}")
        notes.append(
            Note(guid=guid, notetype=model_uuid, fields=fields, tags=tuple(_strings(note, "tags", w)), mod=0, deck=full)
        )
    for j, child in enumerate(_get(data, "children", list, where, default=[])):
        w = f"{prefix}children[{j}]"
        if not isinstance(child, dict):
            _bad(w, "must be an object (a subdeck)")
        _deck(child, full, w, models, decks, notes, listed)


def _media(
    folder: Path, display: str, listed: list[tuple[str, str]], deck_display: str, budget: Budget
) -> tuple[MediaFile, ...]:
    media_dir = folder / MEDIA
    media_display = os.path.join(display, MEDIA)
    files: dict[str, int] = {}
    try:
        st = os.lstat(media_dir)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            fail(media_display, "is not a folder (a symbolic link?); CrowdAnki writes media/ as a real folder")
        with os.scandir(media_dir) as entries:
            for entry in entries:
                if len(files) >= limits.MAX_MEMBERS:
                    fail(media_display, f"holds more than {limits.MAX_MEMBERS:,} files")
                est = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(est.st_mode):
                    fail(
                        os.path.join(media_display, entry.name),
                        "is a symbolic link; media files must be regular files "
                        "(a link could carry any file of this computer into the deck)",
                    )
                if stat.S_ISREG(est.st_mode):
                    files[entry.name] = est.st_size
    # a name media_files lists but media/ lacks (a file the export missed): a card that uses it keeps an empty image,
    # as learners of the shared deck have it; the build lists those cards (deckgen.lock.kept)
    return tuple(
        MediaFile(name, size, _reader(media_dir, name, os.path.join(media_display, name), budget))
        for name, size in sorted(files.items())
    )


def _reader(media_dir: Path, name: str, display: str, budget: Budget) -> Callable[[], bytes]:
    def read() -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(media_dir / name, flags)
        except OSError as exc:
            fail(display, f"cannot be read ({exc.strerror or exc})")
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                fail(display, "is not a regular file")
            data = fh.read(limits.MAX_MEDIA_BYTES + 1)
        if len(data) > limits.MAX_MEDIA_BYTES:
            fail(display, f"is larger than {limits.MAX_MEDIA_BYTES:,} bytes (Anki does not sync larger media files)")
        budget.charge(len(data))
        return data

    return read
