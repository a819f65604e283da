"""A card template side rendered the way Anki renders it (rslib/src/template.rs, template_filters.rs,
pylib/anki/template.py), with given field values: sections, filters that add markup, ``{{FrontSide}}``.

Used two ways: with marker values (:func:`marker`, letters and digits only, so that where a marker lands in the
parsed page shows where the field would land) for every section combination deckgen checks, and in tests with real
values, compared to ``card.question()``/``card.answer()`` of the real backend.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from deckgen.notetypes import filters as anki_filters
from deckgen.notetypes import language as templates

MAX_COMBINATIONS = 64  # section combinations rendered per side; beyond that, all shown, all hidden, and one each
_ORDINAL_KEY = re.compile(r"c[1-9][0-9]{0,5}")  # Anki's c<ord+1> special field (no leading zero)
MAX_RENDERED = 4_000_000  # characters rendered per side across combinations: a 1 MB template gets a few


def marker(name: str) -> str:
    """The marker value of field ``name``: letters and digits only, the same in text, attributes and code."""
    return "dgfield" + "".join(f"{ord(c):x}x" for c in name) + "end"


def _filtered(key: str, filters: tuple[str, ...], value: str, ordinal: int) -> str:
    """Anki's built-in filters, innermost first (the last written applies first): those that rewrite text
    (notetypes/filters.py) and those that add markup."""
    for name in reversed(filters):
        base, _, options = name.partition(" ")
        if base in anki_filters.REWRITING:
            value = anki_filters.apply((base,), value)
        elif base == "type":
            return f"[[type:{key}]]"  # the reviewer replaces it; filters outside it are ignored by Anki
        elif base == "cloze":
            value = f'<span class="cloze" data-ordinal="{ordinal}">{value}</span>' if value else ""
        elif base == "tts":
            value = f"[anki:tts lang={options}]{value}[/anki:tts]"
        elif base == "hint" and value.strip():
            value = (
                f'\n<a class=hint href="#"\nonclick="this.style.display=\'none\';\n'
                f"document.getElementById('hint0').style.display='block';\nreturn false;\" draggable=false>\n"
                f'{key}</a>\n<div id="hint0" class=hint style="display: none">{value}</div>\n'
            )
    return value


Span = tuple[int, int, bool]  # where a field's text landed in the page: start, end, placed in a tag


def render(
    text: str,
    values: Mapping[str, str],
    *,
    front_side: str = "",
    ordinal: int = 1,
    tag_side: str = "",
    spans: list[Span] | None = None,
    in_tags: frozenset[int] = frozenset(),
    front_spans: tuple[Span, ...] = (),
) -> str:
    """``text`` (a template side) with ``values`` filled in; a field not in ``values`` is empty, but for the card's
    ``c<ordinal>``, which Anki sets to "1" (rslib notetype/render.rs: the card's ordinal, counted from 1, for
    cloze and standard note types). Sections show when their field is non-empty (``{{#F}}``) or empty
    (``{{^F}}``), as Anki decides (only whitespace is empty).
    Comments pass through verbatim; ``{{FrontSide}}`` is ``front_side``. With ``tag_side`` ("q" or "a"), each
    non-empty value gets that letter and the placeholder's offset appended (``...o`` side offset ``z``), so that
    where it lands in the parsed page names the placeholder. With ``spans``, where each field's text (after its
    filters) and ``front_spans`` (the front's, inside ``{{FrontSide}}``) landed is added to it, marked by whether
    its placeholder's offset is in ``in_tags``. Linear in the template's length."""
    values = {**values, f"c{ordinal}": "1"}
    out: list[str] = []
    hidden = 0  # how many enclosing sections hide their content
    stack: list[bool] = []
    pos = 0
    size = 0  # of the output so far, with spans
    for offset, raw in _tags(text):
        if not hidden:
            out.append(text[pos:offset])
            size += offset - pos
        pos = text.index("}}", offset + 2) + 2
        inner = raw.strip()
        if len(inner) >= 2 and inner[0] in "#^/":
            if inner[0] == "/":
                hidden -= stack.pop() if stack else 0
                continue
            key = inner[1:].strip()
            shown = not templates.field_is_empty(values.get(key, ""))
            hide = shown if inner[0] == "^" else not shown
            stack.append(hide)
            hidden += hide
            continue
        if hidden:
            continue
        *filters, key = inner.split(":")
        key = key.strip()
        if key == "FrontSide":
            if spans is not None:
                spans += [(start + size, end + size, placed) for start, end, placed in front_spans]
            out.append(front_side)
            size += len(front_side)
        else:
            value = values.get(key, "")
            if tag_side and value:
                value += f"o{tag_side}{offset}z"
            inserted = _filtered(key, tuple(f.strip() for f in filters), value, ordinal)
            if spans is not None and inserted:
                spans.append((size, size + len(inserted), offset in in_tags))
            out.append(inserted)
            size += len(inserted)
    if not hidden:
        out.append(text[pos:])
    return "".join(out)


@lru_cache(maxsize=64)
def _tags(text: str) -> list[tuple[int, str]]:
    """The template's tags, read once per template (a deck renders it for every card)."""
    return templates._handlebars(text)


def sections(text: str) -> list[str]:
    """The fields that sections of ``text`` test, each once, in order."""
    found: dict[str, None] = {}
    for node in templates.walk(templates.parse(text)):
        if isinstance(node, templates.Conditional):
            found[node.key] = None
    return list(found)


def combinations(keys: list[str], size: int) -> Iterator[frozenset[str]]:
    """The sets of non-empty section fields to render: all of them while few, else all shown, all hidden and each
    one alone shown and alone hidden (the cap is documented in docs/security.md)."""
    limit = max(2, min(MAX_COMBINATIONS, MAX_RENDERED // max(size, 1)))
    if 2 ** len(keys) <= limit:
        for bits in itertools.product((False, True), repeat=len(keys)):
            yield frozenset(k for k, on in zip(keys, bits, strict=True) if on)
        return
    every = frozenset(keys)
    yield every
    yield frozenset()
    for k in keys[: max(0, (limit - 2) // 2)]:
        yield frozenset({k})
        yield every - {k}


def ordinals(keys: list[str], size: int) -> tuple[list[int], bool]:
    """(the card ordinals to render, whether to render once more with every ``c<n>`` section shown). The ordinals
    a template can tell apart are those its ``{{#c<n>}}``/``{{^c<n>}}`` sections name, and any other one (1 if
    free); beyond the rendering budget, the first ones and one render with all of them shown (a superset of what
    each ordinal shows but ``{{^c<n>}}`` content, which an unnamed ordinal shows)."""
    named = {int(k[1:]) for k in keys if _ORDINAL_KEY.fullmatch(k)}
    free = next(n for n in itertools.count(1) if n not in named)
    every = [free, *sorted(named)]
    limit = max(2, MAX_RENDERED // max(size, 1))
    if len(every) <= limit:
        return every, False
    return every[: limit - 1], True


def marked_sides(front: str, back: str, fields: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """("front" or "back", the side's text as Anki renders it, before the av tags become play refs (which changes
    no markup) and the CSS) for marker values, each card ordinal the template tells apart and each section
    combination; the back's ``{{FrontSide}}`` is the front for the same values."""
    keys = list(dict.fromkeys([*sections(front), *sections(back)]))
    by_ordinal = [k for k in keys if k not in fields and _ORDINAL_KEY.fullmatch(k)]
    keys = [k for k in keys if k in fields or not _ORDINAL_KEY.fullmatch(k)]
    names = {*fields, *templates.SPECIAL_FIELDS, *keys} - {"FrontSide"}
    size = len(front) + len(back)
    chosen, all_shown = ordinals(by_ordinal, size)
    runs: list[tuple[int, dict[str, str]]] = [(n, {}) for n in chosen]
    if all_shown:
        runs.append((chosen[0], {k: "1" for k in by_ordinal}))
    for ordinal, extra in runs:
        for shown in combinations(keys, size * len(runs)):
            values = {name: "" if name in keys and name not in shown else marker(name) for name in names}
            values.update(extra)
            q = render(front, values, ordinal=ordinal, tag_side="q")
            yield "front", q
            yield "back", render(back, values, front_side=q, ordinal=ordinal, tag_side="a")
