"""``deckgen diff --format json``: the report as one JSON document, for tools."""

from __future__ import annotations

import dataclasses
import json

from deckgen.diff.compare import CardChange, DeckDiff, FieldChange, is_text_field
from deckgen.diff.report import hazard_text, plain_quote, summary_counts
from deckgen.git.repo import Snapshot
from deckgen.model import Card
from deckgen.source.keys import CARD_FIELD


def card_json(card: Card) -> dict[str, object]:
    """A card's fields as the table says (:data:`deckgen.source.keys.CARD_FIELDS`), in the model's order."""
    out: dict[str, object] = {}
    for field in dataclasses.fields(card):
        row, value = CARD_FIELD[field.name], getattr(card, field.name)
        if row.json == "" or (row.json == "if-set" and not value):
            continue
        if row.shape == "pairs":
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[field.name] = None if row.json == "or-null" and not value else value
    return out


def field_json(change: FieldChange) -> dict[str, object]:
    def value(v: object) -> object:
        return list(v) if isinstance(v, tuple) else v

    out: dict[str, object] = {"field": change.field, "old": value(change.old), "new": value(change.new)}
    if is_text_field(change.field):
        out["diff"] = [[op, text] for op, text in change.segments()]
    return out


def _pair_json(change: CardChange) -> dict[str, object]:
    return {"old_id": change.old.id, "new_id": change.new.id, "fields": [field_json(f) for f in change.fields]}


def to_json(diff: DeckDiff) -> str:
    def revision(s: Snapshot) -> dict[str, object]:
        return {"revision": s.label or None, "commit": s.commit or None, "worktree": not s.commit}

    document = {
        "base": revision(diff.base),
        "head": revision(diff.head),
        "changed": not diff.is_empty,
        "summary": {**summary_counts(diff), "topics": len(diff.topics)},
        "warnings": [
            {
                "type": h.type,
                "ids": list(h.ids),
                "old": h.old or None,
                "new": h.new or None,
                "similarity": None if h.similarity is None else round(h.similarity, 3),
                "search": h.search or None,
                "message": hazard_text(h, plain_quote, str),
            }
            for h in diff.hazards()
        ],
        "deck": [field_json(change) for change in diff.deck],
        "notetypes": list(diff.notetypes),
        "lock": {
            "changes": [
                {
                    "section": c.section,
                    "key": c.key or None,
                    "field": c.field,
                    "old": c.old or None,
                    "new": c.new or None,
                }
                for c in diff.lock.by_hand
            ],
            "future": [{"section": section, "key": key or None, "mod": mod} for section, key, mod in diff.lock.future],
            "backwards": [
                {"section": c.section, "key": c.key or None, "old": int(c.old), "new": int(c.new)}
                for c in diff.lock.backwards
            ],
        },
        "media": {
            "added": list(diff.media.added),
            "replaced": list(diff.media.replaced),
            "removed": list(diff.media.removed),
            "skipped": diff.media.skipped or None,
        },
        "notetype_changes": [
            {
                "key": c.key,
                "added": c.old is None,
                "removed": c.new is None,
                "settings": [{"what": w, "old": o, "new": n} for w, o, n in c.settings],
                "texts": [{"what": t.what, "diff": t.unified()} for t in c.texts],
                "new_code": [{"what": what, "code": shown} for what, shown in c.new_code],
            }
            for c in diff.notetype_changes
        ],
        "topics": [
            {
                "topic": topic.slug,
                "title": topic.title,
                "added": [card_json(card) for card in topic.added],
                "changed": [{"id": c.new.id, "fields": [field_json(f) for f in c.fields]} for c in topic.changed],
                "renamed": [{**_pair_json(pair), "similarity": round(pair.similarity, 3)} for pair in topic.renamed],
                "removed": [card_json(card) for card in topic.removed],
            }
            for topic in diff.topics
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
