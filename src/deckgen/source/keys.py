"""The keys of deck.yaml and topic files, in one place: the loader reads with these tables, and ``deckgen schema``
turns them into JSON Schema for editors. Add a key here, and both know it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Key:
    type: str  # see ``deckgen.source.schema`` for what each type means in JSON Schema
    doc: str
    required: bool = False


Keys = dict[str, Key]

CITATION: Keys = {
    "title": Key("text", "Title of the source document.", required=True),
    "publisher": Key("scalar", "Publisher."),
    "authors": Key("scalar", "Authors."),
    "date": Key("scalar", "Date of publication."),
    "url": Key("scalar", "Where the document is published."),
    "language": Key("scalar", "The document's language."),
    "note": Key("scalar", "Anything else a learner should know about the source."),
}

TEMPLATE: Keys = {
    "name": Key(
        "text",
        "The card template's name (part of the note type's schema: never rename it once shipped).",
        required=True,
    ),
    "front": Key(
        "text-or-file",
        "The front template, in Anki's template syntax, inline or {file: path inside cards/}.",
        required=True,
    ),
    "back": Key("text-or-file", "The back template, inline or {file: path inside cards/}.", required=True),
}

NOTETYPE: Keys = {
    "name": Key("text", "The note type's name in Anki.", required=True),
    "kind": Key("kind", "standard (a card per template) or cloze (a card per cloze number)."),
    "id": Key(
        "id", "The note type's Anki id (for note types learners already have); default: derived from key and slug."
    ),
    "fields": Key(
        "field-names", "Field names in Anki's order; the first is required (fixed once shipped).", required=True
    ),
    "sort_field": Key("text", "The field Anki's browser sorts by (default: the first)."),
    "markdown": Key("texts", "Fields written in Markdown; the others are HTML."),
    "templates": Key("templates", "Card templates (fixed names once shipped; cloze: exactly one).", required=True),
    "css": Key("text-or-file", "The note type's CSS, inline or {file: path inside cards/} (default: deckgen's)."),
}

DECK: Keys = {
    "key": Key(
        "slug", "The deck's permanent identity: every note's GUID derives from it. Never change it.", required=True
    ),
    "requires": Key(
        "specifier", "The deckgen versions that build this deck, e.g. '>=0.2,<1' (PEP 440); any other refuses to."
    ),
    "name": Key("deck-name", "The Anki deck name; '::' makes subdecks.", required=True),
    "tag": Key("slug", "Prefix of every topic tag (default: the key)."),
    "description": Key("text", "Markdown, shown on the deck's overview screen in Anki.", required=True),
    "source": Key("citation", "The source document the cards are built from."),
    "topic_tags": Key("boolean", "Give every card the tag <tag>::<topic> (default: true)."),
    "css": Key("text-or-file", "CSS appended to deckgen's built-in note types."),
    "order": Key("slugs", "Topic slugs in the order new cards reach learners; the others follow by file name."),
    "references": Key("references", "Full references that editor's notes cite, by key (a slug)."),
    "note_types": Key("note-types", "The deck's own note types, by slug."),
    "note_type_ids": Key(
        "note-type-ids",
        "Built-in note types: 'deck' (the deck's own, ids from its key) or 'shared' (the ids every deckgen deck "
        "shared up to deckgen 0.2). Default: 'shared' when the lock records the shared ids, else 'deck'.",
    ),
    "lang": Key("lang", "The deck's language (BCP 47, e.g. 'ja', 'zh', 'ko'): the CJK font order of its note types."),
    "released": Key(
        "boolean",
        "false: a draft nobody studies yet; its note types' fields and templates may still change (default: true).",
    ),
}

TOPIC: Keys = {
    "topic": Key("slug", "The topic's slug; its cards get the tag <tag>::<topic>.", required=True),
    "title": Key("text", "The topic's title.", required=True),
    "deck": Key("deck-name", "A subdeck: the cards go to '<deck name>::<deck>'."),
    "cards": Key("cards", "The cards of the topic.", required=True),
}

EDITOR_NOTE: Keys = {
    "text": Key(
        "text", "The editor's note (Markdown): outside knowledge, shown apart from the source's words.", required=True
    ),
    "ref": Key("slug", "The key of the reference it cites, from 'references' in deck.yaml.", required=True),
}

Shape = Literal["str", "bool", "strs", "location", "spots", "pairs"]
"""A card field's Python value: ``str``, ``bool``, ``tuple[str, ...]`` ("strs"), a ``Location``, ``spots`` (tuple of
(key, line, col)) or ``pairs`` (tuple of (name, text))."""
Form = Literal["qa", "cloze", "typed"]
"""The three ways to write a card: question/answer, cloze, or a note of one of the deck's own note types."""


