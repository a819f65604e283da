"""The SQLite collection inside a package: note types, decks, notes and the deck of each note's first card.

Two layouts (Anki's schema versions):

- schema 11 (``collection.anki2``/``.anki21``): note types and decks are JSON in the single ``col`` row
  (``models``: ``{id: {id, name, type, mod, sortf, flds: [{name, ord}], tmpls: [{name, ord, qfmt, afmt}], css,
  originalStockKind}}``; ``decks``: ``{id: {id, name, desc}}``);
- schema 18 (``collection.anki21b``): tables ``notetypes`` (config: protobuf ``Notetype.Config``), ``fields``,
  ``templates`` (config: ``Notetype.Template.Config``) and ``decks`` (names with ``\\x1f`` between levels; kind:
  ``Deck.KindContainer``).

The file is opened read-only and immutable, with ``trusted_schema`` off, every statement is a constant (no SQL is
built from the package's strings), the tables read must be real tables (not views), and reading stops after
:data:`~deckgen.importers.limits.MAX_SQL_SECONDS`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from deckgen.importers import limits, protobuf
from deckgen.importers.guids import unique
from deckgen.importers.limits import check_guids, fail
from deckgen.importers.model import CLOZE, STANDARD, Collection, Deck, MediaFile, Note, NoteType, Template

_LEGACY_TABLES = ("col", "notes", "cards")
_V18_TABLES = (*_LEGACY_TABLES, "notetypes", "fields", "templates", "decks")


class _Damaged(Exception):
    """The collection's content does not have the shape Anki gives it."""


def _unicase(a: str, b: str) -> int:
    fa, fb = a.casefold(), b.casefold()
    return (fa > fb) - (fa < fb)


def read_collection(path: Path, display: str, fmt: str, media: tuple[MediaFile, ...]) -> Collection:
    uri = path.absolute().as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        fail(display, f"its collection cannot be opened ({exc})")
    deadline = time.monotonic() + limits.MAX_SQL_SECONDS
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    conn.create_collation("unicase", _unicase)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        tables = {name: kind for name, kind in conn.execute("SELECT name, type FROM sqlite_master")}
        ver = _version(conn, tables)
        needed = _V18_TABLES if ver >= 15 else _LEGACY_TABLES
        for table in needed:
            if tables.get(table) != "table":
                raise _Damaged(f"has no table '{table}'")
        _check_sizes(conn, ver >= 15)
        if ver >= 15:
            notetypes, decks = _v18_notetypes(conn), _v18_decks(conn)
        else:
            notetypes, decks = _legacy_col(conn)
        notes = _notes(conn, {nt.source_key: nt for nt in notetypes}, {d.id: d.name for d in decks})
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            fail(
                display,
                f"reading its collection took longer than {limits.MAX_SQL_SECONDS:g} s; deckgen stopped "
                "(a forged collection, or far larger than a deck)",
            )
        fail(display, f"its collection is not a readable Anki collection ({exc})")
    except sqlite3.DatabaseError as exc:
        fail(display, f"its collection is not a valid SQLite database ({exc}); the package is damaged")
    except _Damaged as exc:
        fail(display, f"its collection {exc}; the package is damaged or was not made by Anki")
    except (RecursionError, MemoryError):
        fail(display, "its collection holds note type or deck data nested too deeply or too large to read")
    finally:
        conn.close()
    notes, duplicates = unique(notes, display)
    check_guids([note.guid for note in notes], display)
    return Collection(
        source=display,
        format=fmt,
        decks=tuple(decks),
        notetypes=tuple(notetypes),
        notes=tuple(notes),
        media=media,
        duplicates=duplicates,
    )


def _version(conn: sqlite3.Connection, tables: dict[str, str]) -> int:
    if tables.get("col") != "table":
        raise _Damaged("has no table 'col'")
    row = conn.execute("SELECT ver FROM col").fetchone()
    if row is None or not isinstance(row[0], int):
        raise _Damaged("has no schema version")
    ver: int = row[0]
    if not 11 <= ver <= 18:
        raise _Damaged(f"has schema version {ver}, which deckgen does not know (it reads 11 to 18)")
    return ver


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _Damaged(f"has {what} that is not text")
    return value


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Damaged(f"has {what} that is not a whole number")
    return value


def _json_int(value: Any, what: str) -> int:
    """A number in Anki's legacy JSON, which also takes it as a string of digits (genanki writes ids that way)."""
    if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return _int(value, what)


# --- sizes, measured before anything is read ----------------------------------------------------------------------

