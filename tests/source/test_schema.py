"""The JSON Schema that editors use, generated from the loader's own key tables, held against the loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deckgen.source.schema import dumps
from tests.conftest import DECK_YAML, REPO, SECOND_TOPIC_YAML, TOPIC_YAML, run, write_deck
from tests.notetypes.test_notetypes import DECK as VOCAB_DECK
from tests.notetypes.test_notetypes import TOPIC as VOCAB_TOPIC


def validator(which: str) -> jsonschema.Draft7Validator:
    import json

    schema = json.loads(dumps(which))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(which: str, document: Any) -> list[str]:
    return [e.message for e in validator(which).iter_errors(document)]


def test_the_packaged_schema_files_are_the_generated_ones() -> None:
    for which in ("deck", "topic"):
        packaged = (REPO / "src" / "deckgen" / "schemas" / f"{which}.schema.json").read_text(encoding="utf-8")
        assert packaged == dumps(which), (
            f"regenerate src/deckgen/schemas/{which}.schema.json with 'deckgen schema {which}'"
        )


def test_deckgen_schema_prints_it() -> None:
    result = run("schema", "topic")
    assert result.exit_code == 0
    assert result.output == dumps("topic")


def test_the_shipped_deck_and_the_fixtures_are_valid() -> None:
    cards = REPO / "cards"
    assert errors("deck", yaml.safe_load((cards / "deck.yaml").read_text(encoding="utf-8"))) == []
    topics = sorted(p for p in cards.glob("*.yaml") if p.name != "deck.yaml")
    assert len(topics) >= 10
    for path in topics:
        assert errors("topic", yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
    for deck in (DECK_YAML, VOCAB_DECK, DECK_YAML + "order: [safety]\ntopic_tags: false\ncss: {file: x.css}\n"):
        assert errors("deck", yaml.safe_load(deck)) == []
    for topic in (TOPIC_YAML, SECOND_TOPIC_YAML, VOCAB_TOPIC):
        assert errors("topic", yaml.safe_load(topic)) == []


TOPIC_HEAD = "topic: t\ntitle: T\ncards:\n"
INVALID_TOPICS = [
    ("  - id: a\n    frnt: Q\n    back: A\n", "unknown key 'frnt'"),
    ("  - id: a\n    front: Q\n", "missing required key 'back'"),
    ("  - id: a\n    front: Q\n    back: A\n    cloze: '{{c1::x}}'\n", "has both 'front' and 'cloze'"),
    ("  - id: a\n    cloze: '{{c1::x}}'\n    reverse: true\n", "'reverse' only applies to front/back cards"),
    ("  - id: Not A Slug\n    front: Q\n    back: A\n", "'id' must be a slug"),
    ("  - id: a\n    front: '  '\n    back: A\n", "'front' is empty"),
    ("  - id: a\n    front: Q\n    back: A\n    tags: [two words]\n", "contains whitespace"),
    ("  - id: a\n    front: Q\n    back: A\n    reverse: yes please\n", "'reverse' must be true or false"),
    ("  - id: a\n    front: [Q]\n    back: A\n", "'front' must be text"),
    ("  - id: a\n    type: vocab\n", "missing required key 'fields'"),
    ("  - front: Q\n    back: A\n", "missing required key 'id'"),
]


@pytest.mark.parametrize("cards, loader_says", INVALID_TOPICS, ids=[e[1] for e in INVALID_TOPICS])
def test_what_the_loader_rejects_the_schema_rejects(tmp_path: Path, cards: str, loader_says: str) -> None:
    write_deck(tmp_path, topics={"t.yaml": TOPIC_HEAD + cards})
    result = run("check", tmp_path / "cards")
    assert result.exit_code == 1 and loader_says in result.output, result.output
    assert errors("topic", yaml.safe_load(TOPIC_HEAD + cards)) != []


INVALID_DECKS = [
    ("key: Bad Key\nname: N\ndescription: d\n", "'key' must be a slug"),
    ("key: k\nname: 'A::::B'\ndescription: d\n", "has an empty part"),
    ("key: k\nname: N\n", "missing required key 'description'"),
    ("key: k\nname: N\ndescription: d\nsource: {publisher: P}\n", "missing required key 'title'"),
    (
        "key: k\nname: N\ndescription: d\nnote_types:\n  x:\n    name: X\n    fields: []\n    templates: [{name: T, front: a, back: b}]\n",
        "'fields' is empty",
    ),
    (
        "key: k\nname: N\ndescription: d\nnote_types:\n  x:\n    name: X\n    kind: basic\n    fields: [A]\n"
        "    templates: [{name: T, front: '{{A}}', back: b}]\n",
        "'kind' must be 'standard' or 'cloze'",
    ),
    ("key: k\nname: N\ndescription: d\ntopic_tags: no thanks\n", "'topic_tags' must be true or false"),
]


@pytest.mark.parametrize("deck, loader_says", INVALID_DECKS, ids=[e[1] for e in INVALID_DECKS])
def test_what_the_loader_rejects_in_deck_yaml_the_schema_rejects(tmp_path: Path, deck: str, loader_says: str) -> None:
    write_deck(tmp_path, deck=deck, topics={"t.yaml": TOPIC_HEAD + "  - id: a\n    front: Q\n    back: A\n"})
    result = run("check", tmp_path / "cards")
    assert result.exit_code == 1 and loader_says in result.output, result.output
    assert errors("deck", yaml.safe_load(deck)) != []
