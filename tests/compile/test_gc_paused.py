"""The collector is paused while a deck is built and comes back as it was: nothing made meanwhile is left frozen
out of reach of a later collection (a long-lived process, such as a test run, would leak every cycle)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from deckgen.build import build
from deckgen.compile.pipeline import gc_paused
from tests.conftest import write_deck


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector can free it


def test_a_cycle_made_while_paused_is_collected_afterwards() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        node = Node()
        ref = weakref.ref(node)
        del node
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert ref() is None


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_build_leaves_the_collector_as_it_found_it(tmp_path: Path, private_cache: Path) -> None:
    cards = write_deck(tmp_path)
    build(cards, tmp_path / "out" / "deck.apkg", now=1_700_000_000)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
