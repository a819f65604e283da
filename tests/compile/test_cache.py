"""The cache is outside the repository but not trusted: every entry is checked like input when read, and anything
odd is a miss (the file is parsed again), never an error, a hang or a wrong value."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen.compile.cache import Cache, decode, encode, widths
from deckgen.compile.deck import compile_cards
from deckgen.compile.note import CompileContext
from deckgen.errors import Location, Problem
from deckgen.model import Card
from deckgen.source.keys import CARD_FIELDS
from deckgen.source.loader import parse_topic
from tests.conftest import TOPIC_YAML, run, write_deck

CTX = CompileContext("fixture-deck", "fx", "A fixture article, Test Press")
PATH = Path("cards/basics.yaml")


def result() -> tuple[Any, ...]:
    topic, problems = parse_topic(TOPIC_YAML.encode(), PATH, "cards/basics.yaml")
    assert topic is not None
    notes, found = compile_cards(topic.cards, CTX)
    return (
        topic,
        notes,
        problems + found + [Problem(topic.location, "a warning kept with the entry", severity="warning")],
    )


def test_an_entry_reads_back_exactly() -> None:
    original = result()
    payload = json.loads(json.dumps(encode(original)))  # as stored
    assert decode(payload, PATH, widths(CTX)) == original


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))]
    if isinstance(value, list):
        return [(*path, i) for i in range(len(value))] + [p for i, v in enumerate(value) for p in leaves(v, (*path, i))]
    return [path]


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    copy = list(value)
    copy[head] = replaced(value[head], rest, new)
    return copy


PAYLOAD = json.loads(json.dumps({"key": "k", **encode(result())}))
PLACES = leaves(PAYLOAD)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**20) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)


def well_typed(found: tuple[Any, ...]) -> None:
    topic, notes, problems = found
    for card in topic.cards:
        assert isinstance(card, Card)
        for field in CARD_FIELDS:
            value = getattr(card, field.name)
            assert isinstance(value, {"str": str, "bool": bool, "location": Location}.get(field.shape, tuple))
        assert all(isinstance(t, str) for t in card.tags) and isinstance(card.location.line, int)
        assert all(isinstance(name, str) and isinstance(text, str) for name, text in card.fields)
        assert all(isinstance(k, str) and isinstance(a, int) and isinstance(b, int) for k, a, b in card.spots)
    ids = {card.id for card in topic.cards}
    for note in notes:
        assert note.card_id in ids and all(isinstance(f, str) for f in note.fields + note.tags + note.media)
        assert all(isinstance(o, int) and 0 <= o < 500 for o in note.ords)
    for problem in problems:
        assert problem.severity in ("error", "warning") and isinstance(problem.location.line, int)
        problem.text()  # shows without error
    sorted(problems, key=Problem.sort_key)


@settings(max_examples=300)
@given(st.sampled_from(PLACES), json_values)
def test_any_damaged_value_is_a_miss_or_still_well_typed(
    tmp_path_factory: Any, place: tuple[Any, ...], value: Any
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    cache = Cache(folder)
    entry = folder / "k"[:2] / "k.json"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(json.dumps(replaced(PAYLOAD, place, value)), encoding="utf-8")
    found = cache.get("k", PATH, widths(CTX))
    if found is not None:
        well_typed(found)


def test_damaged_and_planted_entries_are_misses(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    entry = tmp_path / "k" / "k.json"
    entry.parent.mkdir()
    for text in [
        "{not json",
        "[]",
        "null",
        '{"key": "k"}',
        '{"key": "other"}',
        "[" * 100_000 + "]" * 100_000,
        json.dumps(
            {**PAYLOAD, "key": "k", "cards": {**PAYLOAD["cards"], "reverse": PAYLOAD["cards"]["reverse"] + [True]}}
        ),
    ]:
        entry.write_text(text, encoding="utf-8")
        assert cache.get("k", PATH, widths(CTX)) is None, text[:40]
    lying = json.loads(json.dumps(PAYLOAD))
    lying["cards"]["tags"]["n"][0] += 1  # one more tag than the column holds
    entry.write_text(json.dumps(lying), encoding="utf-8")
    assert cache.get("k", PATH, widths(CTX)) is None
    entry.unlink()
    entry.symlink_to("/dev/zero")  # never read
    assert cache.get("k", PATH, widths(CTX)) is None
    entry.unlink()
    os.mkfifo(entry)  # never waited on
    assert cache.get("k", PATH, widths(CTX)) is None


def test_a_cache_folder_others_may_write_is_not_used(tmp_path: Path, private_cache: Path) -> None:
    cards = write_deck(tmp_path)
    os.chmod(private_cache, 0o777)
    assert run("build", cards).exit_code == 0
    assert list(private_cache.iterdir()) == []  # nothing written, so nothing planted there is ever read
    os.chmod(private_cache, 0o700)
    assert run("build", cards).exit_code == 0
    assert len(list(private_cache.rglob("*.json"))) == 2


def test_a_planted_entry_with_odd_values_falls_back_to_parsing(tmp_path: Path, private_cache: Path) -> None:
    cards = write_deck(tmp_path)
    assert run("build", cards).exit_code == 0
    apkg = (tmp_path / "output" / "fixture-deck.apkg").read_bytes()
    for entry in private_cache.rglob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        if data["notes"]["s"]:
            data["notes"]["s"][2] = "no-such-note-type"
        entry.write_text(json.dumps(data), encoding="utf-8")
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "fixture-deck.apkg").read_bytes() == apkg


def test_an_entry_of_a_deck_note_type_and_a_subdeck_reads_back_exactly() -> None:
    from deckgen.model import NoteType

    vocab = NoteType(
        "vocab", 123456789, "Vocabulary", ("Word", "Meaning"), (("Recognise", "{{Word}}", "{{Meaning}}"),), False
    )
    ctx = CompileContext("fixture-deck", "fx", "", notetypes=(vocab,))
    text = (
        "topic: words\ntitle: Words\ndeck: Lesson 1\ncards:\n  - id: hao\n    type: vocab\n    guid: 'Ol5|c'\n"
        "    fields: {Word: 好, Meaning: good}\n"
    )
    topic, problems = parse_topic(text.encode(), PATH, "cards/words.yaml", {"vocab": vocab.fields})
    assert topic is not None and topic.deck == "Lesson 1"
    notes, found = compile_cards(topic.cards, ctx)
    original = (topic, notes, problems + found)
    payload = json.loads(json.dumps(encode(original)))
    assert decode(payload, PATH, widths(ctx)) == original
    try:  # without the note type (deck.yaml changed), the entry is odd: a miss
        decode(payload, PATH, widths(CTX))
    except Exception as exc:  # noqa: BLE001 - any refusal is a miss for Cache.get
        assert type(exc).__name__ in ("_Odd", "KeyError")
    else:
        raise AssertionError("an entry with an unknown note type was accepted")
