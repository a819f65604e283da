"""Applying one release of a subscribed deck to a learner's collection: a pure function of the collection, the
release's manifest and its package, with no GUI and no network (both are ``__init__``'s and ``fetch``'s).

Order: everything is checked before anything is written (the deck, the package's checksum and size, what the
package contains against what the manifest declares, whose note types and GUIDs it would touch, a schema change);
then the package goes through the importer of *File -> Import* (``col.import_anki_package``); then the learner's
protected fields and own tags are put back, and the deck's removed notes are deleted or tagged, by the learner's
choice. Standard library and Anki only: the add-on runs inside Anki, where deckgen is not installed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .manifest import Manifest

MAX_COLLECTION_BYTES = 512 * 1024 * 1024  # the unpacked collection of one release
PROTECT_TAG = "deckgen::protect::"  # + a field name (spaces as '_'): the learner keeps that field of that note
REMOVED_TAG = "deckgen::removed"
OWN_TAG_PREFIX = "deckgen::"  # tags the add-on and the learner set; a release never takes them away


class UpdateRefused(Exception):
    """The release was not applied; nothing in the collection changed. ``kind`` names the check for callers."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Subscription:
    """What the add-on keeps per subscribed deck (in the profile's collection config)."""

    deck_key: str
    manifest_url: str
    version: str = ""
    removals: str = "delete-unreviewed"  # or "tag": never delete
    protect_fields: list[str] = field(default_factory=list)  # deck-wide: fields the learner always keeps
    shipped_tags: dict[str, list[str]] = field(default_factory=dict)  # guid -> the tags the last release gave

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Subscription:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass
class Outcome:
    version: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    tagged_removed: int = 0
    kept_fields: int = 0
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _PackageNoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    is_cloze: bool

    @property
    def schema(self) -> str:
        """deckgen's schema hash (deckgen.notetypes.builtin.schema_hash): kind, field names, template names."""
        data = [self.is_cloze, list(self.fields), list(self.templates)]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class _Package:
    notetypes: dict[int, _PackageNoteType]
    notes: dict[str, tuple[int, tuple[str, ...]]]  # guid -> (note type id, tags)


def apply_release(
    col: Any, manifest: Manifest, package: Path, sub: Subscription, *, allow_schema_change: bool = False
) -> Outcome:
    """Apply ``package`` (already downloaded) of ``manifest`` to ``col`` for ``sub``; raise UpdateRefused before
    writing anything when a check fails. ``sub`` is updated in place (version, shipped tags)."""
    _check_release(manifest, package, sub)
    content = _read_package(package)
    _check_content(manifest, content)
    _check_ownership(col, manifest, content)
    if not allow_schema_change:
        _check_schema(col, content)
    kept = _learner_state(col, content, sub)
    outcome = Outcome(manifest.version)
    _import(col, package, outcome, merge_notetypes=allow_schema_change)
    outcome.kept_fields = _restore(col, content, kept)
    _remove(col, manifest, content, sub, outcome)
    sub.version = manifest.version
    sub.shipped_tags = {guid: list(tags) for guid, (_, tags) in content.notes.items()}
    return outcome


# --- checks, before anything is written -----------------------------------------------------------------------


def _check_release(manifest: Manifest, package: Path, sub: Subscription) -> None:
    if manifest.deck_key != sub.deck_key:
        raise UpdateRefused(
            "wrong-deck", f"the release is of the deck '{manifest.deck_key}', not of the subscribed '{sub.deck_key}'"
        )
    size = package.stat().st_size
    if size != manifest.package_size:
        raise UpdateRefused("checksum", f"the package has {size} bytes; the manifest says {manifest.package_size}")
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    if digest != manifest.package_sha256:
        raise UpdateRefused("checksum", "the package's sha256 is not the manifest's: damaged or tampered, not applied")


