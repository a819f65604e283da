"""Deck -> the notes that go into the package: rendered fields, tags, GUIDs and content hashes."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import cloze
from .errors import WARNING, Problem
from .layout import MEDIA_DIR
from .manifest import Manifest
from .model import BUILTIN_KINDS, CLOZE, Card, Deck, NoteType, topic_tag
from .notetype_media import notetype_media
from .notetypes import NOTE_TYPES
from .render import render_markdown, render_plain


@dataclass(frozen=True)
class NoteSpec:
    card_id: str
    guid: str
    notetype: str  # the note type's slug (QA, CLOZE or one of the deck's own)
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


def notetype_hash(nt: NoteType) -> str:
    """Everything of a note type that Anki stores; a change reaches learners when the note type's ``mod`` is newer."""
    if nt.builtin:
        return content_hash(nt.id, nt.name, nt.fields, nt.templates, nt.css)
    return content_hash(nt.id, nt.name, nt.fields, nt.templates, nt.css, nt.is_cloze, nt.sort_field)


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
    topic_tags: bool = True
    notetypes: tuple[NoteType, ...] = ()  # the deck's own note types (the built-in ones are constants)

    @classmethod
    def of(cls, manifest: Manifest) -> CompileContext:
        return cls(manifest.key, manifest.tag, manifest.citation.line() if manifest.citation else "", manifest.topic_tags,
                   tuple(nt for nt in manifest.notetypes if not nt.builtin))

    @cached_property
    def digest(self) -> str:
        """Identifies everything here that can change a compiled note (CSS cannot), for the per-file cache."""
        types = [(nt.key, nt.id, nt.fields, nt.templates, sorted(nt.markdown), nt.is_cloze, nt.sort_field) for nt in self.notetypes]
        return content_hash(self.key, self.tag, self.citation_line, self.topic_tags, types)

    def notetype(self, key: str) -> NoteType:
        if key in BUILTIN_KINDS:
            return NOTE_TYPES[key]
        return next(nt for nt in self.notetypes if nt.key == key)

    def tags(self, card: Card) -> tuple[str, ...]:
        return (topic_tag(self.tag, card.topic), *card.tags) if self.topic_tags else card.tags

    def guid(self, card: Card) -> str:
        return card.guid or note_guid(self.key, card.id)


def compile_card(card: Card, ctx: CompileContext) -> tuple[NoteSpec | None, list[Problem]]:
    """Render one card into a note; problems carry the place of the field they concern.

    Pure: reads no files (whether images exist is :func:`missing_media`'s job), so it can be cached by
    the card file's content and run in worker processes."""
    if card.kind not in BUILTIN_KINDS:
        from .typed_notes import compile_typed

        return compile_typed(card, ctx.notetype(card.kind), ctx)
    problems: list[Problem] = []
    context = f"card '{card.id}'"
    media: list[str] = []

    def md(key: str, text: str) -> str:
        if not text:
            return ""
        result = render_markdown(text)
        for message in result.problems:
            problems.append(Problem(card.where(key), message, context=context, rule="html"))
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
    tags = ctx.tags(card)
    spec = NoteSpec(
        card_id=card.id,
        guid=ctx.guid(card),
        notetype=card.kind,
        fields=fields,
        tags=tags,
        media=tuple(dict.fromkeys(media)),
        sort_field=sort_field,
        ords=ords,
        hash=note_hash(nt.id, fields, tags),
    )
    return spec, problems


def cloze_problems(card: Card, texts: list[tuple[str, str]] | None = None) -> list[Problem]:
    """The problems of a card's cloze text, or of the fields (key, text) of a cloze note type taken together
    (Anki numbers the deletions of all fields as one set)."""
    texts = [("cloze", card.cloze)] if texts is None else texts
    context = f"card '{card.id}'"
    problems: list[Problem] = []
    deletions: list[tuple[cloze.Deletion, str]] = []
    for key, text in texts:
        found, malformed = cloze.parse(text)
        problems += [Problem(card.where(key), message, context=context, rule="cloze") for _, message in malformed]
        deletions += [(d, key) for d in found]
    where = card.where(texts[0][0]) if texts else card.location
    nums = cloze.numbers([d for d, _ in deletions])
    if not deletions and not problems:
        problems.append(Problem(where, "cloze card has no deletion; mark the answer as {{c1::answer}}", context=context, rule="cloze"))
    elif nums:
        missing = sorted(set(range(1, nums[-1] + 1)) - set(nums))
        if missing:
            gaps = ", ".join(f"c{n}" for n in missing)
            problems.append(Problem(where, f"cloze numbers skip {gaps}; number deletions c1, c2, ... without gaps", context=context, rule="cloze"))
    for d, key in deletions:
        if cloze.looks_like_split_term(d):
            problems.append(
                Problem(
                    card.where(key),
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


def used_template_media(deck: Deck, notes: Sequence[NoteSpec]) -> set[str]:
    return {name for nt in used_notetypes(deck, notes) for name in notetype_media(nt)}


def used_notetypes(deck: Deck, notes: Sequence[NoteSpec]) -> list[NoteType]:
    used = {note.notetype for note in notes}
    return [nt for nt in deck.notetypes if nt.key in used]


def missing_media(deck: Deck, notes: list[NoteSpec]) -> list[Problem]:
    folder = deck.root / MEDIA_DIR
    cards = {card.id: card for card in deck.cards}
    problems = []
    for nt in used_notetypes(deck, notes):
        for name in notetype_media(nt):
            if not (folder / name).is_file():
                problems.append(Problem(deck.location, f"file 'media/{name}', which the templates or CSS of note type "
                                        f"'{nt.key}' use, does not exist in {folder}; add the file or fix the name",
                                        context="deck", rule="media"))
    for note in notes:
        for name in note.media:
            if not (folder / name).is_file():
                problems.append(Problem(cards[note.card_id].location, f"image 'media/{name}' does not exist in {folder}; "
                                        "add the file or fix the name", context=f"card '{note.card_id}'", rule="media"))
    return problems


def media_files(deck: Deck, notes: list[NoteSpec]) -> list[Path]:
    names = sorted({name for note in notes for name in note.media} | used_template_media(deck, notes))
    return [deck.root / MEDIA_DIR / name for name in names]
