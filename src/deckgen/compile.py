"""Deck -> the notes that go into the package: rendered fields, tags, GUIDs and content hashes."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from . import cloze
from .errors import WARNING, Problem
from .loader import MEDIA_DIR, Manifest
from .model import CLOZE, Card, Deck, topic_tag
from .notetypes import NOTE_TYPES, NoteType
from .render import render_markdown, render_plain


@dataclass(frozen=True)
class NoteSpec:
    card_id: str
    guid: str
    notetype: str  # key into NOTE_TYPES
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    media: tuple[str, ...]
    sort_field: str
    ords: tuple[int, ...]  # the cards Anki generates: template ords (Q/A), cloze numbers - 1 (cloze)
    hash: str


def note_guid(deck_key: str, card_id: str) -> str:
    """The note's permanent identity: the deck key and the card id, nothing else. NEVER change this function:
    every shipped note would turn into a new one."""
    digest = hashlib.sha256(f"deckgen\x1f{deck_key}\x1f{card_id}".encode()).digest()
    return base64.b64encode(digest[:12]).decode("ascii")


def content_hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()[:20]


def note_hash(notetype_id: int, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """What a learner's collection would see change: the note type, every field, every tag."""
    text = f"{notetype_id}\x1e" + "\x1f".join(fields) + "\x1e" + "\x1f".join(tags)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def notetype_hash(nt: NoteType, css: str) -> str:
    return content_hash(nt.id, nt.name, nt.fields, nt.templates, css)


def source_html(card: Card, citation_line: str) -> str:
    if not card.source:
        return ""
    return (
        '<span class="dg-source-label">Source:</span>'
        f'<span class="dg-source-quote">{render_plain(card.source)}</span>'
        f'<div class="dg-citation">{render_plain(citation_line)}</div>'
    )


@dataclass(frozen=True)
class CompileContext:
    """The deck-level inputs of a note: everything besides the card itself that ends up in it."""

    key: str
    tag: str
    citation_line: str

    @classmethod
    def of(cls, manifest: Manifest) -> CompileContext:
        return cls(manifest.key, manifest.tag, manifest.citation.line())


def compile_card(card: Card, ctx: CompileContext) -> tuple[NoteSpec | None, list[Problem]]:
    """Render one card into a note; problems carry the place of the field they concern.

    Pure: reads no files (whether images exist is :func:`missing_media`'s job), so it can be cached by
    the card file's content and run in worker processes."""
    problems: list[Problem] = []
    context = f"card '{card.id}'"
    media: list[str] = []

    def md(key: str, text: str) -> str:
        if not text:
            return ""
        result = render_markdown(text, cloze=key == "cloze")
        for found in result.problems:
            problems.append(Problem(card.where(key), found.message, severity=found.severity, context=context, rule=found.rule))
        media.extend(result.media)
        return result.html

    extra = md("extra", card.extra)
    source = source_html(card, ctx.citation_line)
    if card.kind == CLOZE:
        problems += cloze_problems(card)
        text = md("cloze", card.cloze)
        deletions, _ = cloze.parse(card.cloze)
        ords = tuple(n - 1 for n in cloze.numbers(deletions) if n > 0)
        fields: tuple[str, ...] = (text, extra, source, card.id)
        sort_field = text
    else:
        front, back = md("front", card.front), md("back", card.back)
        fields = (front, back, "y" if card.reverse else "", extra, source, card.id)
        ords = (0, 1) if card.reverse else (0,)
        sort_field = front
    if any(p.is_error for p in problems):
        return None, problems
    nt = NOTE_TYPES[card.kind]
    tags = (topic_tag(ctx.tag, card.topic), *card.tags)
    spec = NoteSpec(
        card_id=card.id,
        guid=note_guid(ctx.key, card.id),
        notetype=card.kind,
        fields=fields,
        tags=tags,
        media=tuple(dict.fromkeys(media)),
        sort_field=sort_field,
        ords=ords,
        hash=note_hash(nt.id, fields, tags),
    )
    return spec, problems


def cloze_problems(card: Card) -> list[Problem]:
    where = card.where("cloze")
    context = f"card '{card.id}'"
    deletions, malformed = cloze.parse(card.cloze)
    problems = [Problem(where, message, context=context, rule="cloze") for _, message in malformed]
    nums = cloze.numbers(deletions)
    if not deletions and not malformed:
        problems.append(Problem(where, "cloze card has no deletion; mark the answer as {{c1::answer}}", context=context, rule="cloze"))
    elif nums:
        missing = sorted(set(range(1, nums[-1] + 1)) - set(nums))
        if missing:
            gaps = ", ".join(f"c{n}" for n in missing)
            problems.append(Problem(where, f"cloze numbers skip {gaps}; number deletions c1, c2, ... without gaps", context=context, rule="cloze"))
    for d in deletions:
        if cloze.looks_like_split_term(d):
            problems.append(
                Problem(
                    where,
                    f"'{{{{c{d.number}::{d.answer}::{d.hint}}}}}': Anki shows answer '{d.answer}' with hint '{d.hint}'. "
                    f"If '{d.answer}::{d.hint}' is one term, write {d.answer}\\:\\:{d.hint}",
                    severity=WARNING, context=context, rule="cloze",
                )
            )
    return problems


def compile_cards(cards: tuple[Card, ...], ctx: CompileContext) -> tuple[list[NoteSpec], list[Problem]]:
    notes: list[NoteSpec] = []
    problems: list[Problem] = []
    for card in cards:
        spec, found = compile_card(card, ctx)
        problems += found
        if spec is not None:
            notes.append(spec)
    return notes, problems


def missing_media(deck: Deck, notes: list[NoteSpec]) -> list[Problem]:
    folder = deck.root / MEDIA_DIR
    cards = {card.id: card for card in deck.cards}
    problems = []
    for note in notes:
        for name in note.media:
            if not (folder / name).is_file():
                problems.append(Problem(cards[note.card_id].location, f"media file 'media/{name}' does not exist in {folder}; "
                                        "add the file or fix the name", context=f"card '{note.card_id}'", rule="media"))
    return problems


def media_files(deck: Deck, notes: list[NoteSpec]) -> list[Path]:
    names = sorted({name for note in notes for name in note.media})
    return [deck.root / MEDIA_DIR / name for name in names]
