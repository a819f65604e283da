"""Anki's card template language, read the way Anki reads it (rslib/src/template.rs).

``{{Field}}``, ``{{filter:Field}}``, ``{{#Field}}...{{/Field}}``, ``{{^Field}}...{{/Field}}`` and ``<!-- comments -->``.
deckgen parses every template of a deck's note types to report mistakes with their place before Anki would show
an error card to learners, and to know which cards a note generates (a template whose front renders nothing makes
no card, as in Anki).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Fields Anki fills in itself (rslib/src/notetype/mod.rs SPECIAL_FIELDS).
SPECIAL_FIELDS = frozenset({"FrontSide", "Card", "CardFlag", "Deck", "Subdeck", "Tags", "Type", "CardID"})
# Filters Anki knows; anything else in ``{{filter:Field}}`` is an add-on's or a typo.
FILTERS = frozenset({"text", "cloze", "cloze-only", "type", "hint", "furigana", "kana", "kanji", "tts", "tts-voices"})
MAX_DEPTH = 50
_CLOZE_CONDITIONAL = re.compile(r"^c\d+$")


class TemplateSyntaxError(ValueError):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True)
class Replacement:
    key: str
    filters: tuple[str, ...]  # outermost first, as written: {{a:b:Field}} -> ("a", "b")
    offset: int


@dataclass(frozen=True)
class Conditional:
    key: str
    negated: bool
    children: tuple[Node, ...]
    offset: int


Node = Replacement | Conditional


def parse(text: str) -> tuple[Node, ...]:
    """The template's tree (text and comments dropped). Raises TemplateSyntaxError with the offset."""
    if text.lstrip().startswith("{{=<% %>=}}"):
        raise TemplateSyntaxError(text.index("{{="), "the legacy '{{=<% %>=}}' syntax is not supported; use {{Field}}")
    stack: list[tuple[str, bool, int, list[Node]]] = []
    nodes: list[Node] = []
    for offset, raw in _handlebars(text):
        inner = raw.lstrip("{").strip()
        if len(inner) >= 2 and inner[0] in "#^/":
            key = inner[1:].lstrip()
            if inner[0] == "/":
                if not stack:
                    raise TemplateSyntaxError(
                        offset,
                        f"'{{{{/{key}}}}}' closes a section that was never opened with "
                        f"'{{{{#{key}}}}}' or '{{{{^{key}}}}}'",
                    )
                open_key, negated, open_offset, children = stack.pop()
                if open_key != key:
                    raise TemplateSyntaxError(
                        offset,
                        f"'{{{{/{key}}}}}' found where '{{{{/{open_key}}}}}' was expected "
                        "(sections must close in the reverse order they open)",
                    )
                node: Node = Conditional(key, negated, tuple(children), open_offset)
                (stack[-1][3] if stack else nodes).append(node)
            else:
                if len(stack) >= MAX_DEPTH:
                    raise TemplateSyntaxError(offset, f"sections are nested more than {MAX_DEPTH} deep")
                stack.append((key, inner[0] == "^", offset, []))
            continue
        *filters, key = inner.split(":")
        (stack[-1][3] if stack else nodes).append(Replacement(key, tuple(filters), offset))
    if stack:
        key, negated, offset, _ = stack[-1]
        raise TemplateSyntaxError(
            offset, f"'{{{{{'^' if negated else '#'}{key}}}}}' is never closed; add '{{{{/{key}}}}}'"
        )
    return tuple(nodes)


