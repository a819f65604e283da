"""Anki packages (``.apkg``, ``.colpkg``): the zip archive, its version, the collection file and the media map.

Formats, as Anki writes and reads them (rslib/src/import_export/package/{meta,media}.rs, colpkg/export.rs):

- Legacy 1 (Anki 2.0, genanki): ``collection.anki2`` (SQLite, schema 11), ``media`` = JSON ``{"0": "name", ...}``,
  media files stored as zip members named ``0``, ``1``, ...; no ``meta``.
- Legacy 2 (legacy export of Anki 2.1): the same with ``collection.anki21``; recent Anki also writes ``meta``
  (``PackageMetadata{version: 2}``) and a dummy ``collection.anki2`` that says "please update Anki".
- Latest (Anki 2.1.50+): ``meta`` (``version: 3``), ``collection.anki21b`` = zstd-compressed SQLite (schema 18),
  ``media`` = zstd-compressed protobuf ``MediaEntries{entries: [{name, size, sha1}]}`` (member ``i`` holds entry
  ``i`` unless it records a ``legacy_zip_filename``), and each media member zstd-compressed.

Nothing is extracted by a name taken from the archive: the collection goes to a private temporary file, media are
read into memory by their member name, and a media *file name* from the map (which becomes a file in the cards
folder later) must be one plain name: no folder, no ``..``, not absolute (a "zip slip" is refused here).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import zstandard

from deckgen.importers import limits, protobuf
from deckgen.importers.collection_db import read_collection
from deckgen.importers.limits import Budget, fail
from deckgen.importers.model import Collection, MediaFile

LEGACY1, LEGACY2, LATEST = 1, 2, 3
COLLECTION_FILES = {LEGACY1: "collection.anki2", LEGACY2: "collection.anki21", LATEST: "collection.anki21b"}
_CHUNK = 1 << 20


def unsafe_name(name: str) -> str | None:
    """Why a media file name from a package may not become a file name (None: it may). Mirrors Anki's
    ``filename_is_safe`` (one normal path component), and refuses Windows separators and NUL too."""
    if not name:
        return "is empty"
    if "/" in name or "\\" in name:
        return "has a folder in it ('/' or '\\'): a zip-slip attempt or a damaged package"
    if name in (".", ".."):
        return "is '.' or '..': a zip-slip attempt or a damaged package"
    if "\x00" in name:
        return "contains a NUL character"
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        return "is an absolute Windows path"
    return None


@contextmanager
def open_package(path: Path, display: str) -> Iterator[Collection]:
    """Read an ``.apkg``/``.colpkg``; media stay readable until the ``with`` block ends."""
    budget = Budget(display)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        fail(
            display,
            "is not a zip archive; an Anki package (.apkg, .colpkg) is a zip file: export the deck again "
            "from Anki (File > Export)",
        )
    except OSError as exc:
        fail(display, f"cannot be read ({exc.strerror or exc})")
    tmpdir = Path(tempfile.mkdtemp(prefix="deckgen-import-"))
    try:
        with archive:
            members = _members(archive, display)
            version = _version(archive, members, display, budget)
            col_name = COLLECTION_FILES[version]
            if col_name not in members:
                fail(display, f"has no {col_name}; it is not an Anki package (or it is damaged)")
            db_path = tmpdir / "collection.sqlite"
            with open(db_path, "wb") as out:
                _copy_member(
                    archive,
                    members[col_name],
                    out,
                    display,
                    limits.MAX_COLLECTION_BYTES,
                    zstd=version == LATEST,
                    budget=budget,
                    what=col_name,
                )
            media = _media(archive, members, version, display, budget)
            kind = "colpkg" if path.suffix.lower() == ".colpkg" else "apkg"
            fmt = f"{kind}-{col_name.split('.', 1)[1]}"
            yield read_collection(db_path, display, fmt, media)
    except zipfile.BadZipFile as exc:
        fail(display, f"is a damaged zip archive ({exc}); export the deck again")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _members(archive: zipfile.ZipFile, display: str) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.MAX_MEMBERS:
        fail(display, f"has {len(infos):,} files, more than the {limits.MAX_MEMBERS:,} deckgen reads from one package")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if info.filename in members:
            fail(display, f"holds the file '{info.filename}' twice; a damaged or forged package")
        members[info.filename] = info
        total += info.file_size
    if total > limits.MAX_TOTAL_BYTES:
        fail(
            display,
            f"declares {total:,} bytes of content, more than the {limits.MAX_TOTAL_BYTES:,} deckgen reads "
            "from one package; refusing it as a zip bomb",
        )
    return members


def _version(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], display: str, budget: Budget) -> int:
    if "meta" not in members:
        return LEGACY2 if "collection.anki21" in members else LEGACY1
    data = _read_member(archive, members["meta"], display, limits.MAX_MAP_BYTES, zstd=False, budget=budget, what="meta")
    try:
        version = protobuf.get_int(protobuf.message(data), 1)
    except protobuf.ProtobufError as exc:
        fail(display, f"has a damaged 'meta' file ({exc})")
    if version not in COLLECTION_FILES:
        fail(
            display,
            f"was written by a version of Anki newer than deckgen knows (package version {version}); "
            "export it with 'Support older Anki versions' ticked",
        )
    return version


def _media(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], version: int, display: str, budget: Budget
) -> tuple[MediaFile, ...]:
    if "media" not in members:
        return ()  # older AnkiDroid versions wrote colpkg files without a media map
    data = _read_member(
        archive,
        members["media"],
        display,
        limits.MAX_MAP_BYTES,
        zstd=version == LATEST,
        budget=budget,
        what="the media map",
    )
    entries = _entries_latest(data, display) if version == LATEST else _entries_legacy(data, display)
    out: list[MediaFile] = []
    seen: set[str] = set()
    for member, name, size, sha1 in entries:
        problem = unsafe_name(name)
        if problem:
            fail(display, f"its media map names the file {name!r}, which {problem}; deckgen refuses the package")
        if name in seen:
            fail(display, f"its media map names the file '{name}' twice; a damaged package")
        seen.add(name)
        info = members.get(member)
        if info is None:
            fail(
                display,
                f"its media map names '{name}' (zip member '{member}'), which the package does not contain; "
                "a damaged package: export the deck again",
            )
        out.append(
            MediaFile(
                name,
                size if sha1 else info.file_size,
                _reader(
                    archive,
                    info,
                    display,
                    zstd=version == LATEST,
                    budget=budget,
                    name=name,
                    size=size if sha1 else None,
                    sha1=sha1,
                ),
            )
        )
    return tuple(out)


def _entries_legacy(data: bytes, display: str) -> list[tuple[str, str, int, bytes]]:
    try:
        mapping = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        fail(display, "its media map ('media') is not valid JSON; a damaged package")
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and k.isdigit() and k.isascii() and isinstance(v, str) for k, v in mapping.items()
    ):
        fail(
            display, "its media map ('media') is not a mapping of numbered zip members to file names; a damaged package"
        )
    return [(key, name, 0, b"") for key, name in sorted(mapping.items(), key=lambda kv: int(kv[0]))]


def _entries_latest(data: bytes, display: str) -> list[tuple[str, str, int, bytes]]:
    out = []
    try:
        for index, entry in enumerate(protobuf.get_messages(protobuf.message(data), 1)):
            name = protobuf.get_str(entry, 1)
            size = protobuf.get_int(entry, 2)
            sha1 = protobuf.get_bytes(entry, 3)
            member = str(protobuf.get_int(entry, 255)) if 255 in entry else str(index)
            if len(sha1) != 20:
                raise protobuf.ProtobufError(f"entry {index} has no SHA-1")
            out.append((member, name, size, sha1))
    except protobuf.ProtobufError as exc:
        fail(display, f"its media map ('media') is damaged ({exc})")
    return out


def _reader(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    display: str,
    *,
    zstd: bool,
    budget: Budget,
    name: str,
    size: int | None,
    sha1: bytes,
) -> Callable[[], bytes]:
    def read() -> bytes:
        data = _read_member(
            archive, info, display, limits.MAX_MEDIA_BYTES, zstd=zstd, budget=budget, what=f"media file '{name}'"
        )
        if size is not None and len(data) != size:
            fail(
                display, f"media file '{name}' has {len(data):,} bytes, its media map says {size:,}; a damaged package"
            )
        if sha1 and hashlib.sha1(data).digest() != sha1:
            fail(display, f"media file '{name}' does not match its checksum in the media map; a damaged package")
        return data

    return read


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, limit: int, *, zstd: bool, budget: Budget, what: str
) -> bytes:
    chunks: list[bytes] = []

    class Sink:
        def write(self, chunk: bytes) -> int:
            chunks.append(chunk)
            return len(chunk)

    _copy_member(archive, info, Sink(), display, limit, zstd=zstd, budget=budget, what=what)  # type: ignore[arg-type]
    return b"".join(chunks)


def _copy_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    out: IO[bytes],
    display: str,
    limit: int,
    *,
    zstd: bool,
    budget: Budget,
    what: str,
) -> None:
    """Copy one member (zstd-decompressed if asked) into ``out``, stopping at ``limit`` bytes."""
    too_big = f"{what} is larger than {limit:,} bytes; deckgen refuses it (a zip bomb, or not a deck)"
    if info.file_size > limit and not zstd:
        fail(display, too_big)
    written = 0
    try:
        with archive.open(info) as raw:
            stream: IO[bytes] = raw
            if zstd:
                stream = zstandard.ZstdDecompressor(max_window_size=limits.MAX_ZSTD_WINDOW).stream_reader(raw)
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                if written > limit:
                    fail(display, too_big)
                budget.charge(len(chunk))
                out.write(chunk)
    except zipfile.BadZipFile as exc:
        fail(display, f"{what} is damaged ({exc}); export the deck again")
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        fail(display, f"{what} cannot be read ({exc})")
    except OSError as exc:
        fail(display, f"{what} cannot be read ({exc.strerror or exc})")
    except (zstandard.ZstdError, zlib.error) as exc:
        fail(display, f"{what} is not valid compressed data ({exc}); a damaged package")
