"""Deck -> the notes that go into the package: rendered fields, tags, GUIDs and content hashes."""

from __future__ import annotations

from collections.abc import Sequence

from deckgen.compile.cloze_rules import cloze_check
from deckgen.compile.editor_notes import editor_note
from deckgen.compile.note import CompileContext, NoteSpec
from deckgen.compile.typed import compile_typed
from deckgen.errors import Problem
from deckgen.identity.ids import note_hash
from deckgen.model import BUILTIN_KINDS, CLOZE, Card, Deck, NoteType
from deckgen.notetypes.builtin import NOTE_TYPES
from deckgen.notetypes.media import notetype_media
from deckgen.render import render_markdown, render_plain
from deckgen.source import media


def source_html(card: Card, citation_line: str) -> str:
    if not card.source:
        return ""
    return (
        '<span class="dg-source-label">Source:</span>'
        f'<span class="dg-source-quote">{render_plain(card.source)}</span>'
        f'<div class="dg-citation">{render_plain(citation_line)}</div>'
    )


def compile_card(card: Card, ctx: CompileContext, subdeck: str = "") -> tuple[NoteSpec | None, list[Problem]]:
    """Render one card into a note; problems carry the place of the field they concern.

    Pure: reads no files (whether images exist is :func:`missing_media`'s job), so it can be cached by
    the card file's content and run in worker processes."""
    if card.kind not in BUILTIN_KINDS:
        return compile_typed(card, ctx.notetype(card.kind), ctx, ctx.deck_name(subdeck))
    problems: list[Problem] = []
    context = f"card '{card.id}'"
    media: list[str] = []

    def md(key: str, text: str) -> str:
        if not text:
            return ""
        result = render_markdown(text, cloze=key == "cloze")
        for found in result.problems:
            problems.append(
                Problem(card.where(key), found.message, severity=found.severity, context=context, rule=found.rule)
            )
        media.extend(result.media)
        return result.html

    extra = md("extra", card.extra)
    source = source_html(card, ctx.citation_line)
    if card.editor_note:
        source += editor_note(card, ctx, md("editor_note.text", card.editor_note), problems)
    if card.kind == CLOZE:
        found, numbers = cloze_check(card)  # the cloze text is parsed once, for its problems and its cards
        problems += found
        text = md("cloze", card.cloze)
        ords = tuple(n - 1 for n in numbers if n > 0)
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


def compile_cards(
    cards: tuple[Card, ...], ctx: CompileContext, subdeck: str = ""
) -> tuple[list[NoteSpec], list[Problem]]:
    """The notes of a topic's cards (``subdeck``: the topic's ``deck:``), and the problems found."""
    notes: list[NoteSpec] = []
    problems: list[Problem] = []
    for card in cards:
        spec, found = compile_card(card, ctx, subdeck)
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
    """Media files the cards use that are missing or may not be shipped (see :mod:`deckgen.source.media`)."""
    cards = {card.id: card for card in deck.cards}
    uses = [
        (name, deck.location, f"note type '{nt.key}'")
        for nt in used_notetypes(deck, notes)
        for name in notetype_media(nt)
    ]
    uses += [(name, cards[note.card_id].location, f"card '{note.card_id}'") for note in notes for name in note.media]
    return media.check_referenced(deck.root, uses)


def media_files(deck: Deck, notes: Sequence[NoteSpec]) -> tuple[media.MediaFile, ...]:
    names = [name for note in notes for name in note.media]
    return media.referenced(deck.root, [*names, *sorted(used_template_media(deck, notes))])
