"""The page of ``deckgen preview``: every note of the plan with its cards as Anki rendered them (``Rendering``),
grouped by topic, styled by each note type's CSS (scoped to its notes), plus the print sheets (printsheets.py).
preview.py makes the rendering; this module only writes HTML from it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from deckgen.build import Plan
from deckgen.compile.note import NoteSpec
from deckgen.model import CLOZE, Card, NoteType, Topic
from deckgen.preview.printing import PRINT_CSS, PrintCard, print_section
from deckgen.preview.side import page_side

GENERATOR = "deckgen preview"


@dataclass(frozen=True)
class AnkiCard:
    """One card of a note as Anki renders it; ``css`` is the note type's CSS that Anki put in front of both sides."""

    ord: int
    template: str
    front: str
    back: str
    css: str
    question_files: tuple[str, ...] = ()  # the files of the front's play tags, in order
    answer_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendering:
    """What Anki made of the package: each note's cards, keyed by the note's GUID, in ``ord`` order."""

    cards: dict[str, list[AnkiCard]]
    anki_version: str


PAGE_CSS = """\
:root { color-scheme: light; }
* { box-sizing: border-box; }
body.dgp { margin: 0; background: #eef0f3; color: #1d1d1f;
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", sans-serif; }
.dgp-wrap { max-width: 1200px; margin: 0 auto; padding: 0 24px 48px; }
.dgp-head { background: #1f2937; color: #f3f4f6; padding: 28px 0 22px; margin-bottom: 28px; }
.dgp-head > .dgp-wrap { padding-bottom: 0; }
.dgp-head h1 { margin: 0 0 6px; font-size: 28px; font-weight: 650; }
.dgp-kicker { margin: 0 0 4px; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: #9ca3af; }
.dgp-desc { color: #d1d5db; max-width: 60em; }
.dgp-desc p { margin: .4em 0; }
.dgp-desc a { color: #93c5fd; }
.dgp-stats { margin: 10px 0 0; font-size: 13px; color: #9ca3af; }
.dgp-toc { margin: 14px 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 8px; }
.dgp-toc a { display: inline-block; padding: 3px 10px; border-radius: 999px; background: #374151; color: #f3f4f6;
  text-decoration: none; font-size: 13px; }
.dgp-toc a:hover { background: #4b5563; }
.dgp-topic { margin: 0 0 36px; }
.dgp-topic > h2 { margin: 0 0 14px; font-size: 21px; border-bottom: 2px solid #cbd5e1; padding-bottom: 6px; }
.dgp-topic > h2 small { font-size: 13px; font-weight: normal; color: #6b7280; margin-left: 8px; }
.dgp-note { background: #fff; border: 1px solid #d5d9e0; border-radius: 10px; margin: 0 0 18px;
  box-shadow: 0 1px 2px rgba(0,0,0,.04); overflow: hidden; }
.dgp-note-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px; padding: 10px 16px;
  background: #f7f8fa; border-bottom: 1px solid #e5e7eb; font-size: 13px; color: #4b5563; }
.dgp-note-head h3 { margin: 0; font-size: 15px; color: #111827; }
.dgp-note-head code, .dgp-where { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
.dgp-tag { display: inline-block; padding: 0 7px; border-radius: 4px; background: #e5e7eb; color: #374151; font-size: 12px; }
.dgp-kind { font-weight: 600; color: #374151; }
.dgp-anki-card { padding: 12px 16px 16px; }
.dgp-anki-card + .dgp-anki-card { border-top: 1px dashed #d5d9e0; }
.dgp-label { font-size: 12px; font-weight: 600; color: #6b7280; text-transform: uppercase; letter-spacing: .05em;
  margin: 0 0 8px; }
.dgp-sides { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
@media (max-width: 800px) { .dgp-sides { grid-template-columns: 1fr; } }
.dgp-side { margin: 0; border: 1px solid #e5e7eb; border-radius: 8px; overflow: hidden; min-width: 0;
  display: flex; flex-direction: column; }
.dgp-side figcaption { font-size: 11px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase;
  color: #6b7280; background: #f9fafb; padding: 4px 10px; border-bottom: 1px solid #e5e7eb; }
/* the card fills its side box (in Anki, .card is the body: its background covers the whole window) */
.dgp-side > .card { padding-top: 14px; padding-bottom: 16px; flex: 1 0 auto; width: 100%; box-sizing: border-box; }
.dgp-empty { padding: 12px 16px; color: #b45309; }
.dgp-foot { color: #6b7280; font-size: 12px; text-align: center; margin-top: 24px; }
.dgp-av { display: block; margin: 6px 0; max-width: 100%; }
.dgp-tex { color: #b45309; outline: 2px dashed #d93025; padding: 0 2px; }
.dgp-tex::before { content: "⚠ not drawn: "; color: #d93025; font: 600 0.8em system-ui, sans-serif; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _where(cards_dir: Path, topic: Topic, card: Card) -> str:
    """``cards/basics.yaml:12``: the card's place, from the folder that holds the cards folder (same on every machine)."""
    return f"{cards_dir.resolve().name}/{topic.path.name}:{card.location.line}"


def _card_label(nt: NoteType, anki_card: AnkiCard, position: int) -> str:
    if nt.is_cloze:
        return f"Card {position} · cloze c{anki_card.ord + 1}"
    return f"Card {position} · {anki_card.template}"


