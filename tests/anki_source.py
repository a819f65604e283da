"""Existing decks made with the real Anki backend, exported in every format ``deckgen import`` reads.

:func:`make_source` builds a collection the way an author's Anki holds a shared deck (every stock note type, a custom
note type with seven fields, ``<ruby>``, ``[sound:]``, images, conditional templates, CSS loading a ``_font`` file,
subdecks, media with the names real decks use), then exports it with Anki's own exporters: the current ``.apkg``
(``collection.anki21b``), the legacy one (``collection.anki21``), a ``.colpkg`` in both formats, a Legacy-1 package
(``collection.anki2`` only, as Anki 2.0 and genanki write it) and a CrowdAnki folder written the way the CrowdAnki
add-on writes its ``deck.json``. What the readers must find is taken from the collection through Anki's API
(:class:`Expected`), never from deckgen.
"""

from __future__ import annotations

import json
import struct
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOP = "Chinese Reader"
VOCAB_DECK = f"{TOP}::Vocabulary"
GRAMMAR_DECK = f"{TOP}::Grammar::Particles"
CUSTOM = "Chinese vocabulary (7 fields)"

CUSTOM_FIELDS = ["Hanzi", "Pinyin", "Zhuyin", "Ruby", "English", "Audio", "Picture", "Notes"]
CUSTOM_CSS = """\
@font-face { font-family: kai; src: url("_kaiti.woff2"); }
.card { font-family: kai, serif; font-size: 28px; text-align: center; }
.pinyin { color: #555; }
ruby rt { font-size: 0.5em; }
"""
CUSTOM_TEMPLATES = [
    (
        "Recognise",
        '<div class="hanzi">{{Hanzi}}</div>',
        '{{FrontSide}}<hr id=answer><div class="pinyin">{{Pinyin}}</div>{{Ruby}}<br>{{English}}<br>{{Audio}}',
    ),
    (
        "Listen",
        "{{#Audio}}{{Audio}}<br>Which word?{{/Audio}}",
        "{{FrontSide}}<hr id=answer>{{Hanzi}}{{#Picture}}<br>{{Picture}}{{/Picture}}",
    ),
    (
        "Recall",
        "{{#English}}{{English}}{{/English}}",
        "{{FrontSide}}<hr id=answer>{{Hanzi}} {{Pinyin}}{{#Notes}}<div class=notes>{{Notes}}</div>{{/Notes}}",
    ),
]


def png(seed: int) -> bytes:
    """A real 1x1 PNG whose colour depends on ``seed`` (so every file has its own bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00" + bytes([seed % 256, (seed * 7) % 256, (seed * 13) % 256])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def mp3(seed: int) -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x0f" + bytes(range(seed % 50, seed % 50 + 40)) + b"\xff\xfb\x90\x64" * 8


MEDIA: dict[str, bytes] = {
    "陳月美.mp3": mp3(1),
    "一下⋯一下⋯.mp3": mp3(2),
    "it's here & there.png": png(3),
    "two words.jpg": png(4),
    "_kaiti.woff2": b"wOF2\x00\x01\x00\x00" + bytes(range(64)),
    "occlusion base 図.png": png(5),
    "unused leftover.png": png(6),  # in the collection's media folder, referenced by no note
}


@dataclass
class Expected:
    """What a reader must find, read from the collection through Anki's own API."""

    deck_names: list[str]
    notetypes: dict[
        str, dict[str, Any]
    ]  # by name: id, kind, fields, templates [(name, qfmt, afmt)], css, sortf, mod, stock
    notes: dict[str, dict[str, Any]]  # by GUID: notetype (name), fields, tags, mod, deck
    media: dict[str, bytes]  # referenced by notes or note types (what an .apkg carries)
    all_media: dict[str, bytes]  # the collection's whole media folder (what a .colpkg carries)
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass
class Source:
    collection: Path
    apkg: Path  # current format: collection.anki21b, zstd, protobuf media map
    apkg_legacy: Path  # collection.anki21 with a JSON media map
    apkg_anki2: Path  # collection.anki2 only (Anki 2.0, genanki)
    colpkg: Path
    colpkg_legacy: Path
    crowdanki: Path  # a folder: deck.json + media/
    expected: Expected


