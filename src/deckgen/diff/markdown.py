"""``deckgen diff`` as Markdown for a pull-request comment: the summary, the warnings (first, so that a comment cut
at GitHub's size limit keeps them), the topic table, deck settings, note types in full, the lock, the cards."""

from __future__ import annotations

from deckgen.diff.compare import DeckDiff
from deckgen.diff.report import (
    code,
    escape,
    field_markdown,
    hazard_text,
    lock_markdown,
    plural,
    revision_markdown,
    summary_counts,
    topic_markdown,
)
from deckgen.model import NoteType


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return fence


MAX_SHOWN = 20_000  # characters of one template side or CSS shown for an added note type


def _added_texts(nt: NoteType) -> list[str]:
    """An added note type's templates and CSS in full (up to MAX_SHOWN characters each): they run in every
    learner's Anki, and a reviewer must read them."""
    sides = [
        (f"template '{name}' {side}", text)
        for name, front, back in nt.templates
        for side, text in (("front", front), ("back", back))
    ]
    lines: list[str] = []
    for what, text in [*sides, ("css", nt.css)]:
        if not text.strip():
            continue
        shown = text[:MAX_SHOWN]
        fence = _fence(shown)
        lines += [
            f"- **{escape(what)}:**",
            "",
            f"{fence}{'css' if what == 'css' else 'html'}",
            shown.rstrip("\n"),
            fence,
        ]
        if len(text) > MAX_SHOWN:
            lines.append(
                f"- **{escape(what)}:** {len(text) - MAX_SHOWN:,} more characters not shown; read the whole "
                "file in the pull request"
            )
        lines.append("")
    return lines


def notetypes_markdown(diff: DeckDiff) -> list[str]:
    """A section per changed note type: its settings, and its templates and CSS as unified diffs."""
    lines: list[str] = []
    for change in diff.notetype_changes:
        nt = change.new or change.old
        assert nt is not None
        what = "Added" if change.old is None else "Removed" if change.new is None else "Changed"
        lines += [f"#### {what} note type {code(change.key)} ({escape(nt.name)})", ""]
        if change.new is None:
            lines += ["- its notes stay in learners' collections with it", ""]
            continue
        if change.old is None:
            lines += [
                f"- **fields:** {escape(', '.join(nt.fields))}",
                f"- **templates:** {escape(', '.join(t[0] for t in nt.templates))}",
            ]
            if change.explicit_id:
                lines.append(f"- **id:** {code(str(nt.id))} (given in deck.yaml)")
            lines.append("")
            lines += _added_texts(nt)
            continue
        lines += [f"- **{name}:** {code(old)} → {code(new)}" for name, old, new in change.settings]
        for text in change.texts:
            body = text.unified()
            fence = _fence(body)
            lines += [f"- **{escape(text.what)}:**", "", f"{fence}diff", body, fence, ""]
        lines.append("")
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
        summary += f" in {plural(len(diff.topics), 'topic')}"
    lines = [f"## Deck changes: {base} → {head}", "", summary, ""]
    # warnings first: a comment cut at GitHub's size limit (a pull request of thousands of topics) keeps them
    hazards = diff.hazards()
    if hazards:
        lines += ["### ⚠️ Warnings", ""]
        lines += [f"- {hazard_text(h, code, lambda s: f'**{s}**')}" for h in hazards]
        lines.append("")
    if diff.topics:
        lines += ["| Topic | Added | Changed | Removed | Renamed |", "| --- | ---: | ---: | ---: | ---: |"]
        for topic in diff.topics:
            n = [len(topic.added), len(topic.changed), len(topic.removed), len(topic.renamed)]
            lines.append(f"| {code(topic.slug)} | " + " | ".join(str(x) for x in n) + " |")
        lines.append("")
    if diff.deck:
        lines += ["### Deck settings", "", *(field_markdown(change) for change in diff.deck), ""]
    if diff.notetype_changes:
        lines += ["### Note types", "", *notetypes_markdown(diff)]
    if diff.lock.by_hand:
        lines += lock_markdown(diff.lock.by_hand)
    if not diff.media.is_empty:
        lines += ["### Media", ""]
        for what, names in diff.media.lists():
            lines.append(f"- **{what.capitalize()}:** " + ", ".join(code(name) for name in names))
        lines.append("")
    for topic in diff.topics:
        lines += topic_markdown(topic)
    return "\n".join(lines).rstrip("\n")
