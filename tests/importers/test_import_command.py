"""``deckgen import``: the cards folder it writes, the summary, the options, and every refusal (nothing written)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.anki_source import TOP, Source
from tests.conftest import run

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def imported(source: Path, out: Path, *args: str) -> dict[str, bytes]:
    result = run("import", source, "-o", out, *args, env=EPOCH)
    assert result.exit_code == 0, result.output
    return tree(out)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_summary_and_the_folder(anki_source: Source, here: Path) -> None:
    shutil.copy(anki_source.apkg, here / "reader.apkg")
    result = run("import", "reader.apkg", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "imported reader.apkg (apkg-anki21b), deck 'Chinese Reader': 12 notes, 19 cards, 7 note types, 3 topics, 6 "
        "media files -> cards (key 'chinese-reader')",
        "not carried: scheduling, review history, deck options and flags (they belong to each learner)",
        "template with <script>: note type 'Image Occlusion', template 'Image Occlusion' (front) (templates are imported "
        "as they are; review them)",
        "template with <script>: note type 'Image Occlusion', template 'Image Occlusion' (back) (templates are imported "
        "as they are; review them)",
        "note type 'Image Occlusion' is Anki's Image Occlusion: packages carry it as a cloze note type with the same "
        "fields, templates and CSS (Anki's 'original stock kind' is not carried)",
        "next: deckgen build cards  (the first build changes nothing for learners who have the deck)",
    ]
    files = tree(here / "cards")
    assert sorted(f for f in files if "/" not in f) == [
        "chinese-reader.yaml",
        "deck.yaml",
        "deckgen.lock",
        "grammar-particles.yaml",
        "vocabulary.yaml",
    ]
    assert sorted(f[len("media/") :] for f in files if f.startswith("media/")) == sorted(anki_source.expected.media)
    assert (
        files["vocabulary.yaml"].decode().startswith("topic: vocabulary\ntitle: Vocabulary\ndeck: Vocabulary\ncards:\n")
    )
    deck = files["deck.yaml"].decode()
    assert deck.startswith(
        "key: chinese-reader\nname: Chinese Reader\ndescription: Vocabulary and grammar from "
        "<i>A Course in Contemporary Chinese</i>.\ntopic_tags: false\n"
        "order: [chinese-reader, vocabulary, grammar-particles]\nnote_types:\n"
    )
    custom = anki_source.expected.notetypes["Chinese vocabulary (7 fields)"]
    assert (
        f"  chinese-vocabulary-7-fields:\n    name: Chinese vocabulary (7 fields)\n    kind: standard\n    id: {custom['id']}\n"
        "    fields: [Hanzi, Pinyin, Zhuyin, Ruby, English, Audio, Picture, Notes]\n    sort_field: Pinyin\n"
    ) in deck
    assert files["note-types/chinese-vocabulary-7-fields.css"].decode() == custom["css"]
    assert files["note-types/chinese-vocabulary-7-fields/listen.front.html"].decode() == custom["templates"][1][1]
    # the first build changes nothing: same lock, no new or changed card
    result = run("build", "cards", env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert result.exit_code == 0, result.output
    assert "12 notes, 19 cards, 3 topics (0 new, 0 changed, 0 removed)" in result.output
    assert tree(here / "cards")["deckgen.lock"] == files["deckgen.lock"]
    assert run("check", "cards").output.endswith("0 error(s), 0 warning(s)\n")


def test_every_package_format_gives_the_same_cards_folder(anki_source: Source, tmp_path: Path) -> None:
    first = imported(anki_source.apkg, tmp_path / "apkg")
    for key in ("apkg_legacy", "apkg_anki2", "colpkg", "colpkg_legacy"):
        assert imported(getattr(anki_source, key), tmp_path / key) == first, key


def test_fields_tags_and_guids_are_kept_byte_for_byte(anki_source: Source, tmp_path: Path) -> None:
    from deckgen.source.loader import read_deck

    imported(anki_source.apkg, tmp_path / "cards")
    deck, problems = read_deck(tmp_path / "cards")
    assert deck is not None and not [p for p in problems if p.is_error]
    exp = anki_source.expected
    got = {}
    for card in deck.cards:
        nt = deck.notetype_map[card.kind]
        values = dict(card.fields)
        got[card.guid] = {
            "notetype": nt.name,
            "fields": [values.get(f, "") for f in nt.fields],
            "tags": list(card.tags),
        }
    assert got == {guid: {k: n[k] for k in ("notetype", "fields", "tags")} for guid, n in exp.notes.items()}


def test_round_trip_import_of_its_own_build(anki_source: Source, tmp_path: Path) -> None:
    first = imported(anki_source.apkg, tmp_path / "one" / "cards")
    result = run("build", tmp_path / "one" / "cards", env=EPOCH)
    assert result.exit_code == 0, result.output
    again = imported(tmp_path / "one" / "output" / "chinese-reader.apkg", tmp_path / "two" / "cards")
    assert again == first


def test_crowdanki_folder_gives_the_same_cards_and_note_types_without_ids(anki_source: Source, tmp_path: Path) -> None:
    folder = tmp_path / "Chinese Reader"
    shutil.copytree(anki_source.crowdanki, folder)
    (folder / "media" / "it's here & there.png").write_bytes(anki_source.expected.media["it's here & there.png"])
    from_apkg = imported(anki_source.apkg, tmp_path / "a")
    result = run("import", folder, "-o", tmp_path / "c", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert (
        "CrowdAnki folders carry no Anki note type ids: learners who got this deck through CrowdAnki must tick 'Merge "
        "note types' (Anki 23.10 or newer) when they import the first package deckgen builds"
    ) in result.output
    from_crowd = tree(tmp_path / "c")
    assert set(from_crowd) == set(from_apkg)
    for name in from_apkg:
        if name == "deck.yaml":  # the note type ids differ: CrowdAnki has none (deckgen derives them); and the order
            # of topics: deck.json lists notes deck by deck (children in its order), a package in the order they were added
            strip = [
                line for line in from_apkg[name].decode().splitlines() if not line.startswith(("    id: ", "order: "))
            ]
            crowd = from_crowd[name].decode().splitlines()
            assert "order: [chinese-reader, grammar-particles, vocabulary]" in crowd
            assert [line for line in crowd if not line.startswith("order: ")] == strip
        elif name != "deckgen.lock":
            assert from_crowd[name] == from_apkg[name], name
    lock = json.loads(from_crowd["deckgen.lock"])
    assert {entry["mod"] for entry in lock["cards"].values()} == {0}  # CrowdAnki keeps no mod


def test_a_target_with_a_deck_is_refused(anki_source: Source, here: Path) -> None:
    (here / "cards").mkdir()
    (here / "cards" / "deck.yaml").write_text("key: x\n")
    result = run("import", anki_source.apkg)
    assert result.exit_code == 2
    assert result.output == (
        "deckgen: error: 'cards' already has a deck.yaml; import into a new folder (-o DIR), or remove "
        "the old deck first\n"
    )
    (here / "other").mkdir()
    (here / "other" / "notes.txt").write_text("mine")
    result = run("import", anki_source.apkg, "-o", "other")
    assert (result.exit_code, result.output) == (
        2,
        "deckgen: error: 'other' is not empty; import into a new folder (-o DIR)\n",
    )
    assert sorted(p.name for p in (here / "other").iterdir()) == ["notes.txt"]


def test_usage_errors(anki_source: Source, here: Path) -> None:
    result = run("import", anki_source.apkg, "--key", "Not A Slug")
    assert (result.exit_code, result.output) == (
        2,
        "deckgen: error: --key 'Not A Slug' is not a slug; use lowercase letters, digits, '-' and '_' (e.g. 'mrd-definition')\n",
    )
    result = run("import", anki_source.apkg, "--split-by", "none")
    assert (result.exit_code, result.output) == (
        2,
        "deckgen: error: the deck has subdecks ('Grammar::Particles', 'Vocabulary'); a topic file holds the cards of one "
        "subdeck, so --split-by none cannot keep them: use --split-by subdeck or tag\n",
    )
    assert not (here / "cards").exists()


def test_deck_option_and_split_by_tag(anki_source: Source, here: Path) -> None:
    result = run(
        "import", anki_source.apkg, "--deck", f"{TOP}::Vocabulary", "--split-by", "none", "--key", "vocab", env=EPOCH
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (here / "cards").glob("*.yaml")) == ["cards.yaml", "deck.yaml"]
    assert "name: Chinese Reader::Vocabulary\n" in (here / "cards" / "deck.yaml").read_text()
    assert "left out: 7 notes of other decks, 0 notes without cards" in result.output
    result = run("import", anki_source.apkg, "-o", "bytag", "--split-by", "tag", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (here / "bytag").glob("*.yaml")) == [
        "deck.yaml",
        "grammar-particles-grammar.yaml",
        "grammar-particles-particles.yaml",
        "greetings.yaml",
        "maps.yaml",
        "untagged.yaml",
        "vocabulary-animals.yaml",
        "vocabulary-book-1.yaml",
    ]
    topic = (here / "bytag" / "vocabulary-animals.yaml").read_text()
    assert topic.startswith("topic: vocabulary-animals\ntitle: 'Vocabulary: animals'\ndeck: Vocabulary\n")
    assert run("build", "bytag").exit_code == 0


def unsafe_package(anki_source: Source, dst: Path) -> Path:
    """The legacy package with script and a handler put into two notes' fields."""
    import sqlite3

    members = {}
    with zipfile.ZipFile(anki_source.apkg_legacy) as z:
        for name in z.namelist():
            members[name] = z.read(name)
    db = dst.with_suffix(".db")
    db.write_bytes(members["collection.anki21"])
    conn = sqlite3.connect(db)
    conn.execute("update notes set flds = replace(flds, 'cat', 'cat<script>alert(1)</script>') where flds like '%cat%'")
    conn.execute(
        "update notes set flds = replace(flds, 'good', '<span onclick=\"steal()\">good</span>') where flds like '%good%'"
    )
    conn.commit()
    conn.close()
    members["collection.anki21"] = db.read_bytes()
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return dst