def tags(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inner text) of every ``{{...}}`` Anki reads as a tag (not those inside ``<!-- comments -->``)."""
    return [(offset, offset + len(inner) + 4, inner) for offset, inner in _handlebars(text)]


def _handlebars(text: str) -> list[tuple[int, str]]:
    """(offset, inner text) of every ``{{...}}`` outside ``<!-- comments -->``, in one linear pass."""
    out: list[tuple[int, str]] = []
    pos = 0
    comment, start = text.find("<!--"), text.find("{{")
    while True:
        if comment != -1 and comment < pos:
            comment = text.find("<!--", pos)  # found again only once passed: the whole scan stays linear
        if start != -1 and start < pos:
            start = text.find("{{", pos)
        if comment != -1 and (start == -1 or comment < start):
            end = text.find("-->", comment + 4)
            if end == -1:
                return out  # Anki reads an unclosed comment as text
            pos = end + 3
            continue
        if start == -1:
            return out
        end = text.find("}}", start + 2)
        if end == -1:
            raise TemplateSyntaxError(start, "'{{' is never closed with '}}'")
        out.append((start, text[start + 2 : end]))
        pos = end + 2


def walk(nodes: tuple[Node, ...]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        if isinstance(node, Conditional):
            out += walk(node.children)
    return out


def problems(nodes: tuple[Node, ...], fields: tuple[str, ...], *, is_cloze: bool, front: bool) -> list[tuple[int, str]]:
    """(offset, message) for every field a template names that the note type does not have, and unknown filters."""
    known = set(fields)
    out: list[tuple[int, str]] = []
    for node in walk(nodes):
        key = node.key
        if isinstance(node, Conditional):
            if key not in known and key not in SPECIAL_FIELDS and not (is_cloze and _CLOZE_CONDITIONAL.match(key)):
                out.append(
                    (
                        node.offset,
                        f"section '{{{{{'^' if node.negated else '#'}{key}}}}}' names no field of this note type; "
                        f"the fields are: {', '.join(fields)}",
                    )
                )
            continue
        if key == "FrontSide" and front:
            out.append((node.offset, "'{{FrontSide}}' only works on the back of a card"))
        elif key not in known and key not in SPECIAL_FIELDS:
            out.append(
                (
                    node.offset,
                    f"'{{{{{':'.join((*node.filters, key))}}}}}' names no field of this note type; "
                    f"the fields are: {', '.join(fields)}",
                )
            )
        for name in node.filters:
            base = name.split(" ", 1)[0]
            if base not in FILTERS:
                out.append(
                    (
                        node.offset,
                        f"unknown filter '{name}' in '{{{{{':'.join((*node.filters, key))}}}}}'; "
                        f"Anki's filters are: {', '.join(sorted(FILTERS))}",
                    )
                )
        if "cloze" in node.filters and not is_cloze:
            out.append((node.offset, "'{{cloze:...}}' only works in a note type of kind: cloze"))
    return out


def cloze_fields(nodes: tuple[Node, ...]) -> list[str]:
    """The fields a cloze template shows through ``{{cloze:Field}}``."""
    return [n.key for n in walk(nodes) if isinstance(n, Replacement) and "cloze" in n.filters]


@lru_cache(maxsize=256)
def shown_cloze_fields(sides: tuple[str, ...]) -> tuple[str, ...]:
    """The fields these template sides (a cloze note type's fronts and backs) show through ``{{cloze:Field}}``, each
    once, in order. A side that does not parse shows none: its error is reported where the template is read."""
    found: dict[str, None] = {}
    for side in sides:
        try:
            found.update(dict.fromkeys(cloze_fields(parse(side))))
        except TemplateSyntaxError:
            continue
    return tuple(found)


def renders(nodes: tuple[Node, ...], nonempty: set[str]) -> bool:
    """Whether a template shows anything with these fields non-empty (Anki's ``template_is_empty``, negated):
    the rule that decides whether a standard note type's template makes a card for a note."""
    for node in nodes:
        if isinstance(node, Replacement):
            if node.key in nonempty:
                return True
        elif node.negated:
            if node.key not in nonempty and renders(node.children, nonempty):
                return True
        elif node.key in nonempty and renders(node.children, nonempty):
            return True
    return False


_EMPTY_FIELD = re.compile(r"^(?:\s|</?(?:br|div) ?/?>)*$", re.I)


def field_is_empty(html: str) -> bool:
    """Anki's rule: only whitespace and empty <br>/<div> tags."""
    return bool(_EMPTY_FIELD.match(html))


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def legacy_req(nodes: tuple[Node, ...], fields: tuple[str, ...]) -> list[object]:
    """Anki's old "required fields" entry for one template, ``["all"|"any"|"none", [field ords]]`` (pylib
    ``_reqForTemplate``), which clients before 2.1.28 use to decide which cards a note has. Computed from the
    parsed template instead of by rendering it (genanki renders it with chevron, which fails on Anki's filters)."""
    every = set(fields)
    if not renders(nodes, every):
        return ["none", []]
    required = [i for i, name in enumerate(fields) if not renders(nodes, every - {name})]
    if required:
        return ["all", required]
    return ["any", [i for i, name in enumerate(fields) if renders(nodes, {name})]]
