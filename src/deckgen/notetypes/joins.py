"""Math that a card's values join on a card side, found card by card.

MathJax reads a side's text as strings joined across ``<wbr>``, ``<br>`` (a newline) and comments
(screen/policy.py ``math_strings``). Every value Anki fills in lands in those strings: the note's fields, its tags
(``{{Tags}}``), its deck (``{{Deck}}``, ``{{Subdeck}}``), the note type's and template's names (``{{Type}}``,
``{{Card}}``), and on the back the whole front through ``{{FrontSide}}``. A command that neither a value nor the
template's text holds on its own can appear where they meet: a field ending in ``\\(\\hr`` and the next one starting
with ``ef{javascript:...}``, or a tag ``\\href{...}`` between a field ending in ``\\(`` and one starting with ``\\)``.

Each side is read once per note type into a run of template text (as the page shows it: tags, sections and
comments removed, entities decoded) and placeholders in text, the front spliced in where the back shows
``{{FrontSide}}``. The run is one string even across other elements (a safe over-approximation: MathJax splits its
strings there). Per card, the values are put in and the TeX allow-list (render/tex.py) is run over the run; what it
finds that no field and no template text holds on its own is reported (those are reported where they are). The
tags, deck and note type names are never checked on their own, so what they hold counts here. Per card the work is
the number of distinct placeholders of each side, unless a value or the side's text holds a '\\' (math can only
start there); then the side's placeholders plus at most ``2 * WINDOW`` characters of template text and of each
field between them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from deckgen.model import NoteType
from deckgen.notetypes import filters as anki_filters
from deckgen.notetypes import language as templates
from deckgen.render.tex import unsafe_commands

WINDOW = 300  # characters on each side of a meeting that can form one command with its arguments (tex.MAX_ARGUMENT)
SPECIAL = frozenset({"Tags", "Deck", "Subdeck", "Type", "Card"})  # values nothing else checks for math
_SLOT = re.compile("\x00(\\d+)\x00")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_RAW = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.S | re.I)  # MathJax skips their text
_WBR = re.compile(r"<wbr\b[^>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z!?/][^>]*>")
_HR_ANSWER = "<hr id=answer>"  # removed by the desktop reviewer when the card has a type-in box (screen/substitute.py)
_HIDDEN = frozenset({"type", "tts"})  # a type-in box or a play button stands there, not the value's text


@dataclass(frozen=True)
class Slot:
    """A placeholder in a side's text: the value's key and the filters it goes through."""

    key: str
    filters: tuple[str, ...]
    template: str = ""  # {{Card}}: the template's name, its value

    @property
    def shown(self) -> str:
        return "{{" + ":".join((*self.filters, self.key)) + "}}"


@dataclass(frozen=True)
class Run:
    """A side as MathJax reads it, with the values left out: template text and placeholders, in order."""

    template: str
    side: str  # "front" or "back"
    items: tuple[str | Slot, ...]
    via_front: bool  # the back shows the front through {{FrontSide}}
    backslash: bool  # the template's text holds a '\\'
    alone: frozenset[str]  # what the allow-list finds in each piece of template text on its own
    slots: frozenset[Slot]  # the placeholders, each once (the front's too, when the back shows it)
    front: tuple[str | Slot, ...]  # the front's run, for {{FrontSide}} on the back


def _window(text: str) -> str:
    return text if len(text) <= 2 * WINDOW else text[:WINDOW] + "\n" + text[-WINDOW:]


def _side(text: str, name: str, typed: bool) -> tuple[list[str | Slot], list[str], bool]:
    """(template text and placeholders in text, the whole pieces of text, whether ``{{FrontSide}}`` is shown) of
    one side of template ``name``; ``typed``: the card has a type-in box (``<hr id=answer>`` is then removed)."""
    text = text.replace("\x00", "")  # (the page reads NUL as U+FFFD): it marks the placeholders here
    slots: list[str] = []
    out: list[str] = []
    pos = 0
    for offset, raw in templates._handlebars(text):
        out.append(text[pos:offset])
        pos = text.index("}}", offset + 2) + 2
        inner = raw.strip()
        if inner[:1] in ("#", "^", "/"):
            continue  # sections: their content is read as shown (more joins, never fewer)
        out.append(f"\x00{len(slots)}\x00")
        slots.append(inner)
    out.append(text[pos:])
    page = "".join(out)
    if typed:
        page = page.replace(_HR_ANSWER, "")
    page = _TAG.sub("\n", _WBR.sub("", _RAW.sub("\n", _COMMENT.sub("", page))))
    parts = _SLOT.split(page)
    items: list[str | Slot] = []
    pieces: list[str] = []
    front_side = False
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pieces.append(html.unescape(part))
            items.append(_window(pieces[-1]))
            continue
        *filters, key = slots[int(part)].split(":")
        key = key.strip()
        if key == "FrontSide":
            front_side = True
            items.append(Slot(key, ()))
        else:
            items.append(Slot(key, tuple(f.strip() for f in filters), name if key == "Card" else ""))
    return items, pieces, front_side


@lru_cache(maxsize=128)
def runs(nt: NoteType) -> tuple[Run, ...]:
    """The runs of every side of ``nt``'s templates (each template's front, then its back)."""
    out: list[Run] = []
    for name, front, back in nt.templates:
        typed = "type:" in front or "type:" in back
        q, q_pieces, _ = _side(front, name, typed)
        a, a_pieces, via_front = _side(back, name, typed)
        for side, items, pieces, shows_front in (("front", q, q_pieces, False), ("back", a, a_pieces, via_front)):
            texts = pieces + (q_pieces if shows_front else [])
            distinct = {item for item in items + (q if shows_front else []) if isinstance(item, Slot)}
            distinct.discard(Slot("FrontSide", ()))
            if not distinct:
                continue
            alone = frozenset(m for piece in texts if "\\" in piece for m in unsafe_commands(piece))
            backslash = any("\\" in t for t in texts)
            front_items = tuple(q) if shows_front else ()
            out.append(Run(name, side, tuple(items), shows_front, backslash, alone, frozenset(distinct), front_items))
    return tuple(out)


def problems(nt: NoteType, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """(the key of a value in the meeting, message) for each command of the TeX allow-list that the card's values
    (``values``: fields by name, and ``Tags``, ``Deck``, ``Subdeck``) form on a side with each other or with the
    template's text, and that no field and no template text holds on its own."""
    page: dict[Slot, str] = {}
    alone: set[str] = set()
    held: dict[str, str] = {}  # what a tag or deck name holds on its own: reported on it
    for run in runs(nt):
        for item in run.slots:
            if item not in page:
                page[item] = _page_text(item, values, nt.name)
                if "\\" in page[item]:
                    found = unsafe_commands(page[item])
                    if item.key in SPECIAL:
                        held.update((m, item.key) for m in found if m not in held)
                    else:
                        alone.update(found)
    out: list[tuple[str, str]] = []
    reported: set[tuple[str, str]] = set()
    for run in runs(nt):  # per card: the run's distinct placeholders; the whole run only when a '\\' can count
        if not any(page[slot] for slot in run.slots):
            continue
        if not run.backslash and not any("\\" in page[slot] for slot in run.slots):
            continue
        joined, shown = _joined(run.items, page, run.front)
        names = list(dict.fromkeys(item.shown for item in shown))
        for message in dict.fromkeys(unsafe_commands(joined)):
            if message in alone or message in run.alone or (run.template, message) in reported:
                continue
            reported.add((run.template, message))
            out.append((held.get(message) or _owner(shown), _message(run, names, message)))
    return out


