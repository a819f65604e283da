"""The text of a converted deck's files: deck.yaml (with the note types), templates and CSS under note-types/,
and one topic file per group of cards."""

from __future__ import annotations

from pathlib import Path

from deckgen.convert.ids import Slugs, plain_text
from deckgen.convert.model import CardOut, Conversion, TypeOut
from deckgen.convert.yamltext import Flow, dump
from deckgen.errors import WARNING, Location, Problem
from deckgen.importers.select import Selected
from deckgen.render import render_markdown
from deckgen.source.layout import DECK_FILE

NOTE_TYPES_DIR = "note-types"


def write_files(sel: Selected, out: Conversion) -> None:
    _write_types(out, out.types)
    _write_topics(sel, out)


def _write_types(out: Conversion, types: list[TypeOut]) -> None:
    entries = {}
    for t in types:
        nt = t.source
        base = f"{NOTE_TYPES_DIR}/{t.slug}"
        tslugs = Slugs("card")
        templates = []
        for tmpl in nt.templates:
            ts = tslugs.take([tmpl.name])
            front, back = f"{base}/{ts}.front.html", f"{base}/{ts}.back.html"
            out.files[front] = tmpl.front
            out.files[back] = tmpl.back
            templates.append({"name": tmpl.name, "front": {"file": front}, "back": {"file": back}})
        out.files[f"{base}.css"] = nt.css
        entry: dict[str, object] = {"name": t.name, "kind": nt.kind}
        if nt.id:
            entry["id"] = nt.id
        entry["fields"] = Flow(nt.fields)
        if nt.sort_field:
            entry["sort_field"] = nt.fields[nt.sort_field]
        if t.markdown:
            entry["markdown"] = Flow(t.markdown)
        entry["templates"] = templates
        entry["css"] = {"file": f"{base}.css"}
        entries[t.slug] = entry
    out.files["\x00note_types"] = dump({"note_types": entries}) if entries else ""


def _write_topics(sel: Selected, out: Conversion) -> None:
    groups: dict[str, list[CardOut]] = {}
    for card in out.cards:
        groups.setdefault(card.topic, []).append(card)
    slugs = Slugs("topic", reserved=("deck", "deckgen"))
    root = sel.name.split("::")[-1]
    order = []
    for group, cards in groups.items():
        subdeck, _, tag = group.partition("\x1f")
        if group == "\x1e":  # --split-by none
            subdeck = ""
            slug, title = slugs.take(["cards"]), root
        elif "\x1f" not in group:
            slug, title = slugs.take([subdeck or root]), subdeck or root
        else:
            name = tag or "untagged"
            slug = slugs.take([f"{subdeck} {name}" if subdeck else name])
            title = f"{subdeck}: {name}" if subdeck else name
        order.append(slug)
        doc: dict[str, object] = {"topic": slug, "title": title}
        if subdeck:
            doc["deck"] = subdeck
        doc["cards"] = [_card_yaml(out, card) for card in cards]
        out.files[f"{slug}.yaml"] = dump(doc)
    out.topics = order
    deck: dict[str, object] = {
        "key": out.key,
        "name": sel.name,
        "description": _description(sel, out),
        "topic_tags": False,
    }
    if len(order) > 1:
        deck["order"] = Flow(order)
    out.files[DECK_FILE] = dump(deck) + out.files.pop("\x00note_types")


def _description(sel: Selected, out: Conversion) -> str:
    """deck.yaml's description is Markdown that deckgen renders and sanitizes; a description with HTML it refuses
    becomes its plain text (Anki overwrites a deck's description on every import: no review depends on it)."""
    text = sel.description
    if not text.strip():
        return f"Imported from {Path(sel.source).name}."
    problems = [p.message for p in render_markdown(text).problems]
    if not problems:
        return text
    plain = plain_text(text) or f"Imported from {Path(sel.source).name}."
    out.problems.append(
        Problem(
            Location(sel.source),
            "written as plain text: deckgen does not allow its HTML (" + "; ".join(problems) + ")",
            WARNING,
            "deck description",
        )
    )
    return plain


def _card_yaml(out: Conversion, card: CardOut) -> dict[str, object]:
    t = out.type_of(card)
    fields = {name: value for name, value in zip(t.source.fields, card.values, strict=True) if value}
    doc: dict[str, object] = {"id": card.card_id, "type": card.slug, "guid": card.note.guid, "fields": fields}
    tags = [tag for tag in dict.fromkeys(card.note.tags) if tag]
    if tags:
        doc["tags"] = Flow(tags)
    return doc