def _read_package(package: Path) -> _Package:
    """Note types and notes of a deckgen package (a legacy collection.anki2 inside the zip), read without Anki."""
    try:
        with zipfile.ZipFile(package) as zf:
            try:
                info = zf.getinfo("collection.anki2")
            except KeyError:
                raise UpdateRefused("package", "the package holds no collection.anki2: not a deckgen release") from None
            if info.file_size > MAX_COLLECTION_BYTES:
                raise UpdateRefused("size", f"the package's collection unpacks to {info.file_size} bytes: too large")
            data = zf.read(info)
    except zipfile.BadZipFile:
        raise UpdateRefused("package", "the package is not a zip file: not an Anki package") from None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "collection.anki2"
        path.write_bytes(data)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (models_json,) = db.execute("select models from col").fetchone()
            rows = db.execute("select guid, mid, tags from notes").fetchall()
        except sqlite3.DatabaseError as exc:
            raise UpdateRefused("package", f"the package's collection cannot be read ({exc})") from None
        finally:
            db.close()
    notetypes = {}
    for model in json.loads(models_json).values():
        nt = _PackageNoteType(
            int(model["id"]),
            str(model["name"]),
            tuple(f["name"] for f in model["flds"]),
            tuple(t["name"] for t in model["tmpls"]),
            model.get("type") == 1,
        )
        notetypes[nt.id] = nt
    notes = {str(guid): (int(mid), tuple(str(tags).split())) for guid, mid, tags in rows}
    return _Package(notetypes, notes)


def _check_content(manifest: Manifest, content: _Package) -> None:
    declared = {nt.id: nt.schema for nt in manifest.notetypes}
    for nt in content.notetypes.values():
        if nt.id not in declared:
            raise UpdateRefused("package", f"the package has the note type '{nt.name}' that the manifest does not list")
        if declared[nt.id] != nt.schema:
            raise UpdateRefused("package", f"the note type '{nt.name}' is not the one the manifest describes")
    for guid, (mid, _) in content.notes.items():
        if mid not in content.notetypes:
            raise UpdateRefused("package", f"the note {guid} has a note type the package does not hold")


def _check_ownership(col: Any, manifest: Manifest, content: _Package) -> None:
    """The release may touch only its own note types and notes: a GUID it ships or removes that the collection
    holds under another note type is another deck's note; a note type id it ships that the collection uses for
    notes the deck never had is another deck's note type."""
    ours = set(content.notetypes)
    guids = set(content.notes) | set(manifest.removed)
    for guid, mid in _notes_by_guid(col, guids):
        if mid not in ours:
            raise UpdateRefused(
                "ownership", f"the note {guid} in your collection belongs to another note type: another deck's note"
            )
    for mid in ours:
        foreign = [g for (g,) in col.db.all("select guid from notes where mid = ?", mid) if g not in guids]
        if foreign:
            raise UpdateRefused(
                "ownership",
                f"the note type {mid} in your collection also holds {len(foreign)} notes this deck never had: "
                "it belongs to another deck, so the release was not applied",
            )


def _check_schema(col: Any, content: _Package) -> None:
    """A note type whose fields or templates changed would make Anki fork it and force a full sync: ask first.
    Read from the database (pylib's note type cache can predate an import)."""
    for nt in content.notetypes.values():
        if not col.db.scalar("select count() from notetypes where id = ?", nt.id):
            continue
        fields = tuple(n for (n,) in col.db.all("select name from fields where ntid = ? order by ord", nt.id))
        templates = tuple(n for (n,) in col.db.all("select name from templates where ntid = ? order by ord", nt.id))
        if (fields, templates) != (nt.fields, nt.templates):
            raise UpdateRefused(
                "schema",
                f"the release changes the fields or card types of '{nt.name}': applying it needs a full sync "
                "with AnkiWeb (and merging the note type); confirm to apply it",
            )


