"""From a deck read by :mod:`deckgen.importers` to the files of a cards folder (decided in memory, written by
:mod:`deckgen.import_deck`): deck.yaml with the note types (their original Anki ids), their templates and CSS as
files, one topic file per subdeck (or tag), cards with readable ids and their original GUIDs, and the media that
notes, templates or CSS use."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from deckgen.convert.files import write_files
from deckgen.convert.ids import Slugs, plain_text, slugify
from deckgen.convert.model import CardOut, Conversion, TypeOut
from deckgen.convert.review import review, to_markdown
from deckgen.errors import WARNING, Location, Problem, UsageError
from deckgen.importers.model import CLOZE, Note
from deckgen.importers.model import NoteType as SourceNoteType
from deckgen.importers.select import Selected
from deckgen.model import BUILTIN_KINDS
from deckgen.model import NoteType as DeckNoteType
from deckgen.notetypes import language as templates
from deckgen.notetypes.builtin import builtin_notetypes
from deckgen.notetypes.media import notetype_media
from deckgen.render.latex import latex_images
from deckgen.render.media import references
from deckgen.screen import policy

SPLITS = ("subdeck", "tag", "none")


def convert(sel: Selected, *, key: str | None, split_by: str, markdown: bool, strip_unsafe: bool) -> Conversion:
    key = key or slugify(sel.name.split("::")[-1]) or slugify(sel.name) or "imported-deck"
    out = Conversion(key=key, name=sel.name, files={}, media=[], cards=[], types=[], topics=[])
    where = Location(sel.source)
    types = _types(sel, out)
    by_key = {t.source.source_key: t for t in types}
    topic_of = _topics(sel, split_by)
    ids = Slugs("note")
    for note in sel.notes:
        t = by_key[note.notetype]
        nt = t.source
        order = [nt.sort_field, *(i for i in range(len(nt.fields)) if i != nt.sort_field)]
        card_id = ids.take(plain_text(note.fields[i]) for i in order)
        context = f"note '{note.guid}' (card '{card_id}')"
        values = list(note.fields)
        stripped = []
        cloze = _cloze_fields(nt)
        for i, value in enumerate(values):
            if not value:
                continue
            rv = review(value, cloze=nt.fields[i] in cloze)
            if rv.problems and strip_unsafe:
                values[i] = rv.built
                stripped.append(nt.fields[i])
                out.problems.append(
                    Problem(
                        where,
                        f"field '{nt.fields[i]}': removed by --strip-unsafe: " + "; ".join(rv.problems),
                        WARNING,
                        context,
                    )
                )
            elif rv.problems:
                for message in rv.problems:
                    out.problems.append(
                        Problem(where, f"field '{nt.fields[i]}': {message}", context=context, rule="html")
                    )
            elif rv.built != value:
                out.normalized += 1
            for message in rv.warnings:  # the build says the same; the field stays as Anki had it in the YAML
                out.problems.append(Problem(where, f"field '{nt.fields[i]}': {message}", WARNING, context, rule="html"))
        out.cards.append(CardOut(card_id, note, t.slug, tuple(values), topic_of(note), tuple(stripped)))
    if markdown:
        _markdown(out, types)
    _media(sel, out, types)
    write_files(sel, out)
    return out


def _cloze_fields(nt: SourceNoteType) -> tuple[str, ...]:
    """The fields the build renders as cloze text: those a cloze note type shows through ``{{cloze:Field}}``."""
    return (
        templates.shown_cloze_fields(tuple(side for t in nt.templates for side in (t.front, t.back)))
        if nt.kind == CLOZE
        else ()
    )


def _types(sel: Selected, out: Conversion) -> list[TypeOut]:
    builtin = {nt.name.casefold() for nt in builtin_notetypes()}
    slugs = Slugs("note-type", reserved=BUILTIN_KINDS)
    names: set[str] = set()
    types = []
    for nt in sorted(sel.notetypes, key=lambda nt: (nt.name.casefold(), nt.name, nt.id, nt.source_key)):
        slug = slugs.take([("anki-" + nt.name) if slugify(nt.name) in BUILTIN_KINDS else nt.name])
        name = nt.name.strip()
        if name.casefold() in builtin or name.casefold() in names:
            new = f"{name} (imported)"
            out.renamed_types.append((name, new))
            name = new
        names.add(name.casefold())
        types.append(TypeOut(slug, nt, name, ()))  # by name: the same order whatever order the source stores them in
        for tmpl in nt.templates:
            for side, text in (("front", tmpl.front), ("back", tmpl.back)):
                if "<script" in text.lower():
                    out.scripts.append(f"note type '{nt.name}', template '{tmpl.name}' ({side})")
        found: Counter[str] = Counter()
        policy.css_code(nt.css, found)  # the screen policy's reading of CSS, as the diff's warning has it
        if found:
            kinds = ", ".join(what + (f" ×{n}" if n > 1 else "") for what, n in sorted(found.items()))
            out.css_code.append(f"note type '{nt.name}': {kinds}")
    out.types = types
    return types


def _topics(sel: Selected, split_by: str) -> Callable[[Note], str]:
    subdecks = list(dict.fromkeys(sel.subdeck(n) for n in sel.notes))
    if split_by == "none":
        if subdecks != [""]:
            raise UsageError(
                f"the deck has subdecks ({', '.join(repr(s) for s in sorted(subdecks) if s)}); a topic file holds "
                "the cards of one subdeck, so --split-by none cannot keep them: use --split-by subdeck or tag"
            )
        return lambda note: "\x1e"
    if split_by == "subdeck":
        return sel.subdeck
    return lambda note: f"{sel.subdeck(note)}\x1f{note.tags[0] if note.tags else ''}"


def _markdown(out: Conversion, types: list[TypeOut]) -> None:
    """Fields whose every value has a Markdown form that renders back to the same HTML become Markdown fields."""
    for i, t in enumerate(types):
        cards = [c for c in out.cards if c.slug == t.slug]
        converted: dict[int, list[str]] = {}
        for f, name in enumerate(t.source.fields):
            values = []
            for card in cards:
                value = card.values[f]
                md = "" if not value else to_markdown(value)
                if md is None or name in card.stripped:
                    break
                values.append(md)
            else:
                if any(values):
                    converted[f] = values
        if not converted:
            continue
        types[i] = TypeOut(t.slug, t.source, t.name, tuple(t.source.fields[f] for f in sorted(converted)))
        new = {}
        for j, card in enumerate(cards):
            values = list(card.values)
            for f, mds in converted.items():
                values[f] = mds[j]
            new[id(card)] = CardOut(card.card_id, card.note, card.slug, tuple(values), card.topic, card.stripped)
        out.cards = [new.get(id(c), c) for c in out.cards]
    out.types = types


def _deck_type(t: TypeOut) -> DeckNoteType:
    nt = t.source
    return DeckNoteType(
        key=t.slug,
        id=nt.id,
        name=t.name,
        fields=nt.fields,
        templates=tuple((x.name, x.front, x.back) for x in nt.templates),
        is_cloze=nt.kind == CLOZE,
        css=nt.css,
    )


_REMOTE = re.compile(r"^(?:https?|ftp)://", re.I)


def field_media(text: str) -> list[str]:
    """The media files of the deck that a field refers to, in order (remote images and players left out), and the
    images Anki rendered for its LaTeX tags."""
    found = [name for _, kind, name in references(text) if kind == "sound" or not _REMOTE.match(name)]
    return found + latex_images(text)


def _media(sel: Selected, out: Conversion, types: list[TypeOut]) -> None:
    """The media files notes, templates and CSS use, as the source has them. A name the source lacks (a font the
    export left out, an image the deck never had) is not an error here: the import's build lists the cards and note
    types that keep such a defect (deckgen.lock.kept)."""
    available = {m.name: m for m in sel.media}
    used: dict[str, None] = {}
    for t in types:
        for name in notetype_media(_deck_type(t)):
            used[name] = None
    for card in out.cards:
        for value in card.note.fields:
            for name in field_media(value):
                used[name] = None
    out.media = [available[name] for name in used if name in available]
    out.unused_media = sorted(name for name in available if name not in used)
