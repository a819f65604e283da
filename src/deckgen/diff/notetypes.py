"""``deckgen diff`` for note types: what changed in each of the deck's note types between two revisions.

Templates are code that runs in every learner's Anki, so a reviewer must see every change to them: template and
CSS changes come as unified diffs, and a template or CSS that gains script, an event handler or an external URL is
a warning of its own. A change of fields or template names (Anki forks the note type) or of the id (a second note
type) is a warning too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from deckgen.diff.code import css_code, template_code
from deckgen.identity.ids import derived_id, schema_hash
from deckgen.model import NoteType


def _lines(text: str) -> list[str]:
    """Lines split only where a file has them (``\n``, ``\r\n``): ``str.splitlines`` also splits at U+0085, U+2028
    and others, so a change between two such "lines" of one line showed as no change at all."""
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[:-1] if lines[-1] == "" else lines  # a final line feed ends the last line, as in splitlines


@dataclass(frozen=True)
class TextChange:
    what: str  # "template 'Recall' front", "css"
    old: str
    new: str

    def unified(self) -> str:
        lines = difflib.unified_diff(_lines(self.old), _lines(self.new), "before", "after", lineterm="", n=2)
        return "\n".join(list(lines)[2:])  # without the ---/+++ header


@dataclass(frozen=True)
class NoteTypeChange:
    key: str
    old: NoteType | None  # None: added
    new: NoteType | None  # None: removed from deck.yaml
    settings: tuple[tuple[str, str, str], ...] = ()  # (what, old, new): name, kind, fields, templates, sort field, id
    texts: tuple[TextChange, ...] = ()
    new_code: tuple[str, ...] = ()  # "a <script> element in template 'Recall' back"
    explicit_id: bool = False  # an added note type whose deck.yaml gives its Anki id (not derived from the deck key)

    @property
    def schema_changed(self) -> bool:
        return self.old is not None and self.new is not None and schema_hash(self.old) != schema_hash(self.new)

    @property
    def id_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.id != self.new.id


def _sides(nt: NoteType) -> dict[str, str]:
    out = {
        f"template '{name}' {side}": text
        for name, front, back in nt.templates
        for side, text in (("front", front), ("back", back))
    }
    out["css"] = nt.css
    return out


def _code(texts: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for where, text in texts.items():
        found = css_code(text) if where == "css" else template_code(text)
        out.update({f"{label} in {where}": count for label, count in found.items() if count})
    return out


def compare_notetypes(
    old: tuple[NoteType, ...], new: tuple[NoteType, ...], deck_key: str
) -> tuple[NoteTypeChange, ...]:
    before = {nt.key: nt for nt in old}
    after = {nt.key: nt for nt in new}
    out: list[NoteTypeChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        old_sides = _sides(a) if a else {}
        new_sides = _sides(b) if b else {}
        old_code = _code(old_sides)
        gained = tuple(what for what, count in _code(new_sides).items() if count > old_code.get(what, 0))
        if a is None or b is None:
            explicit = b is not None and not b.builtin and b.id != derived_id(deck_key, key)
            out.append(NoteTypeChange(key, a, b, new_code=gained, explicit_id=explicit))
            continue
        settings = []
        for what, x, y in (
            ("name", a.name, b.name),
            ("kind", a.kind_name, b.kind_name),
            ("id", str(a.id), str(b.id)),
            ("fields", ", ".join(a.fields), ", ".join(b.fields)),
            ("templates", ", ".join(t[0] for t in a.templates), ", ".join(t[0] for t in b.templates)),
            ("sort field", a.fields[a.sort_field], b.fields[b.sort_field]),
            ("markdown fields", ", ".join(sorted(a.markdown)), ", ".join(sorted(b.markdown))),
        ):
            if x != y:
                settings.append((what, x, y))
        texts = tuple(
            TextChange(where, old_sides.get(where, ""), text)
            for where, text in new_sides.items()
            if old_sides.get(where, "") != text
        )
        out.append(NoteTypeChange(key, a, b, tuple(settings), texts, gained))
    return tuple(out)