def _joined(
    items: tuple[str | Slot, ...], page: Mapping[Slot, str], front: tuple[str | Slot, ...]
) -> tuple[str, list[Slot]]:
    """(the side's text with the card's values, the placeholders with a value in it): each field cut to its two
    ends (``WINDOW``; its middle is checked on its own), the front shown through ``{{FrontSide}}`` too (its own
    run checks its middle), the tags and deck names whole (nothing checks them on their own)."""
    parts: list[str] = []
    shown: list[Slot] = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        elif item.key == "FrontSide":
            text, inner = _joined(front, page, ())
            parts.append(_window(text))
            shown += inner
        else:
            value = page[item]
            if value:
                shown.append(item)
            parts.append(value if item.key in SPECIAL else _window(value))
    return "".join(parts), shown


def _page_text(slot: Slot, values: Mapping[str, str], notetype: str) -> str:
    """The text a browser shows for the slot's value (tags removed, entities decoded), as the filters leave it."""
    if slot.key in ("Type", "Card"):
        return html.unescape(slot.template or notetype)
    value = values.get(slot.key, "")
    if not value or slot.key in ("CardFlag", "CardID") or _HIDDEN.intersection(slot.filters):
        return ""
    return anki_filters.strip_html(anki_filters.apply(slot.filters, value))


def _owner(shown: list[Slot]) -> str:
    """The value a problem is reported on: the first field in the meeting, else the tags, else the first one."""
    for slot in shown:
        if slot.key not in SPECIAL:
            return slot.key
    return next((slot.key for slot in shown if slot.key == "Tags"), shown[0].key)


def _message(run: Run, names: list[str], message: str) -> str:
    where = f"template '{run.template}' ({run.side}"
    where += ", which shows the front through '{{FrontSide}}')" if run.via_front else ")"
    if len(names) == 1:
        return f"'{names[0]}' stands in the text of {where}, and MathJax reads it with the template's text as one: {message}"
    listed = ", ".join(f"'{n}'" for n in names[:-1]) + f" and '{names[-1]}'"
    return f"{listed} stand side by side in {where}, and MathJax reads their text as one: {message}"