# (query, what): each query gives the largest value of its columns in bytes-or-characters (SQLite's length(), which
# looks at one value at a time), and is a constant: no SQL is built from the package's strings
_NOTE_SIZES = (
    ("SELECT max(length(flds)) FROM notes", "a note whose fields are", "MAX_NOTE_FIELDS_BYTES"),
    ("SELECT max(length(tags)) FROM notes", "a note whose tags are", "MAX_NOTE_TAGS_BYTES"),
    ("SELECT max(length(guid)) FROM notes", "a note whose GUID is", "MAX_NAME_BYTES"),
)
_LEGACY_SIZES = (
    ("SELECT max(max(length(models)), max(length(decks))) FROM col", "note types or decks of", "MAX_MAP_BYTES"),
)
_V18_SIZES = (
    ("SELECT max(max(length(name)), max(length(config))) FROM notetypes", "a note type of", "MAX_CONFIG_BYTES"),
    ("SELECT max(max(length(name)), max(length(config))) FROM templates", "a template of", "MAX_CONFIG_BYTES"),
    ("SELECT max(length(name)) FROM fields", "a field name of", "MAX_NAME_BYTES"),
    ("SELECT max(max(length(name)), max(length(kind))) FROM decks", "a deck of", "MAX_CONFIG_BYTES"),
)


def _check_sizes(conn: sqlite3.Connection, v18: bool) -> None:
    """Every column the reader will load and split is measured first; one too large stops the import."""
    for query, what, limit_name in (*_NOTE_SIZES, *(_V18_SIZES if v18 else _LEGACY_SIZES)):
        limit: int = getattr(limits, limit_name)
        size = conn.execute(query).fetchone()[0]
        if isinstance(size, int) and size > limit:
            raise _Damaged(f"has {what} {size:,} characters long, over deckgen's limit of {limit:,}")
    total = conn.execute("SELECT sum(length(flds)) + sum(length(tags)) FROM notes").fetchone()[0]
    if isinstance(total, int) and total > limits.MAX_NOTES_TEXT_BYTES:
        raise _Damaged(
            f"has notes whose fields and tags are {total:,} characters long together, over deckgen's limit of "
            f"{limits.MAX_NOTES_TEXT_BYTES:,}"
        )


# --- schema 11: JSON in the col row -------------------------------------------------------------------------------


def _legacy_col(conn: sqlite3.Connection) -> tuple[list[NoteType], list[Deck]]:
    row = conn.execute("SELECT models, decks FROM col").fetchone()
    try:
        models = json.loads(_text(row[0], "note types"))
        decks = json.loads(_text(row[1], "decks"))
    except json.JSONDecodeError as exc:
        raise _Damaged(f"has note types or decks that are not valid JSON ({exc.msg})") from None
    if not isinstance(models, dict) or not isinstance(decks, dict):
        raise _Damaged("has note types or decks that are not JSON objects")
    notetypes = [_legacy_notetype(key, model) for key, model in models.items()]
    out_decks = []
    for key, deck in decks.items():
        if not isinstance(deck, dict):
            raise _Damaged(f"has deck {key!r} that is not a JSON object")
        desc = deck.get("desc", "")
        out_decks.append(
            Deck(
                _json_int(deck.get("id"), "a deck id"),
                _text(deck.get("name"), "a deck name"),
                desc if isinstance(desc, str) else "",
            )
        )
    return notetypes, out_decks


def _legacy_notetype(key: str, model: Any) -> NoteType:
    if not isinstance(model, dict):
        raise _Damaged(f"has note type {key!r} that is not a JSON object")
    name = _text(model.get("name"), "a note type name")
    what = f"note type '{name}'"
    nt_id = _json_int(model.get("id"), f"{what}: an id")
    flds = model.get("flds")
    tmpls = model.get("tmpls")
    if not isinstance(flds, list) or not isinstance(tmpls, list) or not all(isinstance(x, dict) for x in flds + tmpls):
        raise _Damaged(f"has {what} without a list of fields and templates")
    fields = tuple(_text(f.get("name"), f"{what}: a field name") for f in sorted(flds, key=_ord))
    templates = tuple(
        Template(
            _text(t.get("name"), f"{what}: a template name"),
            _text(t.get("qfmt"), f"{what}: a front"),
            _text(t.get("afmt"), f"{what}: a back"),
        )
        for t in sorted(tmpls, key=_ord)
    )
    kind = CLOZE if model.get("type") == 1 else STANDARD
    sortf = model.get("sortf", 0)
    stock = model.get("originalStockKind", 0)
    css = model.get("css", "")
    return NoteType(
        id=nt_id,
        name=name,
        kind=kind,
        fields=fields,
        templates=templates,
        css=css if isinstance(css, str) else "",
        sort_field=sortf if isinstance(sortf, int) and 0 <= sortf < len(fields) else 0,
        mod=_json_int(model.get("mod", 0), f"{what}: a modification time"),
        original_stock_kind=stock if isinstance(stock, int) else 0,
        source_key=str(nt_id),
    )


def _ord(item: dict[str, Any]) -> int:
    value = item.get("ord", 0)
    return value if isinstance(value, int) else 0


