"""Editor's notes: outside knowledge a deck editor adds to a card (e.g. where the source is wrong), kept apart from
the source-derived fields, under its own label, citing a reference from deck.yaml's ``references``.

The built-in note types' fields are frozen, so the note goes into the ``Source`` field after the citation, in its
own element; it is set apart by its label and styling, not by a field of its own.
"""

from __future__ import annotations

from deckgen.compile.note import CompileContext
from deckgen.errors import WARNING, Problem
from deckgen.model import Card, Deck
from deckgen.render import render_plain
from deckgen.source.yamlfile import did_you_mean

EDITOR_NOTE_LABEL = "Editor's note — not from the source article"


def editor_note_html(text_html: str, reference: str) -> str:
    return (
        '<div class="dg-editor-note">'
        f'<div class="dg-editor-note-label">{EDITOR_NOTE_LABEL}</div>'
        f'<div class="dg-editor-note-text">{text_html}</div>'
        f'<div class="dg-editor-note-ref">Reference: {render_plain(reference)}</div>'
        "</div>"
    )


def editor_note(card: Card, ctx: CompileContext, text_html: str, problems: list[Problem]) -> str:
    """The note's HTML, or "" with a problem when it cites a reference deck.yaml does not list."""
    if ctx.references is None:  # deck.yaml is unusable (reported there): the note cannot be resolved
        return ""
    references = dict(ctx.references)
    if card.editor_ref not in references:
        known = f"known: {', '.join(sorted(references))}" if references else "deck.yaml has no 'references'"
        problems.append(
            Problem(
                card.where("editor_note.ref"),
                f"editor_note cites unknown reference '{card.editor_ref}'{did_you_mean(card.editor_ref, list(references))}; "
                f"add it to 'references' in deck.yaml or fix the key ({known})",
                context=f"card '{card.id}'",
                rule="reference",
            )
        )
        return ""
    return editor_note_html(text_html, references[card.editor_ref])


def references_html(deck: Deck) -> str:
    """The deck's reference list, for the deck description (Anki's deck overview), in deck.yaml's order."""
    if not deck.references:
        return ""
    items = "".join(f"<li>{render_plain(ref.text)}</li>" for ref in deck.references)
    return f"\n<p><b>References of the editor's notes</b> (not from the source article):</p><ol>{items}</ol>"


def unused_references(deck: Deck) -> list[Problem]:
    cited = {card.editor_ref for card in deck.cards if card.editor_note}
    return [
        Problem(
            ref.location,
            "no card's editor_note cites it; cite it (editor_note: {text: ..., ref: " + ref.key + "}) or remove it",
            severity=WARNING,
            context=f"reference '{ref.key}'",
            rule="reference",
        )
        for ref in deck.references
        if ref.key not in cited
    ]
