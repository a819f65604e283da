"""What real shared decks hold comes in, decided by what it does in Anki: a deck made with the real Anki backend
(names with '>', ids, data-* and relative links pasted from web pages, a tag no browser knows, a missing image,
an empty first field, Anki LaTeX with its rendered image) is imported, built, and re-imported by a learner who
reviewed it: nothing changes. Then an edited card gets today's errors for its defect, and a new card too."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest

from tests.anki_source import png
from tests.conftest import AnkiCollection, run, write_deck
from tests.importers.test_import_command import small_crowdanki

LATEX_BODY = "$x^2$"
LATEX_PNG = f"latex-{hashlib.sha1(LATEX_BODY.encode()).hexdigest()}.png"  # Anki's name (rslib/src/latex.rs)

FIELDS = {
    "ids": '<h1 id="top" data-source="wiki">Title</h1><a href="#top" target="_blank" rel="noopener">up</a>',
    "wiki": '<a href="ADRENAL.html">ADRENAL</a> trial',
    "typo": "an <bu>emphasised</bu> word",
    "missing": 'map <img src="gone.png">',
    "latex": "area [$]x^2[/$]",
}


def make_deck(folder: Path) -> Path:
    col = Collection(str(folder / "author.anki2"))
    mm = col.models
    nt = mm.new("Country <-> Capital")
    for name in ("Key", "Front", "Back"):
        mm.add_field(nt, mm.new_field(name))
    tmpl = mm.new_template("Country > Capital")
    tmpl["qfmt"] = "{{Front}}"
    tmpl["afmt"] = "{{FrontSide}}<hr id=answer>{{Back}}"
    mm.add_template(nt, tmpl)
    nt["css"] = '@font-face { font-family: f; src: url("_gone.woff2"); }\n.card { font-family: f; }\n'
    mm.add(nt)
    nt = mm.by_name("Country <-> Capital")
    deck = col.decks.id("Real")
    for key, back in FIELDS.items():
        note = col.new_note(nt)
        note["Key"], note["Front"], note["Back"] = key, f"q {key}", back
        col.add_note(note, deck)
    note = col.new_note(nt)  # an empty first field: Anki makes its card from the Front
    note["Front"], note["Back"] = "q empty", "no key"
    col.add_note(note, deck)
    cloze = col.new_note(mm.by_name("Cloze"))  # Anki makes card 1 of a cloze note without a deletion
    cloze["Text"] = "a cloze note with no deletion"
    col.add_note(cloze, deck)
    media = Path(col.media.dir())
    (media / LATEX_PNG).write_bytes(png(1))
    out = folder / "real.apkg"
    col.export_anki_package(out_path=str(out), options=ExportAnkiPackageOptions(with_media=True), limit=None)
    col.close()
    return out


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_real_deck_with_its_defects_adopts_as_a_no_op(here: Path, anki: AnkiCollection) -> None:
    package = make_deck(here)
    anki.import_package(package)
    assert anki.review_all("Real") > 0
    before = (anki.note_rows(), anki.card_rows(), anki.revlog_rows(), anki.notetype_names())

    result = run("import", package.name, "-o", "cards")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "kept as the deck has them: 4 cards and 1 note types" in out, out
    assert "  cloze note without a deletion ×1: cards/real.yaml:" in out
    assert "note type 'country-capital': media file 'media/_gone.woff2' does not exist in cards/media" in out
    assert "  unknown or malformed HTML tag ×1: cards/real.yaml:" in out
    assert "field 'Back': HTML tag <bu> is not supported" in out
    assert (
        "  missing media file ×2: " in out
        and "card 'missing': image 'media/gone.png' does not exist in cards/media;" in out
    )
    assert "  empty first field ×1: cards/real.yaml:" in out
    lock = (here / "cards" / "deckgen.lock").read_text()
    assert lock.count('"kept": "') == 5
    assert (here / "cards" / "media" / LATEX_PNG).read_bytes() == png(1)

    build = run("build", "cards", "-o", "out/real.apkg")
    assert build.exit_code == 0, build.output
    assert "4 cards and 1 note types keep defects they had when imported" in build.output
    log = anki.import_package(here / "out" / "real.apkg")
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)
    assert (anki.note_rows(), anki.card_rows(), anki.revlog_rows(), anki.notetype_names()) == before

    topic = here / "cards" / "real.yaml"
    text = topic.read_text()
    edited = text.replace("an <bu>emphasised</bu> word", "an <bu>emphasised</bu> word, edited")
    assert edited != text
    topic.write_text(edited)
    again = run("build", "cards", "-o", "out/real2.apkg")
    assert again.exit_code == 1
    assert "error: card 'typo': field 'Back': HTML tag <bu> is not supported" in again.output, again.output
    topic.write_text(
        text
        + "- id: new-one\n  type: country-capital\n  fields:\n    Key: n\n    Front: q\n"
        + '    Back: <img src="also-gone.png">\n'
    )
    new = run("build", "cards", "-o", "out/real3.apkg")
    assert new.exit_code == 1
    assert "card 'new-one': image 'media/also-gone.png' does not exist in cards/media" in new.output, new.output


def test_script_in_a_field_still_stops_the_import(here: Path, anki: AnkiCollection) -> None:
    package = make_deck(here)
    col = Collection(str(here / "evil.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))
    note = col.get_note(col.find_notes("Key:typo")[0])
    note["Back"] = 'an <bu>emphasised</bu> word <img src="gone2.png" onerror="alert(1)">'  # script beside defects
    col.update_note(note)
    col.export_anki_package(out_path=str(here / "evil.apkg"), options=ExportAnkiPackageOptions(), limit=None)
    col.close()
    result = run("import", "evil.apkg", "-o", "cards")
    assert result.exit_code == 1
    assert "unsafe HTML: event handler attribute 'onerror' on <img> would run script in Anki" in result.output
    assert not (here / "cards").exists()

    stripped = run("import", "evil.apkg", "-o", "cards", "--strip-unsafe")
    assert stripped.exit_code == 0, stripped.output
    assert "changed by --strip-unsafe: 1 notes (typo)" in stripped.output, stripped.output
    anki.import_package(here / "evil.apkg")  # a learner of the published deck
    build = run("build", "cards", "-o", "out/clean.apkg")
    assert build.exit_code == 0, build.output  # the cleaned note keeps its <bu> and its missing image
    log = anki.import_package(here / "out" / "clean.apkg")
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 1, 0)
    back = anki.col.get_note(anki.col.find_notes("Key:typo")[0])["Back"]
    assert "onerror" not in back and 'src="gone2.png"' in back
    again = run("build", "cards", "-o", "out/clean2.apkg")  # the next build keeps the defects of the shipped note
    assert again.exit_code == 0, again.output
    assert "(0 new, 0 changed, 0 removed)" in again.output, again.output


def test_an_add_on_filter_is_a_warning_and_anki_ignores_it(tmp_path: Path, anki: AnkiCollection) -> None:
    """wjc-clinical-trials shows '{{clickable::Tags}}' (the Clickable Tags add-on), biology-neet '{{cloze::Text}}':
    without the add-on, Anki inserts the field as if the filter were not there."""
    deck = (
        "key: ao\nname: A\ndescription: d\nnote_types:\n  w:\n    name: W\n    fields: [Front, Back]\n"
        "    templates:\n      - name: C\n        front: '{{clickable::Front}}'\n        back: '{{FrontSide}}{{Back}}'\n"
    )
    topic = "topic: t\ntitle: T\ncards:\n  - id: c\n    type: w\n    fields:\n      Front: <b>f</b>\n      Back: b\n"
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    assert (
        "warning: note type 'w', template 'C': unknown filter '' in '{{clickable::Front}}'; Anki's filters are: "
    ) in result.output
    assert "(without an add-on that provides it, Anki ignores it)" in result.output
    anki.import_package(tmp_path / "output" / "ao.apkg")
    card = anki.col.get_card(anki.col.find_cards("")[0])
    assert card.question().endswith("</style><b>f</b>")


def test_check_keeps_the_imported_defects_too(here: Path) -> None:
    run("import", make_deck(here).name, "-o", "cards")
    result = run("check", "cards")
    assert result.exit_code == 0, result.output
    assert "4 cards and 1 note types keep defects they had when imported" in result.output


def test_a_media_name_anki_rewrites_keeps_its_reference_and_is_not_shipped(here: Path) -> None:
    """A file Anki would rename on import (a Windows device name): learners of the deck have it under Anki's name
    already; the note keeps its reference as it is, and deckgen does not ship a file Anki would rename again."""
    folder = small_crowdanki(here, "", 'map <img src="CON.png">')
    deck = json.loads((folder / "deck.json").read_text())
    deck["media_files"] = ["CON.png"]
    (folder / "deck.json").write_text(json.dumps(deck))
    (folder / "media").mkdir()
    (folder / "media" / "CON.png").write_bytes(png(2))
    result = run("import", "old")
    assert result.exit_code == 0, result.output
    assert (
        "  media file name Anki rewrites ×1: cards/old-deck.yaml:9:11: card 'front-one': field 'Back': media file name "
        "'CON.png' is a reserved Windows device name, which Anki renames; rename the file and its reference"
    ) in result.output.splitlines(), result.output
    build = run("build", "cards", "-o", "out/old.apkg")
    assert build.exit_code == 0, build.output
    with zipfile.ZipFile(here / "out" / "old.apkg") as z:
        assert "CON.png" not in json.loads(z.read("media")).values()


def test_diff_reads_an_imported_deck_that_keeps_defects(here: Path) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=here,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    assert run("import", make_deck(here).name, "-o", "cards").exit_code == 0
    git("add", "cards")
    git("commit", "-qm", "import")
    topic = here / "cards" / "real.yaml"
    topic.write_text(topic.read_text().replace("trial", "trial, edited"))
    result = run("diff", "HEAD")
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output, result.output


def test_a_remote_image_is_refused_on_import_and_never_kept(here: Path, anki: AnkiCollection) -> None:
    """An image from a web address loads on every review (it tells that server who studies when): unlike the
    defects a deck may keep, it stops the import, --strip-unsafe removes it, and a hand-written 'kept' does not
    let it through a build."""
    package = make_deck(here)
    col = Collection(str(here / "remote.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))
    note = col.get_note(col.find_notes("Key:typo")[0])
    note["Back"] = 'an <bu>emphasised</bu> word <img src="https://evil.example/t.png"><image src="//evil.example/u">'
    col.update_note(note)
    col.export_anki_package(out_path=str(here / "remote.apkg"), options=ExportAnkiPackageOptions(), limit=None)
    col.close()
    result = run("import", "remote.apkg", "-o", "cards")
    assert result.exit_code == 1
    assert "unsafe HTML: image 'https://evil.example/t.png' is not a local file: Anki would load it" in result.output
    assert "unsafe HTML: image '//evil.example/u' is not a local file" in result.output, result.output
    assert not (here / "cards").exists()

    stripped = run("import", "remote.apkg", "-o", "cards", "--strip-unsafe")
    assert stripped.exit_code == 0, stripped.output
    assert "changed by --strip-unsafe: 1 notes (typo)" in stripped.output, stripped.output
    build = run("build", "cards", "-o", "out/clean.apkg")
    assert build.exit_code == 0, build.output
    anki.import_package(here / "out" / "clean.apkg")
    card = anki.col.get_card(anki.col.find_cards("Key:typo")[0])
    assert "evil.example" not in card.answer()
    assert "<img>" in card.answer()


def test_a_forged_kept_hash_does_not_let_a_remote_image_through(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from deckgen.compile.pipeline import load_and_compile
    from deckgen.source import defects

    assert run("import", make_deck(here).name, "-o", "cards").exit_code == 0
    topic = here / "cards" / "real.yaml"
    text = topic.read_text()
    edited = text.replace(
        "an <bu>emphasised</bu> word", "an <bu>emphasised</bu> word <img src=https://evil.example/b.png>"
    )
    assert edited != text
    topic.write_text(edited)
    refused = run("build", "cards", "-o", "out/a.apkg")
    assert refused.exit_code == 1
    lock_file = here / "cards" / "deckgen.lock"
    lock = json.loads(lock_file.read_text())
    # the hash a forger computes with a deckgen whose table still kept web addresses (as 2a161c0 did)
    with monkeypatch.context() as old_table:
        web = ("web address", "media", re.compile(r"image '.*' is not a local file"))
        old_table.setattr(defects, "KEEPABLE", (*defects.KEEPABLE, web))
        typo = next(n for n in load_and_compile(here / "cards", use_cache=False).notes if n.card_id == "typo")
    lock["cards"]["typo"]["kept"] = typo.hash  # what a hostile pull request would write
    lock_file.write_text(json.dumps(lock, indent=2))
    for command in ("build", "check"):
        result = run(command, "cards", *(("-o", "out/b.apkg") if command == "build" else ()))
        assert result.exit_code == 1, result.output
        assert (
            "card 'typo': field 'Back': unsafe HTML: image 'https://evil.example/b.png' is not a local file"
        ) in result.output, result.output
    assert not (here / "out" / "b.apkg").exists()
