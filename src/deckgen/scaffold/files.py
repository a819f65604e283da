"""The text of every file ``deckgen init`` writes, from the templates shipped in ``scaffold/templates/``.

Templates hold ``@NAME@`` placeholders (``$`` and ``{{ }}`` belong to the shell, GitHub and Anki). Values that
land in YAML are quoted as JSON strings, which YAML reads as the same text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath

from deckgen import __version__
from deckgen.distribution import REPOSITORY, git_requirement, pip_requirement, schema_url, tag

_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
CARDS_DIR = "cards"  # a new deck's cards folder, inside the deck's folder
EXAMPLE_TOPIC = "getting-started.yaml"


@dataclass(frozen=True)
class DeckInfo:
    key: str
    name: str
    cards: PurePosixPath  # the cards folder, relative to the repository root


def template(name: str) -> str:
    return resources.files("deckgen.scaffold").joinpath("templates", name).read_text(encoding="utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        return values[match.group(1)]  # a KeyError here is a template bug, caught by the tests

    return _PLACEHOLDER.sub(one, text)


def requires_range(version: str = __version__) -> str:
    """The ``requires`` a new deck gets: this deckgen's minor version up to the next major one."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return f">={major}.{minor},<{major + 1}"


def _common() -> dict[str, str]:
    return {
        "VERSION": __version__,
        "PIP": pip_requirement(),
        "GIT_REQ": git_requirement(),
        "REPOSITORY": REPOSITORY,
        "TAG": tag(),
    }


def deck_yaml(deck: DeckInfo) -> str:
    return fill(
        template("deck.yaml"),
        {
            "DECK_SCHEMA": schema_url("deck"),
            "KEY": deck.key,
            "NAME_YAML": json.dumps(deck.name, ensure_ascii=False),
            "REQUIRES": requires_range(),
        },
    )


def topic_yaml() -> str:
    return fill(template("topic.yaml"), {"TOPIC_SCHEMA": schema_url("topic")})


def readme(deck: DeckInfo) -> str:
    name_md = re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", deck.name)
    output = deck.cards.parent / "output" / f"{deck.key}.apkg"
    return fill(
        template("README.md"),
        {
            **_common(),
            "NAME_MD": name_md,
            "KEY": deck.key,
            "CARDS": str(deck.cards),
            "CARDS_LINK": CARDS_DIR,
            "OUTPUT": str(output),
        },
    )


def gitignore() -> str:
    return template("gitignore")


def workflow() -> str:
    return fill(template("deck.yml"), _common())


def pre_commit_config(cards_folders: list[PurePosixPath]) -> str:
    hooks = "".join(pre_commit_hook(folder) for folder in cards_folders)
    return fill(template("pre-commit-config.yaml"), {**_common(), "HOOKS": hooks.rstrip("\n")})


def pre_commit_hook(cards: PurePosixPath) -> str:
    files = "^" + re.escape(f"{cards}/")
    return fill(
        template("pre-commit-hook.yaml"),
        {"CARDS": str(cards), "CARDS_YAML": json.dumps(str(cards)), "FILES_YAML": json.dumps(files)},
    )