def test_unsafe_html_stops_the_import(anki_source: Source, here: Path) -> None:
    unsafe_package(anki_source, here / "unsafe.apkg")
    result = run("import", "unsafe.apkg")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith("unsafe.apkg: error: note '")
        and line.endswith(
            "(card 'cat'): field 'Back': unsafe HTML: <script> is not allowed (Anki would run or load it); remove it"
        )
        for line in lines
    )
    assert any(
        "(card 'hao'): field 'English': unsafe HTML: event handler attribute 'onclick' on <span> would run script "
        "in Anki; remove it" in line
        for line in lines
    )
    assert lines[-1] == "deckgen: 2 error(s); nothing was written"
    assert not (here / "cards").exists()


def test_strip_unsafe_lists_the_notes_and_the_first_build_updates_them(anki_source: Source, here: Path) -> None:
    unsafe_package(anki_source, here / "unsafe.apkg")
    result = run("import", "unsafe.apkg", "--strip-unsafe", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "changed by --strip-unsafe: 2 notes (cat, hao); learners get them updated on the next build" in result.output
    assert any(
        line.endswith(
            "(card 'cat'): field 'Back': removed by --strip-unsafe: unsafe HTML: <script> is not allowed "
            "(Anki would run or load it); remove it"
        )
        for line in result.output.splitlines()
    )
    text = (here / "cards" / "vocabulary.yaml").read_text()
    assert "<script>" not in text and "Back: cat\n" in text
    result = run("build", "cards", env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert "(0 new, 2 changed, 0 removed)" in result.output, result.output


def test_media_a_note_uses_but_the_package_lacks(anki_source: Source, here: Path) -> None:
    members = {}
    with zipfile.ZipFile(anki_source.apkg_legacy) as z:
        mapping = json.loads(z.read("media"))
        gone = next(k for k, v in mapping.items() if v == "two words.jpg")
        for name in z.namelist():
            if name != gone:
                members[name] = z.read(name)
    del mapping[gone]
    members["media"] = json.dumps(mapping).encode()
    with zipfile.ZipFile(here / "lacking.apkg", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    result = run("import", "lacking.apkg")
    assert result.exit_code == 0, result.output  # learners of this package have the empty image already
    assert (
        "  missing media file ×1: cards/vocabulary.yaml:39:3: card 'yixia': image 'media/two words.jpg' does not exist "
        "in cards/media; add the file or fix the name"
    ) in result.output.splitlines(), result.output
    assert (here / "cards" / "deckgen.lock").read_text().count('"kept": "') == 1


def test_markdown_only_where_it_renders_back_exactly(anki_source: Source, here: Path) -> None:
    result = run("import", anki_source.apkg, "--markdown", env=EPOCH)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("written as Markdown: "))
    assert "Basic (and reversed card): Front" in line and "Basic (and reversed card): Back" in line
    assert "Basic: Front" not in line  # '<b>你好</b>' has no Markdown form that renders to '<b>'
    assert "Chinese vocabulary (7 fields): Ruby" not in line
    build = run("build", "cards", env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert "(0 new, 0 changed, 0 removed)" in build.output, build.output  # the same HTML, so the same notes


def small_crowdanki(here: Path, desc: str, back: str) -> Path:
    model = {
        "__type__": "NoteModel",
        "crowdanki_uuid": "m1",
        "name": "Basic",
        "type": 0,
        "css": ".card {}",
        "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        "tmpls": [{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    }
    deck = {
        "__type__": "Deck",
        "name": "Old deck",
        "desc": desc,
        "children": [],
        "media_files": [],
        "note_models": [model],
        "notes": [
            {
                "__type__": "Note",
                "guid": "g-1",
                "fields": ["Front one", back],
                "tags": ["a", "", "a"],
                "note_model_uuid": "m1",
            }
        ],
    }
    folder = here / "old"
    folder.mkdir()
    (folder / "deck.json").write_text(json.dumps(deck), encoding="utf-8")
    return folder


def test_html_outside_the_allow_list_and_a_description_deckgen_cannot_render(here: Path) -> None:
    small_crowdanki(here, "<marquee>An old</marquee> deck", '<object data="x.swf"></object>red back')
    result = run("import", "old")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "old: error: note 'g-1' (card 'front-one'): field 'Back': unsafe HTML: <object> is not allowed (Anki would "
        "run or load it); remove it"
    )
    result = run("import", "old", "--strip-unsafe", env=EPOCH)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "old: warning: note 'g-1' (card 'front-one'): field 'Back': removed by --strip-unsafe: unsafe HTML: <object> "
        "is not allowed (Anki would run or load it); remove it"
    )
    assert lines[1].startswith(
        "old: warning: deck description: written as plain text: deckgen does not allow its HTML "
        "(HTML tag <marquee> is not supported; use Markdown, or a tag"
    )
    assert "changed by --strip-unsafe: 1 notes (front-one); learners get them updated on the next build" in lines
    deck = (here / "cards" / "deck.yaml").read_text()
    assert "description: An old deck\n" in deck
    topic = (here / "cards" / "old-deck.yaml").read_text()
    assert "    Back: red back\n  tags: [a]\n" in topic  # the tag list as Anki would keep it: no empty, no repeat


def test_problems_of_the_check_build_are_reported_at_their_place_in_the_target(here: Path) -> None:
    folder = small_crowdanki(here, "", "back")
    deck = json.loads((folder / "deck.json").read_text())
    deck["note_models"][0]["tmpls"][0]["qfmt"] = "{{Front}} {{Missing}}"
    (folder / "deck.json").write_text(json.dumps(deck))
    result = run("import", "old")
    assert result.exit_code == 1
    (line, last) = result.output.splitlines()[-2:]
    assert line.startswith(
        "cards/note-types/basic/card-1.front.html:1:11: error: note type 'basic', template 'Card 1': "
    )
    assert "Missing" in line
    assert last == "deckgen: 1 error(s); nothing was written"
    assert sorted(p.name for p in here.iterdir()) == ["old"]  # no cards folder, no temporary folder left


def test_a_note_type_deckgen_cannot_keep_exactly(here: Path) -> None:
    folder = small_crowdanki(here, "", "back")
    deck = json.loads((folder / "deck.json").read_text())
    deck["note_models"][0]["tmpls"][0]["name"] = "Card 1 "  # deckgen strips names; Anki would see another template
    (folder / "deck.json").write_text(json.dumps(deck))
    result = run("import", "old")
    assert (result.exit_code, result.output) == (
        1,
        (
            "old: error: note type 'Basic': deckgen cannot keep its templates exactly as Anki has them (names with leading "
            "or trailing spaces, an empty template?); fix it in Anki and export again\n"
            "deckgen: 1 error(s); nothing was written\n"
        ),
    )
    (here / "file").write_text("x")
    result = run("import", "old", "-o", "file")
    assert (result.exit_code, result.output) == (
        2,
        "deckgen: error: 'file' is not a folder; give -o a new folder for the cards\n",
    )


def test_media_deckgen_would_refuse_stops_the_import(here: Path) -> None:
    folder = small_crowdanki(here, "", '<img src="x.svg">')
    deck = json.loads((folder / "deck.json").read_text())
    deck["media_files"] = ["x.svg"]
    (folder / "deck.json").write_text(json.dumps(deck))
    (folder / "media").mkdir()
    (folder / "media" / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    result = run("import", "old")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "cards/media/x.svg: error: is an SVG that has an event handler attribute 'onload' on <svg>; deckgen ships an "
        "SVG only if it cannot run script or load a file"
    )
    assert sorted(p.name for p in here.iterdir()) == ["old"]
