"""Compiling a card of one of the deck's own note types: each field rendered (Markdown or HTML), and the cards Anki
will make for the note decided the way Anki decides them."""

from __future__ import annotations

from functools import lru_cache

from deckgen.compile.cloze_rules import cloze_problems
from deckgen.compile.note import CompileContext, NoteSpec
from deckgen.errors import WARNING, Problem
from deckgen.identity.ids import note_hash
from deckgen.model import Card, NoteType
from deckgen.notetypes import cloze
from deckgen.notetypes import fields as field_rules
from deckgen.notetypes import language as templates
from deckgen.render import render_html, render_markdown
from deckgen.screen import check as screen
from deckgen.screen import latex
from deckgen.source.defects import keepable

MAX_CLOZE_ORD = 499  # Anki makes at most 500 cards from a cloze note (rslib cardgen: ``.min(499)``)


@lru_cache(maxsize=512)
def _parsed(template: str) -> tuple[templates.Node, ...]:
    return templates.parse(template)  # the note type was checked when deck.yaml was read


def _cloze_fields(nt: NoteType) -> tuple[str, ...]:
    """The fields a cloze note type's templates show through ``{{cloze:Field}}``, each once (none for a standard one)."""
    return (
        templates.shown_cloze_fields(tuple(side for _, front, back in nt.templates for side in (front, back)))
        if nt.is_cloze
        else ()
    )


def compile_typed(
    card: Card, nt: NoteType, ctx: CompileContext, deck: str = ""
) -> tuple[NoteSpec | None, list[Problem]]:
    """A card of ``nt`` compiled into a note (``deck``: the Anki deck its cards go to, which ``{{Deck}}`` shows)."""
    context = f"card '{card.id}'"
    problems: list[Problem] = []
    media: list[str] = []
    given = dict(card.fields)
    html: list[str] = []
    cloze_shown = _cloze_fields(nt)
    for name in nt.fields:
        text = given.get(name, "")
        if not text.strip():
            html.append("")
            continue
        render = render_markdown if name in nt.markdown else render_html
        result = render(
            text, cloze=name in cloze_shown
        )  # Anki strips tags inside math in cloze fields: stricter checks
        for found in result.problems:
            problems.append(
                Problem(
                    card.where(f"fields.{name}"),
                    f"field '{name}': {found.message}",
                    severity=found.severity,
                    context=context,
                    rule=found.rule,
                )
            )
        media.extend(result.media)
        html.append(result.html)
    tags = ctx.tags(card)
    for name, message in field_rules.problems(nt, dict(zip(nt.fields, html, strict=True)), tags, deck):
        where = card.where(f"fields.{name}") if name in given else card.where("tags" if name == "Tags" else "fields")
        problems.append(Problem(where, message, context=context, rule="html"))
    if not any(p.is_error for p in problems):  # what the fields alone hold is reported above, once
        values = dict(zip(nt.fields, html, strict=True))
        for template, message in screen.card_problems(nt.templates, values, tags) + latex.spanning_tags(
            nt.templates, values, tags
        ):
            problems.append(
                Problem(
                    card.where("fields"),
                    f"template '{template}' with this card's fields: {message}",
                    context=context,
                    rule="html",
                )
            )
    if nt.is_cloze:
        problems += cloze_problems(card, [(f"fields.{name}", given.get(name, "")) for name in cloze_shown])
        numbers = {d.number for value in html for d in cloze.parse(value)[0]}
        # a note without a deletion still gets card 1 from Anki (measured); an error unless imported (lock/kept.py)
        ords = tuple(sorted({min(n - 1, MAX_CLOZE_ORD) for n in numbers if n > 0})) or (0,)
    else:
        nonempty = {name for name, value in zip(nt.fields, html, strict=True) if not templates.field_is_empty(value)}
        nonempty |= templates.SPECIAL_FIELDS - {"FrontSide", "Tags"} - set(nt.fields)
        if tags:
            nonempty.add("Tags")
        ords = tuple(i for i, (_, front, _) in enumerate(nt.templates) if templates.renders(_parsed(front), nonempty))
        if not ords:
            problems.append(
                Problem(
                    card.where("fields"),
                    "makes no card: the front of every template of note type "
                    f"'{nt.key}' is empty with these fields; fill in a field that a front shows",
                    context=context,
                    rule="notetype",
                )
            )
        else:
            problems += _skipped_templates(card, nt, ords, nonempty)
    if any(p.is_error and not keepable(p) for p in problems):  # a kept defect: decided with the lock (lock/kept.py)
        return None, problems
    fields = tuple(html)
    spec = NoteSpec(
        card_id=card.id,
        guid=ctx.guid(card),
        notetype=nt.key,
        fields=fields,
        tags=tags,
        media=tuple(dict.fromkeys(media)),
        sort_field=fields[nt.sort_field],
        ords=ords,
        hash=note_hash(nt.id, fields, tags),
    )
    return spec, problems


def _skipped_templates(card: Card, nt: NoteType, ords: tuple[int, ...], nonempty: set[str]) -> list[Problem]:
    """A warning for each template whose front shows no field this note fills: Anki makes no such card for it.
    A front wrapped in ``{{#Field}}...{{/Field}}`` with that field empty is Anki's way to make a card optional on
    purpose: no warning then."""
    out = []
    for i, (name, front, _) in enumerate(nt.templates):
        if i in ords or any(
            isinstance(n, templates.Conditional) and not n.negated and n.key not in nonempty for n in _parsed(front)
        ):
            continue
        shown = [
            n.key for n in templates.walk(_parsed(front)) if isinstance(n, templates.Replacement) and n.key in nt.fields
        ]
        fill = ", ".join(dict.fromkeys(shown)) or "a field"
        out.append(
            Problem(
                card.where("fields"),
                f"makes no '{name}' card: the front of that template shows no field this note fills; fill {fill} "
                f"(to make the card optional on purpose, wrap that front in {{{{#{shown[0] if shown else 'Field'}}}}}..."
                f"{{{{/{shown[0] if shown else 'Field'}}}}})",
                severity=WARNING,
                context=f"card '{card.id}'",
                rule="notetype",
            )
        )
    return out