def _add(col: Any, notetype: str, deck: str, fields: dict[str, str], tags: list[str]) -> Any:
    model = col.models.by_name(notetype)
    note = col.new_note(model)
    for name, value in fields.items():
        note[name] = value
    note.tags = tags
    col.add_note(note, col.decks.id(deck))
    return note


def _custom_notetype(col: Any) -> None:
    mm = col.models
    model = mm.new(CUSTOM)
    for name in CUSTOM_FIELDS:
        mm.add_field(model, mm.new_field(name))
    for name, front, back in CUSTOM_TEMPLATES:
        template = mm.new_template(name)
        template["qfmt"], template["afmt"] = front, back
        mm.add_template(model, template)
    model["css"] = CUSTOM_CSS
    model["sortf"] = 1  # sorted by pinyin in the browser
    mm.add(model)


def fill(col: Any) -> None:
    """Notes of every stock note type and of the custom one, in a top deck and two subdecks."""
    _custom_notetype(col)
    for name, data in MEDIA.items():
        assert col.media.write_data(name, data) == name  # Anki keeps each name as written
    _add(
        col,
        "Basic",
        TOP,
        {"Front": "What does <b>你好</b> mean?", "Back": "hello&nbsp;<br>(a greeting)"},
        ["greetings"],
    )
    _add(col, "Basic", TOP, {"Front": "Front with trailing space ", "Back": "line one<div>line two</div>"}, [])
    _add(col, "Basic (and reversed card)", VOCAB_DECK, {"Front": "貓", "Back": "cat"}, ["animals", "lesson::01"])
    _add(
        col,
        "Basic (optional reversed card)",
        VOCAB_DECK,
        {"Front": "狗", "Back": "dog", "Add Reverse": "y"},
        ["animals"],
    )
    _add(
        col,
        "Basic (optional reversed card)",
        VOCAB_DECK,
        {"Front": "鳥", "Back": "bird", "Add Reverse": ""},
        ["animals"],
    )
    _add(
        col,
        "Basic (type in the answer)",
        GRAMMAR_DECK,
        {"Front": "The particle for questions", "Back": "嗎"},
        ["particles"],
    )
    _add(
        col,
        "Cloze",
        GRAMMAR_DECK,
        {"Text": "{{c1::了}} marks a change; {{c2::過}} marks experience", "Back Extra": "<i>aspect</i> particles"},
        ["particles", "grammar"],
    )
    _add(
        col,
        "Cloze",
        TOP,
        {"Text": "Math stays as written: \\(x^{2}\\) and {{c1::\\frac{1}{2} }}", "Back Extra": ""},
        [],
    )
    _add(
        col,
        "Image Occlusion",
        TOP,
        {
            "Occlusion": "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}",
            "Image": '<img src="occlusion base 図.png">',
            "Header": "Label the map",
            "Back Extra": "",
            "Comments": "",
        },
        ["maps"],
    )
    _add(
        col,
        CUSTOM,
        VOCAB_DECK,
        {
            "Hanzi": "陳月美",
            "Pinyin": "Chén Yuèměi",
            "Zhuyin": "ㄔㄣˊ ㄩㄝˋ ㄇㄟˇ",
            "Ruby": "<ruby>陳<rp>(</rp><rt>ㄔㄣˊ</rt><rp>)</rp>月<rp>(</rp><rt>ㄩㄝˋ</rt><rp>)</rp>美<rp>(</rp><rt>ㄇㄟˇ</rt><rp>)</rp></ruby>",
            "English": "a woman from Vietnam",
            "Audio": "[sound:陳月美.mp3]",
            "Picture": '<img src="it\'s here &amp; there.png">',
            "Notes": "",
        },
        ["book-1", "lesson-01"],
    )
    _add(
        col,
        CUSTOM,
        VOCAB_DECK,
        {
            "Hanzi": "一下",
            "Pinyin": "yíxià",
            "Zhuyin": "ㄧˊ ㄒㄧㄚˋ",
            "Ruby": "<ruby>一下<rt>yíxià</rt></ruby>",
            "English": "",
            "Audio": "[sound:一下⋯一下⋯.mp3]",
            "Picture": '<img src="two words.jpg">',
            "Notes": "Used as <code>V一下</code>.\nSecond line\tand a tab",
        },
        ["book-1", "lesson-02"],
    )
    _add(col, CUSTOM, TOP, {"Hanzi": "好", "Pinyin": "hǎo", "English": "good"}, [])
    col.decks.save(_described(col, TOP, "Vocabulary and grammar from <i>A Course in Contemporary Chinese</i>."))
    # a deck edited over years: every note and note type with a modification time of its own
    for i, nid in enumerate(sorted(col.find_notes(""))):
        col.db.execute("update notes set mod = ? where id = ?", 1_600_000_000 + 86_400 * 37 * i + i, nid)
    for i, model in enumerate(sorted(col.models.all(), key=lambda m: m["id"])):
        col.db.execute("update notetypes set mtime_secs = ? where id = ?", 1_590_000_000 + 3_600 * i, model["id"])
    col.models._clear_cache()


