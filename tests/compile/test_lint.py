"""The deck-wide warnings read per card with fast paths (words found once per prompt, tags looked at once per
spelling): on random decks they give exactly what the former, plainer reading gave, written out here as the
reference (duplicate ids, cloze markup, case and Unicode variants included)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from deckgen.compile.lint import duplicate_prompts, prompt_key, tag_case
from deckgen.compile.pipeline import load_and_compile
from deckgen.errors import WARNING, Location, Problem
from deckgen.model import BUILTIN_KINDS, CLOZE, QA, Card, Deck, Topic
from deckgen.notetypes import cloze
from tests.conftest import write_deck

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def reference_key(text: str) -> str:
    if "{{c" in text:
        deletions, _ = cloze.parse(text)
        parts: list[str] = []
        last = 0
        for d in deletions:
            parts += [text[last : d.offset], d.answer]
            last = d.end
        parts.append(text[last:])
        text = "".join(parts)
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def reference_duplicates(deck: Deck) -> list[Problem]:
    problems: list[Problem] = []
    exact: dict[str, str] = {}
    words: dict[frozenset[str], str] = {}
    locations = {card.id: card.location for card in deck.cards}
    for card in deck.cards:
        key = reference_key(card.prompt)
        field = card.prompt_key if card.kind in BUILTIN_KINDS else f"fields.{card.fields[0][0]}"
        what = {CLOZE: "cloze text", QA: "front"}.get(card.kind, "first field")
        context = f"card '{card.id}'"
        if key in exact:
            other = exact[key]
            message = f"same {what} as card '{other}' ({locations[other]}); merge them or make them distinct"
            problems.append(Problem(card.where(field), message, WARNING, context, "duplicate"))
            continue
        exact[key] = card.id
        bag = frozenset(key.split())
        if len(bag) >= 4:
            if bag in words:
                other = words[bag]
                message = f"{what} has the same words as card '{other}' ({locations[other]}); is it a near-duplicate?"
                problems.append(Problem(card.where(field), message, WARNING, context, "duplicate"))
            else:
                words[bag] = card.id
    return problems


def reference_tags(deck: Deck) -> list[Problem]:
    problems: list[Problem] = []
    spelled: dict[str, str] = {}
    for card in deck.cards:
        for tag in (deck.topic_tag(card.topic), *card.tags):
            first = spelled.setdefault(tag.casefold(), tag)
            if first != tag:
                message = (
                    f"tag '{tag}' differs from '{first}' only in case; Anki treats them as one tag, so spell it one way"
                )
                problems.append(Problem(card.where("tags"), message, WARNING, f"card '{card.id}'", "tags"))
    return problems


WORDS = ["MRD", "mrd", "CD19", "cd19", "ﬁbrin", "fibrin", "T-cell", "t_cell", "is", "what", "the", "a", "b", "c"]
word = st.sampled_from([*WORDS, "{{c1::", "::hint", "}}", "{{c2::CD3}}", "?", ", ", "  ", "Ⅻ"])
prompt = st.lists(word, max_size=8).map(" ".join)
card = st.tuples(
    st.sampled_from(["a", "b", "c", "d", "e"]),  # ids may repeat (an error the loader reports; warnings still run)
    st.sampled_from([QA, CLOZE, "vocab"]),
    st.sampled_from(["t1", "T1", "t2"]),
    prompt,
    st.lists(st.sampled_from(["MRD", "mrd", "Mrd", "x", "X", "y"]), max_size=3),
)


def make_deck(specs: list[tuple[str, str, str, str, list[str]]]) -> Deck:
    cards = []
    for line, (card_id, kind, topic, text, tags) in enumerate(specs, start=1):
        location = Location(f"cards/{topic}.yaml", line, 5)
        spots = (("front", line, 12), ("cloze", line, 12), ("tags", line, 11), ("fields.Word", line, 13))
        if kind == QA:
            cards.append(Card(card_id, kind, topic, location, front=text, back="A", tags=tuple(tags), spots=spots))
        elif kind == CLOZE:
            cards.append(Card(card_id, kind, topic, location, cloze=text, tags=tuple(tags), spots=spots))
        else:
            fields = (("Word", text), ("Meaning", "m"))
            cards.append(Card(card_id, kind, topic, location, tags=tuple(tags), spots=spots, fields=fields))
    topics = tuple(
        Topic(
            slug,
            slug,
            Path(f"cards/{slug}.yaml"),
            Location(f"cards/{slug}.yaml"),
            tuple(c for c in cards if c.topic == slug),
        )
        for slug in dict.fromkeys(c.topic for c in cards)
    )
    return Deck("k", "K", "K", "", None, Path("cards"), Location("cards/deck.yaml"), topics)


@given(st.lists(card, max_size=14))
@example([("a", QA, "t1", "what is MRD", ["MRD"]), ("b", QA, "t1", "What is mrd?", ["mrd"])])
@example([("a", QA, "t1", "the a b c", []), ("a", QA, "t1", "c b a the", [])])
@example([("a", QA, "t1", "t_cell is the a", []), ("b", "vocab", "t2", "T-cell: is the A", [])])
@example([("a", QA, "t1", "ﬁbrin Ⅻ", []), ("b", QA, "t2", "fibrin XII", [])])
@example([("a", CLOZE, "t1", "{{c1:: MRD ::hint}} is the c", []), ("b", QA, "t1", "MRD is the c", [])])
def test_deck_warnings_are_what_the_former_reading_gave(specs: list[tuple[str, str, str, str, list[str]]]) -> None:
    deck = make_deck(specs)
    assert duplicate_prompts(deck) == reference_duplicates(deck)
    assert tag_case(deck) == reference_tags(deck)


def with_prompt_keys(deck: Deck) -> Deck:
    """The deck as a compiled (or cached) build has it: each topic carries its cards' keys."""
    topics = tuple(replace(t, prompt_keys=tuple(prompt_key(card) for card in t.cards)) for t in deck.topics)
    return replace(deck, topics=topics)


