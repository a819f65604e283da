"""From a cards folder to a frozen :class:`~deckgen.model.Deck`, collecting every problem on the way."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from deckgen.errors import WARNING, Location, Problem
from deckgen.model import Card, Deck, Topic
from deckgen.source import keys as spec
from deckgen.source.cards import FieldsByType, read_card
from deckgen.source.includes import Reader
from deckgen.source.layout import (
    DECK_FILE,
    DECK_NAME_MARKUP,
    LOCK_FILE,
    SLUG,
    SLUG_HINT,
    name_problem,
    read_file_bytes,
)
from deckgen.source.manifest import MISSING_MANIFEST, Manifest, parse_manifest, read_manifest
from deckgen.source.yamlfile import NodeReader, did_you_mean, file_display, load

TOPIC_KEYS = spec.names(spec.TOPIC)


def is_topic_file(name: str) -> bool:
    """Whether a name in the cards folder is a topic file's."""
    return name.endswith((".yaml", ".yml")) and name != DECK_FILE and not name.startswith(".")


def topic_files(root: Path) -> list[Path]:
    """The topic files of a cards folder, in a stable order."""
    return sorted(p for p in root.iterdir() if is_topic_file(p.name))


def fields_by_type(manifest: Manifest | None) -> FieldsByType | None:
    if manifest is None:
        return None
    return {nt.key: nt.fields for nt in manifest.notetypes if not nt.builtin}


def read_deck(root: Path) -> tuple[Deck | None, list[Problem]]:
    """Read and validate a whole cards folder (no rendering): the deck, if its manifest is usable, and every
    problem (errors and warnings) found on the way. Used where only the cards matter (``deckgen diff``)."""
    manifest, problems = read_manifest(root)
    types = fields_by_type(manifest)
    return _assemble(root, manifest, problems, (read_topic(root, path, types) for path in topic_files(root)))


def deck_from_files(
    root: Path, files: dict[str, bytes], display: Callable[[str], str], include: Reader
) -> tuple[Deck | None, list[Problem]]:
    """Like :func:`read_deck`, from the bytes of the cards folder's top-level files (``{"deck.yaml": b"...", ...}``,
    the lock file's too when there is one)
    and a reader for the files deck.yaml names (templates, CSS) instead of the disk: used for git revisions, which
    are never written out. ``display`` places a file name."""
    problems: list[Problem] = []
    manifest = None
    if DECK_FILE in files:
        manifest, problems = parse_manifest(files[DECK_FILE], display(DECK_FILE), include, files.get(LOCK_FILE))
    else:
        problems.append(Problem(Location(display(DECK_FILE)), MISSING_MANIFEST))
    types = fields_by_type(manifest)
    parsed = (
        parse_topic(files[name], root / name, display(name), types) for name in sorted(files) if is_topic_file(name)
    )
    return _assemble(root, manifest, problems, parsed)


def _assemble(
    root: Path, manifest: Manifest | None, problems: list[Problem], parsed: Iterable[tuple[Topic | None, list[Problem]]]
) -> tuple[Deck | None, list[Problem]]:
    """The deck from its manifest and its topic files as read (in order), with every problem found on the way."""
    topics: list[Topic] = []
    for topic, found in parsed:
        problems += found
        if topic is not None:
            topics.append(topic)
    problems += cross_file_problems(topics)
    if manifest is None:
        return None, problems
    deck, found = make_deck(root, manifest, topics)
    return deck, problems + found


def order_topics(manifest: Manifest, topics: list[Topic]) -> tuple[list[Topic], list[Problem]]:
    """Topics in deck order: those ``order`` lists, in its order, then the others in file name order. New cards
    reach learners in this order (then in YAML order within a file)."""
    by_slug = {topic.slug: topic for topic in topics}
    problems: list[Problem] = []
    first: list[Topic] = []
    for slug, where in manifest.order:
        if slug not in by_slug:
            problems.append(
                Problem(
                    where,
                    f"'order' names topic '{slug}', which no topic file defines{did_you_mean(slug, tuple(by_slug))}",
                    context="deck",
                )
            )
        elif by_slug[slug] in first:
            problems.append(Problem(where, f"'order' lists topic '{slug}' twice", context="deck"))
        else:
            first.append(by_slug[slug])
    return first + [topic for topic in topics if topic not in first], problems


