"""A tampered lock file: a clear error at its place, never a traceback, never a far-future mod shipped silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deckgen.lock.read import parse_lock
from tests.conftest import run, write_deck

NOW = 1_700_000_000
ENV = {"SOURCE_DATE_EPOCH": str(NOW)}
RESTORE = "restore the lock file from git (e.g. git checkout main -- <lock file>) and run 'deckgen build'"
CARD_LINE = '    "crs-fever": {"hash": "b8040cfbd77e7a6ed253", "kind": "cloze", "mod": 1700000000},'


@pytest.fixture
def cards(tmp_path: Path) -> Path:
    cards = write_deck(tmp_path)
    assert run("build", cards, env=ENV).exit_code == 0
    assert CARD_LINE in (cards / "deckgen.lock").read_text(encoding="utf-8").splitlines()
    return cards


def tamper(cards: Path, old: str, new: str) -> Path:
    lock = cards / "deckgen.lock"
    text = lock.read_text(encoding="utf-8")
    assert old in text
    lock.write_text(text.replace(old, new, 1), encoding="utf-8")
    return lock


def refused(cards: Path, *lines: str) -> None:
    """build, build --locked and check all stop with exactly these problems; nothing is written."""
    lock = cards / "deckgen.lock"
    before = lock.read_bytes() if lock.is_file() and not lock.is_symlink() else None
    apkg = cards.parent / "output" / "fixture-deck.apkg"
    apkg_before = apkg.read_bytes()
    for args in (("build",), ("build", "--locked")):
        result = run(*args, cards, env=ENV)
        assert result.exit_code == 1, result.output
        assert result.output.splitlines() == [*lines, f"deckgen: {len(lines)} error(s); nothing was written"]
    result = run("check", cards, env=ENV)
    assert result.exit_code == 1
    assert result.output.splitlines() == [*lines, f"checked 4 cards in 2 topics: {len(lines)} error(s), 0 warning(s)"]
    assert apkg.read_bytes() == apkg_before
    if before is not None:
        assert lock.read_bytes() == before


def test_far_future_mod_is_an_error_naming_the_fix(cards: Path) -> None:
    lock = tamper(cards, '"kind": "cloze", "mod": 1700000000}', '"kind": "cloze", "mod": 2000000000}')
    refused(
        cards,
        f"{lock}:11:5: error: 'cards' entry 'crs-fever' has mod 2000000000 (2033-05-18 03:33 UTC), more than a day "
        "after this build (2023-11-14 22:13 UTC): learners who imported it would never receive a later update of "
        f"it. If the lock was edited by hand, {RESTORE}; if a build machine's clock was wrong, set "
        "SOURCE_DATE_EPOCH past that time",
    )


def test_a_mod_within_a_day_of_the_build_is_accepted(cards: Path) -> None:
    tamper(cards, '"kind": "cloze", "mod": 1700000000}', f'"kind": "cloze", "mod": {NOW + 3600}}}')
    assert run("build", cards, env=ENV).exit_code == 0


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("-5", "-5"),
        ("2147483648", "2147483648"),
        ("12.5", "12.5"),
        ("1e400", "1e400"),
        ('"1700000000"', "'1700000000'"),
        ("true", "True"),
        ("null", "None"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("[1]", "a list"),
        ("9" * 5000, "9" * 24 + "…"),
    ],
)
def test_mod_that_is_not_a_time(cards: Path, value: str, shown: str) -> None:
    lock = tamper(cards, '"kind": "cloze", "mod": 1700000000}', f'"kind": "cloze", "mod": {value}}}')
    refused(
        cards,
        f"{lock}:11:5: error: 'cards' entry 'crs-fever': 'mod' must be a whole number of seconds from 0 to "
        f"2147483647, got {shown}; {RESTORE}",
    )


def test_removed_entry_with_quotes(cards: Path) -> None:
    lock = tamper(cards, '"removed": {}', '"removed": {"x\\", \\"evil": {"hash": "ab", "mod": 1}}')
    refused(cards, f"{lock}:15:15: error: 'removed' has an entry named 'x\", \"evil', which is not an id; {RESTORE}")


def test_deep_nesting(cards: Path) -> None:
    lock = tamper(cards, '"removed": {}', '"removed": ' + "[" * 100_000 + "]" * 100_000)
    refused(cards, f"{lock}: error: the lock file is nested too deeply; {RESTORE}")


@pytest.mark.parametrize("second", ["1700000001", "1800000000"])
def test_a_name_twice(cards: Path, second: str) -> None:
    """JSON keeps the last of two equal keys; a reviewer reads the first. Either way it is an error."""
    lock = tamper(cards, CARD_LINE, CARD_LINE + "\n" + CARD_LINE.replace("1700000000", second))
    refused(cards, f"{lock}:12:5: error: the lock file names 'crs-fever' twice (a hand edit or a bad merge); {RESTORE}")


def test_a_field_twice(cards: Path) -> None:
    lock = tamper(
        cards, '"kind": "cloze", "mod": 1700000000}', '"kind": "cloze", "mod": 1700000000, "mod": 1700000001}'
    )
    refused(cards, f"{lock}:11:87: error: the lock file names 'mod' twice (a hand edit or a bad merge); {RESTORE}")


def test_wrong_shapes_each_at_their_place(cards: Path) -> None:
    lock = tamper(
        cards, '"hash": "b8040cfbd77e7a6ed253", "kind": "cloze"', '"hash": "<script>", "kind": "Clo ze", "extra": 1'
    )
    tamper(cards, '"created": 1700000000', '"created": -1')
    refused(
        cards,
        f"{lock}:3:3: error: 'created' must be a whole number of seconds from 0 to 2147483647, got -1; {RESTORE}",
        f"{lock}:11:5: error: 'cards' entry 'crs-fever': 'hash' must be a hexadecimal hash, got '<script>'; {RESTORE}",
        f"{lock}:11:5: error: 'cards' entry 'crs-fever': 'kind' must be a note kind, got 'Clo ze'; {RESTORE}",
        f"{lock}:11:5: error: 'cards' entry 'crs-fever': unknown field 'extra'; {RESTORE}",
    )


def test_far_future_created(cards: Path) -> None:
    lock = tamper(cards, '"created": 1700000000', '"created": 2100000000')
    refused(
        cards,
        f"{lock}:3:3: error: 'created' has mod 2100000000 (2036-07-18 13:20 UTC), more than a day after this build "
        "(2023-11-14 22:13 UTC): learners who imported it would never receive a later update of it. If the lock "
        f"was edited by hand, {RESTORE}; if a build machine's clock was wrong, set SOURCE_DATE_EPOCH past that time",
    )


def test_lock_that_is_a_symlink_to_dev_zero_is_never_read(cards: Path) -> None:
    lock = cards / "deckgen.lock"
    lock.unlink()
    lock.symlink_to("/dev/zero")
    refused(
        cards, f"{lock}: error: is a symbolic link; the lock file must be a regular file in the cards folder; {RESTORE}"
    )
    assert lock.is_symlink()


def test_lock_that_is_a_fifo(cards: Path) -> None:
    lock = cards / "deckgen.lock"
    lock.unlink()
    os.mkfifo(lock)
    refused(cards, f"{lock}: error: is not a regular file (a folder, FIFO or device); {RESTORE}")


def test_oversized_lock(cards: Path) -> None:
    lock = cards / "deckgen.lock"
    with open(lock, "r+b") as fh:
        fh.truncate(64 * 1024 * 1024 + 1)
    refused(cards, f"{lock}: error: is 67,108,865 bytes, over the 67,108,864-byte limit for a lock file; {RESTORE}")


def test_not_a_mapping_and_wrong_version() -> None:
    from deckgen.errors import ContentError

    for text, message in [
        ("[]", f"x.lock: error: the lock file must hold a mapping, got a list; {RESTORE}"),
        (
            '{"version": 7}',
            f"x.lock:1:2: error: unsupported lock version 7 (this deckgen reads version 2); use the deckgen "
            f"that wrote it; {RESTORE}",
        ),
        (
            '{"version": 1, "created": 1, "deck": null, "notetypes": {}, "cards": 5, "removed": {}, "x": 1}',
            f"x.lock:1:61: error: 'cards' must be a mapping of entries, got 5; {RESTORE}",
        ),
    ]:
        with pytest.raises(ContentError) as caught:
            parse_lock(text.encode(), "x.lock")
        assert [p.text() for p in caught.value.problems][0] == message
