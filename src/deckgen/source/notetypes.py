"""A deck's own note types (``note_types:`` in deck.yaml): read, checked, frozen into :class:`~deckgen.model.NoteType`.

Every template is parsed as Anki parses it (:mod:`deckgen.notetypes.language`), so an unbalanced section, a field that does not
exist or a cloze note type without ``{{cloze:...}}`` is reported at its place in deck.yaml or in the template file,
instead of as an error card in every learner's Anki.
"""

from __future__ import annotations

from dataclasses import replace

import yaml

from deckgen.errors import WARNING, Problem
from deckgen.identity.ids import derived_id
from deckgen.model import BUILTIN_KINDS, NoteType
from deckgen.notetypes import language as templates
from deckgen.notetypes.builtin import CSS, builtin_notetypes
from deckgen.screen import check as screen
from deckgen.source import keys as spec
from deckgen.source.includes import Reader, Text, text_or_file
from deckgen.source.layout import SLUG, SLUG_HINT, name_problem
from deckgen.source.yamlfile import INT, NodeReader, did_you_mean

NOTETYPE_KEYS = spec.names(spec.NOTETYPE)
TEMPLATE_KEYS = spec.names(spec.TEMPLATE)
KINDS = ("standard", "cloze")
_FIELD_FORBIDDEN = set(':{}"')
MAX_ID = 2**63 - 1
_TYPE_MARKUP = "and a template shows it with {{Type}}, which Anki inserts as HTML; remove the character or the {{Type}}"
_CARD_MARKUP = "and a template shows it with {{Card}}, which Anki inserts as HTML; remove the character or the {{Card}}"
MAX_TEMPLATE_PROBLEMS = 20  # per template side: the first ones show the fix; thousands would bury it


def read_notetypes(r: NodeReader, node: yaml.Node, read: Reader, deck_key: str, deck_css: str) -> list[NoteType] | None:
    """The note types of ``note_types:``; None when any of them has a problem (recorded in ``r``)."""
    if not isinstance(node, yaml.MappingNode):
        r.error(node, f"'note_types' must be a mapping of slug: note type, got {r.kind(node)}", "deck")
        return None
    before = len(r.problems)
    out: list[NoteType] = []
    names: dict[str, str] = {nt.name.casefold(): nt.key for nt in builtin_notetypes()}
    ids: dict[int, str] = {}
    seen: set[str] = set()
    for key_node, value_node in node.value:
        slug = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
        context = f"note type '{slug}'"
        if not SLUG.match(slug):
            r.error(key_node, f"note type slug '{slug}' is not a slug; {SLUG_HINT}", "deck")
            continue
        if slug in BUILTIN_KINDS:
            r.error(key_node, f"'{slug}' is the slug of a built-in note type; give yours another slug", "deck")
            continue
        if slug in seen:
            r.error(key_node, f"duplicate note type '{slug}'; keep only one", "deck")
            continue
        seen.add(slug)
        nt = _read_one(r, value_node, read, deck_key, deck_css, slug, context)
        if nt is None:
            continue
        for other, what in ((names.get(nt.name.casefold()), "name"), (ids.get(nt.id), "id")):
            if other is not None:
                r.error(
                    value_node,
                    f"note types '{other}' and '{slug}' have the same {what}; Anki needs them distinct",
                    context,
                )
        names[nt.name.casefold()] = slug
        ids[nt.id] = slug
        out.append(nt)
    return None if r.errors_since(before) else out