# --- schema 18: tables with protobuf configs ----------------------------------------------------------------------


def _v18_notetypes(conn: sqlite3.Connection) -> list[NoteType]:
    fields: dict[int, list[tuple[int, str]]] = {}
    for ntid, ord_, name in conn.execute("SELECT ntid, ord, name FROM fields"):
        fields.setdefault(_int(ntid, "a field's note type"), []).append(
            (_int(ord_, "a field order"), _text(name, "a field name"))
        )
    templates: dict[int, list[tuple[int, Template]]] = {}
    for ntid, ord_, name, config in conn.execute("SELECT ntid, ord, name, config FROM templates"):
        msg = _proto(config, "a template")
        templates.setdefault(_int(ntid, "a template's note type"), []).append(
            (_int(ord_, "a template order"), Template(_text(name, "a template name"), _pstr(msg, 1), _pstr(msg, 2)))
        )
    out = []
    for ntid, name, mtime, config in conn.execute("SELECT id, name, mtime_secs, config FROM notetypes"):
        nt_id = _int(ntid, "a note type id")
        msg = _proto(config, "a note type")
        names = tuple(n for _, n in sorted(fields.get(nt_id, [])))
        sortf = _pint(msg, 2)
        out.append(
            NoteType(
                id=nt_id,
                name=_text(name, "a note type name"),
                kind=CLOZE if _pint(msg, 1) == 1 else STANDARD,
                fields=names,
                templates=tuple(t for _, t in sorted(templates.get(nt_id, []), key=lambda x: x[0])),
                css=_pstr(msg, 3),
                sort_field=sortf if sortf < len(names) else 0,
                mod=_int(mtime, "a note type's modification time"),
                original_stock_kind=_pint(msg, 9),
                source_key=str(nt_id),
            )
        )
    return out


def _v18_decks(conn: sqlite3.Connection) -> list[Deck]:
    out = []
    for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
        container = _proto(kind, "a deck")
        description = ""
        normal = container.get(1)
        if normal:
            try:
                if isinstance(normal[-1], bytes):
                    description = protobuf.get_str(protobuf.message(normal[-1]), 4)
            except protobuf.ProtobufError as exc:
                raise _Damaged(f"has a deck whose settings are damaged ({exc})") from None
        out.append(Deck(_int(did, "a deck id"), _text(name, "a deck name").replace("\x1f", "::"), description))
    return out


def _proto(blob: Any, what: str) -> dict[int, list[int | bytes]]:
    if not isinstance(blob, bytes):
        raise _Damaged(f"has {what} whose settings are not a blob")
    try:
        return protobuf.message(blob)
    except protobuf.ProtobufError as exc:
        raise _Damaged(f"has {what} whose settings are damaged ({exc})") from None


def _pstr(msg: dict[int, list[int | bytes]], number: int) -> str:
    try:
        return protobuf.get_str(msg, number)
    except protobuf.ProtobufError as exc:
        raise _Damaged(f"has a note type whose settings are damaged ({exc})") from None


def _pint(msg: dict[int, list[int | bytes]], number: int) -> int:
    try:
        return protobuf.get_int(msg, number)
    except protobuf.ProtobufError as exc:
        raise _Damaged(f"has a note type whose settings are damaged ({exc})") from None


# --- notes and cards ----------------------------------------------------------------------------------------------


def _notes(conn: sqlite3.Connection, notetypes: dict[str, NoteType], decks: dict[int, str]) -> list[Note]:
    first_card: dict[int, int] = {}
    for nid, did, odid in conn.execute("SELECT nid, did, odid FROM cards ORDER BY nid, ord, id"):
        nid = _int(nid, "a card's note id")
        if nid not in first_card:  # a card in a filtered deck belongs to its original deck
            first_card[nid] = _int(odid, "a card's original deck") or _int(did, "a card's deck")
    out = []
    for nid, guid, mid, mod, tags, flds in conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"):
        nid = _int(nid, "a note id")
        nt = notetypes.get(str(_int(mid, "a note's note type")))
        guid = _text(guid, "a note GUID")
        if nt is None:
            raise _Damaged(f"has note '{guid}' of a note type it does not contain (id {mid})")
        fields = tuple(_text(flds, f"note '{guid}': fields").split("\x1f"))
        if len(fields) != len(nt.fields):
            raise _Damaged(
                f"has note '{guid}' with {len(fields)} fields, but its note type '{nt.name}' has {len(nt.fields)}"
            )
        did = first_card.get(nid)
        deck = decks.get(did, "") if did is not None else ""
        out.append(
            Note(
                guid=guid,
                notetype=nt.source_key,
                fields=fields,
                tags=tuple(_text(tags, "tags").split()),
                mod=_int(mod, "a note's modification time"),
                deck=deck,
                id=nid,
            )
        )
    return out
