"""Sizes in a field's ``style`` attribute: within the card, never over it.

An allowed property can still cover the card: ``padding:3000px`` with a background colour paints a span's
background over everything around it (inline padding does not move its neighbours), ``letter-spacing:-1000px``
or ``vertical-align:-300px`` lays text over other text, ``border-width:3000px`` draws a wall. So every length in
a style is held to MAX_SIZE_EM, a negative one to MAX_SHIFT_EM (the limits of math, tex.py), and CSS functions
that compute a value (``calc()``, ``max()``...) are refused, since their result cannot be read off. ``var()`` is
allowed (real decks write ``color: var(--field-fg)``, Anki's night-mode colours): it only brings in a value of
the note type's own CSS, which is reviewed as code, and a length in its fallback is checked like any other.
"""

from __future__ import annotations

import re

from deckgen.render.tex import MAX_SHIFT_EM, MAX_SIZE_EM

# CSS units in em (16px an em; viewport units as on a wide screen). A percentage: see _percent.
_EM_PER_UNIT = {
    "em": 1.0,
    "rem": 1.0,
    "ex": 0.5,
    "ch": 0.5,
    "cap": 0.7,
    "ic": 1.0,
    "lh": 1.2,
    "rlh": 1.2,
    "px": 1 / 16,
    "pt": 1 / 12,
    "pc": 1.0,
    "in": 6.0,
    "cm": 6 / 2.54,
    "mm": 0.6 / 2.54,
    "q": 0.15 / 2.54,
    "%": 0.0,
}  # (a percentage: _percent)
# viewport and container units, in every variant (dynamic, small, large): 1 unit = 1% of a wide screen or card
_EM_PER_UNIT.update({f"{p}{a}": 1.2 for p in ("v", "dv", "sv", "lv", "cq") for a in ("w", "h", "i", "b", "min", "max")})
_LENGTH = re.compile(
    r"(?<![\w.#-])([-+]?)(\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})(e[-+]?\d+)?("
    + "|".join(sorted(map(re.escape, _EM_PER_UNIT), key=len, reverse=True))
    + r")(?![\w%])",
    re.I,
)
_FUNCTION = re.compile(
    r"\b(calc|min|max|clamp|env|attr|round|mod|rem|sin|cos|tan|pow|sqrt|hypot|exp|abs|sign)\s*\(", re.I
)


def _percent(prop: str) -> float:
    """em per 1% of ``prop``: a percentage of a padding is of the card's width (100% covers it: 20% is taken as
    the 20em limit), of anything else of the element or its font (500% is five times the text's size; a
    border-radius of 50% makes a circle)."""
    return 1.0 if prop.startswith("padding") else 0.04


def length_problem(prop: str, value: str) -> str | None:
    """Why the CSS ``value`` of ``prop`` could cover the card (a clause naming the fix), or None."""
    function = _FUNCTION.search(value)
    if function:
        return f"'{function.group(1)}()' computes a length deckgen cannot check; write the length itself"
    for m in _LENGTH.finditer(value):
        if m.group(3):  # an exponent: 1e4px
            return f"'{m.group(0)}' has an exponent; write the number without one"
        unit = m.group(4).lower()
        size = float(m.group(2)) * (_percent(prop) if unit == "%" else _EM_PER_UNIT[unit])
        limit = MAX_SHIFT_EM if m.group(1) == "-" else MAX_SIZE_EM
        if size > limit:
            what = "a negative length" if limit == MAX_SHIFT_EM else "a length"
            return (
                f"'{m.group(0)}' is too large: {what} in a style is limited to {limit}em (about {limit * 16}px), so "
                "that it cannot cover the rest of the card; use a smaller value"
            )
    return None
