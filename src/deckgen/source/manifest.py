"""deck.yaml, the deck manifest: identity, name, description, citation, styling and the deck's own note types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from deckgen.errors import WARNING, Location, Problem, UsageError
from deckgen.model import Citation, NoteType, Reference
from deckgen.notetypes.builtin import DECK, SCOPES, SHARED, builtin_notetypes
from deckgen.screen import check as screen
from deckgen.source import keys as spec
from deckgen.source import requires
from deckgen.source.idscope import lock_bytes, lock_scope
from deckgen.source.includes import Reader, disk_reader, text_or_file
from deckgen.source.layout import (
    DECK_FILE,
    DECK_NAME_MARKUP,
    LANG,
    LOCK_FILE,
    SLUG,
    SLUG_HINT,
    name_problem,
    read_file_bytes,
)
from deckgen.source.notetypes import read_notetypes
from deckgen.source.yamlfile import NodeReader, file_display, load

DECK_KEYS = spec.names(spec.DECK)
CITATION_KEYS = spec.names(spec.CITATION)


@dataclass(frozen=True)
class Manifest:
    key: str
    name: str
    tag: str
    description: str
    citation: Citation | None
    location: Location
    notetypes: tuple[NoteType, ...] = builtin_notetypes()
    css: str = ""
    topic_tags: bool = True
    order: tuple[tuple[str, Location], ...] = ()  # topic slugs listed in deck.yaml's 'order', and where
    references: tuple[Reference, ...] = ()
    note_type_ids: str = DECK  # the built-in note types' ids: the deck's own, or the shared ones (see idscope)
    lang: str = ""
    released: bool = True  # False: a draft, whose note types may still change


def read_manifest(root: Path) -> tuple[Manifest | None, list[Problem]]:
    """The deck manifest. A missing or non-folder ``root`` is a usage error."""
    if not root.exists():
        raise UsageError(f"cards folder '{file_display(root)}' does not exist; pass the folder that holds deck.yaml")
    if not root.is_dir():
        raise UsageError(f"'{file_display(root)}' is not a folder; pass the folder that holds deck.yaml")
    path = root / DECK_FILE
    display = file_display(path)
    if not path.exists():
        return None, [Problem(Location(display), MISSING_MANIFEST)]
    data, problems = read_file_bytes(root, path, display)
    if data is None:
        return None, problems
    return parse_manifest(data, display, disk_reader(root), lock_bytes(root / LOCK_FILE))


MISSING_MANIFEST = "missing deck manifest; create deck.yaml with key, name and description"


def parse_manifest(
    data: bytes, display: str, include: Reader, lock: bytes | None = None
) -> tuple[Manifest | None, list[Problem]]:
    """The deck manifest from the bytes of deck.yaml; ``include`` reads the files it names (templates, CSS);
    ``lock`` is the lock file's text, if any (whether learners have the shared built-in note types)."""
    text, node, problems = load(data, display)
    if node is None:
        return None, problems
    r = NodeReader(display, text)
    manifest = _read(r, node, include, display, lock)
    return (manifest if not r.errors_since(0) else None), r.problems


