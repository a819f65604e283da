"""``deckgen diff`` output: Markdown for a pull-request comment, or one JSON document.

Card text is untrusted as far as the comment is concerned: every character that Markdown or HTML could read
as markup is escaped, line breaks become ``<br>``, and the only HTML in the output is deckgen's own
``<br>``, ``<del>`` and ``<ins>``. Changes inside text are shown as ``<del>old</del><ins>new</ins>`` rather than
``~~old~~ **new**``: Markdown emphasis does not open or close next to punctuation inside a word ("MRD~~?~~"
stays literal), HTML tags always do.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from .diff import DELETE, EQUAL, INSERT, CardChange, DeckDiff, FieldChange, Hazard, TopicChanges, is_text_field, kind_name
from .gitio import Snapshot
from .model import QA, Card

_ESCAPE = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "<br>", "\r": "",
    "@": "@\u2060",  # a word joiner after '@': '@name' in a card must not notify a GitHub user
    **{ch: "\\" + ch for ch in "\\`*_[]~|$"},
}


def escape(text: str) -> str:
    """Card text as inert Markdown: shown as written, on one source line."""
    return "".join(_ESCAPE.get(ch, ch) for ch in text.replace("\r\n", "\n"))


def code(text: str) -> str:
    """A Markdown code span holding ``text`` literally (ids, tags, deck names)."""
    text = " ".join(text.splitlines())
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain_quote(text: str) -> str:
    return f"'{text}'"


def _visible(text: str) -> str:
    """A change that is only whitespace, made visible."""
    return text.replace(" ", "␣").replace("\t", "→").replace("\r", "").replace("\n", "↵") if not text.strip() else text


def _marked(tag: str, text: str) -> str:
    """``<tag>text</tag>``, with spaces at either end left outside (an underlined trailing space reads badly)."""
    if not text.strip():
        return f"<{tag}>{escape(_visible(text))}</{tag}>"
    core = text.strip(" \t")
    start = text.index(core)
    return f"{text[:start]}<{tag}>{escape(core)}</{tag}>{text[start + len(core):]}"


def inline_markdown(change: FieldChange) -> str:
    out = []
    for op, text in change.segments():
        if op == EQUAL:
            out.append(escape(text))
        elif op == DELETE:
            out.append(_marked("del", text))
        elif op == INSERT:
            out.append(_marked("ins", text))
    return "".join(out)


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _tags(tags: tuple[str, ...]) -> str:
    return ", ".join(code(tag) for tag in tags)


def field_markdown(change: FieldChange) -> str:
    """One changed field as a list item."""
    name, old, new = change.field, change.old, change.new
    if name == "tags":
        assert isinstance(old, tuple) and isinstance(new, tuple)
        parts = [code(t) if t in new else f"<del>{code(t)}</del>" for t in old]
        parts += [f"<ins>{code(t)}</ins>" for t in new if t not in old]
        body = ", ".join(parts)
    elif name == "reverse":
        body = f"{_yes_no(old)} → {_yes_no(new)}"
    elif name == "kind":
        body = f"{kind_name(str(old))} → {kind_name(str(new))}"
    elif is_text_field(name):
        body = inline_markdown(change)
    else:
        body = f"{code(str(old)) if old else '(none)'} → {code(str(new)) if new else '(none)'}"
    return f"- **{name}:** {body}"


def card_fields(card: Card) -> list[tuple[str, str]]:
    """(field, Markdown) for each field a card has, in reading order."""
    rows: list[tuple[str, str]] = []
    if card.kind == QA:
        rows += [("front", escape(card.front.strip())), ("back", escape(card.back.strip()))]
        if card.reverse:
            rows.append(("reverse", "yes"))
    else:
        rows.append(("cloze", escape(card.cloze.strip())))
    rows += [(name, escape(getattr(card, name).strip())) for name in ("extra", "source", "editor_note") if getattr(card, name).strip()]
    if card.editor_ref:
        rows.append(("editor_ref", code(card.editor_ref)))
    if card.tags:
        rows.append(("tags", _tags(card.tags)))
    return rows


def revision_markdown(snapshot: Snapshot) -> str:
    if not snapshot.commit:
        return "working tree"
    short = snapshot.commit[:7]
    if len(snapshot.label) >= 4 and snapshot.commit.startswith(snapshot.label.lower()):
        return code(short)
    return f"{code(snapshot.label)} ({short})"


def hazard_text(hazard: Hazard, c: Callable[[str], str], b: Callable[[str], str]) -> str:
    """One warning; ``c`` formats names (code span or quotes), ``b`` the lead words (bold or not)."""
    if hazard.type == "deck-key":
        return (f"{b('Deck key changed')} {c(hazard.old)} → {c(hazard.new)}: every note's identity comes from the deck key, "
                "so every card arrives as a new note. Learners get a second copy of the whole deck with no review history. "
                "Keep the old key unless this is meant to be a separate deck.")
    if hazard.type == "deck-name":
        return (f"{b('Deck renamed')} {c(hazard.old)} → {c(hazard.new)}: learners' existing cards stay in the deck they "
                "are in (Anki does not move cards on import); only cards new to them go to the new deck, so they end up "
                "with two.")
    if hazard.type == "notetype":
        return (f"{b('Note type changed')} {c(hazard.ids[0])}: its hash in deckgen.lock differs between the revisions, so "
                "its fields, templates or styling changed (the lock cannot tell which). New templates and styling reach "
                "learners on import; a changed field or template name would make Anki skip the updates of every such note.")
    if hazard.type == "kind":
        return (f"{b('Card type changed')} {c(hazard.ids[0])}: {kind_name(hazard.old)} → {kind_name(hazard.new)} under the same "
                "id. Anki cannot change a note's type on import and skips the update; give the new card a new id.")
    if hazard.type == "rename":
        percent = round(100 * (hazard.similarity or 0))
        return (f"{b('Probable rename')} {c(hazard.ids[0])} → {c(hazard.ids[1])} (question {percent}% similar): a new id "
                "is a new note, so learners start this card from scratch and keep the old one as well. Keep the old id "
                "unless the card now asks something else.")
    if hazard.type == "removed":
        one = len(hazard.ids) == 1
        it = "it" if one else "them"
        lead = "Removed card" if one else f"{len(hazard.ids)} removed cards"
        return (f"{b(lead)} {', '.join(c(i) for i in hazard.ids)}: a package cannot delete notes, so learners keep {it} "
                f"(and keep reviewing {it}) until they delete {it} themselves.")
    raise ValueError(hazard.type)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_counts(diff: DeckDiff) -> dict[str, int]:
    return {what: diff.count(what) for what in ("added", "changed", "removed", "renamed")}


def _topic_markdown(topic: TopicChanges) -> list[str]:
    title = f"### {code(topic.slug)}: {escape(topic.title)}" if topic.title else f"### {code(topic.slug)}"
    lines = [title, ""]

    def block(heading: str, items: list[str]) -> None:
        lines.extend([heading, "", *items, ""])

    for card in topic.added:
        block(f"#### Added {code(card.id)} ({kind_name(card.kind)})", [f"- **{k}:** {v}" for k, v in card_fields(card)])
    for change in topic.changed:
        block(f"#### Changed {code(change.new.id)}", [field_markdown(f) for f in change.fields])
    for pair in topic.renamed:
        items = [field_markdown(f) for f in pair.fields] or ["- no other changes"]
        block(f"#### Renamed {code(pair.old.id)} → {code(pair.new.id)} (probably)", items)
    for card in topic.removed:
        block(f"#### Removed {code(card.id)} ({kind_name(card.kind)})", [f"- **{k}:** {v}" for k, v in card_fields(card)])
    return lines


def markdown(diff: DeckDiff) -> str:
    """The report as Markdown (no trailing newline)."""
    base, head = revision_markdown(diff.base), revision_markdown(diff.head)
    if diff.is_empty:
        return f"No deck changes between {base} and {'the ' if not diff.head.commit else ''}{head}."
    counts = summary_counts(diff)
    summary = f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed"
    if counts["renamed"]:
        summary += f", {counts['renamed']} renamed"
    summary = f"**{summary}**"
    if diff.topics:
        summary += f" in {_plural(len(diff.topics), 'topic')}"
    lines = [f"## Deck changes: {base} → {head}", "", summary, ""]
    if diff.topics:
        lines += ["| Topic | Added | Changed | Removed | Renamed |", "| --- | ---: | ---: | ---: | ---: |"]
        for topic in diff.topics:
            n = [len(topic.added), len(topic.changed), len(topic.removed), len(topic.renamed)]
            lines.append(f"| {code(topic.slug)} | " + " | ".join(str(x) for x in n) + " |")
        lines.append("")
    hazards = diff.hazards()
    if hazards:
        lines += ["### ⚠️ Warnings", ""]
        lines += [f"- {hazard_text(h, code, lambda s: f'**{s}**')}" for h in hazards]
        lines.append("")
    if diff.deck:
        lines += ["### Deck settings", "", *(field_markdown(change) for change in diff.deck), ""]
    for topic in diff.topics:
        lines += _topic_markdown(topic)
    return "\n".join(lines).rstrip("\n")


# JSON -------------------------------------------------------------------------------------------------------------


def card_json(card: Card) -> dict[str, object]:
    out: dict[str, object] = {
        "id": card.id, "kind": card.kind, "topic": card.topic, "front": card.front, "back": card.back,
        "reverse": card.reverse, "cloze": card.cloze, "extra": card.extra, "source": card.source, "tags": list(card.tags),
    }
    if card.editor_note:  # only cards that have one: the keys are newer than the report's other fields
        out.update(editor_note=card.editor_note, editor_ref=card.editor_ref)
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
            {"type": h.type, "ids": list(h.ids), "old": h.old or None, "new": h.new or None,
             "similarity": None if h.similarity is None else round(h.similarity, 3),
             "message": hazard_text(h, plain_quote, str)}
            for h in diff.hazards()
        ],
        "deck": [field_json(change) for change in diff.deck],
        "notetypes": list(diff.notetypes),
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
