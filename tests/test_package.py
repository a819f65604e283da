"""package.py writes notes and cards itself (bulk inserts); genanki's own writer is the reference."""

from __future__ import annotations

import zipfile
from pathlib import Path

import genanki

from deckgen.build import plan_build, write_package
from deckgen.model import NoteType
from deckgen.notetypes import language as templates
from tests.conftest import AnkiCollection


def genanki_model(nt: NoteType) -> genanki.Model:
    """genanki's model of a note type (its "req" from the parsed templates: genanki's own renders them with chevron,
    which raises on Anki's filters; genanki caches it in this attribute)."""
    model = genanki.Model(
        nt.id,
        nt.name,
        fields=[{"name": name} for name in nt.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in nt.templates],
        css=nt.css,
        model_type=genanki.Model.CLOZE if nt.is_cloze else genanki.Model.FRONT_BACK,
        sort_field_index=nt.sort_field,
    )
    model.__dict__["_req"] = [
        [ord_, *templates.legacy_req(templates.parse(front), nt.fields)]
        for ord_, (_, front, _) in enumerate(nt.templates)
    ]
    return model


def contents(col: AnkiCollection) -> set[tuple[object, ...]]:
    rows = col.col.db.all("select n.guid, c.ord, n.flds, n.tags, n.mid from cards c join notes n on c.nid = n.id")
    return {tuple(row) for row in rows}


def test_same_notes_and_cards_as_genanki_writes(deck_dir: Path, tmp_path: Path) -> None:
    plan = plan_build(deck_dir, now=1_700_000_000)
    ours = tmp_path / "ours.apkg"
    write_package(plan, ours)

    models = {nt.key: genanki_model(nt) for nt in plan.deck.notetypes}
    deck = genanki.Deck(1, plan.deck.name)
    for spec in plan.notes:
        deck.add_note(
            genanki.Note(
                model=models[spec.notetype],
                fields=list(spec.fields),
                tags=list(spec.tags),
                guid=spec.guid,
                sort_field=spec.sort_field,
            )
        )
    theirs = tmp_path / "theirs.apkg"
    genanki.Package(deck).write_to_file(str(theirs), timestamp=1_700_000_000)

    a, b = AnkiCollection(tmp_path / "a.anki2"), AnkiCollection(tmp_path / "b.anki2")
    try:
        assert len(a.import_package(ours).new) == len(plan.notes)
        b.import_package(theirs)
        assert contents(a) == contents(b)
        assert len(contents(a)) == plan.card_count == 6
    finally:
        a.close()
        b.close()


def test_zip_entries_have_fixed_metadata(deck_dir: Path, tmp_path: Path) -> None:
    plan = plan_build(deck_dir, now=1_700_000_000)
    out = tmp_path / "x.apkg"
    write_package(plan, out)
    with zipfile.ZipFile(out) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == ["collection.anki2", "media"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
