"""apkg/zipped.py: a build that reuses the deflated pieces kept from the last build gives the same package, byte for
byte, as a cold build; damaged or foreign kept pieces never change the package; the package imports into Anki."""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.apkg.zipped import STORE_NAME
from deckgen.build import build, package_state
from tests.conftest import DECK_YAML, AnkiCollection, write_deck

PNG_HEAD = bytes.fromhex("89504e470d0a1a0a")
KINDS = ("basic", "reverse", "cloze")


def card_yaml(card: dict[str, object]) -> str:
    text = f"{card['text']} (#{card['id']})"
    if card["kind"] == "cloze":
        lines = [f'    cloze: "{text} is {{{{c1::{card["answer"]}}}}}."']
    else:
        lines = [f'    front: "{text}?"', f'    back: "{card["answer"]}"']
        if card["kind"] == "reverse":
            lines.append("    reverse: true")
    if card.get("image"):
        lines.append(f'    extra: "![figure](media/{card["image"]})"')
    return f"  - id: {card['id']}\n" + "\n".join(lines) + "\n"


def write_cards(cards_dir: Path, cards: list[dict[str, object]], media: dict[str, bytes]) -> None:
    for old in cards_dir.glob("topic-*.yaml"):
        old.unlink()
    for start in range(0, max(len(cards), 1), 4):  # four cards a topic file
        body = "".join(card_yaml(card) for card in cards[start : start + 4])
        (cards_dir / f"topic-{start // 4:03d}.yaml").write_text(
            f"topic: topic-{start // 4:03d}\ntitle: Topic {start // 4}\ncards:\n{body or '  []'}\n".replace(
                "cards:\n  []", "cards: []"
            ),
            encoding="utf-8",
        )
    folder = cards_dir / "media"
    shutil.rmtree(folder, ignore_errors=True)
    if media:
        folder.mkdir()
        for name, data in media.items():
            (folder / name).write_bytes(data)


def edit(rng: random.Random, cards: list[dict[str, object]], media: dict[str, bytes], counter: list[int]) -> None:
    """One random edit: insert mid-deck, delete, edit a text, rename an id, change the note type, change media."""
    action = rng.choice(("insert", "insert", "delete", "edit", "rename", "kind", "media", "image"))
    counter[0] += 1
    if action == "insert" or not cards:
        new = {"id": f"c{counter[0]}", "kind": rng.choice(KINDS), "text": f"text {counter[0]}", "answer": "A"}
        cards.insert(rng.randint(0, len(cards)), new)
    elif action == "delete" and len(cards) > 1:
        cards.pop(rng.randrange(len(cards)))
    elif action == "edit":
        rng.choice(cards)["text"] = f"edited {counter[0]} " + "word " * rng.randint(0, 400)  # long: other pages too
    elif action == "rename":
        rng.choice(cards)["id"] = f"renamed-{counter[0]}"
    elif action == "kind":  # another note type needs a new id (the lock refuses it under the old one)
        card = rng.choice(cards)
        card["kind"] = rng.choice([kind for kind in KINDS if kind != card["kind"]])
        card["id"] = f"retyped-{counter[0]}"
    elif action == "media":  # a new or changed image, shown on a card
        name = f"fig{rng.randint(0, 2)}.png"
        rng.choice(cards)["image"] = name
        size = rng.choice((10, 70_000, 140_000))  # past one and two deflated pieces (64 KiB)
        data = bytearray(PNG_HEAD + bytes(size))
        data[rng.randrange(len(data))] = counter[0] % 256  # one byte changed: the other pieces stay
        media[name] = bytes(data)
    elif action == "image":  # a card shows another image, or none
        card = rng.choice(cards)
        card["image"] = rng.choice(sorted(media)) if media and rng.random() < 0.7 else None
    used = {card.get("image") for card in cards}
    for name in list(media):
        if name not in used:
            del media[name]  # an unused media file is a problem, not a test of the package


def cold_package(cards_dir: Path, out: Path, now: int) -> bytes:
    """The package a cold build writes for the cards and lock as they are (no cache, nothing kept)."""
    build(cards_dir, out, now=now, use_cache=False, jobs=1)
    return out.read_bytes()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 6))
