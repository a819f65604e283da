"""From a cards folder to a frozen :class:`~deckgen.model.Deck`, collecting every problem on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Location, Problem, UsageError
from .model import CLOZE, QA, Card, Citation, Deck, Reference, Topic
from .yamlsource import NodeReader, compose, decode, file_display, read_bytes

DECK_FILE = "deck.yaml"
LOCK_FILE = "deckgen.lock"
MEDIA_DIR = "media"

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
SLUG_HINT = "use lowercase letters, digits, '-' and '_' (e.g. 'mrd-definition')"

DECK_KEYS = ("key", "name", "tag", "description", "source", "references")
CITATION_KEYS = ("title", "publisher", "authors", "date", "url", "language", "note")
TOPIC_KEYS = ("topic", "title", "cards")
CARD_KEYS = ("id", "front", "back", "reverse", "cloze", "extra", "source", "tags", "editor_note")
EDITOR_NOTE_KEYS = ("text", "ref")


def topic_files(root: Path) -> list[Path]:
    """The topic files of a cards folder, in a stable order."""
    return sorted(
        p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.name != DECK_FILE and not p.name.startswith(".")
    )


@dataclass(frozen=True)
class Manifest:
    key: str
    name: str
    tag: str
    description: str
    citation: Citation
    location: Location
    references: tuple[Reference, ...] = ()


def read_deck(root: Path) -> tuple[Deck | None, list[Problem]]:
    """Read and validate a whole cards folder (no rendering): the deck, if its manifest is usable, and every
    problem (errors and warnings) found on the way. Used where only the cards matter (``deckgen diff``)."""
    manifest, problems = read_manifest(root)
    topics: list[Topic] = []
    for path in topic_files(root):
        topic, found = read_topic(root, path)
        problems += found
        if topic is not None:
            topics.append(topic)
    problems += cross_file_problems(topics)
    if manifest is None:
        return None, problems
    return make_deck(root, manifest, topics), problems


def read_manifest(root: Path) -> tuple[Manifest | None, list[Problem]]:
    """The deck manifest. A missing or non-folder ``root`` is a usage error."""
    if not root.exists():
        raise UsageError(f"cards folder '{file_display(root)}' does not exist; pass the folder that holds deck.yaml")
    if not root.is_dir():
        raise UsageError(f"'{file_display(root)}' is not a folder; pass the folder that holds deck.yaml")
    manifest = root / DECK_FILE
    display = file_display(manifest)
    if not manifest.exists():
        return None, [Problem(Location(display), "missing deck manifest; create deck.yaml with key, name, description and source")]
    header, problems = _read_manifest(root, manifest, display)
    if header is None:
        return None, problems
    key, name, tag, description, citation, references = header
    return Manifest(key, name, tag, description, citation, Location(display), references), problems


def make_deck(root: Path, manifest: Manifest, topics: list[Topic]) -> Deck:
    return Deck(
        key=manifest.key,
        name=manifest.name,
        tag=manifest.tag,
        description=manifest.description,
        citation=manifest.citation,
        root=root,
        location=manifest.location,
        topics=tuple(topics),
        references=manifest.references,
    )


def _outside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return True
    return False


def _read_node(root: Path, path: Path, display: str) -> tuple[yaml.Node | None, list[Problem]]:
    data, problems = read_file_bytes(root, path, display)
    if data is None:
        return None, problems
    text, problems = decode(data, display)
    if text is None:
        return None, problems
    return compose(text, display)


def _read_manifest(
    root: Path, path: Path, display: str
) -> tuple[tuple[str, str, str, str, Citation, tuple[Reference, ...]] | None, list[Problem]]:
    node, problems = _read_node(root, path, display)
    if node is None:
        return None, problems
    r = NodeReader(display)
    fields = r.mapping(node, "deck", DECK_KEYS, required=("key", "name", "description", "source"))
    if fields is None:
        return None, r.problems
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
        r.error(fields["name"][1], f"deck name '{deck_name}' has an empty part; write subdecks as 'Parent::Child'", "deck")
    citation = None
    if "source" in fields:
        citation = _read_citation(r, fields["source"][1])
    references = _read_references(r, fields["references"][1]) if "references" in fields else ()
    if r.problems or citation is None:
        return None, r.problems
    slug, name, description = values["key"], values["name"], values["description"]
    assert slug is not None and name is not None and description is not None
    return (slug, name.strip(), values.get("tag") or slug, description, citation, references), []


def _read_citation(r: NodeReader, node: yaml.Node) -> Citation | None:
    fields = r.mapping(node, "deck source", CITATION_KEYS, required=("title",))
    if fields is None:
        return None
    values = {key: r.text(value, "deck source", key, any_scalar=True) for key, (_, value) in fields.items()}
    if "title" not in fields or any(v is None for v in values.values()):
        return None
    return Citation(**{k: v.strip() for k, v in values.items() if v is not None})


def _read_references(r: NodeReader, node: yaml.Node) -> tuple[Reference, ...]:
    """``references:``: reference key (a slug, cited by editor's notes) -> the full reference, as text."""
    context = "deck references"
    keys = tuple(k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)) if isinstance(node, yaml.MappingNode) else ()
    fields = r.mapping(node, context, keys)  # any key is allowed; this reports tags, duplicates and non-text keys
    references = []
    for key, (key_node, value_node) in (fields or {}).items():
        text = r.text(value_node, context, key)
        if not SLUG.match(key):
            r.error(key_node, f"reference key '{key}' must be a slug; use lowercase letters, digits, '-' and '_' (e.g. 'smith-2023')", context)
        elif text is not None:
            references.append(Reference(key, " ".join(text.split()), r.loc(key_node)))
    return tuple(references)


