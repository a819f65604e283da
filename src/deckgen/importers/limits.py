"""Bounds on what a source may make deckgen read, and errors about a source.

A package is a zip archive from a stranger: every size below is checked before the bytes are read (the zip's
declared sizes) *and* while they are read (zstd frames and SQLite do not tell the truth in advance), so a zip bomb
stops with a message instead of filling the disk or the memory. Tests lower these numbers.
"""

from __future__ import annotations

from typing import NoReturn

from deckgen.errors import ContentError, Location, Problem

MAX_MEMBERS = 500_000  # files in one package (real shared decks have up to some tens of thousands of media files)
MAX_COLLECTION_BYTES = 2 * 1024**3  # the SQLite collection, decompressed
MAX_MEDIA_BYTES = 100 * 1024**2  # one media file (Anki does not sync larger ones)
MAX_MAP_BYTES = 64 * 1024**2  # the media map, the meta file
MAX_DECK_JSON_BYTES = 256 * 1024**2  # a CrowdAnki deck.json (3,900 notes take 2 MB)
MAX_TOTAL_BYTES = 8 * 1024**3  # everything read from one source, decompressed
MAX_SQL_SECONDS = 120.0  # reading the collection's tables
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