@given(st.lists(card, max_size=14))
@example([("a", QA, "t1", "the a b c", []), ("b", QA, "t2", "c b a the", [])])
def test_kept_prompt_keys_give_the_same_warnings(specs: list[tuple[str, str, str, str, list[str]]]) -> None:
    deck = make_deck(specs)
    assert duplicate_prompts(with_prompt_keys(deck)) == reference_duplicates(deck)


def test_prompt_keys_that_do_not_fit_the_cards_are_made_again() -> None:
    deck = make_deck([("a", QA, "t1", "the a b c", []), ("b", QA, "t1", "c b a the", [])])
    (topic,) = deck.topics
    short = replace(deck, topics=(replace(topic, prompt_keys=("unrelated",)),))
    assert duplicate_prompts(short) == reference_duplicates(deck) != []


def test_a_cached_build_warns_as_a_cold_one(tmp_path: Path) -> None:
    cards = write_deck(
        tmp_path,
        topics={
            "one.yaml": "topic: one\ntitle: One\ncards:\n  - id: a\n    front: What is the MRD level\n    back: B\n",
            "two.yaml": "topic: two\ntitle: Two\ncards:\n  - id: b\n    front: the MRD level -- what is?\n"
            "    back: B\n  - id: c\n    front: What is the MRD level?\n    back: C\n",
        },
    )
    cold = load_and_compile(cards, use_cache=True, jobs=1)
    cached = load_and_compile(cards, use_cache=True, jobs=1)  # every topic file from the cache
    assert cached.deck is not None
    assert [t.prompt_keys for t in cached.deck.topics] == [
        ("what is the mrd level",),
        ("the mrd level what is", "what is the mrd level"),
    ]
    assert cold.problems == cached.problems
    assert [p.rule for p in cold.problems].count("duplicate") == 2
