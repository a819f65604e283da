"""Bounds on what a source may make deckgen read, and errors about a source (the GUID check of every format).

A package is a zip archive from a stranger: every size below is checked before the bytes are read (the zip's
declared sizes) *and* while they are read (zstd frames and SQLite do not tell the truth in advance), so a zip bomb
stops with a message instead of filling the disk or the memory. The collection's columns are measured in SQL
(``length()``, one value at a time inside SQLite) before any row is read into Python and split: a 319 KB package
whose tags column held a gigabyte made the reader peak at 4 GB. Tests lower these numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from deckgen.errors import ContentError, Location, Problem
from deckgen.identity.ids import GUID_RULE, valid_guid

MAX_MEMBERS = 500_000  # files in one package (real shared decks have up to some tens of thousands of media files)
MAX_COLLECTION_BYTES = 2 * 1024**3  # the SQLite collection, decompressed
MAX_MEDIA_BYTES = 100 * 1024**2  # one media file (Anki does not sync larger ones)
MAX_MAP_BYTES = 64 * 1024**2  # the media map, the meta file
MAX_DECK_JSON_BYTES = 256 * 1024**2  # a CrowdAnki deck.json (3,900 notes take 2 MB)
MAX_TOTAL_BYTES = 8 * 1024**3  # everything read from one source, decompressed
MAX_SQL_SECONDS = 120.0  # reading the collection's tables
MAX_NOTE_FIELDS_BYTES = 16 * 1024**2  # one note's fields (real notes: some KB; a field with an inline image: some MB)
MAX_NOTE_TAGS_BYTES = 1024**2  # one note's tags (real notes: tens of bytes)
MAX_NAME_BYTES = 64 * 1024  # a GUID, a note type, field, template or deck name
MAX_CONFIG_BYTES = 16 * 1024**2  # one note type's or template's settings (templates and CSS), one deck's
MAX_NOTES_TEXT_BYTES = 1024**3  # the fields and tags of all notes together (a 50,000-note deck: some 50 MB)
MAX_ZSTD_WINDOW = 1 << 27  # memory a zstd frame may ask for (Anki writes with the default level: 8 MiB windows)


def fail(source: str, message: str, *, context: str = "", line: int = 0, col: int = 0) -> NoReturn:
    """Stop reading ``source`` with one located problem (exit code 1, nothing written)."""
    raise ContentError([Problem(Location(source, line, col), message, context=context, rule="import")])


class Budget:
    """The bytes one source may still produce; every decompressed chunk is charged to it."""

    def __init__(self, source: str, total: int | None = None):
        self.source = source
        self.left = MAX_TOTAL_BYTES if total is None else total

    def charge(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            fail(self.source, f"decompresses to more than {MAX_TOTAL_BYTES:,} bytes in all; refusing it as a zip bomb")


def check_guids(guids: Sequence[str], source: str) -> None:
    """Every source format's one GUID check: each note's GUID is one a cards folder can keep, and no two notes share
    one (Anki matches notes by GUID, so deckgen could not tell which note is meant)."""
    bad = [guid for guid in guids if not valid_guid(guid)]
    if bad:
        fail(
            source,
            f"has notes whose GUID Anki does not write: {_some(bad)}; a note GUID is {GUID_RULE} "
            "(a damaged or hand-made source)",
        )
    seen: dict[str, int] = {}
    dupes: list[str] = []
    for guid in guids:
        seen[guid] = seen.get(guid, 0) + 1
        if seen[guid] == 2:
            dupes.append(guid)
    if dupes:
        fail(
            source,
            f"has several notes with the GUID {_some(dupes)}; a GUID is a note's identity in every learner's Anki, "
            "so deckgen cannot tell which note is meant (a damaged or hand-made source)",
        )


def _some(guids: list[str]) -> str:
    """The first five GUIDs (each cut to 40 characters), then a count."""
    shown = ", ".join(repr(g if len(g) <= 40 else g[:40] + "…") for g in guids[:5])
    return shown + (f" and {len(guids) - 5} more" if len(guids) > 5 else "")
