"""``deckgen import``: an existing deck (Anki package or CrowdAnki folder) becomes a cards folder whose first build
changes nothing for the learners who already study it.

Read everything, decide every file in memory (:mod:`deckgen.convert.plan`), stop on any problem; then write the
folder beside its target, *build it with deckgen's own pipeline* (so every template, field and media file is
checked exactly as ``deckgen build`` will check it, and each note type and field is compared with the source),
seed the lock with every note's original GUID and ``mod`` and every note type's original ``mod`` and schema, and
only then move the folder into place. Any problem: nothing is left behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from deckgen.build import Plan, build_time, plan_build
from deckgen.convert.model import Conversion
from deckgen.convert.plan import SPLITS, convert
from deckgen.errors import ContentError, Location, Problem, UsageError
from deckgen.identity.ids import note_hash
from deckgen.importers import open_source, select
from deckgen.importers.select import Selected
from deckgen.lock.kept import Kept
from deckgen.lock.model import Lock
from deckgen.source.defects import keepable
from deckgen.source.layout import DECK_FILE, LOCK_FILE, MEDIA_DIR, SLUG, SLUG_HINT
from deckgen.source.yamlfile import file_display

__all__ = ["SPLITS", "ImportResult", "import_deck"]


@dataclass(frozen=True)
class ImportResult:
    target: Path
    source: str
    format: str
    deck: str
    key: str
    notes: int
    cards: int
    notetypes: int
    topics: int
    media: int
    unused_media: tuple[str, ...]
    scripts: tuple[str, ...]
    css_code: tuple[str, ...]
    warnings: tuple[Problem, ...]  # fields changed by --strip-unsafe, and the like
    stripped: tuple[
        str, ...
    ]  # card ids whose notes --strip-unsafe changed (they update for learners on the next build)
    normalized: int
    markdown_fields: tuple[str, ...]  # "note type: field" written as Markdown
    renamed_types: tuple[tuple[str, str], ...]
    other_notes: int
    cardless_notes: int
    crowdanki: bool
    image_occlusion: tuple[str, ...]  # note types that are Anki's Image Occlusion
    kept: Kept = Kept((), frozenset(), frozenset())  # defects the deck already had, brought in as they are
    duplicates: tuple[str, ...] = ()  # GUIDs of identical copies of a note, left out

    def _kept_lines(self) -> list[str]:
        """The defects the deck already had: counts, and the first few places of each."""
        if not self.kept.problems:
            return []
        lines = [
            f"kept as the deck has them: {len(self.kept.cards)} cards and {len(self.kept.notetypes)} note types with "
            "defects learners already see; the first build ships them unchanged, and a new or edited card gets them as "
            "errors (the lock records them as 'kept')"
        ]
        for label, n in self.kept.counts().most_common():
            first = [p for p in self.kept.problems if keepable(p) == label][:3]
            lines.append(f"  {label} ×{n}: " + "; ".join(f"{p.location}: {p.body}" for p in first))
        return lines

    def summary(self) -> list[str]:
        """What ``deckgen import`` prints after the warnings."""
        target = os.path.relpath(self.target) if not self.target.is_absolute() else str(self.target)
        lines = [
            f"imported {os.path.normpath(self.source)} ({self.format}), deck '{self.deck}': {self.notes} notes, "
            f"{self.cards} cards, {self.notetypes} note types, {self.topics} topics, {self.media} media files -> {target} (key '{self.key}')"
        ]
        if self.other_notes or self.cardless_notes:
            lines.append(
                f"left out: {self.other_notes} notes of other decks, {self.cardless_notes} notes without cards"
            )
        if self.duplicates:
            lines.append(
                f"left out: {len(self.duplicates)} identical copies of notes that share a GUID "
                f"({', '.join(repr(g) for g in self.duplicates[:5])}{', ...' if len(self.duplicates) > 5 else ''}); "
                "learners have each of them once"
            )
        lines.append("not carried: scheduling, review history, deck options and flags (they belong to each learner)")
        lines += self._kept_lines()
        if self.unused_media:
            shown = ", ".join(self.unused_media[:10]) + (
                f" and {len(self.unused_media) - 10} more" if len(self.unused_media) > 10 else ""
            )
            lines.append(
                f"not copied: {len(self.unused_media)} media files that no note, template or CSS uses: {shown}"
            )
        for where in self.scripts:
            lines.append(f"template with <script>: {where} (templates are imported as they are; review them)")
        for where in self.css_code:
            lines.append(f"CSS that loads or runs something: {where} (CSS is imported as it is; review it)")
        if self.stripped:
            lines.append(
                f"changed by --strip-unsafe: {len(self.stripped)} notes ({', '.join(self.stripped[:10])}"
                f"{', ...' if len(self.stripped) > 10 else ''}); learners get them updated on the next build"
            )
        if self.normalized:
            lines.append(
                f"note: {self.normalized} fields will be written in the sanitizer's normal form by 'deckgen build' (e.g. "
                "'<br/>' as '<br>'); learners who have the deck keep theirs, new learners see the same text"
            )
        if self.markdown_fields:
            lines.append(f"written as Markdown: {', '.join(self.markdown_fields)}")
        for old, new in self.renamed_types:
            lines.append(f"note type '{old}' renamed '{new}' (deckgen's own note types have that name)")
        for name in self.image_occlusion:
            lines.append(
                f"note type '{name}' is Anki's Image Occlusion: packages carry it as a cloze note type with the same "
                "fields, templates and CSS (Anki's 'original stock kind' is not carried)"
            )
        if self.crowdanki:
            lines.append(
                "CrowdAnki folders carry no Anki note type ids: learners who got this deck through CrowdAnki must "
                "tick 'Merge note types' (Anki 23.10 or newer) when they import the first package deckgen builds; "
                "without it Anki reports every note as conflicting and no update reaches them (reviews are kept "
                "either way)"
            )
        lines.append(f"next: deckgen build {target}  (the first build changes nothing for learners who have the deck)")
        return lines


def _check_target(target: Path) -> None:
    display = file_display(target)
    if (target / DECK_FILE).exists():
        raise UsageError(
            f"'{display}' already has a {DECK_FILE}; import into a new folder (-o DIR), or remove the old deck first"
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"'{display}' is not a folder; give -o a new folder for the cards")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"'{display}' is not empty; import into a new folder (-o DIR)")


def import_deck(
    source: Path,
    target: Path,
    *,
    key: str | None = None,
    split_by: str = "subdeck",
    markdown: bool = False,
    deck: str | None = None,
    strip_unsafe: bool = False,
    now: int | None = None,
) -> ImportResult:
    if split_by not in SPLITS:
        raise UsageError(f"--split-by must be one of {', '.join(SPLITS)}")
    if key is not None and not SLUG.match(key):
        raise UsageError(f"--key '{key}' is not a slug; {SLUG_HINT}")
    _check_target(target)
    now = build_time() if now is None else now
    with open_source(source) as col:
        sel = select(col, deck)
        conv = convert(sel, key=key, split_by=split_by, markdown=markdown, strip_unsafe=strip_unsafe)
        if any(p.is_error for p in conv.problems):
            raise ContentError([p for p in conv.problems if p.is_error])
        from deckgen.fsutil import atomic_dir

        with atomic_dir(target) as tmp:
            _write(tmp, conv)
            plan = _validate(tmp, target, conv, sel, now)
            (tmp / LOCK_FILE).write_text(_seed(plan.lock, conv).dumps(), encoding="utf-8")
    return ImportResult(
        target=target,
        source=sel.source,
        format=sel.format,
        deck=sel.name,
        key=conv.key,
        notes=len(conv.cards),
        cards=plan.card_count,
        notetypes=len(conv.types),
        topics=len(conv.topics),
        media=len(conv.media),
        unused_media=tuple(conv.unused_media),
        scripts=tuple(conv.scripts),
        css_code=tuple(conv.css_code),
        warnings=tuple(p for p in conv.problems if not p.is_error),
        stripped=tuple(c.card_id for c in conv.cards if c.stripped),
        normalized=conv.normalized,
        markdown_fields=tuple(f"{t.name}: {f}" for t in conv.types for f in t.markdown),
        renamed_types=tuple(conv.renamed_types),
        other_notes=sel.other_notes,
        cardless_notes=sel.cardless_notes,
        crowdanki=sel.format == "crowdanki",
        image_occlusion=tuple(t.name for t in conv.types if t.source.original_stock_kind == 6),
        kept=plan.kept,
        duplicates=sel.duplicates,
    )


def _write(root: Path, conv: Conversion) -> None:
    for rel, text in conv.files.items():
        path = root.joinpath(*rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    if conv.media:
        media = root / MEDIA_DIR
        media.mkdir()
        for item in conv.media:
            # the name passed the readers' checks (one plain file name); 'x' refuses to follow or replace anything
            with open(os.path.join(media, item.name), "xb") as fh:
                fh.write(item.read())


def _validate(tmp: Path, target: Path, conv: Conversion, sel: Selected, now: int) -> Plan:
    """Build the written folder with deckgen's own pipeline; its problems are reported at their place in the
    target folder. Then hold each note type to the source's."""
    shown_tmp, shown_target = file_display(tmp), file_display(target)

    def moved(p: Problem) -> Problem:
        path = p.location.path
        if path.startswith(shown_tmp):
            path = shown_target + path[len(shown_tmp) :]
        return replace(p, location=replace(p.location, path=path), message=p.message.replace(shown_tmp, shown_target))

    try:
        plan = plan_build(tmp, now, use_cache=False, jobs=1, importing=True)
    except ContentError as exc:
        raise ContentError([moved(p) for p in exc.problems]) from None
    plan = replace(plan, kept=replace(plan.kept, problems=tuple(moved(p) for p in plan.kept.problems)))
    problems = []
    for t in conv.types:
        nt = plan.deck.notetype_map[t.slug]
        src = t.source
        kept = (
            nt.fields == src.fields,
            nt.templates == tuple((x.name, x.front, x.back) for x in src.templates),
            nt.css == src.css,
            nt.is_cloze == (src.kind == "cloze"),
            nt.sort_field == src.sort_field,
            not src.id or nt.id == src.id,
        )
        if not all(kept):
            what = [
                w
                for w, ok in zip(("field names", "templates", "CSS", "kind", "sort field", "id"), kept, strict=True)
                if not ok
            ]
            problems.append(
                Problem(
                    Location(sel.source),
                    f"deckgen cannot keep its {', '.join(what)} exactly as Anki has "
                    "them (names with leading or trailing spaces, an empty template?); fix it in Anki and "
                    "export again",
                    context=f"note type '{src.name}'",
                    rule="import",
                )
            )
    if problems:
        raise ContentError(problems)
    return plan


def _seed(lock: Lock, conv: Conversion) -> Lock:
    """The lock as if the deck had always been built by deckgen: each note's original ``mod`` (0 when the source
    has none: CrowdAnki) and each note type's, so that the first build ships nothing newer than learners have.
    A note changed by --strip-unsafe keeps the hash of its original content, so the first build ships it as
    changed (with a newer ``mod``) and learners get the cleaned note."""
    by_id = {card.card_id: card for card in conv.cards}
    cards = {}
    for card_id, entry in lock.cards.items():
        card = by_id[card_id]
        h = entry.hash
        if card.stripped:
            t = next(t for t in conv.types if t.slug == card.slug)
            h = note_hash(t.source.id, card.note.fields, card.note.tags)
        cards[card_id] = replace(entry, hash=h, mod=card.note.mod)
    notetypes = dict(lock.notetypes)
    for t in conv.types:
        notetypes[t.slug] = replace(notetypes[t.slug], mod=t.source.mod)
    return replace(lock, cards=cards, notetypes=notetypes)
