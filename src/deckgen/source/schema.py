"""JSON Schema for deck.yaml and topic files, generated from the loader's own key tables (:mod:`deckgen.source.keys`).

Editors use it to complete and check card files as they are typed (``# yaml-language-server: $schema=...``). It
expresses what a schema can: keys, types, slugs, which keys go together. What needs the whole deck (unique ids,
a note type's field names, template syntax, sources) stays ``deckgen check``'s job.
"""

from __future__ import annotations

import json
from typing import Any

from deckgen.source import keys as spec
from deckgen.source.layout import LANG, SLUG

DIALECT = "http://json-schema.org/draft-07/schema#"  # draft 7: what yaml-language-server (VS Code, ...) reads
_TEXT = {"type": "string", "pattern": r"\S"}
_SLUG = {"type": "string", "pattern": SLUG.pattern}
_SCALAR = {"type": ["string", "number"]}

_TYPES: dict[str, dict[str, Any]] = {
    "text": _TEXT,
    "scalar": _SCALAR,
    "slug": _SLUG,
    "boolean": {"type": "boolean"},
    "specifier": {
        "type": "string",
        "pattern": r"^\s*(?:(?:===|==|!=|~=|<=|>=|<|>)\s*[0-9A-Za-z.*+!_-]+\s*(?:,\s*|$))+$",
    },
    "deck-name": {"type": "string", "pattern": r"^(?!\s*::)(?!.*::\s*$)(?!.*::\s*::).*\S"},
    "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    "kind": {"enum": ["standard", "cloze"]},
    "note-type-ids": {"enum": ["deck", "shared"]},
    "lang": {"type": "string", "pattern": LANG.pattern},
    "guid": {"type": ["string", "number"], "pattern": r"^[!-~]{1,100}$"},
    "texts": {"type": "array", "items": _SCALAR},
    "slugs": {"type": "array", "items": _SLUG},
    "tags": {"type": "array", "items": {"type": ["string", "number"], "pattern": r"^\S+$"}, "uniqueItems": True},
    "field-names": {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "pattern": r'^(?![#/^])[^:{}"]*\S[^:{}"]*$'},
    },
    "field-values": {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}},
    "text-or-file": {
        "oneOf": [
            _TEXT,
            {"type": "object", "properties": {"file": _TEXT}, "required": ["file"], "additionalProperties": False},
        ]
    },
    "citation": {"$ref": "#/definitions/citation"},
    "references": {"type": "object", "propertyNames": _SLUG, "additionalProperties": _TEXT},
    "editor-note": {"$ref": "#/definitions/editor_note"},
    "note-types": {
        "type": "object",
        "propertyNames": _SLUG,
        "additionalProperties": {"$ref": "#/definitions/note_type"},
    },
    "templates": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/template"}},
    "cards": {"type": "array", "items": {"$ref": "#/definitions/card"}},
}


def _object(keys: spec.Keys, title: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if title:
        out["title"] = title
    out["properties"] = {name: {**_TYPES[key.type], "description": key.doc} for name, key in keys.items()}
    out["required"] = list(spec.required(keys))
    out["additionalProperties"] = False
    return out


def deck_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "title": "deckgen deck manifest (deck.yaml)",
        **{k: v for k, v in _object(spec.DECK).items()},
        "definitions": {
            "citation": _object(spec.CITATION),
            "note_type": _object(spec.NOTETYPE),
            "template": _object(spec.TEMPLATE),
        },
    }


def topic_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "title": "deckgen topic file",
        **_object(spec.TOPIC),
        "definitions": {
            "editor_note": _object(spec.EDITOR_NOTE),
            "card": {
                "oneOf": [
                    _object(spec.QA_CARD, "question/answer card"),
                    _object(spec.CLOZE_CARD, "cloze card"),
                    _object(spec.TYPED_CARD, "card of one of the deck's note types"),
                ]
            },
        },
    }


SCHEMAS = {"deck": deck_schema, "topic": topic_schema}


def dumps(which: str) -> str:
    return json.dumps(SCHEMAS[which](), indent=2, ensure_ascii=False) + "\n"