def _described(col: Any, name: str, description: str) -> Any:
    deck = col.decks.by_name(name)
    deck["desc"] = description
    return deck


def expected_of(col: Any) -> Expected:
    notetypes: dict[str, dict[str, Any]] = {}
    for model in col.models.all():
        notetypes[model["name"]] = {
            "id": model["id"],
            "kind": "cloze" if model["type"] == 1 else "standard",
            "fields": [f["name"] for f in model["flds"]],
            "templates": [(t["name"], t["qfmt"], t["afmt"]) for t in model["tmpls"]],
            "css": model["css"],
            "sortf": model["sortf"],
            "mod": model["mod"],
            "stock": model.get("originalStockKind", 0),
        }
    notes: dict[str, dict[str, Any]] = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        card = min(note.cards(), key=lambda c: c.ord)
        notes[note.guid] = {
            "notetype": note.note_type()["name"],
            "fields": list(note.fields),
            "tags": list(note.tags),
            "mod": note.mod,
            "deck": col.decks.name(card.did),
        }
    folder = Path(col.media.dir())
    all_media = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    referenced = {name: data for name, data in all_media.items() if name != "unused leftover.png"}
    names = sorted(d.name for d in col.decks.all_names_and_ids())
    descriptions = {d.name: col.decks.get(d.id)["desc"] for d in col.decks.all_names_and_ids()}
    return Expected(names, notetypes, notes, referenced, all_media, descriptions)


def export_all(col: Any, out: Path) -> dict[str, Path]:
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    limit = DeckIdLimit(col.decks.id_for_name(TOP))
    paths = {}
    for key, legacy in (("apkg", False), ("apkg_legacy", True)):
        path = out / f"{key}.apkg"
        col.export_anki_package(
            out_path=str(path),
            limit=limit,
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
            ),
        )
        paths[key] = path
    paths["apkg_anki2"] = anki2_package(paths["apkg_legacy"], out / "apkg_anki2.apkg")
    return paths


def anki2_package(legacy: Path, out: Path) -> Path:
    """A Legacy-1 package (what Anki 2.0 and genanki write): the schema-11 collection as ``collection.anki2``, no
    ``meta``, a JSON media map; made from Anki's legacy export by leaving out its dummy ``collection.anki2``."""
    with zipfile.ZipFile(legacy) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in ("meta", "collection.anki2"):
                continue
            name = "collection.anki2" if info.filename == "collection.anki21" else info.filename
            dst.writestr(name, src.read(info))
    return out


