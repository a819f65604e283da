"""A deck's own note types: deck.yaml's note_types, cards of those types, and how they reach learners' Anki."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import AnkiCollection, run, write_deck

DECK = """\
key: vocab-deck
name: Chinese
description: A vocabulary deck.
css: {file: style/deck.css}
note_types:
  vocab:
    name: Chinese vocabulary
    fields: [Hanzi, Pinyin, English, Audio]
    markdown: [English]
    templates:
      - name: Recognise
        front: "{{Hanzi}}"
        back: "{{FrontSide}}<hr id=answer>{{Pinyin}}<br>{{English}}<br>{{Audio}}"
      - name: Recall
        front: {file: note-types/recall-front.html}
        back: {file: note-types/recall-back.html}
    css: {file: note-types/vocab.css}
  notes:
    name: Cloze with notes
    kind: cloze
    fields: [Text, Notes]
    templates:
      - name: Cloze
        front: "{{cloze:Text}}"
        back: "{{cloze:Text}}{{#Notes}}<div class=notes>{{Notes}}</div>{{/Notes}}"
"""
FILES = {
    "style/deck.css": ".card { letter-spacing: 0.01em; }\n",
    "note-types/recall-front.html": "{{#English}}{{English}}{{/English}}\n",
    "note-types/recall-back.html": "{{FrontSide}}<hr id=answer>{{Hanzi}} {{Pinyin}}\n",
    "note-types/vocab.css": ".card { font-size: 28px; text-align: center; }\n",
}
TOPIC = """\
topic: lesson-1
title: Lesson 1
cards:
  - id: chen-yuemei
    type: vocab
    fields: {Hanzi: 陳月美, Pinyin: Chén Yuèměi, English: a woman from *Vietnam*, Audio: "[sound:chen-yuemei.mp3]"}
    tags: [lesson-01]
  - id: hao
    type: vocab
    fields:
      Hanzi: <ruby>好<rt>hǎo</rt></ruby>
      Pinyin: hǎo
  - id: capital
    type: notes
    fields: {Text: "The capital of China is {{c1::Beijing}}, of Taiwan {{c2::Taipei}}.", Notes: ""}
  - id: plain-card
    front: A built-in card
    back: still works
