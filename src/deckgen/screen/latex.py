"""Anki's LaTeX tags as Anki finds them: on the whole rendered card side, not field by field.

Anki replaces ``[latex]...[/latex]``, ``[$]...[/$]`` and ``[$$]...[/$$]`` after the template is rendered
(rslib/src/latex.rs over the side's text), so a tag opened in one field and closed in another (``Front: x [$]\\pi``,
``Back: r^2[/$]``, shown ``{{Front}} {{Back}}``) is one tag for Anki: it shows ``latex-<sha1 of "$\\pi r^2$">.png``,
an image the deck does not ship, which Anki's desktop draws by running LaTeX on the learner's computer (when
LaTeX generation is on). deckgen ships the images of the tags each field holds (render/gate.py); a card whose
rendered side holds a tag no field holds on its own is refused. A template's own text may hold no LaTeX tag at
all (screen/check.py). Only cards whose values could join into a tag are rendered: a value holds '[', ']' or '$',
and a value or the template holds '$' or 'latex' (every tag does; a word split across two fields is not sought).
Cloze text is rendered as each card shows it (clozeview.py): a tag opened inside a deletion and closed after it,
or spelled by hints (``{{c1::a::$}}`` shows ``[$]``), is a tag Anki finds on that card only.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from deckgen.render import clozeview
from deckgen.render.latex import latex_bodies
from deckgen.screen.render import render

MESSAGE = (
    "Anki's LaTeX tag {tag} is opened in one field and closed in another (or in the template's text): Anki reads "
    "the whole card side and shows an image for it that no field's own tags name, so the deck cannot ship it and "
    "Anki's desktop would run LaTeX for it; close each LaTeX tag in the field that opens it"
)


def _may_join(value: str) -> bool:
    return "[" in value or "]" in value or "$" in value


def _spells(text: str) -> bool:
    """Whether ``text`` holds what every LaTeX tag holds: a '$' or the word 'latex'."""
    return "$" in text or "latex" in text.lower()


@lru_cache(maxsize=128)
def _templates_spell(sides: tuple[tuple[str, str, str], ...]) -> bool:
    return any(_spells(front) or _spells(back) for _, front, back in sides)


def spanning_tags(
    sides: tuple[tuple[str, str, str], ...], values: dict[str, str], tags: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(template name, message) for each LaTeX tag of a rendered side of this card that no field holds whole."""
    joined_tags = " ".join(tags)
    if not any(_may_join(v) for v in values.values()) and not _may_join(joined_tags):
        return []
    if not _templates_spell(sides) and not any(_spells(v) for v in (*values.values(), joined_tags)):
        return []  # no '$' and no 'latex' on the side: no LaTeX tag (a '[sound:...]' card stops here)
    filled = {**values, "Tags": joined_tags}
    own = {body for value in filled.values() if "[" in value for body in latex_bodies(value)}
    out: dict[tuple[str, str], None] = {}
    for name, front, back in sides:
        for q_values, a_values in _card_values(filled):
            question = render(front, q_values)
            for page in (question, render(back, a_values, front_side=question)):
                if "[" not in page:
                    continue
                for body in latex_bodies(page):
                    if body not in own:
                        shown = body if len(body) <= 40 else body[:40] + "…"
                        out[(name, MESSAGE.format(tag=f"'{shown}'"))] = None
    return list(out)


def _card_values(values: dict[str, str]) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """(question values, answer values): the values as they are, and for cloze text that could spell a tag, each
    card's question and answer side of it (the other fields as they are), within clozeview's page budget."""
    yield values, values
    budget = clozeview.BUDGET
    for key, value in values.items():
        if "{{c" not in value or ("$" not in value and "latex" not in value.lower()):
            continue
        nodes = clozeview.parse(value)
        for ordinal in clozeview.ordinals(nodes):
            sides = clozeview.page(nodes, ordinal, True), clozeview.page(nodes, ordinal, False)
            budget -= len(sides[0]) + len(sides[1])
            if budget < 0:
                return
            yield {**values, key: sides[0]}, {**values, key: sides[1]}
