"""The shape of a cards folder: file names, slugs, and reading a file that must stay inside the folder."""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.errors import Location, Problem
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


def name_markup(name: str, *, tag: bool = False) -> str | None:
    """The first character of ``name`` that would be markup where Anki shows it raw, or the first MathJax math
    delimiter (``\\(``, ``\\)``, ``\\[``, ``\\]``) in it (None: there is neither)."""
    found = (_UNSAFE_TAG if tag else _UNSAFE_NAME).search(name) or _MATH_DELIMITER.search(name)
    return found.group(0) if found else None


def math_delimiter_why(found: str, shown: str) -> str | None:
    """Why ``found`` (from :func:`name_markup`) may not be in a name Anki shows as ``shown``, when it is a MathJax
    math delimiter (None: it is not one)."""
    if not found.startswith("\\"):
        return None
    return (
        f"'{found}' starts or ends math for MathJax, which typesets math wherever a card shows {shown}, so "
        "\\href or \\style there could run a script or load a URL; remove the backslash (put math in a field)"
    )


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
