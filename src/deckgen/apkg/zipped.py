"""The package's zip file, written so that unchanged data is not compressed again.

Each entry is deflated in independent pieces of 64 KiB (a full flush after each piece, so no piece refers back
into another); the deflated pieces of the last build are kept beside the kept collection, keyed by a hash of the
piece they hold, so a rebuild deflates only the pieces that changed (a one-card edit changes one page of a
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
from collections.abc import Iterable
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
    """Deflated pieces by the hash of what they hold: those read from the last build, and those used in this one."""

    def __init__(self, kept: dict[bytes, tuple[bytes, bytes]]):
        self.kept = kept
        self.used: dict[bytes, tuple[bytes, bytes]] = {}

    @classmethod
    def load(cls, state: Path | None) -> Pieces:
        if state is None:
            return cls({})
        try:
            data = (state / STORE_NAME).read_bytes()
        except OSError:
            return cls({})
        kept: dict[bytes, tuple[bytes, bytes]] = {}
        if data.startswith(_MAGIC):
            at = len(_MAGIC)
            while at + _RECORD.size <= len(data):
                key, check, size = _RECORD.unpack_from(data, at)
                at += _RECORD.size
                kept[key] = (check, data[at : at + size])
                at += size
        return cls(kept)

    def deflate(self, data: bytes) -> bytes:
        """``data`` deflated piece by piece (a raw deflate stream, ended by an empty final block)."""
        out = []
        for start in range(0, len(data), PIECE):
            piece = data[start : start + PIECE]
            key = _digest(piece)
            found = self.kept.get(key) or self.used.get(key)
            if found is None or _digest(found[1]) != found[0]:
                packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
                deflated = packer.compress(piece) + packer.flush(zlib.Z_FULL_FLUSH)
                found = (_digest(deflated), deflated)
            self.used[key] = found
            out.append(found[1])
        out.append(b"\x03\x00")  # an empty final block
        return b"".join(out)

    def save(self, state: Path | None) -> None:
        """Keep the pieces this build used (a lost file only costs speed)."""
        if state is None or self.used.keys() == self.kept.keys():
            return
        tmp = state / f".{STORE_NAME}.{os.getpid()}.tmp"
        try:
            state.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as out:
                out.write(_MAGIC)
                for key, (check, deflated) in self.used.items():
                    out.write(_RECORD.pack(key, check, len(deflated)))
                    out.write(deflated)
            os.replace(tmp, state / STORE_NAME)
        except OSError:
            tmp.unlink(missing_ok=True)


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]], pieces: Pieces) -> None:
    """Write the entries (name, data), in order, deflated, with fixed dates and permissions."""
    entries = list(entries)
    if len(entries) >= 0xFFFF or sum(len(data) for _, data in entries) >= _LIMIT // 2:
        _write_zipfile(path, entries)
        return
    central = []
    with open(path, "wb") as out:
        for name, data in entries:
            raw = name.encode()
            deflated = pieces.deflate(data)
            crc = zlib.crc32(data)
            offset = out.tell()
            out.write(_LOCAL.pack(0x04034B50, 20, 0, 8, 0, _DOS_DATE, crc, len(deflated), len(data), len(raw), 0))
            out.write(raw)
            out.write(deflated)
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
                    len(deflated),
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


def _write_zipfile(path: Path, entries: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", allowZip64=True) as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            out.writestr(info, data, compresslevel=LEVEL)
