"""What Anki makes of a cloze field, card by card: a port of its cloze rendering (rslib/src/cloze.rs), used to
check that the HTML the sanitizer approved is still safe after Anki has cut it up.

Anki's ``{{cloze:Field}}`` does not parse HTML. It splits the field's text at ``{{cN::``, ``}}`` and, inside a
deletion, at the first ``::`` (answer::hint), wherever they are, even inside an HTML attribute; it writes
``<span class="cloze">[hint]</span>`` on the question side (the hint unescaped) and the answer in a span on the
answer side; then it removes every tag between ``\\(`` and ``\\)``. Each of these pages is a new HTML text that
nh3 never saw. ``problems`` builds them for each card and requires that parsing them gives no element that the
approved field did not have: nh3 re-reading a page may only close or re-nest elements (which a browser does
too), never produce another tag or attribute. (gate.py separately refuses '::', '{{c' and '}}' inside attribute
values, which is what makes such a split possible; this check holds the whole rendering to it.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from deckgen.render.latex import without_html
from deckgen.render.result import FieldProblem

_TOKEN = re.compile(r"\{\{c([0-9,]+)::|\}\}")
# Anki's MATHJAX, r"(\\[(\[])(.*?)(\\[\])])" (any opening with any closing), found in linear time: see _math_without_html
_MATH_OPEN = re.compile(r"\\[(\[]")
_MATH_CLOSE = re.compile(r"\\[)\]]")
# nh3's output writes a start tag as <name attr="value" ...> with no '"', '<' or '>' inside values
START_TAG = re.compile(r'<[a-zA-Z][^\s/>]*(?:\s+[^\s="/>]+="[^"]*")*\s*/?>')
MAX_OPEN = 10  # Anki ignores a deletion opened inside ten open ones
BUDGET = 2_000_000  # characters of pages checked per field; the attribute rule in gate.py holds beyond it
_ORDINAL_MAX = 65_535  # Anki reads cloze numbers as u16; a number that does not fit is not read


@dataclass
class _Cloze:
    ordinals: frozenset[int]
    nodes: list[str | _Cloze] = field(default_factory=list)
    hint: str | None = None

    def occlusion(self) -> bool:
        return bool(self.nodes) and isinstance(self.nodes[0], str) and self.nodes[0].startswith("image-occlusion:")


def parse(text: str) -> list[str | _Cloze]:
    """Anki's ``parse_text_with_clozes``."""
    output: list[str | _Cloze] = []
    open_clozes: list[_Cloze] = []

    def add_text(piece: str) -> None:
        if not piece:
            return
        if open_clozes:
            cloze = open_clozes[-1]
            if not piece.startswith("image-occlusion:") and "::" in piece:
                piece, cloze.hint = piece.split("::", 1)
            cloze.nodes.append(piece)
        else:
            output.append(piece)

    pos = 0
    for token in _TOKEN.finditer(text):
        if token.group(1) is not None:
            ordinals = frozenset(
                int(n) for n in token.group(1).split(",") if n and len(n) <= 5 and int(n) <= _ORDINAL_MAX
            )
            if not ordinals:
                continue  # not an opening: stays in the text
            add_text(text[pos : token.start()])
            if len(open_clozes) < MAX_OPEN:
                open_clozes.append(_Cloze(ordinals))
        else:
            add_text(text[pos : token.start()])
            if open_clozes:
                cloze = open_clozes.pop()
                (open_clozes[-1].nodes if open_clozes else output).append(cloze)
            else:
                output.append("}}")
        pos = token.end()
    add_text(text[pos:])
    return output  # deletions never closed are dropped, as Anki drops them


def ordinals(nodes: list[str | _Cloze]) -> list[int]:
    found: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, _Cloze):
            found |= node.ordinals
            stack += node.nodes
    return sorted(n for n in found if n > 0)


def _reveal(cloze: _Cloze, ordinal: int, question: bool, out: list[str]) -> None:
    active = ordinal in cloze.ordinals
    if cloze.occlusion():  # Anki writes a <div> with the shape's values (checked in gate.py)
        out.append('<div class="cloze"></div>')
        return
    if question and active:
        out.append(f'<span class="cloze">[{cloze.hint if cloze.hint is not None else "..."}]</span>')
        return
    out.append('<span class="cloze">' if active else '<span class="cloze-inactive">')
    for node in cloze.nodes:
        if isinstance(node, str):
            out.append(node)
        else:
            _reveal(node, ordinal, question, out)
    out.append("</span>")


def page(nodes: list[str | _Cloze], ordinal: int, question: bool) -> str:
    """The field as ``{{cloze:Field}}`` shows it on card ``ordinal``'s question or answer side (Anki's
    ``cloze_filter``, with its spans' data attributes left out)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        else:
            _reveal(node, ordinal, question, out)
    return _math_without_html("".join(out))


def _math_without_html(text: str) -> str:
    """Anki's ``strip_html_inside_mathjax`` (rslib/src/cloze.rs): every tag removed between an opening and the next
    closing. The leftmost opening that any closing follows starts each match, so once an opening has no closing
    after it, no later one has: one forward pass (a regular expression tried at every opening rescans to the end
    for each unclosed one: 5 s for 64 KB of '\\(<b>x</b>')."""
    out: list[str] = []
    pos = 0
    while (opening := _MATH_OPEN.search(text, pos)) is not None:
        closing = _MATH_CLOSE.search(text, opening.end())
        if closing is None:
            break
        out += (text[pos : opening.end()], without_html(text[opening.end() : closing.start()]), closing.group(0))
        pos = closing.end()
    out.append(text[pos:])
    return "".join(out)


def problems(field_html: str, clean: Callable[[str], str]) -> list[FieldProblem]:
    """Problems of a cloze field's approved HTML in Anki's pages; ``clean`` is the sanitizer (``sanitize.clean``)."""
    nodes = parse(field_html)
    budget = BUDGET
    for ordinal in ordinals(nodes):
        for question in (True, False):
            view = page(nodes, ordinal, question)
            budget -= len(view)
            if budget < 0:
                return []
            if "<" not in view:
                continue
            known = set(START_TAG.findall(view))
            new = next((tag for tag in START_TAG.findall(clean(view)) if tag not in known), None)
            if new is not None:
                side = "question" if question else "answer"
                return [
                    FieldProblem(
                        f"Anki's cloze rendering of card c{ordinal} ({side} side) cuts this field's HTML where the "
                        f"sanitizer did not, and the page would hold an element the field does not have ({new[:80]}): "
                        "keep '::', '{{c', '}}' and math delimiters out of HTML attributes, and write deletions "
                        "around whole elements",
                        rule="cloze",
                    )
                ]
    return []