def crowdanki_export(col: Any, out: Path) -> Path:
    """A folder as the CrowdAnki add-on exports a deck (crowd_anki/export/anki_exporter.py and
    representation/*.py): ``deck.json`` (the deck's Anki dict without mod/usn/id and the runtime keys, note models
    with a ``crowdanki_uuid`` and no id/mod/usn/did, notes with guid/fields/tags/note_model_uuid and no id/mod,
    children with their last name component, media_files per deck) and ``media/``.

    Like the add-on, it lists media with pylib's ``files_in_str``, which does not decode HTML entities: a file
    named ``a & b.png`` (``<img src="a &amp; b.png">`` in the field) is listed as ``a &amp; b.png`` and, as no
    such file exists, not copied (the add-on prints "Failed to copy a file" and goes on)."""
    folder = out / "Chinese Reader"
    media = folder / "media"
    media.mkdir(parents=True)
    uuids: dict[int, str] = {}
    models: dict[str, dict[str, Any]] = {}

    def model_uuid(mid: int) -> str:
        if mid not in uuids:
            uuids[mid] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"model-{mid}"))
            model = dict(col.models.get(mid))
            for key in ("mod", "usn", "id", "did"):
                model.pop(key, None)
            models[uuids[mid]] = {"__type__": "NoteModel", "crowdanki_uuid": uuids[mid], **model}
        return uuids[mid]

    deck_filter = {
        "mod",
        "usn",
        "id",
        "collapsed",
        "browserCollapsed",
        "newToday",
        "revToday",
        "lrnToday",
        "timeToday",
        "conf",
    }

    def deck_json(name: str, child: bool) -> dict[str, Any]:
        deck = col.decks.by_name(name)
        data = {k: v for k, v in deck.items() if k not in deck_filter}
        data["name"] = name.split("::")[-1] if child else name
        data["__type__"] = "Deck"
        data["crowdanki_uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"deck-{deck['id']}"))
        data["deck_config_uuid"] = "d0c0f1a0-0000-4000-8000-000000000001"
        notes = []
        files: set[str] = set()
        nids = col.db.list("select distinct nid from cards where did = ? order by nid", deck["id"])
        for nid in nids:
            note = col.get_note(nid)
            notes.append(
                {
                    "__type__": "Note",
                    "data": "",
                    "fields": list(note.fields),
                    "flags": 0,
                    "guid": note.guid,
                    "note_model_uuid": model_uuid(note.mid),
                    "tags": list(note.tags),
                }
            )
            files.update(col.media.files_in_str(note.mid, "\x1f".join(note.fields)))
        data["notes"] = notes
        data["media_files"] = sorted(files)
        prefix = name + "::"
        children = sorted(
            d.name
            for d in col.decks.all_names_and_ids()
            if d.name.startswith(prefix) and "::" not in d.name[len(prefix) :]
        )
        data["children"] = [deck_json(c, True) for c in children]
        return data

    top = deck_json(TOP, False)
    top["media_files"] = sorted(set(top["media_files"]) | {"_kaiti.woff2"})  # files of the note models' templates/CSS
    top["note_models"] = list(models.values())
    top["deck_configurations"] = [
        {"__type__": "DeckConfig", "crowdanki_uuid": top["deck_config_uuid"], "name": "Default"}
    ]
    (folder / "deck.json").write_text(json.dumps(top, sort_keys=True, indent=4, ensure_ascii=False), encoding="utf-8")
    src = Path(col.media.dir())

    def all_files(d: dict[str, Any]) -> set[str]:
        return set(d["media_files"]).union(*(all_files(c) for c in d["children"]))

    for name in sorted(all_files(top)):
        try:  # as the add-on does: a file it cannot copy is skipped with a message on the console
            (media / name).write_bytes((src / name).read_bytes())
        except OSError:
            pass
    return folder


def make_source(folder: Path) -> Source:
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "author.anki2"
    col = Collection(str(path))
    try:
        fill(col)
        expected = expected_of(col)
        paths = export_all(col, folder)
        crowd = crowdanki_export(col, folder / "crowdanki")
    except BaseException:
        col.close()
        raise
    for key, legacy in (("colpkg", False), ("colpkg_legacy", True)):  # exporting a whole collection closes it
        paths[key] = folder / f"{key}.colpkg"
        col.export_collection_package(str(paths[key]), include_media=True, legacy=legacy)
        if not legacy:
            col = Collection(str(path))
    return Source(collection=folder / "author.anki2", crowdanki=crowd, expected=expected, **paths)