def read_topic(root: Path, path: Path) -> tuple[Topic | None, list[Problem]]:
    """Read one topic file. Returns the topic (None if it is unusable) and its problems."""
    display = file_display(path)
    data, problems = read_file_bytes(root, path, display)
    if data is None:
        return None, problems
    return parse_topic(data, path, display)


def read_file_bytes(root: Path, path: Path, display: str) -> tuple[bytes | None, list[Problem]]:
    if path.is_symlink() and _outside(root, path):
        return None, [Problem(Location(display), "is a symbolic link to a file outside the cards folder; copy the file in instead")]
    return read_bytes(path, display)


def parse_topic(data: bytes, path: Path, display: str) -> tuple[Topic | None, list[Problem]]:
    """A topic from a file's bytes (no file system access: safe to run in a worker process)."""
    text, problems = decode(data, display)
    if text is None:
        return None, problems
    node, problems = compose(text, display)
    if node is None:
        return None, problems
    r = NodeReader(display)
    fields = r.mapping(node, "topic file", TOPIC_KEYS, required=("topic", "title", "cards"))
    if fields is None:
        return None, r.problems
    slug = r.text(fields["topic"][1], "topic file", "topic") if "topic" in fields else None
    if slug is not None and not SLUG.match(slug):
        r.error(fields["topic"][1], f"'topic' must be a slug, got '{slug}'; {SLUG_HINT}", "topic file")
        slug = None
    title = r.text(fields["title"][1], "topic file", "title") if "title" in fields else None
    cards: list[Card] = []
    if "cards" in fields:
        items = r.sequence(fields["cards"][1], "topic file", "cards")
        for index, item in enumerate(items or (), start=1):
            card = _read_card(r, item, index, slug or "")
            if card is not None:
                cards.append(card)
    if slug is None or title is None:
        return None, r.problems
    topic = Topic(slug=slug, title=title.strip(), path=path, location=Location(display, 1, 1), cards=tuple(cards))
    return topic, r.problems


