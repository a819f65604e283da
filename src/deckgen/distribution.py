"""Where deckgen is published: its distribution name on PyPI and its canonical repository.

This is the one place in the code that names them; ``pyproject.toml`` (``[project] name`` and
``[project.urls]``) repeats them and a test holds the two equal. The command and the import package are
``deckgen``; the distribution is not, because ``deckgen`` on PyPI is an unrelated project. If the repository
moves, change ``REPOSITORY`` here and in ``pyproject.toml`` (see CONTRIBUTING.md, "Releasing").
"""

from __future__ import annotations

from deckgen import __version__

DISTRIBUTION = "deckgen-anki"
REPOSITORY = "https://github.com/deckgen-anki/deckgen"
PREVIEW_EXTRA = "preview"


def tag(version: str = __version__) -> str:
    """The git tag of a release."""
    return f"v{version}"


def pip_requirement(version: str = __version__, extra: str = PREVIEW_EXTRA) -> str:
    """What to install for a pinned release from PyPI, e.g. ``deckgen-anki[preview]==0.2.0``."""
    return f"{DISTRIBUTION}[{extra}]=={version}" if extra else f"{DISTRIBUTION}=={version}"


def git_requirement(version: str = __version__, extra: str = PREVIEW_EXTRA) -> str:
    """The same release straight from the repository's tag (the fallback when PyPI is not an option)."""
    name = f"{DISTRIBUTION}[{extra}]" if extra else DISTRIBUTION
    return f"{name} @ git+{REPOSITORY}@{tag(version)}"


def schema_url(which: str, version: str = __version__) -> str:
    """The JSON Schema of deck.yaml (``deck``) or of topic files (``topic``) as shipped in a release's tag.
    Only meaningful while the repository is on GitHub (raw.githubusercontent.com serves the file)."""
    path = REPOSITORY.removeprefix("https://github.com/")
    return f"https://raw.githubusercontent.com/{path}/{tag(version)}/src/deckgen/schemas/{which}.schema.json"
