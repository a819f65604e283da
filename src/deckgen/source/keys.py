"""The keys of deck.yaml and topic files, in one place: the loader reads with these tables, and ``deckgen schema``
turns them into JSON Schema for editors. Add a key here, and both know it."""

from __future__ import annotations

from dataclasses import dataclass


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
}

TOPIC: Keys = {
    "topic": Key("slug", "The topic's slug; its cards get the tag <tag>::<topic>.", required=True),
    "title": Key("text", "The topic's title.", required=True),
    "deck": Key("deck-name", "A subdeck: the cards go to '<deck name>::<deck>'."),
    "cards": Key("cards", "The cards of the topic.", required=True),
}

_CARD_COMMON: Keys = {
    "id": Key("slug", "The card's permanent identity in the deck.", required=True),
    "guid": Key("guid", "The note's Anki GUID, kept from an existing deck (default: derived from key and id)."),
}
EDITOR_NOTE: Keys = {
    "text": Key(
        "text", "The editor's note (Markdown): outside knowledge, shown apart from the source's words.", required=True
    ),
    "ref": Key("slug", "The key of the reference it cites, from 'references' in deck.yaml.", required=True),
}
QA_CARD: Keys = {
    **_CARD_COMMON,
    "front": Key("text", "The question (Markdown).", required=True),
    "back": Key("text", "The answer (Markdown).", required=True),
    "reverse": Key("boolean", "Also make the back -> front card."),
    "extra": Key("text", "Shown on the back of every card (Markdown)."),
    "source": Key("text", "The excerpt of the source document the card rests on (quoted verbatim)."),
    "editor_note": Key("editor-note", "An editor's note, not from the source document, citing a deck reference."),
    "tags": Key("tags", "Extra tags."),
}
CLOZE_CARD: Keys = {
    **_CARD_COMMON,
    "cloze": Key("text", "Cloze text, Anki syntax {{c1::answer}} or {{c1::answer::hint}} (Markdown).", required=True),
    "extra": QA_CARD["extra"],
    "source": QA_CARD["source"],
    "editor_note": QA_CARD["editor_note"],
    "tags": QA_CARD["tags"],
}
TYPED_CARD: Keys = {
    **_CARD_COMMON,
    "type": Key("slug", "The slug of one of the deck's note types.", required=True),
    "fields": Key("field-values", "The note's fields by name.", required=True),
    "tags": QA_CARD["tags"],
}
CARD_KEYS = tuple(dict.fromkeys([*QA_CARD, *CLOZE_CARD, *TYPED_CARD]))
"""Every key a card may have (which ones go together is the loader's business)."""


def names(keys: Keys) -> tuple[str, ...]:
    return tuple(keys)


def required(keys: Keys) -> tuple[str, ...]:
    return tuple(name for name, key in keys.items() if key.required)
