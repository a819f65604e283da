"""Card by card: what a card's values can change on a screen whose template was already checked (check.py), found
in time that does not grow with the template's size (a 640 KB template once cost 0.19 s per card).

The per-card findings are Anki's rewritten strings (``[sound:...]``, ``[anki:...]``, ``[[type:...]]``, LaTeX tags)
that a card's values put inside a tag, and Anki's raw tags that reach over a tag (:func:`render.gate.
spanning_problems`). A match made of the template's own text alone is the template's, refused when the template is
checked; so a card can only add a match that holds a character of a field's text, or (for a raw tag) a field's
'<' inside the template's own ``[sound:{{F}}]``. Each page is rendered with where every field's text landed
(render.render ``spans``) and only those places are searched, with ``str.find`` over the page; a rewritten string
next to a field placed in a tag sends the page to the full parse (policy.rewrites_in_tags), which names it.
"""

from __future__ import annotations

from functools import lru_cache

from deckgen.notetypes import language as templates
from deckgen.notetypes import placements as template_html
from deckgen.render.gate import ANKI_REWRITES, spanning_problems
from deckgen.screen import policy
from deckgen.screen.render import Span, render

# Anki's raw patterns with their ends (rslib av parser, reviewer.py typeAnsPat), as render/gate.py reads them
_SPANS = (("[sound:", "]"), ("[anki:tts", "[/anki:tts]"), ("[[type:", "]]"))
_NEAR = 12  # longer than any of Anki's rewritten strings and raw-tag ends: a match touching a field is this close


@lru_cache(maxsize=128)
def in_tags(text: str) -> frozenset[int]:
    """The offsets of the placeholders of a template side that are placed anywhere but in text (placements.py)."""
    try:
        return frozenset(p.offset for p in template_html.placements(text, templates.parse(text)))
    except templates.TemplateSyntaxError:
        return frozenset()


def pages(front: str, back: str, values: dict[str, str]) -> list[tuple[str, list[Span]]]:
    """Both sides of a card as Anki renders them, each with where the card's field text landed."""
    q_spans: list[Span] = []
    q = render(front, values, spans=q_spans, in_tags=in_tags(front))
    a_spans: list[Span] = []
    a = render(back, values, front_side=q, spans=a_spans, in_tags=in_tags(back), front_spans=tuple(q_spans))
    return [(q, q_spans), (a, a_spans)]


def findings(page: str, spans: list[Span]) -> list[str]:
    """The messages of the rewritten strings inside a tag and the raw tags reaching over a tag that hold a field's
    text, or a field's '<', in ``page``."""
    out: list[str] = []
    if any(_rewrite_near(page, start, end) for start, end, placed in spans if placed):
        out += [f.message for f in policy.rewrites_in_tags(page)]
    if _reaches_over_a_tag(page, spans):
        out += [p.message for p in spanning_problems(page)]
    return out


def _rewrite_near(page: str, start: int, end: int) -> bool:
    window = page[max(0, start - _NEAR) : end + _NEAR]
    return ANKI_REWRITES.search(window) is not None


def _reaches_over_a_tag(page: str, spans: list[Span]) -> bool:
    """Whether one of Anki's raw tags that holds a field's text at one of its ends, or a field's '<' between them,
    reaches over a '<' (spanning_problems' reading: each opening ends at the first end after it)."""
    for opening, closing in _SPANS:
        for start, end, _ in spans:
            lo, hi = max(0, start - _NEAR), min(len(page), end + _NEAR)
            at = page.find(opening, lo, hi)
            while at != -1:  # an opening touching the field
                if _over_a_tag(page, at, opening, closing):
                    return True
                at = page.find(opening, at + 1, hi)
            at = page.find(closing, lo, hi)
            while at != -1:  # an end touching the field: the earliest opening that ends there
                first = _first_opening_ending_at(page, at, opening, closing)
                if first != -1 and page.find("<", first, at) != -1:
                    return True
                at = page.find(closing, at + 1, hi)
            tag = page.find("<", start, end)
            if tag != -1:  # a field's '<' inside the template's own '[sound:{{F}}]'
                last = page.rfind(opening, 0, tag)
                if last != -1:
                    stop = page.find(closing, last + len(opening))
                    if stop > tag:
                        return True
    return False


def _over_a_tag(page: str, at: int, opening: str, closing: str) -> bool:
    stop = page.find(closing, at + len(opening))
    return stop != -1 and page.find("<", at, stop) != -1


def _first_opening_ending_at(page: str, end: int, opening: str, closing: str) -> int:
    """The first opening whose first end (the first ``closing`` at or after the opening's own end) is the one at
    ``end``, or -1: it starts after the end before ``end`` less the opening's length, and fits before ``end``."""
    before = page.rfind(closing, 0, end + len(closing) - 1)  # the last end that starts before this one
    return page.find(opening, 0 if before == -1 else before - len(opening) + 1, end)
