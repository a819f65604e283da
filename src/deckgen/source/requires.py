"""deck.yaml's ``requires``: the deckgen versions a deck is built with (a PEP 440 specifier, e.g. ``>=0.2,<1``).

A package is byte-reproducible only with the renderer that made it, so ``build``, ``check`` and ``preview`` with
a deckgen outside the range stop with one error naming both versions (before the deck's other problems, which a
deck written for another version is likely to have). ``diff`` does not: it reads earlier revisions, whose range
may name the deckgen the pull request is moving away from.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from deckgen import __version__
from deckgen.distribution import DISTRIBUTION
from deckgen.errors import Location, Problem
from deckgen.source.layout import DECK_FILE, read_file_bytes
from deckgen.source.yamlfile import compose, decode, file_display

EXAMPLE = ">=0.2,<1"


def invalid(text: str) -> str | None:
    """Why ``text`` is not a version specifier, or None if it is one."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return f"'requires' must be a deckgen version specifier such as '{EXAMPLE}', got '{text}'"
    return None


def unmet(spec: str, version: str = __version__) -> bool:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return not SpecifierSet(spec).contains(Version(version), prereleases=True)
    except InvalidVersion:  # pragma: no cover - deckgen's own version is always valid
        return True


def version_problem(root: Path, version: str = __version__) -> Problem | None:
    """The error for a deck whose ``requires`` excludes this deckgen; None when it has none, or it is met, or it
    is not readable (the manifest reader reports those problems at their place)."""
    path = root / DECK_FILE
    if not path.is_file():
        return None
    display = file_display(path)
    data, _ = read_file_bytes(root, path, display)
    text, _ = decode(data, display) if data is not None else (None, [])
    node, _ = compose(text, display) if text is not None else (None, [])
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "requires" and isinstance(value, yaml.ScalarNode):
            spec = value.value.strip()
            if not spec or invalid(spec) is not None or not unmet(spec, version):
                return None
            where = Location(display, value.start_mark.line + 1, value.start_mark.column + 1)
            return Problem(
                where,
                f"this deck requires deckgen {spec}, and this is deckgen {version}; a deck is built "
                "with the deckgen it names (packages are reproducible only with the same renderer): install "
                f"one, e.g. pip install '{DISTRIBUTION}[preview]{spec}'",
                context="deck",
                rule="requires",
            )
    return None
