"""The shape of a cards folder: file names, slugs, and reading a file that must stay inside the folder."""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.errors import Location, Problem
from deckgen.render.gate import ANKI_REWRITES
from deckgen.source.yamlfile import read_bytes

DECK_FILE = "deck.yaml"
LOCK_FILE = "deckgen.lock"
MEDIA_DIR = "media"

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
# Anki inserts tags ({{Tags}}) and deck names ({{Deck}}, {{Subdeck}}) into cards as raw HTML: no markup in them
_UNSAFE_NAME = re.compile(r"[<>\"]|&(?!\s)")
_UNSAFE_TAG = re.compile(r"[<>\"'&]")
# MathJax typesets math in every text node of a card, these included: \href{javascript:...} or \style{...url()}
# in a tag or a deck name would be a script on tap or a request on every display (no public deck has a '\' there)
_MATH_DELIMITER = re.compile(r"\\[()\[\]]")
# Anki's raw passes run over the whole card side after the template is rendered: '[sound:a.mp3]' in a tag becomes
# a play button, '[[type:Front]]' a type-in box, '[$]x[/$]' a LaTeX image (drawn by running LaTeX on the desktop)


def name_markup(name: str, *, tag: bool = False) -> str | None:
    """The first character of ``name`` that would be markup where Anki shows it raw, or the first MathJax math
    delimiter (``\\(``, ``\\)``, ``\\[``, ``\\]``), or the first text Anki's raw passes rewrite (``[sound:``,
    ``[anki:``, ``[[type:``, a LaTeX tag or its end) in it (None: there is none)."""
    found = (
        (_UNSAFE_TAG if tag else _UNSAFE_NAME).search(name)
        or _MATH_DELIMITER.search(name)
        or ANKI_REWRITES.search(name)
    )
    return found.group(0) if found else None


def math_delimiter_why(found: str, shown: str) -> str | None:
    """Why ``found`` (from :func:`name_markup`) may not be in a name Anki shows as ``shown``, when it is a MathJax
    math delimiter or text Anki rewrites (None: it is neither)."""
    if found.startswith("["):
        return (
            f"Anki rewrites '{found}' wherever a card shows {shown}, before the page is read (into a play button, a "
            "type-in box or a LaTeX image, which Anki's desktop draws by running LaTeX); remove it"
        )
    if not found.startswith("\\"):
        return None
    return (
        f"'{found}' starts or ends math for MathJax, which typesets math wherever a card shows {shown}, so "
        "\\href or \\style there could run a script or load a URL; remove the backslash (put math in a field)"
    )


DECK_NAME_MARKUP = "deck names may not hold < > \" or an '&' that starts an entity (Anki shows {{Deck}} as HTML)"


def name_problem(name: str, shown: str, markup: str, *, tag: bool = False) -> tuple[str, str] | None:
    """(the character, why) when ``name``, which a card shows through ``shown`` (e.g. ``{{Tags}}``), holds markup,
    a math delimiter or text Anki rewrites (:func:`name_markup`); ``markup`` says why for markup (None: it holds
    none of them)."""
    char = name_markup(name, tag=tag)
    return None if char is None else (char, math_delimiter_why(char, shown) or markup)


SLUG_HINT = "use lowercase letters, digits, '-' and '_' (e.g. 'mrd-definition')"
LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")  # a BCP 47 language tag, as far as deck.yaml needs


def outside(root: Path, path: Path) -> bool:
    """Whether ``path`` (after resolving links) is not inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return True
    return False


def read_file_bytes(root: Path, path: Path, display: str) -> tuple[bytes | None, list[Problem]]:
    """A file of the cards folder; a symbolic link that leaves the folder is refused."""
    if path.is_symlink() and outside(root, path):
        return None, [
            Problem(
                Location(display), "is a symbolic link to a file outside the cards folder; copy the file in instead"
            )
        ]
    return read_bytes(path, display)
