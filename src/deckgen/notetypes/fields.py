"""What a field of a deck's own note type may hold, given where and how its templates show it.

A field's HTML is sanitized on its own, but Anki then puts it into the template and may rewrite it first:

- shown through ``{{text:F}}``, its entities are decoded: its text may not hold '<' or '>';
- shown through ``{{kana:F}}``, ``{{kanji:F}}`` or ``{{furigana:F}}``, Anki's furigana pattern runs over its HTML
  as if it were text and can cut a tag apart: it may hold no tags and no '"';
- placed inside an attribute value, a tag, ``<script>`` or ``<style>`` of the template (template_html.py), it
  must be text that cannot leave that place (the placement's rules);
- math is checked on the text Anki produces: through the rewriting filters, and across the values that meet on
  a side (joins.py: fields, tags, deck names, and the front shown on the back through ``{{FrontSide}}``).

The same placement rules hold for ``{{Tags}}`` (the note's tags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from deckgen.model import NoteType
from deckgen.notetypes import filters as anki_filters
from deckgen.notetypes import joins
from deckgen.notetypes import language as templates
from deckgen.notetypes import placements as template_html
from deckgen.render import math_problems

_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_NAMED = {"&lt;": "'<'", "&gt;": "'>'", "&amp;": "'&'", "&quot;": "'\"'", "&nbsp;": "a non-breaking space"}


@dataclass(frozen=True)
class _Use:
    template: str
    side: str  # "front" or "back"
    node: templates.Replacement
    placement: template_html.Placement | None


@dataclass(frozen=True)
class _Analysis:
    uses: dict[str, tuple[_Use, ...]]


def _shown(node: templates.Replacement) -> str:
    return "{{" + ":".join((*node.filters, node.key)) + "}}"


@lru_cache(maxsize=128)
def _analysis(nt: NoteType) -> _Analysis:
    uses: dict[str, list[_Use]] = {}
    for name, front, back in nt.templates:
        for side, text in (("front", front), ("back", back)):
            nodes = templates.parse(text)  # checked when deck.yaml was read
            placed = {p.offset: p for p in template_html.placements(text, nodes)}
            ordered = sorted(
                (n for n in templates.walk(nodes) if isinstance(n, templates.Replacement)), key=lambda n: n.offset
            )
            for node in ordered:
                uses.setdefault(node.key, []).append(_Use(name, side, node, placed.get(node.offset)))
    return _Analysis({k: tuple(v) for k, v in uses.items()})


def _character(value: str, bad: str) -> str:
    """How to name an offending character of a field's stored HTML (an entity stands for the character)."""
    if bad == "&":
        entity = _ENTITY.search(value)
        if entity:
            return _NAMED.get(entity.group(0), f"'{entity.group(0)}'")
    if len(bad) > 1:
        return bad
    return {"\n": "a line break", " ": "a space", "\t": "a tab", "'": '"\'"'}.get(bad, f"'{bad}'")


def problems(nt: NoteType, values: dict[str, str], tags: tuple[str, ...], deck: str = "") -> list[tuple[str, str]]:
    """(field name, "Tags", "Deck" or "Subdeck"; message) for each field value (its stored HTML) that Anki would
    turn into markup or code, and each math command the values join into on a side (joins.py); ``deck``: the
    Anki deck the note's cards go to."""
    analysis = _analysis(nt)
    out: list[tuple[str, str]] = []
    for name, uses in analysis.uses.items():
        value = " ".join(tags) if name == "Tags" else values.get(name, "")
        if not value:
            continue
        if name != "Tags":
            out += [(name, m) for m in _filter_problems(name, value, uses)]
        for use in uses:
            if use.placement is None:
                continue
            inserted = anki_filters.apply(use.node.filters, value)
            for rule in use.placement.rules:
                bad = rule.first_problem(inserted)
                if bad is not None:
                    what = "the note's tags are" if name == "Tags" else f"field '{name}' is"
                    out.append(
                        (
                            name,
                            f"{what} shown inside {use.placement.where} by template '{use.template}' ({use.side}: "
                            f"'{use.placement.excerpt}'), where Anki inserts the text as it is and {rule.why}: "
                            f"remove {_character(inserted, bad)} from the {'tags' if name == 'Tags' else 'field'}, or move "
                            f"'{_shown(use.node)}' out of it in the template",
                        )
                    )
                    break
    shown = {**values, "Deck": deck, "Subdeck": deck.rpartition("::")[2]}
    # Anki sorts a note's tags when it saves the note (case-insensitively); an import may keep the package's order
    for order in dict.fromkeys([" ".join(sorted(tags, key=str.casefold)), " ".join(tags)]):
        out += joins.problems(nt, {**shown, "Tags": order})
    return list(dict.fromkeys(out))


def _filter_problems(name: str, value: str, uses: tuple[_Use, ...]) -> list[str]:
    out: list[str] = []
    for use in uses:
        rewriting = [f for f in use.node.filters if f in anki_filters.REWRITING]
        if not rewriting:
            continue
        shown = _shown(use.node)
        if "text" in rewriting and re.search(r"[<>]", anki_filters.strip_html(value)):
            out.append(
                f"field '{name}' is shown through '{shown}', which turns escaped text such as '&lt;' back into markup "
                "in Anki (the sanitizer's work would be undone): remove the '<' or '>' from the field's text, or the "
                "filter from the template"
            )
        ruby = next((f for f in rewriting if f != "text"), None)
        if ruby and ("<" in value or '"' in value):
            out.append(
                f"field '{name}' is shown through '{shown}': Anki's {ruby} filter reads the field's HTML as text (its "
                "pattern 'base[reading]' can cut a tag or an attribute apart), so the field may hold no HTML tags and "
                "no '\"'; write it as plain text, e.g. 漢字[かんじ]"
            )
        rewritten = anki_filters.apply(use.node.filters, value)
        if ("\\" in rewritten or "&" in rewritten) and rewritten != value:  # (the page decodes '&#92;' to '\\')
            out += [f"field '{name}' as Anki shows it through '{shown}': {p.message}" for p in math_problems(rewritten)]
    return out
