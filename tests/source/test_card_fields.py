"""The card-field table (:data:`deckgen.source.keys.CARD_FIELDS`) is the one list of a card's fields: it is held
equal to the model, and a card with every field set goes through every path (loader, JSON Schema, cache, warm
build, diff's Markdown and JSON) and comes out whole. The cards are made from the table, so a new field is covered
without a change here (a new kind of YAML value needs a sample in ``SAMPLES``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import yaml

from deckgen.compile.cache import decode, encode, widths
from deckgen.compile.note import CompileContext
from deckgen.compile.pipeline import load_and_compile
from deckgen.diff.compare import card_changes
from deckgen.diff.jsondoc import card_json
from deckgen.diff.report import card_fields
from deckgen.errors import Location
from deckgen.model import Card, NoteType, Topic
from deckgen.source.keys import CARD_FIELDS, Form
from deckgen.source.schema import topic_schema
from tests.notetypes.test_notetypes import DECK as VOCAB_DECK
from tests.notetypes.test_notetypes import vocab_deck
from tests.source.test_schema import errors

ANNOTATIONS = {
    "str": "str",
    "bool": "bool",
    "strs": "tuple[str, ...]",
    "location": "Location",
    "spots": "tuple[tuple[str, int, int], ...]",
    "pairs": "tuple[tuple[str, str], ...]",
}
FORMS: tuple[Form, ...] = ("qa", "cloze", "typed")


def test_the_table_is_the_model() -> None:
    model = {field.name: field for field in dataclasses.fields(Card)}
    assert sorted(model) == sorted(row.name for row in CARD_FIELDS), "a Card field is missing from CARD_FIELDS"
    for row in CARD_FIELDS:
        field = model[row.name]
        assert field.type == ANNOTATIONS[row.shape], row.name
        assert field.default is dataclasses.MISSING or field.default == row.default, row.name


# A YAML value for each type of card key; the cloze text and the note type are the only values that must say more.
SAMPLES: dict[str, Any] = {
    "slug": "a-slug",
    "guid": "Gx|{form}!",
    "text": "Some *text* of {key}.",
    "boolean": True,
    "tags": ["tag-one", "tag-two"],
    "editor-note": {"text": "The editor's *own* words.", "ref": "a-reference"},
    "field-values": {"Hanzi": "好", "Pinyin": "hǎo", "English": "good", "Audio": ""},
}
OVERRIDES: dict[str, Any] = {"cloze": "Blinatumomab binds {{c1::CD19}}.", "type": "vocab"}


def yaml_card(form: Form) -> dict[str, Any]:
    """A card of ``form`` with every key the table allows it."""
    out: dict[str, Any] = {}
    for row in CARD_FIELDS:
        if row.key is not None and form in row.forms:
            name = row.yaml or row.name
            value = SAMPLES[row.key.type]
            value = value.format(key=name, form=form) if isinstance(value, str) else value
            out[name] = OVERRIDES.get(name, value)
    out["id"] = f"every-key-{form}"
    return out


def is_set(card: Card, name: str) -> bool:
    row = next(row for row in CARD_FIELDS if row.name == name)
    value = getattr(card, name)
    return value != row.default and (row.shape != "location" or value.line > 0)


def test_a_card_of_each_form_with_every_key_loads_builds_warm_and_validates(tmp_path: Path) -> None:
    cards = {form: yaml_card(form) for form in FORMS}
    topic = {"topic": "lesson-1", "title": "Every key", "cards": list(cards.values())}
    deck = VOCAB_DECK + "references:\n  a-reference: A. Author, A reference (2024).\n"
    text = yaml.safe_dump(json.loads(json.dumps(topic)), allow_unicode=True, sort_keys=False)  # no aliases
    root = vocab_deck(tmp_path, deck=deck, topic=text)
    assert errors("topic", topic) == []  # the JSON Schema takes every key

    cache = tmp_path / "cache"
    cold = load_and_compile(root, cache_dir=cache, jobs=1)
    assert cold.deck is not None and not [p for p in cold.problems if p.is_error], cold.problems
    loaded = {card.id: card for card in cold.deck.cards}
    for form, written in cards.items():
        card = loaded[written["id"]]
        for row in CARD_FIELDS:
            if row.key is not None and form in row.forms or row.key is None:
                if row.name == "editor_ref" and "editor_note" not in written:
                    continue  # set by the editor note's 'ref'
                assert is_set(card, row.name), f"{row.name} of the {form} card was not loaded"
    assert {row.name for row in CARD_FIELDS} == {
        row.name for card in loaded.values() for row in CARD_FIELDS if is_set(card, row.name)
    }

    entries = list(cache.rglob("*.json"))
    assert entries, "nothing was cached"
    for entry in entries:  # what the warm build reads
        payload = json.loads(entry.read_text(encoding="utf-8"))
        if payload["topic"] and payload["topic"][0] == "lesson-1":
            ctx = CompileContext("vocab-deck", "", "", notetypes=cold.deck.notetypes)
            found = decode(payload, root / "lesson-1.yaml", widths(ctx))[0]
            assert found is not None and found.cards == tuple(loaded.values())
            break
    else:
        raise AssertionError("no cache entry of the topic")
    warm = load_and_compile(root, cache_dir=cache, jobs=1)
    assert warm == cold

    schema = topic_schema()["definitions"]["card"]["oneOf"]
    for variant, form in zip(schema, FORMS, strict=True):
        assert list(variant["properties"]) == list(cards[form]), form


def full_card(other: bool = False) -> Card:
    """A card with every field of the table set to a value that is not its default (``other``: other values)."""
    suffix = "-old" if other else ""
    values: dict[str, Any] = {
        "str": lambda name: f"{name} value{suffix}",
        "bool": lambda name: not other,
        "strs": lambda name: (f"{name}-1{suffix}", f"{name}-2"),
        "location": lambda name: Location("cards/every.yaml" if other else "cards/field.yaml", 3, 5),
        "spots": lambda name: (("front", 4, 6 + other),),
        "pairs": lambda name: (("Hanzi", f"好{suffix}"), ("English", "good")),
    }
    card = Card(**{row.name: values[row.shape](row.name) for row in CARD_FIELDS})
    for row in CARD_FIELDS:
        assert other or getattr(card, row.name) != row.default, row.name
    return card


def test_a_card_with_every_field_set_goes_through_the_cache_and_the_diff() -> None:
    card, before = full_card(), full_card(other=True)
    vocab = NoteType("kind value", 1, "Every field", ("Hanzi", "English"), (("Card 1", "{{Hanzi}}", "x"),), False)
    ctx = CompileContext("fixture-deck", "fx", "", notetypes=(vocab,))
    topic = Topic("every", "Every field", Path("cards/every.yaml"), Location("cards/every.yaml"), (card,))
    payload = json.loads(json.dumps(encode((topic, [], []))))
    assert decode(payload, Path("cards/every.yaml"), widths(ctx)) == (topic, [], [])

    changed = [change.field for change in card_changes(before, card)]
    compared = [row.name for row in CARD_FIELDS if row.compare]
    assert changed == [
        *(name for name in compared if name != "fields"),
        "fields.Hanzi",
    ]  # every compared field, in the table's order; a note type's fields one by one

    shown = json.loads(json.dumps(card_json(card)))
    for row in CARD_FIELDS:
        if row.json:
            expected = getattr(card, row.name)
            expected = dict(expected) if row.shape == "pairs" else expected
            assert shown.pop(row.name) == (list(expected) if isinstance(expected, tuple) else expected), row.name
    assert shown == {}

    rows = dict(card_fields(card))
    for name in compared:
        if name not in ("kind", "topic"):  # said in the card's heading
            assert any(key == name or key.startswith(f"{name}.") for key in rows), name
    from deckgen.diff.text import card_rows  # deckgen diff --format text: the same rows, as plain text

    plain_rows = dict(card_rows(card))
    assert list(plain_rows) == list(rows)
