"""``deckgen release``: the package and its manifest, the update channel of learners who subscribe from Anki.

A release is files in one folder: ``<key>.apkg`` (built from the committed lock, as ``build --locked``) and
``<key>.manifest.json`` beside it, plus the same manifest as ``deckgen.manifest.json``: the name the add-on looks
for when a learner pastes a repository's URL (``releases/latest/download/deckgen.manifest.json``). The manifest
says what the deck subscription add-on (``addon/``) checks before it imports anything: which deck this is, which
package (its sha256 and size), the note types it owns (id, name and the schema hash whose change would fork a
learner's note type), and the GUIDs the deck removed since its first release (from the lock's ``removed``),
which the add-on deletes or tags by the learner's choice. Published as release assets at a stable URL, it needs
no server of ours.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.build import plan_build, write_planned_apkg
from deckgen.diff.compare import DeckDiff, diff_revisions
from deckgen.errors import ContentError, UsageError
from deckgen.fsutil import refuse_linked_output, staged
from deckgen.identity.ids import note_guid, schema_hash

if TYPE_CHECKING:
    from deckgen.build import Plan

MANIFEST_FORMAT = 1
DEFAULT_MANIFEST = "deckgen.manifest.json"  # the same manifest, under the name the add-on tries for a repository URL
MIN_ADDON_VERSION = "0.1.0"  # the oldest add-on that reads this manifest format
MAX_CHANGELOG_CHARS = 20_000
_TAG = re.compile(r"[\w.+-]{1,100}", re.ASCII)
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Release:
    package: Path
    manifest: Path
    data: dict[str, Any]


def manifest_name(deck_key: str) -> str:
    return f"{deck_key}.manifest.json"


def changelog_since(base: str, cards_dir: Path) -> str:
    """The cards added, changed and removed since revision ``base`` (the previous release's tag), as plain text."""
    return changelog_text(diff_revisions(base, None, cards_dir), base)


def changelog_text(diff: DeckDiff, base: str) -> str:
    def cards(label: str, ids: list[str]) -> str:
        return f"{label} {', '.join(ids)}" if ids else ""

    counts = [sum(len(getattr(t, part)) for t in diff.topics) for part in ("added", "changed", "removed")]
    lines = [f"Since {base}: {counts[0]} cards added, {counts[1]} changed, {counts[2]} removed."]
    for topic in diff.topics:
        parts = [
            cards("added", [c.id for c in topic.added]),
            cards("changed", [c.new.id for c in (*topic.changed, *topic.renamed)]),
            cards("removed", [c.id for c in topic.removed]),
        ]
        lines.append(f"- {topic.title}: " + "; ".join(p for p in parts if p))
    return "\n".join(lines) + "\n"


def release(
    cards_dir: Path, output_dir: Path, *, tag: str, commit: str = "", changelog: str = "", now: int | None = None
) -> Release:
    """Build the package from the committed lock (a stale lock is an error, as with ``build --locked``) into
    ``output_dir`` and write its manifest beside it."""
    if not _TAG.fullmatch(tag):
        raise UsageError(f"--tag {tag!r}: give the release's tag (letters, digits, '.', '+', '-', '_'), e.g. v1.2.0")
    if commit and not _COMMIT.fullmatch(commit):
        raise UsageError(f"--commit {commit!r}: give the full commit id (40 or 64 lowercase hex digits)")
    if len(changelog) > MAX_CHANGELOG_CHARS:
        changelog = changelog[:MAX_CHANGELOG_CHARS] + "\n\n(cut: the whole diff is in the repository)"
    plan = plan_build(cards_dir, now)
    stale = plan.stale_lock()
    if stale is not None:  # a release ships what was reviewed and committed, as build --locked does
        raise ContentError([stale])
    package = output_dir / f"{plan.deck.key}.apkg"
    manifest = output_dir / manifest_name(plan.deck.key)
    refuse_linked_output(package, cards_dir)
    refuse_linked_output(manifest, cards_dir)
    if output_dir.resolve() == cards_dir.resolve():
        raise UsageError("the release must not be written into the cards folder; choose another folder with -o")
    default = output_dir / DEFAULT_MANIFEST
    refuse_linked_output(default, cards_dir)
    with staged([package, manifest, default]) as (tmp_package, tmp_manifest, tmp_default):
        write_planned_apkg(plan, tmp_package, None)
        data = manifest_data(plan, tmp_package, package.name, tag=tag, commit=commit, changelog=changelog)
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        tmp_manifest.write_text(text, encoding="utf-8")
        tmp_default.write_text(text, encoding="utf-8")
    return Release(package, manifest, data)


def manifest_data(plan: Plan, package: Path, name: str, *, tag: str, commit: str, changelog: str) -> dict[str, Any]:
    """The manifest of ``plan``'s package, written at ``package`` and published as ``name``."""
    key = plan.deck.key
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    removed = sorted(entry.guid or note_guid(key, card_id) for card_id, entry in plan.lock.removed.items())
    return {
        "format": MANIFEST_FORMAT,
        "min_addon_version": MIN_ADDON_VERSION,
        "deck": {"key": key, "name": plan.deck.name},
        "version": tag,
        "commit": commit,
        "created": plan.lock.created,
        "package": {"name": name, "sha256": digest, "size": package.stat().st_size},
        "notetypes": [{"id": nt.id, "name": nt.name, "schema": schema_hash(nt)} for nt in plan.deck.notetypes],
        "notes": len(plan.notes),
        "removed": removed,
        "changelog": changelog,
    }