def make_deck(root: Path, manifest: Manifest, topics: list[Topic]) -> tuple[Deck, list[Problem]]:
    """The deck, its topics in deck order (and the problems of deck.yaml's 'order')."""
    topics, problems = order_topics(manifest, topics)
    return Deck(
        key=manifest.key,
        name=manifest.name,
        tag=manifest.tag,
        description=manifest.description,
        citation=manifest.citation,
        root=root,
        location=manifest.location,
        topics=tuple(topics),
        notetypes=manifest.notetypes,
        css=manifest.css,
        topic_tags=manifest.topic_tags,
        references=manifest.references,
        note_type_ids=manifest.note_type_ids,
        lang=manifest.lang,
        released=manifest.released,
    ), problems


def read_topic(root: Path, path: Path, types: FieldsByType | None) -> tuple[Topic | None, list[Problem]]:
    """Read one topic file. Returns the topic (None if it is unusable) and its problems."""
    display = file_display(path)
    data, problems = read_file_bytes(root, path, display)
    if data is None:
        return None, problems
    return parse_topic(data, path, display, types)


def parse_topic(
    data: bytes, path: Path, display: str, types: FieldsByType | None = None
) -> tuple[Topic | None, list[Problem]]:
    """A topic from a file's bytes (no file system access: safe to run in a worker process)."""
    text, node, problems = load(data, display)
    if node is None:
        return None, problems
    r = NodeReader(display, text)
    fields = r.mapping(node, "topic file", TOPIC_KEYS, required=spec.required(spec.TOPIC))
    if fields is None:
        return None, r.problems
    slug = r.text(fields["topic"][1], "topic file", "topic") if "topic" in fields else None
    if slug is not None and not SLUG.match(slug):
        r.error(fields["topic"][1], f"'topic' must be a slug, got '{slug}'; {SLUG_HINT}", "topic file")
        slug = None
    title = r.text(fields["title"][1], "topic file", "title") if "title" in fields else None
    subdeck = ""
    if "deck" in fields:
        subdeck = (r.text(fields["deck"][1], "topic file", "deck") or "").strip()
        if any(not part.strip() for part in subdeck.split("::")):
            r.error(
                fields["deck"][1],
                f"subdeck name '{subdeck}' has an empty part; write 'Sub' or 'Sub::Subsub' "
                "(the deck's own name goes in front of it)",
                "topic file",
            )
        elif found := name_problem(subdeck, "{{Deck}} or {{Subdeck}}", DECK_NAME_MARKUP):
            r.error(fields["deck"][1], f"subdeck name '{subdeck}' contains '{found[0]}'; {found[1]}", "topic file")
    cards: list[Card] = []
    if "cards" in fields:
        items = r.sequence(fields["cards"][1], "topic file", "cards")
        if items == []:
            r.problems.append(
                Problem(
                    r.loc(fields["cards"][1]),
                    "the topic has no cards ('cards: []'); add cards or delete the file",
                    severity=WARNING,
                    context="topic file",
                )
            )
        for index, item in enumerate(items or (), start=1):
            card = read_card(r, item, index, slug or "", types)
            if card is not None:
                cards.append(card)
    if slug is None or title is None:
        return None, r.problems
    topic = Topic(
        slug=slug,
        title=title.strip(),
        path=path,
        location=Location(display, 1, 1),
        cards=tuple(cards),
        deck="::".join(part.strip() for part in subdeck.split("::")),
    )
    return topic, r.problems


def cross_file_problems(topics: list[Topic]) -> list[Problem]:
    problems: list[Problem] = []
    seen_ids: dict[str, Location] = {}
    seen_topics: dict[str, Location] = {}
    seen_guids: dict[str, str] = {}
    for topic in topics:
        if topic.slug in seen_topics:
            problems.append(
                Problem(
                    topic.location,
                    f"topic '{topic.slug}' is also defined in {seen_topics[topic.slug].path}; topic slugs must be unique",
                )
            )
        else:
            seen_topics[topic.slug] = topic.location
        for card in topic.cards:
            if card.id in seen_ids:
                first = seen_ids[card.id]
                problems.append(
                    Problem(
                        card.location,
                        f"duplicate id; first used at {first}; ids must be unique in the deck",
                        context=f"card '{card.id}'",
                    )
                )
            else:
                seen_ids[card.id] = card.location
            if card.guid and card.guid in seen_guids:
                problems.append(
                    Problem(
                        card.where("guid"),
                        f"GUID '{card.guid}' is also the GUID of card '{seen_guids[card.guid]}'; "
                        "a GUID is one note's identity",
                        context=f"card '{card.id}'",
                    )
                )
            elif card.guid:
                seen_guids[card.guid] = card.id
    return problems
