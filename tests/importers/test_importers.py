"""Reading existing decks (deckgen.importers): every format Anki writes, and CrowdAnki folders, give the same notes,
fields (byte for byte), tags, GUIDs, modification times, note types and media as the collection they were exported
from (read through Anki's own API); damaged and hostile sources get one clear error."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from deckgen.errors import ContentError, UsageError
from deckgen.importers import limits, open_source, protobuf, select
from tests.anki_source import CUSTOM, TOP, Source

PACKAGES = {
    "apkg": "apkg-anki21b",
    "apkg_legacy": "apkg-anki21",
    "apkg_anki2": "apkg-anki2",
    "colpkg": "colpkg-anki21b",
    "colpkg_legacy": "colpkg-anki21",
}


def read_all(path: Path, deck: str | None = None) -> dict[str, Any]:
    with open_source(path) as col:
        chosen = select(col, deck)
        return {
            "format": col.format,
            "deck": chosen.name,
            "description": chosen.description,
            "notes": {
                n.guid: {
                    "notetype": next(nt.name for nt in col.notetypes if nt.source_key == n.notetype),
                    "fields": list(n.fields),
                    "tags": list(n.tags),
                    "mod": n.mod,
                    "deck": n.deck,
                }
                for n in chosen.notes
            },
            "notetypes": {
                nt.name: {
                    "id": nt.id,
                    "kind": nt.kind,
                    "fields": list(nt.fields),
                    "templates": [(t.name, t.front, t.back) for t in nt.templates],
                    "css": nt.css,
                    "sortf": nt.sort_field,
                    "mod": nt.mod,
                    "stock": nt.original_stock_kind,
                }
                for nt in chosen.notetypes
            },
            "media": {m.name: m.read() for m in chosen.media},
            "sizes": {m.name: m.size for m in chosen.media},
        }


@pytest.mark.parametrize("key", sorted(PACKAGES))
def test_every_package_format_reads_as_the_collection_has_it(anki_source: Source, key: str) -> None:
    got = read_all(getattr(anki_source, key))
    exp = anki_source.expected
    assert got["format"] == PACKAGES[key]
    assert got["deck"] == TOP
    assert got["description"] == exp.descriptions[TOP]
    assert got["notes"] == exp.notes  # GUIDs, fields byte for byte, tags, each note's own mod, its deck
    assert got["notetypes"] == exp.notetypes  # every stock note type and the custom one, with ids and mods
    media = exp.all_media if key.startswith("colpkg") else exp.media
    assert got["media"] == media
    assert got["sizes"] == {name: len(data) for name, data in media.items()}


def test_the_fixture_is_what_it_claims(anki_source: Source) -> None:
    exp = anki_source.expected
    assert set(exp.notetypes) == {
        "Basic",
        "Basic (and reversed card)",
        "Basic (optional reversed card)",
        "Basic (type in the answer)",
        "Cloze",
        "Image Occlusion",
        CUSTOM,
    }
    assert len(exp.notetypes[CUSTOM]["fields"]) >= 6
    assert len({n["mod"] for n in exp.notes.values()}) == len(exp.notes)  # every note its own mod
    assert any("<ruby>" in f for n in exp.notes.values() for f in n["fields"])
    assert any("[sound:" in f for n in exp.notes.values() for f in n["fields"])
    assert "_kaiti.woff2" in exp.notetypes[CUSTOM]["css"]
    assert {n["deck"] for n in exp.notes.values()} == {TOP, f"{TOP}::Vocabulary", f"{TOP}::Grammar::Particles"}
    assert {"一下⋯一下⋯.mp3", "it's here & there.png", "two words.jpg"} <= set(exp.media)


def crowdanki_copy(anki_source: Source, tmp_path: Path) -> Path:
    folder = tmp_path / "Chinese Reader"
    shutil.copytree(anki_source.crowdanki, folder)
    return folder


def test_crowdanki_export_without_a_file_with_ampersand_still_reads(
    anki_source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = crowdanki_copy(anki_source, tmp_path)
    monkeypatch.chdir(tmp_path)
    # CrowdAnki does not export files whose names have '&': the card that shows one keeps its empty image, as
    # learners who got the deck through CrowdAnki have it (the import's build lists it: lock/kept.py)
    got = read_all(Path("Chinese Reader"))
    assert "it's here & there.png" not in got["media"]
    assert not (folder / "media" / "it's here & there.png").exists()


def test_crowdanki_folder_reads_as_the_collection_has_it(anki_source: Source, tmp_path: Path) -> None:
    folder = crowdanki_copy(anki_source, tmp_path)
    exp = anki_source.expected
    (folder / "media" / "it's here & there.png").write_bytes(exp.media["it's here & there.png"])  # the fix, as told
    got = read_all(folder)
    assert got["format"] == "crowdanki"
    assert got["deck"] == TOP
    assert got["description"] == exp.descriptions[TOP]
    # CrowdAnki keeps no note mod: the readers say 0 ("unknown")
    assert got["notes"] == {guid: {**n, "mod": 0} for guid, n in exp.notes.items()}
    for name, nt in got["notetypes"].items():
        want = exp.notetypes[name]
        assert (nt["id"], nt["mod"], nt["stock"]) == (0, 0, want["stock"])  # no Anki id, no mod in a CrowdAnki export
        assert (nt["kind"], nt["fields"], nt["templates"], nt["css"], nt["sortf"]) == (
            want["kind"],
            want["fields"],
            want["templates"],
            want["css"],
            want["sortf"],
        )
    assert set(got["notetypes"]) == set(exp.notetypes)
    assert got["media"] == exp.media


# --- hostile and damaged packages ---------------------------------------------------------------------------------


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def error_of(path: Path, deck: str | None = None) -> list[str]:
    with pytest.raises(ContentError) as err:
        read_all(path, deck)
    return [p.text() for p in err.value.problems]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_not_a_zip(here: Path) -> None:
    (here / "notes.apkg").write_text("front,back\n")
    assert error_of(Path("notes.apkg")) == [
        "notes.apkg: error: is not a zip archive; an Anki package (.apkg, .colpkg) is a zip file: export the deck again "
        "from Anki (File > Export)"
    ]


def test_a_zip_without_a_collection(here: Path) -> None:
    zip_of(here / "x.apkg", {"readme.txt": b"hi"})
    assert error_of(Path("x.apkg")) == [
        "x.apkg: error: has no collection.anki2; it is not an Anki package (or it is damaged)"
    ]


def test_a_missing_source_is_a_usage_error(here: Path) -> None:
    with pytest.raises(
        UsageError, match="^'nope.apkg' does not exist; pass an .apkg or .colpkg file, or a CrowdAnki export folder$"
    ):
        read_all(Path("nope.apkg"))
    (here / "empty").mkdir()
    with pytest.raises(
        UsageError,
        match="^'empty' is a folder without deck.json; pass an .apkg or .colpkg file, or a "
        "CrowdAnki export folder \\(deck.json and media/\\)$",
    ):
        read_all(Path("empty"))


@pytest.mark.parametrize(
    "name, why",
    [
        ("../../.bashrc", "has a folder in it ('/' or '\\'): a zip-slip attempt or a damaged package"),
        ("/etc/passwd", "has a folder in it ('/' or '\\'): a zip-slip attempt or a damaged package"),
        ("..\\evil.png", "has a folder in it ('/' or '\\'): a zip-slip attempt or a damaged package"),
        ("..", "is '.' or '..': a zip-slip attempt or a damaged package"),
        ("C:evil.png", "is an absolute Windows path"),
        ("", "is empty"),
    ],
)
def test_zip_slip_and_absolute_media_names_are_refused(anki_source: Source, here: Path, name: str, why: str) -> None:
    members = members_of(anki_source.apkg_legacy)
    members["media"] = json.dumps({"0": name}).encode()
    zip_of(here / "slip.apkg", members)
    assert error_of(Path("slip.apkg")) == [
        f"slip.apkg: error: its media map names the file {name!r}, which {why}; deckgen refuses the package"
    ]
    assert sorted(p.name for p in here.iterdir()) == ["slip.apkg"]  # nothing written


def media_entries(entries: list[tuple[str, bytes]]) -> bytes:
    """A current-format media map: zstd(MediaEntries) as Anki writes it."""

    def field(number: int, data: bytes) -> bytes:
        return bytes([number << 3 | 2]) + varint(len(data)) + data

    out = b""
    for name, data in entries:
        entry = field(1, name.encode()) + bytes([2 << 3]) + varint(len(data)) + field(3, hashlib.sha1(data).digest())
        out += field(1, entry)
    return zstandard.ZstdCompressor().compress(out)


def varint(n: int) -> bytes:
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def test_zip_slip_in_a_current_format_media_map(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg)
    members["media"] = media_entries([("../../../tmp/evil.png", b"x")])
    members["0"] = zstandard.ZstdCompressor().compress(b"x")
    zip_of(here / "slip.apkg", members)
    assert error_of(Path("slip.apkg")) == [
        "slip.apkg: error: its media map names the file '../../../tmp/evil.png', which has a folder in it ('/' or '\\'): "
        "a zip-slip attempt or a damaged package; deckgen refuses the package"
    ]


def test_a_media_map_naming_a_missing_file(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg_legacy)
    mapping = json.loads(members["media"])
    mapping["99"] = "ghost.mp3"
    members["media"] = json.dumps(mapping).encode()
    zip_of(here / "ghost.apkg", members)
    assert error_of(Path("ghost.apkg")) == [
        "ghost.apkg: error: its media map names 'ghost.mp3' (zip member '99'), which the package does not contain; a "
        "damaged package: export the deck again"
    ]


def test_a_media_file_that_does_not_match_its_checksum(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg)
    members["media"] = media_entries([("a.png", b"the real bytes")])
    members["0"] = zstandard.ZstdCompressor().compress(b"other  bytes!!")
    zip_of(here / "sum.apkg", members)
    with open_source(Path("sum.apkg")) as col:
        (media,) = col.media
        with pytest.raises(ContentError) as err:
            media.read()
    assert err.value.problems[0].text() == (
        "sum.apkg: error: media file 'a.png' does not match its checksum in the media map; a damaged package"
    )


def with_collection(src: Path, dst: Path, edit: str, *args: Any) -> Path:
    """``src`` (a legacy package) with its collection changed by one SQL statement."""
    members = members_of(src)
    db = dst.with_suffix(".db")
    db.write_bytes(members["collection.anki21"])
    conn = sqlite3.connect(db)
    conn.executescript(edit) if not args else conn.execute(edit, args)
    conn.commit()
    conn.close()
    members["collection.anki21"] = db.read_bytes()
    db.unlink()
    return zip_of(dst, members)


@pytest.mark.parametrize(
    ("guids", "problem"),
    [
        (
            ["same-guid", "same-guid"],
            "has different notes with the same GUID 'same-guid'; a GUID is a note's identity in every learner's Anki, "
            "so deckgen cannot tell which note learners have (a damaged or hand-made package): give one of them a new "
            "GUID, or delete it, and export again",
        ),
        (
            ["a b", "ok-guid"],
            "has notes whose GUID Anki does not write: 'a b'; a note GUID is printable ASCII without spaces, at most "
            "100 characters (a damaged or hand-made source)",
        ),
        (
            ["", "x" * 101, "ok-guid", "\u00e9t\u00e9"],
            "has notes whose GUID Anki does not write: '', '" + "x" * 40 + "…', 'été'; a note GUID is printable "
            "ASCII without spaces, at most 100 characters (a damaged or hand-made source)",
        ),
    ],
)
def test_bad_guids_are_the_same_problem_in_every_format(
    anki_source: Source, here: Path, guids: list[str], problem: str
) -> None:
    """One GUID check for all importers: a package and a CrowdAnki folder with the same GUIDs fail alike (a GUID
    the loader would refuse in a cards folder is refused here, before anything is written)."""
    edits = "".join(
        f"update notes set guid = '{guid}' where id = (select id from notes order by id limit 1 offset {i});"
        for i, guid in enumerate(guids)
    )
    with_collection(anki_source.apkg_legacy, here / "bad.apkg", edits)
    notes = [{"guid": g, "fields": [f"a{i}", "b"], "tags": [], "note_model_uuid": "m1"} for i, g in enumerate(guids)]
    assert error_of(Path("bad.apkg")) == [f"bad.apkg: error: {problem}"]
    assert error_of(crowd(here, deck_json(notes=notes))) == [f"deck/deck.json: error: {problem}"]


def test_identical_copies_of_a_note_are_kept_once(anki_source: Source, here: Path) -> None:
    with_collection(
        anki_source.apkg_legacy,
        here / "copies.apkg",
        "insert into notes select id + 1000000, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data from notes "
        "where id = (select min(id) from notes)",
    )
    with open_source(Path("copies.apkg")) as col:
        first = min(col.notes, key=lambda n: n.id)
        assert col.duplicates == (first.guid,)
        assert sum(1 for n in col.notes if n.guid == first.guid) == 1


def test_several_top_level_decks_need_deck_name(anki_source: Source, here: Path) -> None:
    with_collection(
        anki_source.apkg_legacy, here / "two.apkg", "update cards set did = 1 where nid = (select min(id) from notes)"
    )  # one note in 'Default'
    with pytest.raises(UsageError) as err:
        read_all(Path("two.apkg"))
    assert str(err.value) == (
        "two.apkg holds 2 top-level decks with notes: 'Chinese Reader' (11 notes), 'Default' (1 note); "
        "choose one with --deck NAME"
    )
    got = read_all(Path("two.apkg"), TOP)
    assert len(got["notes"]) == 11
    sub = read_all(Path("two.apkg"), f"{TOP}::Vocabulary")  # a subdeck may be chosen too
    assert sub["deck"] == f"{TOP}::Vocabulary" and len(sub["notes"]) == 5
    with pytest.raises(UsageError) as err:
        read_all(Path("two.apkg"), "Japanese")
    assert str(err.value) == (
        "two.apkg has no deck 'Japanese' with notes; its decks with notes: 'Chinese Reader', "
        "'Chinese Reader::Grammar', 'Chinese Reader::Grammar::Particles', 'Chinese Reader::Vocabulary', "
        "'Default'"
    )


def test_a_corrupt_sqlite_file(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg_legacy)
    members["collection.anki21"] = b"SQLite format 3\x00" + b"\x07" * 4000
    zip_of(here / "corrupt.apkg", members)
    assert error_of(Path("corrupt.apkg")) == [
        "corrupt.apkg: error: its collection is not a valid SQLite database (file is not a database); the package is damaged"
    ]
    members["collection.anki21"] = members_of(anki_source.apkg_legacy)["collection.anki21"][:20_000]  # truncated
    zip_of(here / "truncated.apkg", members)
    (problem,) = error_of(Path("truncated.apkg"))
    assert problem.startswith("truncated.apkg: error: its collection is not a ") and "damaged" in problem


def test_tables_that_are_views_are_refused(anki_source: Source, here: Path) -> None:
    # a forged collection whose 'notes' is a view that would never finish
    with_collection(
        anki_source.apkg_legacy,
        here / "view.apkg",
        """
        drop table notes;
        create view notes(id, guid, mid, mod, tags, flds) as
          with recursive r(n) as (select 1 union all select n + 1 from r) select n, n, 1, 0, '', '' from r;
    """,
    )
    assert error_of(Path("view.apkg")) == [
        "view.apkg: error: its collection has no table 'notes'; the package is damaged or was not made by Anki"
    ]


def test_reading_a_collection_is_bounded_in_time(
    anki_source: Source, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_collection(
        anki_source.apkg_legacy,
        here / "slow.apkg",
        """
        insert into cards select id + 1000000 * r.n, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses,
          left, odue, odid, flags, data from cards, (with recursive r(n) as (select 1 union all select n + 1 from r
          where n < 3000) select n from r) as r;
    """,
    )
    monkeypatch.setattr(limits, "MAX_SQL_SECONDS", 0.0)
    assert error_of(Path("slow.apkg")) == [
        "slow.apkg: error: reading its collection took longer than 0 s; deckgen stopped (a forged collection, or far "
        "larger than a deck)"
    ]


def test_a_package_from_a_newer_anki(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg)
    members["meta"] = b"\x08\x07"  # PackageMetadata{version: 7}
    zip_of(here / "future.apkg", members)
    assert error_of(Path("future.apkg")) == [
        "future.apkg: error: was written by a version of Anki newer than deckgen knows (package version 7); export it "
        "with 'Support older Anki versions' ticked"
    ]


def test_zip_bomb_member_count_and_declared_size(
    anki_source: Source, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_MEMBERS", 5)
    assert error_of(anki_source.apkg_legacy)[0].endswith(
        "error: has 10 files, more than the 5 deckgen reads from one package"
    )
    monkeypatch.setattr(limits, "MAX_MEMBERS", 500_000)
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 100_000)
    with zipfile.ZipFile(anki_source.apkg_legacy) as z:
        declared = sum(info.file_size for info in z.infolist())
    assert error_of(anki_source.apkg_legacy)[0].endswith(
        f"error: declares {declared:,} bytes of content, more than the 100,000 deckgen reads from one package; refusing "
        "it as a zip bomb"
    )
    # what the zip declares may lie: zstd members are charged as they are decompressed
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 61_000)
    assert error_of(anki_source.apkg)[0].endswith(
        "error: decompresses to more than 61,000 bytes in all; refusing it as a zip bomb"
    )


def test_zstd_bombs_stop_at_the_limit(anki_source: Source, here: Path) -> None:
    # a media file of 16 KB that decompresses to 300 MB: reading stops at Anki's 100 MiB limit for one file
    bomb = zstandard.ZstdCompressor(level=3).compress(b"\0" * 300_000_000)
    assert len(bomb) < 100_000
    members = members_of(anki_source.apkg)
    members["media"] = media_entries([("bomb.png", b"small")])
    members["0"] = bomb
    zip_of(here / "bomb.apkg", members)
    with open_source(Path("bomb.apkg")) as col:
        with pytest.raises(ContentError) as err:
            col.media[0].read()
    assert err.value.problems[0].text() == (
        "bomb.apkg: error: media file 'bomb.png' is larger than 104,857,600 bytes; "
        "deckgen refuses it (a zip bomb, or not a deck)"
    )


def test_a_compressed_collection_larger_than_the_limit(
    anki_source: Source, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_COLLECTION_BYTES", 10_000)
    assert error_of(anki_source.apkg) == [
        f"{anki_source.apkg}: error: collection.anki21b is larger than 10,000 bytes; deckgen refuses it (a zip bomb, "
        "or not a deck)"
    ]


def test_damaged_compressed_data(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg)
    members["collection.anki21b"] = b"(\xb5/\xfd" + b"garbage" * 10
    zip_of(here / "bad.apkg", members)
    (problem,) = error_of(Path("bad.apkg"))
    assert problem.startswith("bad.apkg: error: collection.anki21b is not valid compressed data (")


@given(st.binary(max_size=200))
def test_the_protobuf_reader_never_fails_otherwise(data: bytes) -> None:
    try:
        msg = protobuf.message(data)
    except protobuf.ProtobufError:
        return
    for values in msg.values():
        assert all(isinstance(v, (int, bytes)) for v in values)


# --- CrowdAnki folders that are not what CrowdAnki writes ---------------------------------------------------------


def crowd(here: Path, deck: Any, media: dict[str, bytes] | None = None) -> Path:
    folder = here / "deck"
    folder.mkdir()
    (folder / "deck.json").write_text(deck if isinstance(deck, str) else json.dumps(deck), encoding="utf-8")
    (folder / "media").mkdir()
    for name, data in (media or {}).items():
        (folder / "media" / name).write_bytes(data)
    return Path("deck")


MODEL = {
    "__type__": "NoteModel",
    "crowdanki_uuid": "m1",
    "name": "Basic",
    "type": 0,
    "css": ".card {}",
    "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
    "tmpls": [{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
}


def deck_json(**changes: Any) -> dict[str, Any]:
    deck: dict[str, Any] = {
        "__type__": "Deck",
        "name": "D",
        "desc": "",
        "children": [],
        "media_files": [],
        "note_models": [MODEL],
        "notes": [{"__type__": "Note", "guid": "g1", "fields": ["a", "b"], "tags": [], "note_model_uuid": "m1"}],
    }
    deck.update(changes)
    return deck


@pytest.mark.parametrize(
    "deck, expected",
    [
        ("{", "deck/deck.json:1:2: error: is not valid JSON (Expecting property name enclosed in double quotes)"),
        ("[]", "deck/deck.json: error: (top): deck.json must hold one JSON object (the deck)"),
        (
            deck_json(__type__="NoteModel"),
            "deck/deck.json: error: (top): '__type__' is 'NoteModel', not 'Deck': this is not a CrowdAnki deck export",
        ),
        (deck_json(notes={}), "deck/deck.json: error: (top): 'notes' must be a list, got an object"),
        (
            deck_json(notes=[{"fields": ["a", "b"], "tags": [], "note_model_uuid": "m1"}]),
            "deck/deck.json: error: notes[0]: 'guid' is missing",
        ),
        (
            deck_json(notes=[{"guid": "g", "fields": ["a", 2], "tags": [], "note_model_uuid": "m1"}]),
            "deck/deck.json: error: notes[0].fields[1]: must be text",
        ),
        (
            deck_json(notes=[{"guid": "g", "fields": ["a"], "tags": [], "note_model_uuid": "m1"}]),
            "deck/deck.json: error: notes[0]: has 1 fields, but its note model 'Basic' has 2",
        ),
        (
            deck_json(notes=[{"guid": "g", "fields": ["a", "b"], "tags": [], "note_model_uuid": "m2"}]),
            "deck/deck.json: error: notes[0]: 'note_model_uuid' 'm2' names no note model in 'note_models'",
        ),
        (
            deck_json(note_models=[{**MODEL, "tmpls": "x"}]),
            "deck/deck.json: error: note_models[0]: 'tmpls' must be a list, got text",
        ),
        (
            deck_json(note_models=[{**MODEL, "flds": []}]),
            "deck/deck.json: error: note_models[0]: 'flds' is empty; a note model needs at least one field",
        ),
        (
            deck_json(
                children=[
                    {"name": "C", "notes": [{"guid": "g1", "fields": ["a", "c"], "tags": [], "note_model_uuid": "m1"}]}
                ]
            ),
            "deck/deck.json: error: has different notes with the same GUID 'g1'; a GUID is a note's identity in every "
            "learner's Anki, so deckgen cannot tell which note learners have (a damaged or hand-made package): give one "
            "of them a new GUID, or delete it, and export again",
        ),
        (deck_json(children=[{"name": 5}]), "deck/deck.json: error: children[0]: 'name' must be text, got a number"),
    ],
)
def test_deck_json_of_the_wrong_shape(here: Path, deck: Any, expected: str) -> None:
    assert error_of(crowd(here, deck)) == [expected]


def test_identical_copies_of_a_note_are_one_note_and_a_listed_file_media_lacks_is_no_error(here: Path) -> None:
    """biology-neet's deck.json holds one note twice (learners have it once); birds' media_files lists files its
    media/ lacks (the cards that use them show an empty image: the import's build lists those, see lock/kept.py)."""
    deck = deck_json(
        media_files=["gone.mp3"],
        children=[{"name": "C", "notes": [{"guid": "g1", "fields": ["a", "b"], "tags": [], "note_model_uuid": "m1"}]}],
    )
    with open_source(crowd(here, deck)) as col:
        assert [n.guid for n in col.notes] == ["g1"]
        assert col.duplicates == ("g1",)
        assert [m.name for m in col.media] == []


def test_crowdanki_media_links_are_refused(here: Path) -> None:
    secret = here / "secret.txt"
    secret.write_text("password")
    folder = crowd(here, deck_json())
    (here / folder / "media" / "a.png").symlink_to(secret)
    assert error_of(folder) == [
        "deck/media/a.png: error: is a symbolic link; media files must be regular files (a link "
        "could carry any file of this computer into the deck)"
    ]


@pytest.mark.parametrize(
    "media, expected",
    [
        (b"{not json", "its media map ('media') is not valid JSON; a damaged package"),
        (
            b'["a.png"]',
            "its media map ('media') is not a mapping of numbered zip members to file names; a damaged package",
        ),
        (
            b'{"x": "a.png"}',
            "its media map ('media') is not a mapping of numbered zip members to file names; a damaged package",
        ),
        (b'{"0": "a.png", "1": "a.png"}', "its media map names the file 'a.png' twice; a damaged package"),
    ],
)
def test_damaged_legacy_media_maps(anki_source: Source, here: Path, media: bytes, expected: str) -> None:
    members = members_of(anki_source.apkg_legacy)
    members["media"] = media
    zip_of(here / "map.apkg", members)
    assert error_of(Path("map.apkg")) == [f"map.apkg: error: {expected}"]


def test_damaged_current_media_map_and_meta(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg)
    members["media"] = zstandard.ZstdCompressor().compress(b"\x0a\x03\x0a\x01a")  # an entry without a SHA-1
    zip_of(here / "map.apkg", members)
    assert error_of(Path("map.apkg")) == ["map.apkg: error: its media map ('media') is damaged (entry 0 has no SHA-1)"]
    members = members_of(anki_source.apkg)
    members["meta"] = b"\x08"  # a truncated varint
    zip_of(here / "meta.apkg", members)
    assert error_of(Path("meta.apkg")) == ["meta.apkg: error: has a damaged 'meta' file (truncated varint)"]


def test_a_media_file_of_another_size_than_its_map_says(anki_source: Source, here: Path) -> None:
    members = members_of(anki_source.apkg)
    entries = media_entries([("a.png", b"12345")])
    members["media"] = entries
    members["0"] = zstandard.ZstdCompressor().compress(b"1234567")
    zip_of(here / "size.apkg", members)
    with open_source(Path("size.apkg")) as col:
        with pytest.raises(ContentError) as err:
            col.media[0].read()
    assert (
        err.value.problems[0].text()
        == "size.apkg: error: media file 'a.png' has 7 bytes, its media map says 5; a damaged package"
    )


@pytest.mark.parametrize(
    "sql, expected",
    [
        (
            "update col set ver = 99",
            "its collection has schema version 99, which deckgen does not know (it reads 11 to 18); "
            "the package is damaged or was not made by Anki",
        ),
        (
            "update notes set flds = 'only one field' where id = (select min(id) from notes)",
            "its collection has note '{guid}' with 1 fields, but its note type 'Basic' has 2; the package is damaged or was not "
            "made by Anki",
        ),
        (
            "update notes set mid = 42 where id = (select min(id) from notes)",
            "its collection has note '{guid}' of a note type it does not contain (id 42); the package is damaged or was not made by Anki",
        ),
        (
            "update col set models = '[1, 2'",
            "its collection has note types or decks that are not valid JSON (Expecting ',' "
            "delimiter); the package is damaged or was not made by Anki",
        ),
        (
            "update notes set guid = x'00ff' where id = (select min(id) from notes)",
            "its collection has a note GUID that is not text; the package is damaged or was not made by Anki",
        ),
    ],
)
def test_damaged_collections(anki_source: Source, here: Path, sql: str, expected: str) -> None:
    first = min(anki_source.expected.notes.items(), key=lambda kv: kv[1]["mod"])[0]  # the first note added
    with_collection(anki_source.apkg_legacy, here / "damaged.apkg", sql)
    assert error_of(Path("damaged.apkg")) == [f"damaged.apkg: error: {expected.format(guid=first)}"]


def test_a_source_without_notes(here: Path) -> None:
    folder = crowd(here, deck_json(notes=[]))
    with pytest.raises(UsageError) as err:
        read_all(folder)
    assert str(err.value) == "deck holds no notes in any deck; nothing to import"


def test_crowdanki_files_that_are_not_what_they_seem(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = crowd(here, deck_json())
    (here / "deck.json.real").write_bytes((here / folder / "deck.json").read_bytes())
    (here / folder / "deck.json").unlink()
    (here / folder / "deck.json").symlink_to(here / "deck.json.real")
    assert error_of(folder) == [
        "deck/deck.json: error: is not a regular file (a symbolic link?); copy the real deck.json into the folder"
    ]
    (here / folder / "deck.json").unlink()
    (here / folder / "deck.json").write_bytes(b'{"name": "\xff"}')
    assert error_of(folder) == ["deck/deck.json: error: is not valid UTF-8 (byte 10); CrowdAnki writes UTF-8"]
    (here / folder / "deck.json").write_text(json.dumps(deck_json()))
    shutil.rmtree(here / folder / "media")
    (here / folder / "media").write_text("not a folder")
    assert error_of(folder) == [
        "deck/media: error: is not a folder (a symbolic link?); CrowdAnki writes media/ as a real folder"
    ]
    (here / folder / "media").unlink()
    (here / folder / "media").mkdir()
    (here / folder / "media" / "big.png").write_bytes(b"x" * 2000)
    monkeypatch.setattr(limits, "MAX_MEDIA_BYTES", 1000)
    with open_source(folder) as col:
        with pytest.raises(ContentError) as err:
            col.media[0].read()
    assert err.value.problems[0].text() == (
        "deck/media/big.png: error: is larger than 1,000 bytes (Anki does not sync larger media files)"
    )
