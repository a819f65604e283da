"""A release manifest (written by ``deckgen release``), read and validated like any input from the network."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

FORMAT = 1
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_PACKAGE_BYTES = 300 * 1024 * 1024
ADDON_VERSION = "0.1.0"
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_GUID = re.compile(r"[\x21-\x7e]{1,64}")
_NAME = re.compile(r"[\w.+-]{1,200}\.apkg", re.ASCII)


class ManifestError(Exception):
    """The manifest is not one this add-on can apply; the message says why."""


@dataclass(frozen=True)
class ManifestNoteType:
    id: int
    name: str
    schema: str


@dataclass(frozen=True)
class Manifest:
    deck_key: str
    deck_name: str
    version: str
    commit: str
    package_name: str
    package_sha256: str
    package_size: int
    notetypes: tuple[ManifestNoteType, ...]
    removed: tuple[str, ...]
    changelog: str


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def parse_manifest(raw: bytes) -> Manifest:
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"the manifest has {len(raw)} bytes (at most {MAX_MANIFEST_BYTES})")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"the manifest is not JSON ({exc})") from None
    try:
        return _read(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"the manifest is not a deckgen release manifest ({exc!r})") from None


def _read(data: Any) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError("the manifest's format is not one this add-on reads: update the add-on")
    need = str(data["min_addon_version"])
    if _version(need) > _version(ADDON_VERSION):
        raise ManifestError(f"this release needs the deckgen add-on {need} or newer (you have {ADDON_VERSION})")
    deck, package = data["deck"], data["package"]
    key = str(deck["key"])
    if not _KEY.fullmatch(key):
        raise ManifestError(f"the deck key {key!r} is not a deckgen deck key")
    name = str(package["name"])
    if not _NAME.fullmatch(name):
        raise ManifestError(f"the package name {name!r} is not a plain .apkg file name")
    sha = str(package["sha256"])
    if not _SHA256.fullmatch(sha):
        raise ManifestError("the package's sha256 is not 64 hex digits")
    size = package["size"]
    if not isinstance(size, int) or not 0 < size <= MAX_PACKAGE_BYTES:
        raise ManifestError(f"the package size {size!r} is not between 1 byte and {MAX_PACKAGE_BYTES} bytes")
    notetypes = tuple(ManifestNoteType(int(nt["id"]), str(nt["name"]), str(nt["schema"])) for nt in data["notetypes"])
    removed = tuple(str(g) for g in data["removed"])
    if not all(_GUID.fullmatch(g) for g in removed):
        raise ManifestError("a removed GUID is not a GUID")
    return Manifest(
        key,
        str(deck["name"]),
        str(data["version"]),
        str(data.get("commit", "")),
        name,
        sha,
        size,
        notetypes,
        removed,
        str(data.get("changelog", ""))[:20_000],
    )