def _read_one(
    r: NodeReader, node: yaml.Node, read: Reader, deck_key: str, deck_css: str, slug: str, context: str
) -> NoteType | None:
    before = len(r.problems)
    m = r.mapping(node, context, NOTETYPE_KEYS, required=spec.required(spec.NOTETYPE))
    if m is None:
        return None
    name = r.text(m["name"][1], context, "name") if "name" in m else None
    kind = "standard"
    if "kind" in m:
        kind = r.text(m["kind"][1], context, "kind") or kind
        if kind not in KINDS:
            r.error(m["kind"][1], f"'kind' must be 'standard' or 'cloze', got '{kind}'", context)
    is_cloze = kind == "cloze"
    nt_id = derived_id(deck_key, slug)
    if "id" in m:
        id_node = m["id"][1]
        if not isinstance(id_node, yaml.ScalarNode) or id_node.tag != INT:
            r.error(id_node, f"'id' must be a whole number (the note type's Anki id), got {r.kind(id_node)}", context)
        else:
            value = (
                int(id_node.value)
                if id_node.value.isascii() and id_node.value.isdigit() and len(id_node.value) < 20
                else -1
            )
            if not 1 <= value <= MAX_ID:
                r.error(id_node, f"'id' must be between 1 and {MAX_ID}, got {id_node.value}", context)
            else:
                nt_id = value
    fields = _field_names(r, m["fields"][1], context) if "fields" in m else None
    if fields is None:
        return None
    sort_field = 0
    if "sort_field" in m:
        sort_name = r.text(m["sort_field"][1], context, "sort_field")
        if sort_name is not None and sort_name not in fields:
            r.error(
                m["sort_field"][1],
                f"'sort_field' '{sort_name}' is not one of the fields{did_you_mean(sort_name, fields)}",
                context,
            )
        elif sort_name is not None:
            sort_field = fields.index(sort_name)
    markdown: set[str] = set()
    if "markdown" in m:
        for field, item in r.text_list(m["markdown"][1], context, "markdown") or ():
            if field not in fields:
                r.error(
                    item,
                    f"'markdown' names '{field}', which is not one of the fields{did_you_mean(field, fields)}",
                    context,
                )
            markdown.add(field)
    tmpls = _templates(r, m["templates"][1], read, fields, is_cloze, context) if "templates" in m else None
    if (
        name is not None
        and tmpls is not None
        and shows(tmpls, "Type")
        and (found := name_problem(name, "{{Type}}", _TYPE_MARKUP))
    ):
        r.error(m["name"][1], f"note type name '{name}' contains '{found[0]}', {found[1]}", context)
    css = CSS + (f"\n/* the deck's CSS */\n{deck_css.rstrip()}\n" if deck_css else "")
    if "css" in m:
        text = text_or_file(r, m["css"][1], read, context, "css", allow_empty=True)
        css = text.value if text is not None else css
        if text is not None:
            for offset, message in screen.css_problems(text.value):
                r.problems.append(_problem(text, offset, message, context))
    if r.errors_since(before) or name is None or tmpls is None:
        return None
    return NoteType(
        key=slug,
        id=nt_id,
        name=name.strip(),
        fields=tuple(fields),
        templates=tuple(tmpls),
        is_cloze=is_cloze,
        css=css,
        markdown=frozenset(markdown),
        sort_field=sort_field,
    )


def _field_names(r: NodeReader, node: yaml.Node, context: str) -> list[str] | None:
    items = r.text_list(node, context, "fields")
    if items is None:
        return None
    if not items:
        r.error(node, "'fields' is empty; a note type needs at least one field", context)
        return None
    names: list[str] = []
    folded: set[str] = set()
    for value, item in items:
        name = value.strip()
        if set(name) & _FIELD_FORBIDDEN or name[:1] in ("#", "/", "^"):
            r.error(
                item,
                f"field name '{name}' cannot contain ':', '{{', '}}' or '\"', nor start with '#', '/' or '^' "
                "(Anki's template syntax uses them)",
                context,
            )
        elif name.casefold() in folded:
            r.error(item, f"field '{name}' is listed twice (Anki compares field names without case)", context)
        elif name in templates.SPECIAL_FIELDS:
            r.error(
                item,
                f"'{name}' is a name Anki fills in itself ({{{{{name}}}}}); call the field something else",
                context,
            )
        names.append(name)
        folded.add(name.casefold())
    return names