"""


def vocab_deck(root: Path, *, deck: str = DECK, topic: str = TOPIC, files: dict[str, str] | None = None) -> Path:
    cards = write_deck(root, deck=deck, topics={"lesson-1.yaml": topic})
    for name, text in (FILES if files is None else files).items():
        (cards / name).parent.mkdir(parents=True, exist_ok=True)
        (cards / name).write_text(text, encoding="utf-8")
    (cards / "media").mkdir(exist_ok=True)
    (cards / "media" / "chen-yuemei.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00fake mp3")
    return cards


def build(cards: Path, *args: str, now: int | None = None) -> str:
    result = run("build", cards, *args, env={"SOURCE_DATE_EPOCH": str(now)} if now else None)
    assert result.exit_code == 0, result.output
    return result.output


def test_note_types_import_with_their_fields_cards_and_styling(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = vocab_deck(tmp_path)
    build(cards)
    log = anki.import_package(tmp_path / "output" / "vocab-deck.apkg")
    assert len(log.conflicting) == 0 and len(log.new) == 4
    col = anki.col
    # only the note types that notes use go into the package
    assert anki.notetype_names() == sorted(
        [
            "Basic",
            "Basic (and reversed card)",
            "Basic (optional reversed card)",
            "Basic (type in the answer)",
            "Cloze",
            "Image Occlusion",
            "Chinese vocabulary",
            "Cloze with notes",
            "deckgen Q/A (optional reverse) · vocab-deck",
        ]
    )
    vocab = col.models.by_name("Chinese vocabulary")
    assert [f["name"] for f in vocab["flds"]] == ["Hanzi", "Pinyin", "English", "Audio"]
    assert [t["name"] for t in vocab["tmpls"]] == ["Recognise", "Recall"]
    assert vocab["tmpls"][1]["qfmt"] == "{{#English}}{{English}}{{/English}}\n"
    assert vocab["css"] == ".card { font-size: 28px; text-align: center; }\n"
    qa = col.models.by_name("deckgen Q/A (optional reverse) · vocab-deck")
    assert qa["css"].endswith("/* the deck's CSS */\n.card { letter-spacing: 0.01em; }\n")

    (chen,) = [col.get_note(n) for n in col.find_notes('"Hanzi:陳月美"')]
    assert chen["English"] == "a woman from <em>Vietnam</em>"  # Markdown field
    assert chen["Audio"] == "[sound:chen-yuemei.mp3]"
    assert chen["Hanzi"] == "陳月美"  # HTML field, as written
    assert sorted(chen.tags) == ["lesson-01", "vocab-deck::lesson-1"]
    assert sorted(c.ord for c in chen.cards()) == [0, 1]
    # a conditional template: no English, no Recall card
    (hao,) = [col.get_note(n) for n in col.find_notes('"Pinyin:hǎo"')]
    assert hao["Hanzi"] == "<ruby>好<rt>hǎo</rt></ruby>"
    assert [c.ord for c in hao.cards()] == [0]
    (capital,) = [col.get_note(n) for n in col.find_notes("capital")]
    assert sorted(c.ord for c in capital.cards()) == [0, 1]
    assert "[...]" in capital.cards()[0].question()
    # the audio file is in the collection's media
    assert (Path(col.media.dir()) / "chen-yuemei.mp3").read_bytes().startswith(b"ID3")
    assert "Recognise" in [t["name"] for t in vocab["tmpls"]]


def test_template_and_css_edits_update_in_place_and_keep_reviews(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = vocab_deck(tmp_path)
    build(cards, now=1_780_000_000)
    apkg = tmp_path / "output" / "vocab-deck.apkg"
    anki.import_package(apkg)
    answered = anki.review_all("Chinese")
    assert answered == 6
    revlog, card_rows = anki.revlog_rows(), anki.card_rows()

    (cards / "note-types" / "vocab.css").write_text(".card { font-size: 32px; }\n", encoding="utf-8")
    (cards / "note-types" / "recall-back.html").write_text(
        "{{FrontSide}}<hr id=answer>{{Hanzi}} ({{Pinyin}})\n", encoding="utf-8"
    )
    out = build(cards, now=1_780_000_100)
    assert "(0 new, 0 changed, 0 removed)" in out
    log = anki.import_package(apkg)
    assert len(log.conflicting) == 0 and len(log.new) == 0
    vocab = anki.col.models.by_name("Chinese vocabulary")
    assert vocab["css"] == ".card { font-size: 32px; }\n"
    assert vocab["tmpls"][1]["afmt"] == "{{FrontSide}}<hr id=answer>{{Hanzi}} ({{Pinyin}})\n"
    assert not [name for name in anki.notetype_names() if name.endswith("+")]
    assert anki.revlog_rows() == revlog and anki.card_rows() == card_rows


SCHEMA_ERROR = (
    "cards/deck.yaml: error: deck: note type 'vocab' changed its fields or templates since the lock: Anki cannot "
    "change the fields or templates of a note type its learners have; every learner's Anki would add a copy named "
    "'Chinese vocabulary+' and skip the updates of all 2 of its notes. Add a new note type (a new slug) and give its "
    "cards new ids; or, if learners on Anki 23.10 or newer must tick 'Merge note types' in the import dialog, build "
    "with --allow-schema-change"
)


def test_schema_change_is_refused_and_the_escape_hatch_works(
    tmp_path: Path, anki: AnkiCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cards = vocab_deck(tmp_path)
    build(Path("cards"), now=1_780_000_000)
    apkg = tmp_path / "output" / "vocab-deck.apkg"
    anki.import_package(apkg)
    anki.review_all("Chinese")
    revlog = anki.revlog_rows()
    lock = (cards / "deckgen.lock").read_text(encoding="utf-8")

    (cards / "deck.yaml").write_text(
        DECK.replace("[Hanzi, Pinyin, English, Audio]", "[Hanzi, Pinyin, English, Audio, Example]"), encoding="utf-8"
    )
    refused = run("build", "cards", env={"SOURCE_DATE_EPOCH": "1780000100"})
    assert refused.exit_code == 1
    assert refused.output == SCHEMA_ERROR + "\ndeckgen: 1 error(s); nothing was written\n"
    assert (cards / "deckgen.lock").read_text(encoding="utf-8") == lock
    checked = run("check", "cards")
    assert checked.exit_code == 1 and SCHEMA_ERROR in checked.output

    allowed = run("build", "cards", "--allow-schema-change", env={"SOURCE_DATE_EPOCH": "1780000100"})
    assert allowed.exit_code == 0, allowed.output
    assert "WARNING: note type 'vocab' (Chinese vocabulary) changed its fields or templates" in allowed.output
    # what learners see: Anki's default import forks the note type; "Merge note types" updates it in place
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    log = anki.col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions(merge_notetypes=True))
    ).log
    assert len(log.conflicting) == 0
    assert not [name for name in anki.notetype_names() if name.endswith("+")]
    assert [f["name"] for f in anki.col.models.by_name("Chinese vocabulary")["flds"]][-1] == "Example"
    assert anki.revlog_rows() == revlog
    # and the next build is ordinary again: the lock records the new schema
    assert run("build", "cards").exit_code == 0


def test_changing_a_note_type_id_or_the_deck_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cards = vocab_deck(tmp_path)
    build(Path("cards"))
    (cards / "deck.yaml").write_text(
        DECK.replace("    name: Chinese vocabulary\n", "    name: Chinese vocabulary\n    id: 1234567\n").replace(
            "key: vocab-deck", "key: vocab-deck-2"
        ),
        encoding="utf-8",
    )
    result = run("build", "cards")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    # the derived ids of the other note type and of the deck's built-in ones change with the key too: five errors
    assert "deckgen: 5 error(s); nothing was written" in lines
    assert [line for line in lines if "'vocab'" in line or "the deck key changed" in line] == [
        "cards/deck.yaml: error: deck: note type 'vocab' was shipped with Anki id "
        f"{_lock_id(cards)}, now 1234567: every learner would get a second note type and a second copy of all 2 of its notes. "
        "Put the id back (note_types.vocab.id). If that is really meant (learners keep the old notes and get new ones), "
        "build with --allow-identity-change",
        "cards/deck.yaml: error: deck: the deck key changed from 'vocab-deck' to 'vocab-deck-2': every learner would get a "
        "second copy of all 4 notes (a note's identity comes from the key). Put the key back. If that is really meant "
        "(learners keep the old notes and get new ones), build with --allow-identity-change",
    ]
    assert run("build", "cards", "--allow-identity-change").exit_code == 0


def _lock_id(cards: Path) -> int:
    import json

    return int(json.loads((cards / "deckgen.lock").read_text(encoding="utf-8"))["notetypes"]["vocab"]["id"])


def test_a_guid_is_kept_and_guarded(tmp_path: Path, anki: AnkiCollection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cards = vocab_deck(tmp_path, topic=TOPIC.replace("  - id: hao\n", '  - id: hao\n    guid: "Ol5|c,`]pk"\n'))
    build(Path("cards"))
    anki.import_package(tmp_path / "output" / "vocab-deck.apkg")
    assert anki.col.db.scalar("select count() from notes where guid = ?", "Ol5|c,`]pk") == 1
    assert '"guid": "Ol5|c,`]pk"' in (cards / "deckgen.lock").read_text(encoding="utf-8")
    (cards / "lesson-1.yaml").write_text(
        TOPIC.replace("  - id: hao\n", "  - id: hao\n    guid: other\n"), encoding="utf-8"
    )
    result = run("build", "cards")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "cards/lesson-1.yaml:9:11: error: card 'hao': this card was shipped with GUID 'Ol5|c,`]pk', now 'other': every "
        "learner would get it as a new note and keep the old one. Restore the GUID. If that is really meant (learners keep "
        "the old notes and get new ones), build with --allow-identity-change"
    )


NOTETYPE_ERRORS = [
    (
        'templates:\n      - name: T\n        front: "{{#Hanzi}}{{Hanzi}}"\n        back: x\n',
        "deck.yaml:10:17: error: note type 'x', template 'T': '{{#Hanzi}}' is never closed; add '{{/Hanzi}}'",
    ),
    (
        'templates:\n      - name: T\n        front: "{{Hanzi}} {{Hanzy}}"\n        back: x\n',
        "deck.yaml:10:27: error: note type 'x', template 'T': '{{Hanzy}}' names no field of this note type; the fields are: Hanzi, Pinyin",
    ),
    (
        "templates:\n      - name: T\n        front: |\n          {{Hanzi}}\n          {{/Pinyin}}\n        back: x\n",
        "deck.yaml:12:11: error: note type 'x', template 'T': '{{/Pinyin}}' closes a section that was never opened with '{{#Pinyin}}' or '{{^Pinyin}}'",
    ),
    (
        'templates:\n      - name: T\n        front: "{{FrontSide}}"\n        back: x\n',
        "deck.yaml:10:17: error: note type 'x', template 'T': '{{FrontSide}}' only works on the back of a card",
    ),
    (
        'templates:\n      - name: T\n        front: "{{cloze:Hanzi}}"\n        back: x\n',
        "deck.yaml:10:17: error: note type 'x', template 'T': '{{cloze:...}}' only works in a note type of kind: cloze",
    ),
    (
        'kind: cloze\n    templates:\n      - name: T\n        front: "{{Hanzi}}"\n        back: x\n',
        "deck.yaml:11:17: error: note type 'x', template 'T': a cloze note type's front must show a field with '{{cloze:Field}}'",
    ),
    (
        "templates:\n      - name: T\n        front: {file: ../outside.html}\n        back: x\n",
        "deck.yaml:10:23: error: note type 'x', template 'T': '../outside.html' must be a relative path inside the cards folder, without '..' (e.g. note-types/back.html)",
    ),
    (
        "templates:\n      - name: T\n        front: {file: missing.html}\n        back: x\n",
        "deck.yaml:10:23: error: note type 'x', template 'T': file 'missing.html' does not exist in the cards folder; create it or fix the path",
    ),
    (
        "templates: []\n",
        "deck.yaml:8:16: error: note type 'x': 'templates' is empty; a note type needs at least one card template",
    ),
    (
        'templates:\n      - name: T\n        front: "{{Hanzi}}"\n        back: x\n    sort_field: English\n',
        "deck.yaml:12:17: error: note type 'x': 'sort_field' 'English' is not one of the fields",
    ),
    (
        'templates:\n      - name: T\n        front: "{{Hanzi}}"\n        back: x\n    markdown: [Pinyn]\n',
        "deck.yaml:12:16: error: note type 'x': 'markdown' names 'Pinyn', which is not one of the fields (did you mean 'Pinyin'?)",
    ),
    (
        'templates:\n      - name: T\n        front: "{{Hanzi}}"\n        back: x\n    kind: basic\n',
        "deck.yaml:12:11: error: note type 'x': 'kind' must be 'standard' or 'cloze', got 'basic'",
    ),
    (
        'templates:\n      - name: T\n        front: "{{Hanzi}}"\n        back: x\n    id: 12.5\n',
        "deck.yaml:12:9: error: note type 'x': 'id' must be a whole number (the note type's Anki id), got a number",
    ),
]


@pytest.mark.parametrize("rest, expected", NOTETYPE_ERRORS, ids=[e[1].split(": ", 3)[-1][:50] for e in NOTETYPE_ERRORS])
def test_note_type_errors_are_reported_at_their_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rest: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    deck = "key: d\nname: D\ndescription: d\nnote_types:\n  x:\n    name: X\n    fields: [Hanzi, Pinyin]\n    " + rest
    write_deck(
        tmp_path, deck=deck, topics={"t.yaml": "topic: t\ntitle: T\ncards:\n  - id: a\n    front: a\n    back: b\n"}
    )
    result = run("check", "cards")
    assert result.exit_code == 1
    assert f"cards/{expected}" in result.output.splitlines(), result.output


FIELD_NAME_ERRORS = [
    (
        "[A, a]",
        "deck.yaml:7:17: error: note type 'x': field 'a' is listed twice (Anki compares field names without case)",
    ),
    (
        "[A, 'b:c']",
        "deck.yaml:7:17: error: note type 'x': field name 'b:c' cannot contain ':', '{', '}' or '\"', nor start with '#', '/' or '^' (Anki's template syntax uses them)",
    ),
    (
        "[A, Tags]",
        "deck.yaml:7:17: error: note type 'x': 'Tags' is a name Anki fills in itself ({{Tags}}); call the field something else",
    ),
    ("[]", "deck.yaml:7:13: error: note type 'x': 'fields' is empty; a note type needs at least one field"),
]


@pytest.mark.parametrize("fields, expected", FIELD_NAME_ERRORS)
def test_field_name_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fields: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    deck = (
        "key: d\nname: D\ndescription: d\nnote_types:\n  x:\n    name: X\n    fields: "
        + fields
        + "\n    templates:\n      - {name: T, front: '{{A}}', back: x}\n"
    )
    write_deck(
        tmp_path, deck=deck, topics={"t.yaml": "topic: t\ntitle: T\ncards:\n  - id: a\n    front: a\n    back: b\n"}
    )
    result = run("check", "cards")
    assert result.exit_code == 1
    assert f"cards/{expected}" in result.output.splitlines(), result.output


CARD_ERRORS = [
    (
        "  - id: a\n    type: vocab\n    fields: {Hanzi: x, Pinyn: y}\n",
        "lesson-1.yaml:6:24: error: card 'a': unknown key 'Pinyn' (did you mean 'Pinyin'?)",
    ),
    (
        "  - id: a\n    type: vocb\n    fields: {Hanzi: x}\n",
        "lesson-1.yaml:5:11: error: card 'a': unknown note type 'vocb' (did you mean 'vocab'?); the deck's note types (note_types in deck.yaml): notes, vocab",
    ),
    (
        "  - id: a\n    type: vocab\n    fields: {Pinyin: x}\n",
        "lesson-1.yaml:6:13: error: card 'a': field 'Hanzi' is missing; it is the note type's first field, which Anki requires",
    ),
    (
        "  - id: a\n    type: vocab\n    fields: {Hanzi: '  ', Pinyin: x}\n",
        "lesson-1.yaml:6:21: error: card 'a': field 'Hanzi' is empty; it is the note type's first field, which Anki requires",
    ),
    (
        "  - id: a\n    type: vocab\n    fields: {Hanzi: [x]}\n",
        "lesson-1.yaml:6:21: error: card 'a': field 'Hanzi' must be text, got a list",
    ),
    (
        "  - id: a\n    type: vocab\n    front: x\n    fields: {Hanzi: x}\n",
        "lesson-1.yaml:6:5: error: card 'a': unknown key 'front'",
    ),
    (
        "  - id: a\n    type: vocab\n",
        "lesson-1.yaml:4:5: error: card 'a': missing required key 'fields' (a card of a deck note type needs 'type' and 'fields')",
    ),
    (
        "  - id: a\n    type: cloze\n    fields: {Text: x}\n",
        "lesson-1.yaml:5:11: error: card 'a': 'type: cloze' names a built-in card kind; write the card with cloze and no 'type'",
    ),
    (
        "  - id: a\n    type: notes\n    fields: {Text: no deletion here}\n",
        "lesson-1.yaml:6:20: error: card 'a': cloze card has no deletion; mark the answer as {{c1::answer}}",
    ),
    (
        "  - id: a\n    type: vocab\n    fields: {Hanzi: x}\n    guid: two words\n",
        "lesson-1.yaml:7:11: error: card 'a': 'guid' must be printable ASCII without spaces, at most 100 characters (an Anki note GUID)",
    ),
]


@pytest.mark.parametrize("card, expected", CARD_ERRORS, ids=[e[1].split(": ", 3)[-1][:50] for e in CARD_ERRORS])
def test_card_of_a_note_type_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, card: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    vocab_deck(tmp_path, topic="topic: lesson-1\ntitle: L\ncards:\n" + card)
    result = run("check", "cards")
    assert result.exit_code == 1
    assert f"cards/{expected}" in result.output.splitlines(), result.output


def test_a_note_that_makes_no_card_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    deck = DECK.replace('front: "{{Hanzi}}"', 'front: "{{#Audio}}{{Hanzi}}{{/Audio}}"')
    vocab_deck(
        tmp_path,
        deck=deck,
        topic="topic: lesson-1\ntitle: L\ncards:\n  - id: a\n    type: vocab\n    fields: {Hanzi: x}\n",
    )
    result = run("check", "cards")
    assert result.exit_code == 1
    assert (
        "cards/lesson-1.yaml:6:13: error: card 'a': makes no card: the front of every template of note type 'vocab' is "
        "empty with these fields; fill in a field that a front shows"
    ) in result.output.splitlines()


def test_media_used_only_by_templates_and_css_is_packaged(
    tmp_path: Path, anki: AnkiCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = dict(FILES)
    files["note-types/vocab.css"] = (
        '@font-face { font-family: Kai; src: url("_kai.woff2"); }\n.card { font-family: Kai; }\n'
    )
    files["note-types/recall-back.html"] = '{{FrontSide}}<hr id=answer><img src="_stroke-order.png">{{Hanzi}}\n'
    cards = vocab_deck(tmp_path, files=files)
    missing = run("check", "cards")
    assert missing.exit_code == 1
    assert (
        "cards/deck.yaml: error: note type 'vocab': media file 'media/_kai.woff2' does not exist in cards/media; add the "
        "file or fix the name"
    ) in missing.output.splitlines()
    (cards / "media" / "_kai.woff2").write_bytes(b"wOF2 fake font")
    (cards / "media" / "_stroke-order.png").write_bytes(b"\x89PNG fake")
    build(Path("cards"))
    checked = run("check", "cards", "--strict")
    assert checked.exit_code == 0, checked.output
    anki.import_package(tmp_path / "output" / "vocab-deck.apkg")
    media = Path(anki.col.media.dir())
    assert (media / "_kai.woff2").read_bytes() == b"wOF2 fake font"
    assert (media / "_stroke-order.png").exists()


def test_two_cards_with_one_guid_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    topic = TOPIC.replace("  - id: hao\n", "  - id: hao\n    guid: same\n").replace(
        "  - id: capital\n", "  - id: capital\n    guid: same\n"
    )
    vocab_deck(tmp_path, topic=topic)
    result = run("check", "cards")
    assert result.exit_code == 1
    assert (
        "cards/lesson-1.yaml:15:11: error: card 'capital': GUID 'same' is also the GUID of card 'hao'; a GUID is one "
        "note's identity"
    ) in result.output.splitlines()


def test_a_field_shown_through_a_decoding_filter_may_not_hold_escaped_markup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anki: AnkiCollection
) -> None:
    """'{{text:Field}}' strips tags and decodes entities: escaped text would become markup in Anki (measured below)."""
    monkeypatch.chdir(tmp_path)
    deck = DECK.replace('front: "{{Hanzi}}"', 'front: "{{text:Hanzi}}"')
    hostile = "  - id: a\n    type: vocab\n    fields: {Hanzi: '&lt;img src=x onerror=alert(1)&gt;', Pinyin: x}\n"
    vocab_deck(tmp_path, deck=deck, topic="topic: lesson-1\ntitle: L\ncards:\n" + hostile)
    result = run("check", "cards")
    assert result.exit_code == 1
    assert (
        "cards/lesson-1.yaml:6:21: error: card 'a': field 'Hanzi' is shown through '{{text:Hanzi}}', which turns "
        "escaped text such as '&lt;' back into markup in Anki (the sanitizer's work would be undone): remove the '<' or "
        "'>' from the field's text, or the filter from the template"
    ) in result.output.splitlines(), result.output
    # why: the real backend renders that field through {{text:}} as a live element
    model = anki.col.models.by_name("Basic")
    model["tmpls"][0]["qfmt"] = "{{text:Front}}"
    anki.col.models.update_dict(model)
    note = anki.col.new_note(model)
    note["Front"] = "&lt;img src=x onerror=alert(1)&gt;"
    anki.col.add_note(note, 1)
    assert "<img src=x onerror=alert(1)>" in note.cards()[0].question()
    # ordinary text through the filter is fine
    vocab_deck(
        tmp_path,
        deck=deck,
        topic="topic: lesson-1\ntitle: L\ncards:\n  - id: a\n    type: vocab\n"
        "    fields: {Hanzi: '<b>好</b> &amp; 你', Pinyin: x}\n",
    )
    assert run("build", "cards").exit_code == 0
