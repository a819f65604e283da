"""One card of a topic file: a built-in question/answer or cloze card, or a note of one of the deck's own note types."""

from __future__ import annotations

import re

import yaml

from deckgen.identity.ids import GUID_RULE, valid_guid
from deckgen.model import CLOZE, QA, Card
from deckgen.source import keys as spec
from deckgen.source.defects import keepable
from deckgen.source.layout import SLUG, SLUG_HINT, name_problem
from deckgen.source.yamlfile import FLOAT, INT, NULL, STR, TIMESTAMP, NodeReader, did_you_mean

CARD_KEYS = spec.CARD_KEYS
TYPED_CARD_KEYS = spec.names(spec.TYPED_CARD)
_SPACE = re.compile(r"\s")
_TAG_MARKUP = "tags may not hold < > \" ' & (Anki shows {{Tags}} as HTML, so they could add markup to a card)"

FieldsByType = dict[str, tuple[str, ...]]
"""The deck's own note types' fields by slug, which cards are checked against (None: the manifest is unusable)."""


def read_card(r: NodeReader, node: yaml.Node, index: int, topic: str, types: FieldsByType | None) -> Card | None:
    before = len(r.problems)
    context = f"card #{index}"
    id_node = None
    typed = False
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode) and id_node is None:
                id_node = value_node
                if value_node.value:
                    context = f"card '{value_node.value}'"
            typed = typed or key_node.value in ("type", "fields")
    fields = r.mapping(node, context, TYPED_CARD_KEYS if typed else CARD_KEYS, required=("id",))
    if fields is None:
        return None
    card_id = r.text(fields["id"][1], context, "id") if "id" in fields else None
    if card_id is not None and not SLUG.match(card_id):
        r.error(fields["id"][1], f"'id' must be a slug, got '{card_id}'; {SLUG_HINT}", context)
    guid = _guid(r, fields["guid"][1], context) if "guid" in fields else ""
    tags = _tags(r, fields["tags"][1], context) if "tags" in fields else []
    loc = r.loc(node)
    spots = tuple((key, value.start_mark.line + 1, value.start_mark.column + 1) for key, (_, value) in fields.items())
    if typed:
        kind, values = _typed(r, node, fields, context, types)
        if any(p.is_error and not keepable(p) for p in r.problems[before:]) or card_id is None or kind is None:
            return None  # an empty first field alone leaves the card: an imported card may keep it (lock/kept.py)
        field_spots = tuple(
            (f"fields.{name}", value.start_mark.line + 1, value.start_mark.column + 1)
            for key, value in fields["fields"][1].value
            if isinstance(key, yaml.ScalarNode)
            for name in (key.value,)
        )
        return Card(
            id=card_id,
            kind=kind,
            topic=topic,
            location=loc,
            tags=tuple(tags),
            spots=spots + field_spots,
            fields=values,
            guid=guid,
        )
    text: dict[str, str | None] = {}
    for key in spec.TEXT_KEYS:
        if key in fields:
            text[key] = r.text(fields[key][1], context, key)
            r.comment_after(fields[key][1], context, key)
    reverse = bool(r.boolean(fields["reverse"][1], context, "reverse")) if "reverse" in fields else False
    editor_note, editor_ref = "", ""
    note_spots: tuple[tuple[str, int, int], ...] = ()
    if "editor_note" in fields:
        editor_note, editor_ref, note_spots = _read_editor_note(r, fields["editor_note"][1], context)
    has = set(fields)
    if "cloze" in has and has & {"front", "back"}:
        both = "front" if "front" in has else "back"
        r.error(node, f"has both '{both}' and 'cloze'; a card is either question/answer (front/back) or cloze", context)
    elif "cloze" in has:
        if "reverse" in has:
            r.error(fields["reverse"][0], "'reverse' only applies to front/back cards, not cloze", context)
    elif has & {"front", "back"}:
        for key in ("front", "back"):
            if key not in has:
                r.error(node, f"missing required key '{key}' (a question/answer card needs front and back)", context)
    else:
        r.error(
            node,
            "needs either 'front' and 'back' (question/answer), 'cloze', or 'type' and 'fields' "
            "(a note type of the deck)",
            context,
        )
    if r.errors_since(before) or card_id is None:
        return None
    texts = {key: value or "" for key, value in text.items()}  # the text keys of the card's form only
    return Card(
        id=card_id,
        kind=CLOZE if "cloze" in has else QA,
        topic=topic,
        location=loc,
        tags=tuple(tags),
        spots=spots + note_spots,
        guid=guid,
        editor_note=editor_note,
        editor_ref=editor_ref,
        reverse=reverse,
        **texts,  # type: ignore[arg-type]  # only str fields: spec.TEXT_KEYS
    )