def _templates(
    r: NodeReader, node: yaml.Node, read: Reader, fields: list[str], is_cloze: bool, context: str
) -> list[tuple[str, str, str]] | None:
    items = r.sequence(node, context, "templates")
    if items is None:
        return None
    if not items:
        r.error(node, "'templates' is empty; a note type needs at least one card template", context)
        return None
    if is_cloze and len(items) != 1:
        r.error(
            node,
            f"a cloze note type has exactly one template (Anki makes one card per cloze number), got {len(items)}",
            context,
        )
        return None
    out: list[tuple[str, str, str]] = []
    names: list[tuple[str, yaml.Node]] = []
    seen: set[str] = set()
    for item in items:
        m = r.mapping(item, context, TEMPLATE_KEYS, required=spec.required(spec.TEMPLATE))
        if m is None or len(m) < len(TEMPLATE_KEYS):
            continue
        name = r.text(m["name"][1], context, "template name")
        if name is None:
            continue
        where = f"{context}, template '{name}'"
        names.append((name, m["name"][1]))
        if name.casefold() in seen:
            r.error(m["name"][1], f"template '{name}' is listed twice", context)
        seen.add(name.casefold())
        front = text_or_file(r, m["front"][1], read, where, "front")
        back = text_or_file(r, m["back"][1], read, where, "back")
        if front is None or back is None:
            continue
        front_nodes = _check_template(r, front, fields, is_cloze, where, is_front=True)
        back_nodes = _check_template(r, back, fields, is_cloze, where, is_front=False)
        if front_nodes is not None and back_nodes is not None:
            sides = {"front": front, "back": back}
            for side, offset, message in screen.template_problems(front.value, back.value, tuple(fields)):
                r.problems.append(_problem(sides[side], offset, message, where))
        if front_nodes is not None and is_cloze and not templates.cloze_fields(front_nodes):
            r.problems.append(
                _problem(front, 0, "a cloze note type's front must show a field with '{{cloze:Field}}'", where)
            )
        out.append((name.strip(), front.value, back.value))
    if shows(out, "Card"):
        for name, node in names:
            if found := name_problem(name, "{{Card}}", _CARD_MARKUP):
                r.error(node, f"template name '{name}' contains '{found[0]}', {found[1]}", context)
    return out


def shows(tmpls: list[tuple[str, str, str]], special: str) -> bool:
    """Whether a template puts Anki's special field ``special`` (``Type``: the note type's name, ``Card``: the
    template's) on the card. Anki inserts these names as HTML, unescaped; a name that no template shows may hold
    any character (``Country > Capital``): it is only text in Anki's own lists. A template that does not parse is
    reported on its own; it counts as showing."""
    for _, front, back in tmpls:
        for text in (front, back):
            if special not in text:
                continue
            try:
                nodes = templates.parse(text)
            except templates.TemplateSyntaxError:
                return True
            if any(isinstance(n, templates.Replacement) and n.key == special for n in templates.walk(nodes)):
                return True
    return False


def _check_template(
    r: NodeReader, text: Text, fields: list[str], is_cloze: bool, where: str, *, is_front: bool
) -> tuple[templates.Node, ...] | None:
    nodes, found = screen.side_problems(text.value, tuple(fields), is_cloze=is_cloze, front=is_front)
    for offset, message in found[:MAX_TEMPLATE_PROBLEMS]:
        if message.startswith("unknown filter"):  # Anki shows the field as if the filter were not there (measured)
            r.problems.append(
                replace(
                    _problem(text, offset, message + " (without an add-on that provides it, Anki ignores it)", where),
                    severity=WARNING,
                )
            )
            continue
        r.problems.append(_problem(text, offset, message, where))
    if len(found) > MAX_TEMPLATE_PROBLEMS:
        rest = len(found) - MAX_TEMPLATE_PROBLEMS
        r.problems.append(
            _problem(text, found[MAX_TEMPLATE_PROBLEMS][0], f"... and {rest:,} more problems like these", where)
        )
    return nodes


def _problem(text: Text, offset: int, message: str, context: str) -> Problem:
    return Problem(text.at(offset), message, context=context, rule="notetype")
