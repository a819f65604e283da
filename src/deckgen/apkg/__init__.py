"""Writing the .apkg as genanki would, made reproducible and fast.

The collection schema, the ``col`` row and the note type and deck JSON are genanki's (written out in
:mod:`deckgen.apkg.collection`, which tests hold equal to genanki's own). What deckgen does differently:

- each note, note type and the deck carry their own ``mod`` (from the lock) instead of one build timestamp;
- note and card ids count up from the deck's creation time, so the same input gives the same ids;
- notes and cards are inserted with ``executemany`` (genanki runs one INSERT per row from Python, which is most
  of its time on large decks); which cards a note gets is decided when it is compiled (``NoteSpec.ords``), and
  a test imports this writer's and genanki's own package for the same notes into Anki and compares them;
- the SQLite file lives in a temporary folder that is always removed (genanki leaks one per build);
- the zip is deflated in pieces, and a rebuild deflates only the pieces that changed (:mod:`deckgen.apkg.zipped`);
  entries have fixed dates, permissions and order.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from deckgen.apkg.collection import APKG_COL, APKG_SCHEMA, deck_json, notetype_json
from deckgen.apkg.zipped import Pieces, write_zip
from deckgen.compile.note import NoteSpec
from deckgen.identity.ids import deck_id
from deckgen.model import NoteType
from deckgen.notetypes import language as templates
from deckgen.source.media import MediaFile

_STATEMENTS = [stmt.strip() + ";" for stmt in APKG_SCHEMA.split(";") if stmt.strip()]
_TABLES = "\n".join(stmt for stmt in _STATEMENTS if not stmt.upper().startswith("CREATE INDEX"))
_INDEXES = "\n".join(stmt for stmt in _STATEMENTS if stmt.upper().startswith("CREATE INDEX"))


def notetype_entry(nt: NoteType, deck_id: int, mod: int) -> dict[str, Any]:
    """The note type's JSON in the collection. The legacy "req" is computed from the parsed templates (genanki
    renders them with chevron, which raises on Anki's filters such as {{furigana:...}})."""
    req = [
        [ord_, *templates.legacy_req(templates.parse(front), nt.fields)]
        for ord_, (_, front, _) in enumerate(nt.templates)
    ]
    return notetype_json(
        nt.id,
        nt.name,
        list(nt.fields),
        list(nt.templates),
        css=nt.css,
        is_cloze=nt.is_cloze,
        sort_field=nt.sort_field,
        req=req,
        deck_id=deck_id,
        mod=mod,
    )


def write_apkg(
    path: Path,
    *,
    deck_key: str,
    deck_name: str,
    description_html: str,
    note_decks: dict[str, str],  # card id -> the subdeck its cards go to (cards not listed: the deck itself)
    deck_mod: int,
    notetypes: Sequence[NoteType],
    notetype_mods: dict[str, int],
    notes: Sequence[NoteSpec],
    note_mods: dict[str, int],
    media: Sequence[MediaFile],
    created: int,
    progress: Callable[[str, int, int], None] | None = None,
    state: Path | None = None,
) -> None:
    """Write the package to ``path`` (the caller makes that atomic). ``state``: a private folder where the deflated
    pieces of this deck's package are kept between builds, so that a rebuild deflates only what changed (the
    package's bytes are the same either way); None keeps nothing."""
    did = deck_id(deck_key)
    used = {spec.notetype for spec in notes}
    models = {nt.key: nt.id for nt in notetypes if nt.key in used}  # only note types that notes use
    decks_json: dict[str, Any] = {}
    dids = {deck_name: did}
    for name in [deck_name, *sorted(set(note_decks.values()) - {deck_name})]:
        dids[name] = did if name == deck_name else deck_id(deck_key, name)
        decks_json[str(dids[name])] = deck_json(
            dids[name], name, description_html if name == deck_name else "", mod=deck_mod
        )
    models_json = {str(nt.id): notetype_entry(nt, did, notetype_mods[nt.key]) for nt in notetypes if nt.key in used}

    next_id = created * 1000
    note_rows: list[tuple[Any, ...]] = []
    card_rows: list[tuple[Any, ...]] = []
    for due, spec in enumerate(notes, start=1):
        model_id = models[spec.notetype]
        mod = note_mods[spec.card_id]
        note_id = next_id
        next_id += 1
        note_rows.append(
            (
                note_id,
                spec.guid,
                model_id,
                mod,
                -1,
                " " + " ".join(spec.tags) + " ",
                "\x1f".join(spec.fields),
                spec.sort_field,
                0,
                0,
                "",
            )
        )
        card_did = dids[note_decks.get(spec.card_id, deck_name)]
        for ord_ in spec.ords:
            card_rows.append((next_id, note_id, card_did, ord_, mod, -1, 0, 0, due, 0, 0, 0, 0, 0, 0, 0, 0, ""))
            next_id += 1

    with tempfile.TemporaryDirectory(prefix="deckgen-") as tmpdir:
        db_path = Path(tmpdir) / "collection.anki2"
        _write_collection(db_path, decks_json, models_json, note_rows, card_rows)
        if progress:
            progress("writing package", 1, 2)

        def entries() -> Iterator[tuple[str, bytes]]:
            yield "collection.anki2", db_path.read_bytes()
            yield "media", json.dumps({str(i): m.name for i, m in enumerate(media)}).encode()
            for i, media_file in enumerate(media):
                yield str(i), media_file.read()  # read once, never through a link (media.py)

        write_zip(path, entries, 2 + len(media), Pieces.load(state))
    if progress:
        progress("writing package", 2, 2)


def _write_collection(
    db_path: Path, decks_json: dict[str, Any], models_json: dict[str, Any], notes: list[Any], cards: list[Any]
) -> None:
    """The collection file: rows inserted in id order into a new file, indexes built after them (a one-note edit
    changes the pages around that note, and so only the deflated pieces that hold them)."""
    conn = sqlite3.connect(db_path)
    try:
        cur = conn.cursor()
        # a scratch file that is zipped and deleted: no journal, no syncs (does not change its bytes)
        cur.execute("PRAGMA journal_mode = OFF")
        cur.execute("PRAGMA synchronous = OFF")
        cur.executescript(_TABLES)
        cur.executescript(APKG_COL)
        (decks_text,) = cur.execute("SELECT decks FROM col").fetchone()
        decks = json.loads(decks_text)
        decks.update(decks_json)
        cur.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models_json)))
        cur.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
        cur.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
        cur.executescript(_INDEXES)  # built once over the rows, not maintained row by row
        conn.commit()
    finally:
        conn.close()