def _read_editor_note(
    r: NodeReader, node: yaml.Node, context: str
) -> tuple[str, str, tuple[tuple[str, int, int], ...]]:
    """``editor_note: {text: Markdown, ref: reference key}`` -> (text, ref, spots of 'editor_note.text/.ref').
    Whether the reference exists is decided when the card is compiled (the deck's list is needed)."""
    where = f"{context}: editor_note"
    fields = r.mapping(node, where, spec.names(spec.EDITOR_NOTE), required=spec.required(spec.EDITOR_NOTE))
    if fields is None:
        return "", "", ()
    text = r.text(fields["text"][1], where, "text") if "text" in fields else None
    if "text" in fields:
        r.comment_after(fields["text"][1], where, "text")
    ref = r.text(fields["ref"][1], where, "ref") if "ref" in fields else None
    if ref is not None and not SLUG.match(ref):
        r.error(
            fields["ref"][1],
            f"'ref' must be a reference key (a slug) from 'references' in deck.yaml, got '{ref}'",
            where,
        )
    spots = tuple(
        (f"editor_note.{key}", value.start_mark.line + 1, value.start_mark.column + 1)
        for key, (_, value) in fields.items()
    )
    return text or "", (ref or "").strip(), spots


def _typed(
    r: NodeReader,
    node: yaml.Node,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    context: str,
    types: FieldsByType | None,
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The note type slug and the field values, in the note type's order."""
    for key in ("type", "fields"):
        if key not in fields:
            r.error(
                node, f"missing required key '{key}' (a card of a deck note type needs 'type' and 'fields')", context
            )
    if "type" not in fields or "fields" not in fields:
        return None, ()
    type_node = fields["type"][1]
    slug = r.text(type_node, context, "type")
    if slug is None:
        return None, ()
    if slug in (QA, CLOZE):
        r.error(
            type_node,
            f"'type: {slug}' names a built-in card kind; write the card with "
            f"{'front/back' if slug == QA else 'cloze'} and no 'type'",
            context,
        )
        return None, ()
    if types is None:  # the manifest has problems of its own (reported there): the fields cannot be checked
        return None, ()
    if slug not in types:
        known = ", ".join(sorted(types)) or "none"
        r.error(
            type_node,
            f"unknown note type '{slug}'{did_you_mean(slug, tuple(types))}; the deck's note types "
            f"(note_types in deck.yaml): {known}",
            context,
        )
        return None, ()
    names = types[slug]
    given = r.mapping(fields["fields"][1], context, names)
    if given is None:
        return None, ()
    values: list[tuple[str, str]] = []
    for name in names:
        if name not in given:
            continue
        value_node = given[name][1]
        value = _field_text(r, value_node, context, name)
        r.comment_after(value_node, context, f"fields.{name}")
        if value is not None:
            values.append((name, value))
    first = names[0]
    got = dict(values)
    if first not in given:
        r.error(
            fields["fields"][1],
            f"field '{first}' is missing; it is the note type's first field, which Anki requires",
            context,
        )
    elif first in got and not got[first].strip():
        r.error(
            given[first][1],
            f"field '{first}' is empty; it is the note type's first field, which Anki requires",
            context,
        )
    return slug, tuple(values)


def _field_text(r: NodeReader, node: yaml.Node, context: str, name: str) -> str | None:
    """A field's text: any scalar as written (numbers too); empty or null is an empty field."""
    if not r.plain(node, context):
        return None
    if isinstance(node, yaml.ScalarNode) and node.tag in (STR, INT, FLOAT, TIMESTAMP):
        value: str = node.value
        return value
    if isinstance(node, yaml.ScalarNode) and node.tag == NULL:
        return ""
    r.error(node, f"field '{name}' must be text, got {r.kind(node)}", context)
    return None


def _guid(r: NodeReader, node: yaml.Node, context: str) -> str:
    value = r.text(node, context, "guid", any_scalar=True)
    if value is None:
        return ""
    if not valid_guid(value):
        r.error(node, f"'guid' must be {GUID_RULE} (an Anki note GUID)", context)
        return ""
    return value


def _tags(r: NodeReader, node: yaml.Node, context: str) -> list[str]:
    tags: dict[str, None] = {}  # a dict: ordered, and a repeated tag is found at once (100,000 tags took minutes)
    for tag, tag_node in r.text_list(node, context, "tags") or ():
        if _SPACE.search(tag):
            r.error(
                tag_node,
                f"tag '{tag}' contains whitespace; use '-' or '_' instead (Anki splits tags on spaces)",
                context,
            )
        elif found := name_problem(tag, "{{Tags}}", _TAG_MARKUP, tag=True):
            r.error(tag_node, f"tag '{tag}' contains '{found[0]}'; {found[1]}", context)
        elif tag in tags:
            r.error(tag_node, f"tag '{tag}' is listed twice", context)
        else:
            tags[tag] = None
    return list(tags)
