"""Drive an old Anki client's Python importer; run with that client's own interpreter (tests/test_anki_clients.py).

Usage: python anki_client_driver.py OUT.json COLLECTION import APKG
       python anki_client_driver.py OUT.json COLLECTION review DECK_NAME
       python anki_client_driver.py OUT.json COLLECTION tag CARD_ID TAG        (a learner tags a note: its mod becomes now)
       python anki_client_driver.py OUT.json COLLECTION add-field NOTETYPE FIELD   (a learner adds a field to a note type)
Writes one JSON document (into a file: old clients print deprecation notices on stdout): what the command did and the collection's state afterwards, read with SQL so that the
same code works on every client from 2.1.36 (whose Python API differs from today's).

Deliberately standalone (standard library + the client's ``anki``): it must not import deckgen or the test suite.
"""

from __future__ import annotations

import inspect
import json
import os
import sys


def _english() -> None:
    # Without the GUI nothing sets a language, and the importer's log messages need one.
    from anki.lang import set_lang

    if "locale_dir" in inspect.signature(set_lang).parameters:
        set_lang("en", "")  # 2.1.36: set_lang(lang, locale_dir)
    else:
        set_lang("en")


def _open(path: str):  # type: ignore[no-untyped-def]
    from anki.collection import Collection

    return Collection(os.path.abspath(path))


def _state(col) -> dict:  # type: ignore[no-untyped-def]
    notetypes = {}
    for model in col.models.all():
        notetypes[str(model["id"])] = {
            "name": model["name"],
            "fields": [f["name"] for f in model["flds"]],
            "templates": [t["name"] for t in model["tmpls"]],
        }
    notes = []
    for nid, guid, mid, mod, tags, flds in col.db.all("select id, guid, mid, mod, tags, flds from notes order by id"):
        fields = flds.split("\x1f")
        names = notetypes[str(mid)]["fields"]
        notes.append(
            {
                "id": nid,
                "guid": guid,
                "notetype": notetypes[str(mid)]["name"],
                "mod": mod,
                "tags": tags.split(),
                "fields": dict(zip(names, fields)),  # noqa: B905 (runs on old Pythons too)
            }
        )
    cards = [
        {
            "id": cid,
            "nid": nid,
            "deck": col.decks.get(did)["name"],
            "ord": ord_,
            "type": type_,
            "queue": queue,
            "due": due,
            "ivl": ivl,
            "reps": reps,
            "lapses": lapses,
        }
        for cid, nid, did, ord_, type_, queue, due, ivl, reps, lapses in col.db.all(
            "select id, nid, did, ord, type, queue, due, ivl, reps, lapses from cards order by id"
        )
    ]
    revlog = [list(row) for row in col.db.all("select id, cid, ease, ivl, type from revlog order by id")]
    import anki

    version = getattr(anki, "version", None)
    if version is None:
        from anki.buildinfo import version  # type: ignore[no-redef]
    return {
        "anki": version,
        "notetypes": sorted(v["name"] for v in notetypes.values()),
        "notes": notes,
        "cards": cards,
        "revlog": revlog,
    }


def do_import(col, apkg: str) -> dict:  # type: ignore[no-untyped-def]
    from anki.importing.apkg import AnkiPackageImporter

    importer = AnkiPackageImporter(col, apkg)
    importer.run()
    return {"log": [line for line in importer.log if line]}


def do_review(col, deck_name: str) -> dict:  # type: ignore[no-untyped-def]
    by_name = getattr(col.decks, "by_name", None) or col.decks.byName
    deck = by_name(deck_name)
    assert deck is not None, deck_name
    col.decks.select(deck["id"])
    col.sched.reset()
    answered = 0
    for _ in range(1000):
        card = col.sched.getCard()
        if card is None:
            break
        card.startTimer()
        col.sched.answerCard(card, col.sched.answerButtons(card))  # Easy (the last button): straight to review
        answered += 1
    return {"answered": answered}


def do_tag(col, card_id: str, tag: str) -> dict:  # type: ignore[no-untyped-def]
    (nid,) = col.findNotes(f'"Id:{card_id}"')
    note = col.getNote(nid)
    note.addTag(tag)
    note.flush()
    return {}


def do_add_field(col, notetype: str, field: str) -> dict:  # type: ignore[no-untyped-def]
    model = col.models.byName(notetype)
    col.models.addField(model, col.models.newField(field))
    col.models.save(model)
    return {}


COMMANDS = {"import": do_import, "review": do_review, "tag": do_tag, "add-field": do_add_field}


def main(argv: list[str]) -> None:
    out, path, command, *args = argv
    if command == "import":
        args = [os.path.abspath(args[0])]  # the old Collection changes the working directory to its media folder
    _english()
    col = _open(path)
    try:
        result = COMMANDS[command](col, *args)
        result["state"] = _state(col)
    finally:
        col.close()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
