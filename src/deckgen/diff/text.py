"""``deckgen diff --format text``: the report for a person at a terminal, plain (no Markdown escapes, no HTML),
coloured when ``color`` is set (the CLI sets it on a TTY).

Card text is untrusted here too: a terminal obeys escape sequences, so every character a reader cannot see (ESC,
other controls, zero-width and bidi characters, special spaces) is shown as ``⟨U+001B⟩``, and a line break in a
field as ``↵``. Changes inside text are ``[-old-]{+new+}`` (git's word diff) without colour, red and green with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deckgen.diff.compare import DELETE, EQUAL, DeckDiff, FieldChange, TopicChanges, is_text_field, kind_name
from deckgen.diff.report import hazard_text, plural, shown_fields, summary_counts
from deckgen.git.repo import Snapshot
from deckgen.model import Card

_RESET = "\x1b[0m"
_STYLES = {"bold": "\x1b[1m", "red": "\x1b[31m", "green": "\x1b[32m", "yellow": "\x1b[33m", "dim": "\x1b[2m"}


def plain(text: str) -> str:
    """Text as shown on a terminal: one line, every invisible character as its code point."""
    if text.isprintable():
        return text
    return "".join("↵" if ch == "\n" else ch if ch.isprintable() or ch == "\t" else f"⟨U+{ord(ch):04X}⟩" for ch in text)


class _Writer:
    def __init__(self, color: bool):
        self.color = color

    def style(self, name: str, text: str) -> str:
        return f"{_STYLES[name]}{text}{_RESET}" if self.color and text else text

    def quote(self, text: str) -> str:
        return f"'{plain(text)}'"

    def inline(self, change: FieldChange) -> str:
        out = []
        for op, text in change.segments():
            shown = plain(text) if text.strip() else plain(text).replace(" ", "␣")
            if op == EQUAL:
                out.append(plain(text))
            elif self.color:
                out.append(self.style("red" if op == DELETE else "green", shown))
            else:
                out.append(f"[-{shown}-]" if op == DELETE else f"{{+{shown}+}}")
        return "".join(out)

    def field(self, change: FieldChange) -> str:
        name, old, new = change.field, change.old, change.new
        if name == "tags":
            assert isinstance(old, tuple) and isinstance(new, tuple)
            gone = [self.inline(FieldChange("", t, "")) for t in old if t not in new]
            came = [self.inline(FieldChange("", "", t)) for t in new if t not in old]
            body = ", ".join([*(plain(t) for t in old if t in new), *gone, *came])
        elif name == "reverse":
            body = f"{'yes' if old else 'no'} → {'yes' if new else 'no'}"
        elif name == "kind":
            body = f"{kind_name(str(old))} → {kind_name(str(new))}"
        elif is_text_field(name):
            body = self.inline(change)
        else:
            body = f"{self.quote(str(old)) if old else '(none)'} → {self.quote(str(new)) if new else '(none)'}"
        return f"    {name}: {body}"


def _revision(snapshot: Snapshot) -> str:
    if not snapshot.commit:
        return "working tree"
    return f"{plain(snapshot.label)} ({snapshot.commit[:7]})" if snapshot.label else snapshot.commit[:7]


def _topic(w: _Writer, topic: TopicChanges) -> list[str]:
    lines = [w.style("bold", f"{plain(topic.slug)}: {plain(topic.title)}" if topic.title else plain(topic.slug))]
    for card in topic.added:
        lines.append(w.style("green", f"  + added {plain(card.id)} ({kind_name(card.kind)})"))
        lines += [f"    {name}: {value}" for name, value in card_rows(card)]
    for change in topic.changed:
        lines.append(w.style("yellow", f"  ~ changed {plain(change.new.id)}"))
        lines += [w.field(f) for f in change.fields]
    for pair in topic.renamed:
        lines.append(w.style("yellow", f"  ~ renamed {plain(pair.old.id)} → {plain(pair.new.id)} (probably)"))
        lines += [w.field(f) for f in pair.fields] or ["    no other changes"]
    for card in topic.removed:
        lines.append(w.style("red", f"  - removed {plain(card.id)} ({kind_name(card.kind)})"))
        lines += [f"    {name}: {value}" for name, value in card_rows(card)]
    return [*lines, ""]


def card_rows(card: Card) -> list[tuple[str, str]]:
    """(field, text) for each field a card has (see report.shown_fields), as plain text."""
    text: dict[str, Callable[[Any], str]] = {
        "text": plain,
        "code": lambda value: plain(value.strip()),
        "yes": lambda _: "yes",
        "tags": lambda tags: ", ".join(map(plain, tags)),
    }
    return [(label, text[how](value)) for label, how, value in shown_fields(card)]


def text(diff: DeckDiff, color: bool = False) -> str:
    """The report as plain text (no trailing newline); ``color`` adds ANSI colours."""
    w = _Writer(color)
    base, head = _revision(diff.base), _revision(diff.head)
    if diff.is_empty:
        return f"No deck changes between {base} and {'the ' if not diff.head.commit else ''}{head}."
    counts = summary_counts(diff)
    summary = f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed"
    if counts["renamed"]:
        summary += f", {counts['renamed']} renamed"
    if diff.topics:
        summary += f" in {plural(len(diff.topics), 'topic')}"
    lines = [w.style("bold", f"Deck changes: {base} → {head}"), summary, ""]
    hazards = diff.hazards()
    if hazards:
        lines.append(w.style("yellow", "Warnings"))
        lines += [f"  ! {hazard_text(h, w.quote, lambda s: w.style('bold', s))}" for h in hazards]
        lines.append("")
    if diff.deck:
        lines += [w.style("bold", "Deck settings"), *(w.field(change) for change in diff.deck), ""]
    for change in diff.notetype_changes:
        nt = change.new or change.old
        assert nt is not None
        what = "added" if change.old is None else "removed" if change.new is None else "changed"
        lines.append(w.style("bold", f"Note type {plain(change.key)} ({plain(nt.name)}): {what}"))
        lines += [f"    {name}: {w.quote(old)} → {w.quote(new)}" for name, old, new in change.settings]
        for text_change in change.texts:
            lines.append(f"    {text_change.what}:")
            for line in text_change.unified().splitlines():
                colour = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
                lines.append("      " + w.style(colour, plain(line)))
        lines.append("")
    for topic in diff.topics:
        lines += _topic(w, topic)
    if not diff.media.is_empty:
        lines.append(w.style("bold", "Media"))
        for what, names in diff.media.lists():
            lines.append(f"  {what}: " + ", ".join(plain(name) for name in names))
        lines.append("")
    if diff.lock.by_hand:
        lines.append(f"Lock file: {len(diff.lock.by_hand)} change(s) no card change explains (see --format markdown)")
    return "\n".join(lines).rstrip("\n")