def _notes_by_guid(col: Any, guids: set[str]) -> list[tuple[str, int]]:
    """(guid, note type id) of the collection's notes with these GUIDs (find_notes cannot search GUIDs)."""
    found: list[tuple[str, int]] = []
    ordered = sorted(guids)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found += [
            (str(g), int(m)) for g, m in col.db.all(f"select guid, mid from notes where guid in ({marks})", *chunk)
        ]
    return found


# --- applying ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kept:
    fields: dict[str, str]
    own_tags: tuple[str, ...]


def _learner_state(col: Any, content: _Package, sub: Subscription) -> dict[str, _Kept]:
    """Per GUID the learner already has: the fields they protect (a tag per note and field, or deck-wide) and the
    tags that are theirs (not given by the last release, or the add-on's and the learner's ``deckgen::`` tags)."""
    kept: dict[str, _Kept] = {}
    for guid, _ in _notes_by_guid(col, set(content.notes)):
        nid = col.db.scalar("select id from notes where guid = ?", guid)
        note = col.get_note(nid)
        protected = set(sub.protect_fields)
        protected |= {t[len(PROTECT_TAG) :].replace("_", " ") for t in note.tags if t.startswith(PROTECT_TAG)}
        names = [f["name"] for f in note.note_type()["flds"]]
        fields = {name: note[name] for name in names if name in protected or name.replace(" ", "_") in protected}
        shipped = set(sub.shipped_tags.get(guid, note.tags))  # unknown (first install): all the deck's
        own = tuple(t for t in note.tags if t.startswith(OWN_TAG_PREFIX) or t not in shipped)
        kept[guid] = _Kept(fields, own)
    return kept


def _import(col: Any, package: Path, outcome: Outcome, *, merge_notetypes: bool) -> None:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    options = ImportAnkiPackageOptions(
        merge_notetypes=merge_notetypes,  # only for a schema change the learner confirmed (else Anki forks it)
        update_notes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,  # the learner's own edits: protect them
        update_notetypes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        with_scheduling=False,
        with_deck_configs=False,
    )
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options)).log
    outcome.new, outcome.updated = len(log.new), len(log.updated)
    outcome.unchanged = len(log.duplicate)
    if log.conflicting:
        outcome.messages.append(f"{len(log.conflicting)} notes were not updated: their note type conflicts")


def _restore(col: Any, content: _Package, kept: dict[str, _Kept]) -> int:
    """Put the learner's protected fields and own tags back where the import replaced them; count fields kept."""
    count = 0
    for guid, state in kept.items():
        nid = col.db.scalar("select id from notes where guid = ?", guid)
        note = col.get_note(nid)
        changed = False
        for name, value in state.fields.items():
            if name in note.keys() and note[name] != value:
                note[name] = value
                changed = True
                count += 1
        tags = sorted(set(content.notes[guid][1]) | set(state.own_tags), key=str.lower)
        if sorted(note.tags, key=str.lower) != tags:
            note.tags = tags
            changed = True
        if changed:
            col.update_note(note)
    return count


def _remove(col: Any, manifest: Manifest, content: _Package, sub: Subscription, outcome: Outcome) -> None:
    """The deck's removed notes (only under its own note types): deleted when never reviewed and the learner lets
    the add-on delete, else tagged ``deckgen::removed`` for the learner to decide."""
    ours = set(content.notetypes)
    delete: list[int] = []
    for guid, mid in _notes_by_guid(col, set(manifest.removed) - set(content.notes)):
        if mid not in ours:
            continue
        nid = col.db.scalar("select id from notes where guid = ?", guid)
        reviewed = col.db.scalar("select count() from revlog where cid in (select id from cards where nid = ?)", nid)
        if sub.removals == "delete-unreviewed" and not reviewed:
            delete.append(nid)
            continue
        note = col.get_note(nid)
        if REMOVED_TAG not in note.tags:
            note.tags = [*note.tags, REMOVED_TAG]
            col.update_note(note)
            outcome.tagged_removed += 1
    if delete:
        col.remove_notes(delete)
        outcome.deleted = len(delete)