@dataclass(frozen=True)
class CardField:
    """One field of :class:`deckgen.model.Card` and what deckgen does with it (see :data:`CARD_FIELDS`)."""

    name: str  # the attribute of ``Card``
    shape: Shape
    key: Key | None = None  # the YAML key that sets it (None: the loader sets it from elsewhere)
    yaml: str = ""  # the YAML key's name, when it is not ``name``
    forms: tuple[Form, ...] = ()  # the card forms whose YAML may hold the key
    compare: Literal["text", "value", ""] = ""  # how ``deckgen diff`` compares it: text (stripped, as a word
    #   diff), value, or not at all
    json: Literal["value", "or-null", "if-set", ""] = ""  # in ``deckgen diff --format json``'s cards: always, as
    #   null when empty, only when not empty, or never

    @property
    def default(self) -> object:
        """The value of a card that does not set the field (the model's default)."""
        return {"str": "", "bool": False}.get(self.shape, ())


_ALL: tuple[Form, ...] = ("qa", "cloze", "typed")
_BUILTIN: tuple[Form, ...] = ("qa", "cloze")
_TAGS = Key("tags", "Extra tags.")

CARD_FIELDS: tuple[CardField, ...] = (
    CardField(
        "id", "str", Key("slug", "The card's permanent identity in the deck.", required=True), forms=_ALL, json="value"
    ),
    CardField(
        "guid",
        "str",
        Key("guid", "The note's Anki GUID, kept from an existing deck (default: derived from key and id)."),
        forms=_ALL,
        compare="value",
        json="or-null",
    ),
    CardField(
        "kind",
        "str",
        Key("slug", "The slug of one of the deck's note types.", required=True),
        yaml="type",
        forms=("typed",),
        compare="value",
        json="value",
    ),
    CardField("topic", "str", compare="value", json="value"),
    CardField("location", "location"),
    CardField(
        "front",
        "str",
        Key("text", "The question (Markdown).", required=True),
        forms=("qa",),
        compare="text",
        json="value",
    ),
    CardField(
        "back", "str", Key("text", "The answer (Markdown).", required=True), forms=("qa",), compare="text", json="value"
    ),
    CardField(
        "reverse",
        "bool",
        Key("boolean", "Also make the back -> front card."),
        forms=("qa",),
        compare="value",
        json="value",
    ),
    CardField(
        "cloze",
        "str",
        Key("text", "Cloze text, Anki syntax {{c1::answer}} or {{c1::answer::hint}} (Markdown).", required=True),
        forms=("cloze",),
        compare="text",
        json="value",
    ),
    CardField(
        "fields",
        "pairs",
        Key("field-values", "The note's fields by name.", required=True),
        forms=("typed",),
        compare="text",
        json="value",
    ),  # diff compares each field on its own ('fields.<name>')
    CardField(
        "extra",
        "str",
        Key("text", "Shown on the back of every card (Markdown)."),
        forms=_BUILTIN,
        compare="text",
        json="value",
    ),
    CardField(
        "source",
        "str",
        Key("text", "The excerpt of the source document the card rests on (quoted verbatim)."),
        forms=_BUILTIN,
        compare="text",
        json="value",
    ),
    CardField(
        "editor_note",
        "str",
        Key("editor-note", "An editor's note, not from the source document, citing a deck reference."),
        forms=_BUILTIN,
        compare="text",
        json="if-set",
    ),
    CardField("editor_ref", "str", compare="value", json="if-set"),  # set by the 'ref' of 'editor_note'
    CardField("tags", "strs", _TAGS, forms=_ALL, compare="value", json="value"),
    CardField("spots", "spots"),
)
"""Every field of a card, in one table: the loader's card keys and the JSON Schema (:data:`QA_CARD`, ...), what
``deckgen diff`` compares and in which order, its JSON output and the build cache all derive from it. A new card
field is a row here, a field of :class:`deckgen.model.Card` (a test holds the two equal) and, if learners see it,
its place in the renderer. Never add a field of the built-in note types for it: their fields are fixed forever
(see :mod:`deckgen.notetypes.builtin`).

Rows are in the order of the YAML keys (the schema lists them so) and of ``deckgen diff``'s report; the JSON
output lists a card's fields in the model's order."""

CARD_FIELD = {row.name: row for row in CARD_FIELDS}


def _card_keys(form: Form) -> Keys:
    return {row.yaml or row.name: row.key for row in CARD_FIELDS if row.key is not None and form in row.forms}


QA_CARD: Keys = _card_keys("qa")
CLOZE_CARD: Keys = _card_keys("cloze")
TYPED_CARD: Keys = _card_keys("typed")
CARD_KEYS = tuple(dict.fromkeys([*QA_CARD, *CLOZE_CARD, *TYPED_CARD]))
"""Every key a card may have (which ones go together is the loader's business)."""
TEXT_KEYS = tuple(
    row.name
    for row in CARD_FIELDS
    if row.key is not None and row.key.type == "text" and row.shape == "str" and set(row.forms) & {"qa", "cloze"}
)
"""The keys of built-in cards whose value is text, read as it is written (front, back, cloze, ...)."""


def names(keys: Keys) -> tuple[str, ...]:
    return tuple(keys)


def required(keys: Keys) -> tuple[str, ...]:
    return tuple(name for name, key in keys.items() if key.required)
