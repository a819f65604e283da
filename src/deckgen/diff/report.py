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

from deckgen.diff.compare import (
    DELETE,
    EQUAL,
    INSERT,
    DeckDiff,
    FieldChange,
    Hazard,
    TopicChanges,
    is_text_field,
    kind_name,
)
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


def card_fields(card: Card) -> list[tuple[str, str]]:
    """(field, Markdown) for each field a card has, in the order of the card-field table (kind and topic are said
    elsewhere)."""
    rows: list[tuple[str, str]] = []
    for field in CARD_FIELDS:
        value = getattr(card, field.name)
        if (
            not field.compare
            or field.name in ("kind", "topic")
            or not (value.strip() if field.shape == "str" else value)
        ):
            continue
        if field.shape == "pairs":
            rows += [(f"fields.{name}", escape(text.strip())) for name, text in value if text.strip()]
        elif field.shape == "bool":
            rows.append((field.name, "yes"))
        elif field.shape == "strs":
            rows.append((field.name, _tags(value)))
        else:
            rows.append((field.name, escape(value.strip()) if field.compare == "text" else code(value)))
    return rows


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
    """One warning; ``c`` formats names (code span or quotes), ``b`` the lead words (bold or not)."""
    if hazard.type == "deck-key":
        return (
            f"{b('Deck key changed')} {c(hazard.old)} → {c(hazard.new)}: every note's identity comes from the deck key, "
            "so every card arrives as a new note. Learners get a second copy of the whole deck with no review history. "
            "Keep the old key unless this is meant to be a separate deck."
        )
    if hazard.type == "deck-name":
        return (
            f"{b('Deck renamed')} {c(hazard.old)} → {c(hazard.new)}: learners' existing cards stay in the deck they "
            "are in (Anki does not move cards on import); only cards new to them go to the new deck, so they end up "
            "with two."
        )
    if hazard.type in ("subdeck", "subdeck-cards"):
        what = f"topic {c(hazard.ids[0])}" if hazard.type == "subdeck" else ", ".join(c(i) for i in hazard.ids)
        return (
            f"{b('Moved to another deck')} {what}: {c(hazard.old)} → {c(hazard.new)}. Anki keeps the cards learners "
            "already have where they are; only learners who import them for the first time get them in the new deck."
        )
    if hazard.type == "notetype-id":
        return (
            f"{b('Note type id changed')} {c(hazard.ids[0])} {c(hazard.old)} → {c(hazard.new)}: Anki matches note types "
            "by id, so learners get a second note type and a second copy of every note of it."
        )
    if hazard.type == "notetype-schema":
        return (
            f"{b('Note type fields or templates changed')} {c(hazard.ids[0])}: Anki cannot change them in a note type its "
            "learners have. Learners on Anki 23.10+ must tick 'Merge note types' when importing; otherwise Anki adds a "
            "copy of the note type and skips the updates of all its notes."
        )
    if hazard.type == "notetype-explicit-id":
        return (
            f"{b('New note type with a given id')} {c(hazard.ids[0])} (id {c(hazard.new)}): Anki matches note types by "
            "id, so if another deck uses this id, importing this deck replaces that deck's templates and styling in "
            "learners' Anki. Remove the `id:` (deckgen derives one from the deck key) unless it is this deck's own "
            "note type moved from elsewhere."
        )
    if hazard.type == "notetype-code":
        return (
            f"{b('New code in a note type')} {c(hazard.ids[0])}: {hazard.new}. Templates and CSS run in every "
            "learner's Anki; read this change as you would read code."
        )
    if hazard.type == "notetype":
        return (
            f"{b('Note type changed')} {c(hazard.ids[0])}: its hash in deckgen.lock differs between the revisions, so "
            "its fields, templates or styling changed (the lock cannot tell which). New templates and styling reach "
            "learners on import; a changed field or template name would make Anki skip the updates of every such note."
        )
    if hazard.type == "kind":
        return (
            f"{b('Card type changed')} {c(hazard.ids[0])}: {kind_name(hazard.old)} → {kind_name(hazard.new)} under the same "
            "id. Anki cannot change a note's type on import and skips the update; give the new card a new id."
        )
    if hazard.type == "rename":
        percent = round(100 * (hazard.similarity or 0))
        return (
            f"{b('Probable rename')} {c(hazard.ids[0])} → {c(hazard.ids[1])} (question {percent}% similar): a new id "
            "is a new note, so learners start this card from scratch and keep the old one as well. Keep the old id "
            "unless the card now asks something else."
        )
    if hazard.type == "rename-skipped":
        return (
            f"{b('Rename detection skipped')}: {hazard.new}. Cards whose question is unchanged are still paired; "
            "look for renamed cards among the added and removed ones yourself (a new id is a new note)."
        )
    if hazard.type == "media-replaced":
        return (
            f"{b('Media file replaced')} {_named(hazard, c)}: the file's content changed under the same name, so cards that "
            "show it change for learners while their text does not. Open the new file and check it before merging."
        )
    if hazard.type == "media-skipped":
        return f"{b('Media not compared')}: {hazard.new}; check changes under media/ yourself."
    if hazard.type == "guid":
        return (
            f"{b('New card with a given guid')} {_named(hazard, c)}: Anki matches notes by guid, so if a note of another "
            "deck has this guid, importing this deck overwrites that note in learners' Anki. Remove `guid:` (deckgen "
            "derives one from the deck key and the card id) unless the card comes from an existing Anki deck."
        )
    if hazard.type == "guid-changed":
        return (
            f"{b('Card guid changed')} {_named(hazard, c)}: Anki matches notes by guid, so the card becomes another note "
            "(learners get a second copy without its reviews) or overwrites a note of another deck that has this "
            "guid. `deckgen build` refuses it unless `--allow-identity-change` is given."
        )
    if hazard.type == "lock-future":
        return (
            f"{b('Lock file mod in the future')} {', '.join(c(i) for i in hazard.ids)}: more than a day after now. "
            "Learners who import such a package never receive a later update of those notes; `deckgen build` "
            "refuses it. Restore the lock file from the base branch and run `deckgen build`."
        )
    if hazard.type == "lock-backwards":
        return (
            f"{b('Lock file mod went backwards')} {', '.join(c(i) for i in hazard.ids)}: Anki applies an update "
            "only when its mod is newer than the learner's, so these changes would never arrive. Restore the lock "
            "file from the base branch and run `deckgen build`."
        )
    if hazard.type == "lock":
        return (
            f"{b('Lock file changed without a card change')} {_named(hazard, c)}: `deckgen build` writes the lock, "
            "and after a deckgen upgrade it may ship cards again; a hand edit can instead stop updates from "
            "reaching learners or bring back a removed id. Check that the lock came from `deckgen build`."
        )
    if hazard.type == "removed":
        one = len(hazard.ids) == 1
        it = "it" if one else "them"
        lead = "Removed card" if one else f"{len(hazard.ids)} removed cards"
        return (
            f"{b(lead)} {', '.join(c(i) for i in hazard.ids)}: a package cannot delete notes, so learners keep {it} "
            f"(and keep reviewing {it}) until they delete {it} themselves."
        )
    raise ValueError(hazard.type)


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
