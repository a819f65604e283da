"""``deckgen diff`` output: Markdown for a pull-request comment, or one JSON document.

Card text is untrusted as far as the comment is concerned: every character that Markdown or HTML could read
as markup is escaped, line breaks become ``<br>``, and the only HTML in the output is deckgen's own
``<br>``, ``<del>`` and ``<ins>``. Changes inside text are shown as ``<del>old</del><ins>new</ins>`` rather than
``~~old~~ **new**``: Markdown emphasis does not open or close next to punctuation inside a word ("MRD~~?~~"
stays literal), HTML tags always do.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from deckgen.diff.compare import (
    DELETE,
    EQUAL,
    INSERT,
    DeckDiff,
    FieldChange,
    TopicChanges,
    is_text_field,
    kind_name,
)
from deckgen.diff.hazards import MESSAGES, Hazard
from deckgen.diff.lock import LockChange
from deckgen.git.repo import Snapshot
from deckgen.model import Card
from deckgen.source.keys import CARD_FIELDS

_ESCAPE = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\n": "<br>",
    "\t": "\t",
    "@": "@\u2060",  # a word joiner after '@': '@name' in a card must not notify a GitHub user
    **{ch: "\\" + ch for ch in "\\`*_[]~|$"},
}


def _code_point(ch: str) -> str:
    return f"<code>U+{ord(ch):04X}</code>"


def escape(text: str) -> str:
    """Card text as inert Markdown: shown as written, on one source line. Characters a reader cannot see (controls
    such as a lone CR, zero-width and bidi characters, non-breaking and other special spaces) are shown as their
    code point, ``<code>U+200B</code>``: a change made of them must never look like no change."""
    if text.isprintable() and not any(ch in _ESCAPE for ch in text):
        return text
    return "".join(_ESCAPE.get(ch) or (ch if ch.isprintable() else _code_point(ch)) for ch in text)


def _all_code_points(text: str) -> str:
    """Every character outside printable ASCII as its code point (for two texts that look the same)."""
    return "".join(escape(ch) if " " <= ch <= "~" else _code_point(ch) for ch in text)


def code(text: str) -> str:
    """A Markdown code span holding ``text`` literally (ids, tags, deck names); invisible characters as ⟨U+…⟩."""
    text = " ".join(text.splitlines())
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else f"⟨U+{ord(ch):04X}⟩" for ch in text)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain_quote(text: str) -> str:
    return f"'{text}'"


def _visible(text: str) -> str:
    """A change that is only whitespace, made visible (other spaces and separators show as code points)."""
    return text.replace(" ", "␣").replace("\t", "→").replace("\r", "␍").replace("\n", "↵") if not text.strip() else text


def _marked(tag: str, text: str) -> str:
    """``<tag>text</tag>``, with spaces at either end left outside (an underlined trailing space reads badly)."""
    if not text.strip():
        return f"<{tag}>{escape(_visible(text))}</{tag}>"
    core = text.strip(" \t")
    start = text.index(core)
    return f"{text[:start]}<{tag}>{escape(core)}</{tag}>{text[start + len(core) :]}"


def _look_alike(old: str, new: str) -> bool:
    """Two different texts a reader would take for the same (é written as e + a combining accent, full-width
    letters, ligatures): equal under Unicode compatibility normalization."""
    return unicodedata.normalize("NFKC", old) == unicodedata.normalize("NFKC", new)


def inline_markdown(change: FieldChange) -> str:
    out = []
    segments = change.segments()
    for index, (op, text) in enumerate(segments):
        if op == EQUAL:
            out.append(escape(text))
            continue
        # the other half of a replacement: the INSERT after a DELETE, the DELETE before an INSERT
        other = index + 1 if op == DELETE else index - 1
        partner = segments[other] if 0 <= other < len(segments) and segments[other][0] in (DELETE, INSERT) else None
        tag = "del" if op == DELETE else "ins"
        if partner is not None and partner[0] != op and text.strip() and _look_alike(text, partner[1]):
            out.append(f"<{tag}>{_all_code_points(text)}</{tag}>")
        else:
            out.append(_marked(tag, text))
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


def shown_fields(card: Card) -> list[tuple[str, str, Any]]:
    """(label, how, value) for each field a card has, in the order of the card-field table (kind and topic are said
    elsewhere): ``how`` is 'text', 'code', 'yes' or 'tags'; each report format writes the value its own way."""
    rows: list[tuple[str, str, Any]] = []
    for field in CARD_FIELDS:
        value = getattr(card, field.name)
        if (
            not field.compare
            or field.name in ("kind", "topic")
            or not (value.strip() if field.shape == "str" else value)
        ):
            continue
        if field.shape == "pairs":
            rows += [(f"fields.{name}", "text", text.strip()) for name, text in value if text.strip()]
        elif field.shape == "bool":
            rows.append((field.name, "yes", True))
        elif field.shape == "strs":
            rows.append((field.name, "tags", value))
        else:
            rows.append((field.name, "text", value.strip()) if field.compare == "text" else (field.name, "code", value))
    return rows


def card_fields(card: Card) -> list[tuple[str, str]]:
    """(field, Markdown) for each field a card has (see shown_fields)."""
    markdown: dict[str, Callable[[Any], str]] = {"text": escape, "code": code, "yes": lambda _: "yes", "tags": _tags}
    return [(label, markdown[how](value)) for label, how, value in shown_fields(card)]


def revision_markdown(snapshot: Snapshot) -> str:
    if not snapshot.commit:
        return "working tree"
    short = snapshot.commit[:7]
    if len(snapshot.label) >= 4 and snapshot.commit.startswith(snapshot.label.lower()):
        return code(short)
    return f"{code(snapshot.label)} ({short})"


def _named(hazard: Hazard, c: Callable[[str], str]) -> str:
    """The first names of a warning's ids, then a count of the rest."""
    more = f" and {len(hazard.ids) - _LOCK_NAMES} more" if len(hazard.ids) > _LOCK_NAMES else ""
    return ", ".join(c(i) for i in hazard.ids[:_LOCK_NAMES]) + more