def _note_html(plan: Plan, rendering: Rendering, cards_dir: Path, topic: Topic, card: Card, note: NoteSpec) -> str:
    nt = plan.deck.notetype_map[card.kind]
    kind = "Cloze" if card.kind == CLOZE else ("Q/A, reversed" if card.reverse else "Q/A") if nt.builtin else nt.name
    anki_cards = rendering.cards.get(note.guid, [])
    parts = [
        f'<article class="dgp-note" id="card-{_e(card.id)}" data-card-id="{_e(card.id)}" data-note-type="{_e(nt.key)}">',
        '<header class="dgp-note-head">',
        f"<h3><code>{_e(card.id)}</code></h3>",
        f'<span class="dgp-kind">{_e(kind)}</span>',
        f"<span>topic {_e(topic.slug)}</span>",
        f'<span class="dgp-where">{_e(_where(cards_dir, topic, card))}</span>',
        "".join(f'<span class="dgp-tag">{_e(tag)}</span>' for tag in note.tags),
        "</header>",
    ]
    if not anki_cards:
        parts.append('<p class="dgp-empty">Anki made no card from this note; learners will never see it.</p>')
    for position, anki_card in enumerate(anki_cards, start=1):
        # each side exactly as Anki rendered it, in a div of class "card" (what the note type's CSS styles)
        parts += [
            f'<div class="dgp-anki-card" data-ord="{anki_card.ord}">',
            f'<p class="dgp-label">{_e(_card_label(nt, anki_card, position))}</p>',
            '<div class="dgp-sides">',
            *(
                f'<figure class="dgp-side dgp-{side.lower()}"><figcaption>{side}</figcaption>'
                f'<div class="card">{page_side(content, anki_card.question_files, anki_card.answer_files)}</div></figure>'
                for side, content in (("Front", anki_card.front), ("Back", anki_card.back))
            ),
            "</div>",
            "</div>",
        ]
    parts.append("</article>")
    return "\n".join(parts)


def _note_type_styles(plan: Plan, rendering: Rendering) -> list[str]:
    """Each note type's CSS as Anki put it before its cards. Several different ones are each scoped to their own
    notes (``@scope``), so that one note type's ``.card`` rule does not restyle another's cards."""
    by_type: dict[str, str] = {}
    for note in plan.notes:
        found = rendering.cards.get(note.guid, [])
        if found and found[0].css and note.notetype not in by_type:
            by_type[note.notetype] = found[0].css
    if len(set(by_type.values())) <= 1:
        return [f'<style class="dgp-anki-css">\n{css}</style>' for css in dict.fromkeys(by_type.values())]
    return [
        f'<style class="dgp-anki-css">\n@scope (article[data-note-type="{key}"]) {{\n{css}\n}}</style>'
        for key, css in by_type.items()
    ]


def render_page(plan: Plan, rendering: Rendering, cards_dir: Path, math_by: str = "") -> str:
    """The whole index.html: deck header, topic list, then every note's Anki cards (front | back)."""
    deck = plan.deck
    tags = {note.card_id: note for note in plan.notes}
    card_total = sum(len(rendering.cards.get(note.guid, ())) for note in plan.notes)
    topics = [topic for topic in deck.topics if any(card.id in tags for card in topic.cards)]
    toc = "".join(
        f'<li><a href="#topic-{_e(t.slug)}">{_e(t.title)} · {sum(1 for c in t.cards if c.id in tags)}</a></li>'
        for t in topics
    )
    body = []
    for topic in topics:
        body.append(f'<section class="dgp-topic" id="topic-{_e(topic.slug)}">')
        body.append(f"<h2>{_e(topic.title)}<small>{_e(topic.slug)}</small></h2>")
        for card in topic.cards:
            if card.id in tags:
                body.append(_note_html(plan, rendering, cards_dir, topic, card, tags[card.id]))
        body.append("</section>")
    stats = f"{len(plan.notes)} notes · {card_total} cards · {len(topics)} topics · rendered by Anki {rendering.anki_version}"
    stats += f" · math by {math_by}" if math_by else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="{GENERATOR}">',
            # no script, nothing from the network: only the page's own styles and the images beside it
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; "
            "media-src 'self'; style-src 'unsafe-inline'\">",
            f"<title>{_e(deck.name)} · deckgen preview</title>",
            f"<style>\n{PAGE_CSS}{PRINT_CSS}</style>",
            *_note_type_styles(plan, rendering),
            "</head>",
            '<body class="dgp">',
            '<header class="dgp-head"><div class="dgp-wrap">',
            f'<p class="dgp-kicker">{GENERATOR}</p>',
            f"<h1>{_e(deck.name)}</h1>",
            f'<div class="dgp-desc">{plan.description_html}</div>',
            f'<p class="dgp-stats">{_e(stats)}</p>',
            f'<ul class="dgp-toc">{toc}</ul>',
            "</div></header>",
            '<main class="dgp-wrap">',
            *body,
            '<p class="dgp-foot">Each card is shown as Anki renders it: front on the left, back on the right.</p>',
            "</main>",
            print_section(
                [
                    PrintCard(
                        note.notetype,
                        page_side(card.front, card.question_files, card.answer_files),
                        page_side(card.back, card.question_files, card.answer_files),
                    )
                    for note in plan.notes
                    for card in rendering.cards.get(note.guid, ())
                ]
            ),
            "</body>",
            "</html>",
            "",
        ]
    )