def _read(r: NodeReader, node: yaml.Node, include: Reader, display: str, lock: bytes | None) -> Manifest | None:
    fields = r.mapping(node, "deck", DECK_KEYS, required=spec.required(spec.DECK))
    if fields is None:
        return None
    values: dict[str, str | None] = {}
    for key in ("key", "name", "tag", "description"):
        if key in fields:
            values[key] = r.text(fields[key][1], "deck", key)
    for key in ("key", "tag"):
        value = values.get(key)
        if value is not None and not SLUG.match(value):
            r.error(fields[key][1], f"'{key}' must be a slug, got '{value}'; {SLUG_HINT}", "deck")
            values[key] = None
    deck_name = values.get("name")
    if deck_name is not None and any(not part.strip() for part in deck_name.split("::")):
        r.error(
            fields["name"][1], f"deck name '{deck_name}' has an empty part; write subdecks as 'Parent::Child'", "deck"
        )
    elif deck_name is not None and (found := name_problem(deck_name, "{{Deck}} or {{Subdeck}}", DECK_NAME_MARKUP)):
        r.error(fields["name"][1], f"deck name '{deck_name}' contains '{found[0]}'; {found[1]}", "deck")
    citation = _read_citation(r, fields["source"][1]) if "source" in fields else None
    if "requires" in fields:  # whether this deckgen meets it: requires.version_problem, before anything else
        wanted = r.text(fields["requires"][1], "deck", "requires")
        message = requires.invalid(wanted) if wanted is not None else None
        if message is not None:
            r.error(fields["requires"][1], message, "deck")
    topic_tags = True
    if "topic_tags" in fields:
        topic_tags = r.boolean(fields["topic_tags"][1], "deck", "topic_tags") is not False
    css = ""
    if "css" in fields:
        text = text_or_file(r, fields["css"][1], include, "deck", "css")
        css = text.value if text is not None else ""
        if text is not None:
            for offset, message in screen.css_problems(text.value):
                r.problems.append(Problem(text.at(offset), message, context="deck", rule="notetype"))
    order: list[tuple[str, Location]] = []
    if "order" in fields:
        for slug, item in r.text_list(fields["order"][1], "deck", "order") or ():
            order.append((slug, r.loc(item)))
    references = _read_references(r, fields["references"][1]) if "references" in fields else ()
    deck_key = values.get("key")
    scope, lang, released = _read_identity(r, fields, lock)
    notetypes = builtin_notetypes(css, deck_key=deck_key or "", scope=scope if deck_key else SHARED, lang=lang)
    if "note_types" in fields and deck_key is not None:
        own = read_notetypes(r, fields["note_types"][1], include, deck_key, css)
        notetypes += tuple(own or ())
    name, description = values.get("name"), values.get("description")
    if r.errors_since(0) or deck_key is None or name is None or description is None:
        return None
    return Manifest(
        key=deck_key,
        name=name.strip(),
        tag=values.get("tag") or deck_key,
        description=description,
        citation=citation,
        location=Location(display),
        notetypes=notetypes,
        css=css,
        topic_tags=topic_tags,
        order=tuple(order),
        references=references,
        note_type_ids=scope,
        lang=lang,
        released=released,
    )


def _read_identity(
    r: NodeReader, fields: dict[str, tuple[yaml.Node, yaml.Node]], lock: bytes | None
) -> tuple[str, str, bool]:
    """``note_type_ids`` (else what the lock implies), ``lang`` and ``released``."""
    scope = lock_scope(lock)
    if "note_type_ids" in fields:
        node = fields["note_type_ids"][1]
        written = r.text(node, "deck", "note_type_ids")
        if written in SCOPES:
            scope = written
        elif written is not None:
            r.error(
                node,
                f"'note_type_ids' must be 'deck' (the deck's own built-in note types) or 'shared' (the ones every "
                f"deckgen deck shared up to deckgen 0.2), got '{written}'",
                "deck",
            )
    lang = ""
    if "lang" in fields:
        node = fields["lang"][1]
        lang = r.text(node, "deck", "lang") or ""
        if lang and not LANG.match(lang):
            r.error(node, f"'lang' must be a language tag such as 'ja', 'zh-Hant' or 'en', got '{lang}'", "deck")
            lang = ""
        elif lang and scope == SHARED:
            r.problems.append(
                Problem(
                    r.loc(node),
                    f"'lang: {lang}' does not change the fonts of the shared built-in note types this deck keeps (their "
                    "CSS reaches every deck on them); it applies once the deck has its own (see 'note_type_ids')",
                    severity=WARNING,
                    context="deck",
                )
            )
    released = True
    if "released" in fields:
        released = r.boolean(fields["released"][1], "deck", "released") is not False
    return scope, lang, released


def _read_references(r: NodeReader, node: yaml.Node) -> tuple[Reference, ...]:
    """``references:``: reference key (a slug, cited by editor's notes) -> the full reference, as text."""
    context = "deck references"
    keys = (
        tuple(k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode))
        if isinstance(node, yaml.MappingNode)
        else ()
    )
    fields = r.mapping(node, context, keys)  # any key is allowed; this reports tags, duplicates and non-text keys
    references = []
    for key, (key_node, value_node) in (fields or {}).items():
        text = r.text(value_node, context, key)
        if not SLUG.match(key):
            r.error(
                key_node,
                f"reference key '{key}' must be a slug; use lowercase letters, digits, '-' and '_' (e.g. 'smith-2023')",
                context,
            )
        elif text is not None:
            references.append(Reference(key, " ".join(text.split()), r.loc(key_node)))
    return tuple(references)


def _read_citation(r: NodeReader, node: yaml.Node) -> Citation | None:
    fields = r.mapping(node, "deck source", CITATION_KEYS, required=spec.required(spec.CITATION))
    if fields is None:
        return None
    values = {key: r.text(value, "deck source", key, any_scalar=True) for key, (_, value) in fields.items()}
    if "title" not in fields or any(v is None for v in values.values()):
        return None
    return Citation(**{k: v.strip() for k, v in values.items() if v is not None})