def hazard_text(hazard: Hazard, c: Callable[[str], str], b: Callable[[str], str]) -> str:
    """One warning, from its row of :data:`deckgen.diff.hazards.MESSAGES`; ``c`` formats names (code span or
    quotes), ``b`` the lead words (bold or not)."""
    lead, rest = MESSAGES[hazard.type]
    one = len(hazard.ids) == 1
    values = {
        "old": c(hazard.old),
        "new": c(hazard.new),
        "id": c(hazard.ids[0]) if hazard.ids else "",
        "second": c(hazard.ids[1]) if len(hazard.ids) > 1 else "",
        "ids": ", ".join(c(i) for i in hazard.ids),
        "named": _named(hazard, c),
        "detail": hazard.new,
        "old_kind": kind_name(hazard.old),
        "new_kind": kind_name(hazard.new),
        "percent": str(round(100 * (hazard.similarity or 0))),
        "it": "it" if one else "them",
        "removed": "Removed card" if one else f"{len(hazard.ids)} removed cards",
    }
    text = b(lead.format_map(values)) + rest.format_map(values)
    if hazard.search:  # "removed": the Anki search that finds them
        text += f" In Anki's browser, this search finds {values['it']}: {c(hazard.search)}"
    if hazard.unsearchable:  # notes of the deck's own note types: no Id field to search
        text += (
            f" ({hazard.unsearchable} of {values['it']} belong to the deck's own note types, which have no Id field: "
            "find those by their text.)"
        )
    return text


_LOCK_NAMES = 20  # lock entries named in a warning or listed in the report; the rest are counted
_LOCK_FIELDS = {
    "entry": "entry",
    "hash": "hash",
    "mod": "mod",
    "kind": "kind",
    "created": "created",
    "file": "lock file",
}


def lock_markdown(changes: tuple[LockChange, ...]) -> list[str]:
    """The lock changes no card change explains, one line each (the first few; then a count)."""
    lines = ["### Lock file", ""]
    for change in changes[:_LOCK_NAMES]:
        name = f"{change.section}/{change.key}" if change.key else change.section
        what = _LOCK_FIELDS.get(change.field, change.field)
        old = code(change.old) if change.old else "(none)"
        new = code(change.new) if change.new else "(none)"
        lines.append(f"- {code(name)} {what}: {old} → {new}")
    if len(changes) > _LOCK_NAMES:
        lines.append(f"- … and {len(changes) - _LOCK_NAMES} more (see `deckgen diff --format json`)")
    return [*lines, ""]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_counts(diff: DeckDiff) -> dict[str, int]:
    return {what: diff.count(what) for what in ("added", "changed", "removed", "renamed")}


def topic_markdown(topic: TopicChanges) -> list[str]:
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
        block(
            f"#### Removed {code(card.id)} ({kind_name(card.kind)})", [f"- **{k}:** {v}" for k, v in card_fields(card)]
        )
    return lines
