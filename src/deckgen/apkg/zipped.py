"""The package's zip file, written so that unchanged data is not compressed again.

Each entry is deflated in independent pieces of 64 KiB (a full flush after each piece, so no piece refers back
into another); the deflated pieces of the last build are kept in the cache folder, keyed by a hash of the piece
they hold, so a rebuild deflates only the pieces that changed (a one-card edit changes one page of a
42 MB collection). A cold build deflates every piece the same way, so the bytes do not depend on what was kept.
The kept pieces are checked before use (the hash of the deflated bytes as written); anything odd is deflated again.

The zip itself is written here, with fixed dates, permissions and order (no zip64: a package past 4 GB or 65,535
entries is written by :mod:`zipfile`, deflating everything).
"""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

PIECE = 64 * 1024
LEVEL = 1
STORE_NAME = "pieces"
_MAGIC = b"deckgen-pieces-1\n"
_RECORD = struct.Struct("<16s16sI")
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, 00:00:00
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16, person=b"deckgen-deflate1").digest()


class Pieces:
    """Deflated pieces by the hash of what they hold: those read from the last build, and those this build used
    (written to a new store as they are used, so that they are not all held in memory)."""

    def __init__(self, kept: dict[bytes, tuple[bytes, bytes]], state: Path | None = None):
        self.kept = kept
        self.state = state
        self.used: set[bytes] = set()
        self.deflated = 0  # pieces deflated by this build (not found, or found damaged)
        self._store: BinaryIO | None = None
        self._tmp = state / f".{STORE_NAME}.{os.getpid()}.tmp" if state is not None else None

    @classmethod
    def load(cls, state: Path | None) -> Pieces:
        if state is None:
            return cls({})
        try:
            data = (state / STORE_NAME).read_bytes()
        except OSError:
            return cls({}, state)
        kept: dict[bytes, tuple[bytes, bytes]] = {}
        if data.startswith(_MAGIC):
            at = len(_MAGIC)
            while at + _RECORD.size <= len(data):
                key, check, size = _RECORD.unpack_from(data, at)
                at += _RECORD.size
                kept[key] = (check, data[at : at + size])
                at += size
        return cls(kept, state)

    def deflate(self, data: bytes) -> Iterator[bytes]:
        """``data`` deflated piece by piece (a raw deflate stream, ended by an empty final block)."""
        for start in range(0, len(data), PIECE):
            piece = data[start : start + PIECE]
            key = _digest(piece)
            found = self.kept.get(key)
            if found is None or _digest(found[1]) != found[0]:
                packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
                deflated = packer.compress(piece) + packer.flush(zlib.Z_FULL_FLUSH)
                found = (_digest(deflated), deflated)
                self.deflated += 1
            self._keep(key, found)
            yield found[1]
        yield b"\x03\x00"  # an empty final block

    def _keep(self, key: bytes, found: tuple[bytes, bytes]) -> None:
        if key in self.used or self._tmp is None:
            return
        self.used.add(key)
        try:
            if self._store is None:
                self._tmp.parent.mkdir(parents=True, exist_ok=True)
                self._store = open(self._tmp, "wb")  # noqa: SIM115 (closed by save())
                self._store.write(_MAGIC)
            self._store.write(_RECORD.pack(key, found[0], len(found[1])))
            self._store.write(found[1])
        except OSError:
            self._tmp = None  # a read-only or full cache disk only costs speed

    def save(self) -> None:
        """Keep the pieces this build used, in the order it used them (a lost file only costs speed)."""
        store, tmp = self._store, self._tmp
        self._store = None
        if store is None or tmp is None or self.state is None:
            return
        try:
            store.close()
            if self.deflated or self.used != self.kept.keys():
                os.replace(tmp, self.state / STORE_NAME)
        except OSError:
            pass
        finally:
            tmp.unlink(missing_ok=True)


class _TooLarge(Exception):
    """The zip would need zip64."""


def write_zip(path: Path, entries: Callable[[], Iterator[tuple[str, bytes]]], count: int, pieces: Pieces) -> None:
    """Write the ``count`` entries (name, data) that ``entries()`` gives, in order, deflated, with fixed dates and
    permissions. Each entry's data is read only when it is written (media files one at a time)."""
    try:
        if count >= 0xFFFF:
            raise _TooLarge
        _write(path, entries(), pieces)
    except _TooLarge:
        _write_zipfile(path, entries())
    finally:
        pieces.save()


def _write(path: Path, entries: Iterator[tuple[str, bytes]], pieces: Pieces) -> None:
    central = []
    with open(path, "wb") as out:
        for name, data in entries:
            raw = name.encode()
            crc = zlib.crc32(data)
            offset = out.tell()
            out.write(_LOCAL.pack(0x04034B50, 20, 0, 8, 0, _DOS_DATE, crc, 0, len(data), len(raw), 0))
            out.write(raw)
            start = out.tell()
            for deflated in pieces.deflate(data):
                out.write(deflated)
            size = out.tell() - start
            if out.tell() >= _LIMIT // 2 or len(data) >= _LIMIT // 2:
                raise _TooLarge
            out.seek(offset + 18)  # the local header's compressed size, now known
            out.write(struct.pack("<I", size))
            out.seek(0, os.SEEK_END)
            central.append(
                _CENTRAL.pack(
                    0x02014B50,
                    0x0314,
                    20,
                    0,
                    8,
                    0,
                    _DOS_DATE,
                    crc,
                    size,
                    len(data),
                    len(raw),
                    0,
                    0,
                    0,
                    0,
                    0o644 << 16,
                    offset,
                )
                + raw
            )
        _finish(out, central)


def _finish(out: BinaryIO, central: list[bytes]) -> None:
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(_END.pack(0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))


def _write_zipfile(path: Path, entries: Iterator[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", allowZip64=True) as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            out.writestr(info, data, compresslevel=LEVEL)
