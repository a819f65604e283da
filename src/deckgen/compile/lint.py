"""Warnings about the deck as a whole (the same question twice, tags that differ only in case, media no card
uses), which ``deckgen build`` and ``deckgen check`` both report."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from deckgen.compile.deck import used_template_media
from deckgen.compile.editor_notes import unused_references
from deckgen.compile.note import NoteSpec
from deckgen.errors import WARNING, Location, Problem
from deckgen.model import BUILTIN_KINDS, CLOZE, QA, Card, Deck
from deckgen.notetypes import cloze
from deckgen.source import media


def deck_warnings(deck: Deck, notes: Sequence[NoteSpec], *, complete: bool = True) -> list[Problem]:
    """``complete``: every card was read and compiled. When some were not (they have errors), what they use is not
    known, so nothing is called unused (a file or reference of a broken card is not an invitation to delete it)."""
    used = {name for note in notes for name in note.media} | used_template_media(deck, notes)
    media = unused_media(deck, used)
    if not complete:
        return duplicate_prompts(deck) + tag_case(deck) + [p for p in media if p.is_error]
    return duplicate_prompts(deck) + tag_case(deck) + media + unused_references(deck)


_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a run of letters and digits; everything else separates words


# A well-formed deletion with no brace inside: every quantifier stops at a brace and the alternatives of the
# answer are disjoint, so matching is linear (the former ``\{\{c\d+::(.*?)(?:::[^}]*)?\}\}`` took minutes on
# ``'{{c1::' * 2000``).
# Numbers as cloze.parse takes them (1 to 3 digits, at most 500).
_SIMPLE_CLOZE = re.compile(r"\{\{c(?:500|[0-4]\d\d|\d\d?)::((?:[^{}:]|:(?!:))*)(?:::[^{}]*)?\}\}")


def _without_cloze_markup(text: str) -> str:
    """``{{c1::answer::hint}}`` -> ``answer``. When every deletion is simple (no brace inside), one linear regular
    expression pass reads them exactly as :func:`cloze.parse` does; otherwise cloze.parse itself (also linear)."""
    if "{{c" not in text:
        return text
    simple = _SIMPLE_CLOZE.sub(r"\1", text)
    if "{{c" not in simple:
        return simple
    deletions, _ = cloze.parse(text)
    parts: list[str] = []
    last = 0
    for d in deletions:
        parts += [text[last : d.offset], d.answer]
        last = d.end
    parts.append(text[last:])
    return "".join(parts)


def _prompt_words(text: str) -> list[str]:
    """The words a prompt is compared by: cloze markup, case, punctuation and Unicode variants folded away."""
    text = _without_cloze_markup(text)
    if not text.isascii():  # ASCII is its own NFKC form
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.casefold())


def prompt_key(card: Card) -> str:
    """What :func:`duplicate_prompts` compares a card by: its prompt's words (see :func:`_prompt_words`), joined
    by spaces. Made once per card when its topic file is compiled, and kept in the cache (``Topic.prompt_keys``)."""
    return " ".join(_prompt_words(card.prompt))


def _keyed_cards(deck: Deck) -> Iterator[tuple[Card, str]]:
    for topic in deck.topics:
        keys = topic.prompt_keys
        if len(keys) != len(topic.cards):
            keys = tuple(prompt_key(card) for card in topic.cards)
        yield from zip(topic.cards, keys, strict=True)


def duplicate_prompts(deck: Deck) -> list[Problem]:
    """Same question twice (after folding case, punctuation and cloze markup), or the same words reordered."""
    problems: list[Problem] = []
    exact: dict[str, str] = {}
    words: dict[frozenset[str], str] = {}
    locations: dict[str, Location] = {}  # filled on the first duplicate (most decks have none)
    for card, key in _keyed_cards(deck):
        other = exact.get(key)
        if other is None:
            exact[key] = card.id
            bag = frozenset(key.split(" ")) if key else frozenset()
            if len(bag) < 4:
                continue
            other = words.get(bag)
            if other is None:
                words[bag] = card.id
                continue
            message = "{what} has the same words as card '{other}' ({where}); is it a near-duplicate?"
        else:
            message = "same {what} as card '{other}' ({where}); merge them or make them distinct"
        if not locations:
            locations = {card.id: card.location for card in deck.cards}
        problems.append(_duplicate(card, message.format(what=_what(card), other=other, where=locations[other])))
    return problems


def _what(card: Card) -> str:
    return {CLOZE: "cloze text", QA: "front"}.get(card.kind, "first field")


def _duplicate(card: Card, message: str) -> Problem:
    field = (
        card.prompt_key if card.kind in BUILTIN_KINDS else f"fields.{card.fields[0][0]}" if card.fields else "fields"
    )
    return Problem(card.where(field), message, severity=WARNING, context=f"card '{card.id}'", rule="duplicate")


def tag_case(deck: Deck) -> list[Problem]:
    """Anki treats tags case-insensitively: 'MRD' and 'mrd' would merge into whichever came first."""
    problems: list[Problem] = []
    spelled: dict[str, str] = {}
    first_spelling: set[str] = set()  # tags seen spelled as they were first (most tags recur on many cards)
    topic_tags: dict[str, str] = {}
    for card in deck.cards:
        topic_tag = topic_tags.get(card.topic)
        if topic_tag is None:
            topic_tag = topic_tags[card.topic] = deck.topic_tag(card.topic)
        for tag in (topic_tag, *card.tags):
            if tag in first_spelling:
                continue
            first = spelled.setdefault(tag.casefold(), tag)
            if first == tag:
                first_spelling.add(tag)
            else:
                problems.append(
                    Problem(
                        card.where("tags"),
                        f"tag '{tag}' differs from '{first}' only in case; "
                        "Anki treats them as one tag, so spell it one way",
                        severity=WARNING,
                        context=f"card '{card.id}'",
                        rule="tags",
                    )
                )
    return problems


def unused_media(deck: Deck, used: set[str]) -> list[Problem]:
    """Files in media/ that no card uses (warnings), and any entry there that may not be shipped (errors)."""
    return media.folder_problems(deck.root, used)