def test_incremental_package_is_the_cold_package(
    tmp_path_factory: pytest.TempPathFactory, seed: int, steps: int
) -> None:
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("kept")
    cards_dir = write_deck(root, topics={})
    cards: list[dict[str, object]] = [
        {"id": f"c{i}", "kind": KINDS[i % 3], "text": f"text {i}", "answer": f"A{i}"} for i in range(6)
    ]
    media: dict[str, bytes] = {}
    counter = [100]
    for step in range(steps + 1):
        if step:
            edit(rng, cards, media, counter)
        write_cards(cards_dir, cards, media)
        now = 1_700_000_000 + 100 * step
        plan, _ = build(cards_dir, root / "incremental.apkg", now=now, jobs=1)
        lock_text = (cards_dir / "deckgen.lock").read_text(encoding="utf-8")
        state = package_state(plan.deck.key)
        assert state is not None and (state / STORE_NAME).is_file()
        assert (root / "incremental.apkg").read_bytes() == cold_package(cards_dir, root / "cold.apkg", now), step
        assert (cards_dir / "deckgen.lock").read_text(encoding="utf-8") == lock_text  # the cold build agrees


def built_deck(tmp_path: Path) -> tuple[Path, Path, bytes]:
    cards_dir = write_deck(tmp_path)
    out = tmp_path / "deck.apkg"
    build(cards_dir, out, now=1_700_000_000)
    return cards_dir, out, out.read_bytes()


def state_of(cards_dir: Path) -> Path:
    state = package_state("fixture-deck")
    assert state is not None and (state / STORE_NAME).is_file()
    return state


def rebuild_after_edit(cards_dir: Path, out: Path, *, edit: bool = True) -> bytes:
    """Edit one card (or not), build through whatever is kept, and return the package (checked against a cold
    build)."""
    if edit:
        basics = cards_dir / "basics.yaml"
        basics.write_text(basics.read_text(encoding="utf-8").replace("BiTE", "BiTE antibody"), encoding="utf-8")
    build(cards_dir, out, now=1_700_000_100)
    package = out.read_bytes()
    assert package == cold_package(cards_dir, out.with_name("cold.apkg"), 1_700_000_100)
    return package


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "garbage", "swapped"])
def test_damaged_kept_pieces_are_deflated_again(tmp_path: Path, damage: str) -> None:
    cards_dir, out, package = built_deck(tmp_path)
    store = state_of(cards_dir) / STORE_NAME
    data = bytearray(store.read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(hashlib.sha256(b"x").digest() * 1000)
    else:  # the deflated bytes of one record planted under another's key (its check follows it: still refused)
        header = len(b"deckgen-pieces-1\n")
        data[header : header + 16] = bytes(16)
    store.write_bytes(bytes(data))
    assert rebuild_after_edit(cards_dir, out, edit=False) == package
    repaired = store.read_bytes()  # the build wrote back what it used: the damaged records are gone
    store.unlink()
    assert rebuild_after_edit(cards_dir, out, edit=False) == package
    assert store.read_bytes() == repaired


def test_pieces_kept_for_another_deck_with_the_same_key(tmp_path: Path) -> None:
    first, out, _ = built_deck(tmp_path / "one")
    other = write_deck(tmp_path / "two", deck=DECK_YAML.replace("A *fixture* deck", "Another deck"))
    (other / "basics.yaml").write_text(
        "topic: basics\ntitle: B\ncards:\n  - id: lone\n    front: Q\n    back: A\n", encoding="utf-8"
    )
    (other / "safety.yaml").unlink()
    build(other, tmp_path / "two.apkg", now=1_700_000_000)
    assert (tmp_path / "two.apkg").read_bytes() == cold_package(other, tmp_path / "two-cold.apkg", 1_700_000_000)
    rebuild_after_edit(first, out)  # the kept pieces are now the other deck's


def test_incremental_package_imports_into_anki(tmp_path: Path, anki: AnkiCollection) -> None:
    cards_dir, out, _ = built_deck(tmp_path)
    rebuild_after_edit(cards_dir, out)
    anki.import_package(out)
    assert anki.note_by_id_field("bite-abbreviation")["Front"] == "BiTE antibody"
    assert len(anki.notes()) == 4