def _read_card(r: NodeReader, node: yaml.Node, index: int, topic: str) -> Card | None:
    before = len(r.problems)
    context = f"card #{index}"
    id_node = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
                id_node = value_node
                if value_node.value:
                    context = f"card '{value_node.value}'"
                break
    fields = r.mapping(node, context, CARD_KEYS, required=("id",))
    if fields is None:
        return None
    text: dict[str, str | None] = {}
    for key in ("id", "front", "back", "cloze", "extra", "source"):
        if key in fields:
            text[key] = r.text(fields[key][1], context, key)
    card_id = text.get("id")
    if card_id is not None and not SLUG.match(card_id):
        assert id_node is not None
        r.error(id_node, f"'id' must be a slug, got '{card_id}'; {SLUG_HINT}", context)
    reverse = False
    if "reverse" in fields:
        reverse = bool(r.boolean(fields["reverse"][1], context, "reverse"))
    tags: list[str] = []
    if "tags" in fields:
        for tag, tag_node in r.text_list(fields["tags"][1], context, "tags") or ():
            if any(ch.isspace() for ch in tag):
                r.error(tag_node, f"tag '{tag}' contains whitespace; use '-' or '_' instead (Anki splits tags on spaces)", context)
            elif tag in tags:
                r.error(tag_node, f"tag '{tag}' is listed twice", context)
            else:
                tags.append(tag)
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
        r.error(node, "needs either 'front' and 'back' (question/answer) or 'cloze'", context)
    if len(r.problems) > before or card_id is None:
        return None
    loc = r.loc(node)
    spots = tuple((key, value.start_mark.line + 1, value.start_mark.column + 1) for key, (_, value) in fields.items())
    common = dict(
        id=card_id, topic=topic, location=loc, extra=text.get("extra") or "", source=text.get("source") or "",
        tags=tuple(tags), spots=spots + note_spots, editor_note=editor_note, editor_ref=editor_ref,
    )
    if "cloze" in has:
        return Card(kind=CLOZE, cloze=text["cloze"] or "", **common)  # type: ignore[arg-type]
    return Card(kind=QA, front=text["front"] or "", back=text["back"] or "", reverse=reverse, **common)  # type: ignore[arg-type]


def _read_editor_note(r: NodeReader, node: yaml.Node, context: str) -> tuple[str, str, tuple[tuple[str, int, int], ...]]:
    """``editor_note: {text: Markdown, ref: reference key}`` -> (text, ref, spots of 'editor_note.text/.ref').
    Whether the reference exists is decided when the card is compiled (the deck's list is needed)."""
    where = f"{context}: editor_note"
    fields = r.mapping(node, where, EDITOR_NOTE_KEYS, required=EDITOR_NOTE_KEYS)
    if fields is None:
        return "", "", ()
    text = r.text(fields["text"][1], where, "text") if "text" in fields else None
    ref = r.text(fields["ref"][1], where, "ref") if "ref" in fields else None
    if ref is not None and not SLUG.match(ref):
        r.error(fields["ref"][1], f"'ref' must be a reference key (a slug) from 'references' in deck.yaml, got '{ref}'", where)
    spots = tuple((f"editor_note.{key}", value.start_mark.line + 1, value.start_mark.column + 1) for key, (_, value) in fields.items())
    return text or "", (ref or "").strip(), spots


def cross_file_problems(topics: list[Topic]) -> list[Problem]:
    problems: list[Problem] = []
    seen_ids: dict[str, Location] = {}
    seen_topics: dict[str, Location] = {}
    for topic in topics:
        if topic.slug in seen_topics:
            problems.append(
                Problem(topic.location, f"topic '{topic.slug}' is also defined in {seen_topics[topic.slug].path}; topic slugs must be unique")
            )
        else:
            seen_topics[topic.slug] = topic.location
        for card in topic.cards:
            if card.id in seen_ids:
                first = seen_ids[card.id]
                problems.append(
                    Problem(card.location, f"duplicate id; first used at {first}; ids must be unique in the deck", context=f"card '{card.id}'")
                )
            else:
                seen_ids[card.id] = card.location
    return problems
