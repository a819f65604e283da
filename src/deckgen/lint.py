"""Warnings about the deck as a whole (the same question twice, tags that differ only in case, media no card
uses), which ``deckgen build`` and ``deckgen check`` both report."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .compile import used_template_media
from .errors import WARNING, Location, Problem
from .layout import MEDIA_DIR
from .model import BUILTIN_KINDS, CLOZE, QA, Deck
from .notes import NoteSpec
from .yamlsource import file_display


def deck_warnings(deck: Deck, notes: Sequence[NoteSpec]) -> list[Problem]:
    used = {name for note in notes for name in note.media} | used_template_media(deck, notes)
    return duplicate_prompts(deck) + tag_case(deck) + unused_media(deck, used)


_CLOZE_MARKUP = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _prompt_key(text: str) -> str:
    text = _CLOZE_MARKUP.sub(r"\1", text)
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def duplicate_prompts(deck: Deck) -> list[Problem]:
    """Same question twice (after folding case, punctuation and cloze markup), or the same words reordered."""
    problems: list[Problem] = []
    exact: dict[str, str] = {}
    words: dict[frozenset[str], str] = {}
    locations = {card.id: card.location for card in deck.cards}
    for card in deck.cards:
        key = _prompt_key(card.prompt)
        field = card.prompt_key if card.kind in BUILTIN_KINDS else f"fields.{card.fields[0][0]}" if card.fields else "fields"
        what = {CLOZE: "cloze text", QA: "front"}.get(card.kind, "first field")
        if key in exact:
            other = exact[key]
            problems.append(Problem(card.where(field),
                                    f"same {what} as card '{other}' ({locations[other]}); merge them or make them distinct",
                                    severity=WARNING, context=f"card '{card.id}'", rule="duplicate"))
            continue
        exact[key] = card.id
        bag = frozenset(key.split())
        if len(bag) >= 4:
            if bag in words:
                other = words[bag]
                problems.append(Problem(card.where(field),
                                        f"{what} has the same words as card '{other}' ({locations[other]}); "
                                        "is it a near-duplicate?", severity=WARNING, context=f"card '{card.id}'",
                                        rule="duplicate"))
            else:
                words[bag] = card.id
    return problems


def tag_case(deck: Deck) -> list[Problem]:
    """Anki treats tags case-insensitively: 'MRD' and 'mrd' would merge into whichever came first."""
    problems: list[Problem] = []
    spelled: dict[str, str] = {}
    for card in deck.cards:
        for tag in (deck.topic_tag(card.topic), *card.tags):
            first = spelled.setdefault(tag.casefold(), tag)
            if first != tag:
                problems.append(Problem(card.where("tags"), f"tag '{tag}' differs from '{first}' only in case; "
                                        "Anki treats them as one tag, so spell it one way", severity=WARNING,
                                        context=f"card '{card.id}'", rule="tags"))
    return problems


def unused_media(deck: Deck, used: set[str]) -> list[Problem]:
    folder = deck.root / MEDIA_DIR
    if not folder.is_dir():
        return []
    return [
        Problem(Location(file_display(path)), "no card uses this file; reference it or delete it",
                severity=WARNING, rule="media")
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.name not in used
    ]


