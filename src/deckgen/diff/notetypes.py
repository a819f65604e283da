"""``deckgen diff`` for note types: what changed in each of the deck's note types between two revisions.

Templates are code that runs in every learner's Anki, so a reviewer must see every change to them: template and
CSS changes come as unified diffs, and every code item (a script with its text, a handler, a URL, ... as the screen
policy reads them: diff/code.py) that the old revision of that template side or CSS did not hold is a warning of its
own: added code, and code changed in place (a script's address swapped, its text rewritten). A change of fields or
template names (Anki forks the note type) or of the id (a second note type) is a warning too.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

from deckgen.diff.code import css_items, template_items
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
    new_code: tuple[tuple[str, str], ...] = ()  # ("a <script> element in template 'Recall' back", its code)
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


_SHOWN = 160  # characters of a code item shown in its warning (the unified diff shows all of it)


def _code(texts: dict[str, str]) -> dict[str, Counter[tuple[str, str]]]:
    """Each side's (and the CSS's) code items: (kind, the code)."""
    return {
        where: Counter(css_items(text)) if where == "css" else template_items(text) for where, text in texts.items()
    }


def _new_code(old: dict[str, str], new: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(what and where, the first such item's code) for the code items of ``new`` that the same side of ``old``
    does not hold (as many times): one entry per kind and side, with how many more there are."""
    before = _code({where: text for where, text in old.items() if new.get(where) != text})
    out: list[tuple[str, str]] = []
    for where, items in _code({where: text for where, text in new.items() if old.get(where) != text}).items():
        gained: dict[str, list[str]] = {}
        for (kind, shown), count in (items - before.get(where, Counter())).items():
            gained.setdefault(kind, []).extend([shown] * count)
        for kind, codes in gained.items():
            more = f" (and {len(codes) - 1} more)" if len(codes) > 1 else ""
            first = " ".join(codes[0].split())
            out.append((f"{kind} in {where}{more}", first if len(first) <= _SHOWN else first[: _SHOWN - 1] + "…"))
    return tuple(out)


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
        gained = _new_code(old_sides, new_sides)
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
