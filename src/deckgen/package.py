"""Writing the .apkg with genanki, made reproducible.

genanki stamps every note with one build timestamp, names zip entries with the current time and leaks a
temporary SQLite file per build. Here each note, note type and the deck carry their own ``mod`` (from the
lock), note and card ids count up from the deck's creation time, the SQLite file lives in a temporary folder
that is always removed, and the zip entries have fixed dates, permissions and order.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import genanki

from .compile import NoteSpec
from .notetypes import NOTE_TYPES, NoteType

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class _Model(genanki.Model):  # type: ignore[misc]
    def __init__(self, nt: NoteType, css: str, mod: int):
        super().__init__(
            nt.id,
            nt.name,
            fields=[{"name": name} for name in nt.fields],
            templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in nt.templates],
            css=css,
            model_type=genanki.Model.CLOZE if nt.is_cloze else genanki.Model.FRONT_BACK,
        )
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


class _Note(genanki.Note):  # type: ignore[misc]
    mod = 0

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)

    def _check_invalid_html_tags_in_fields(self) -> None:
        """Fields are rendered and sanitized by deckgen; genanki's regex check would only cost time."""


class _Deck(genanki.Deck):  # type: ignore[misc]
    mod = 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json()
        data["mod"] = self.mod
        return data


def deck_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"deckgen-deck\x1f{key}".encode()).digest()[:5], "big") + (1 << 31)


def write_apkg(
    path: Path,
    *,
    deck_key: str,
    deck_name: str,
    description_html: str,
    deck_mod: int,
    notetype_mods: dict[str, int],
    css: str,
    notes: Sequence[NoteSpec],
    note_mods: dict[str, int],
    media: Sequence[Path],
    created: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the package to ``path`` (the caller makes that atomic)."""
    models = {key: _Model(nt, css, notetype_mods[key]) for key, nt in NOTE_TYPES.items()}
    deck = _Deck(deck_id(deck_key), deck_name, description_html)
    deck.mod = deck_mod
    for model in models.values():
        deck.add_model(model)
    for position, spec in enumerate(notes, start=1):
        note = _Note(
            model=models[spec.notetype],
            fields=list(spec.fields),
            sort_field=spec.sort_field,
            tags=list(spec.tags),
            guid=spec.guid,
            due=position,
        )
        note.mod = note_mods[spec.card_id]
        deck.add_note(note)
    package = genanki.Package(deck, media_files=[str(p) for p in media])
    with tempfile.TemporaryDirectory(prefix="deckgen-") as tmpdir:
        db_path = Path(tmpdir) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            package.write_to_db(conn.cursor(), created, itertools.count(created * 1000))
            conn.commit()
        finally:
            conn.close()
        if progress:
            progress(len(notes))
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            _add(out, "collection.anki2", db_path.read_bytes())
            _add(out, "media", json.dumps({str(i): p.name for i, p in enumerate(media)}).encode())
            for i, media_path in enumerate(media):
                _add(out, str(i), media_path.read_bytes())


def _add(out: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    out.writestr(info, data)
