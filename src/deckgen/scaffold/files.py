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
from deckgen.distribution import INDEX, LOCAL, REPOSITORY, VCS, Install, pip_requirement, schema_url, tag

_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
CARDS_DIR = "cards"  # a new deck's cards folder, inside the deck's folder
SCHEMAS_DIR = "schemas"  # the JSON Schemas, inside the deck's folder, when no published URL serves them
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


def _common(install: Install) -> dict[str, str]:
    return {"VERSION": __version__, "INSTALL": install.pip_command(), "REPOSITORY": REPOSITORY}


def schema_ref(which: str, install: Install) -> str:
    """Where a YAML file's ``$schema`` points: the release's file on GitHub when deckgen came from an index, or a
    commit of the canonical repository; otherwise the copy init writes beside the cards folder (never a URL that
    may not exist)."""
    if install.kind == INDEX:
        return schema_url(which)
    if install.kind == VCS and install.commit and install.url.rstrip("/").removesuffix(".git") == REPOSITORY:
        return schema_url(which, ref=install.commit)
    return f"../{SCHEMAS_DIR}/{which}.schema.json"


def schema_file(which: str) -> str:
    from deckgen.source.schema import dumps

    return dumps(which)


def deck_yaml(deck: DeckInfo, install: Install) -> str:
    return fill(
        template("deck.yaml"),
        {
            "DECK_SCHEMA": schema_ref("deck", install),
            "KEY": deck.key,
            "NAME_YAML": json.dumps(deck.name, ensure_ascii=False),
            "REQUIRES": requires_range(),
        },
    )


def topic_yaml(install: Install) -> str:
    return fill(template("topic.yaml"), {"TOPIC_SCHEMA": schema_ref("topic", install)})


def _install_note(install: Install) -> str:
    if install.kind == LOCAL:
        return (
            f"\nThis deck was made with deckgen {__version__} installed from `{install.url}`: install it the same way "
            "on each machine that edits the deck, or from PyPI once that release is published "
            f"(`python3 -m pip install '{pip_requirement(__version__)}'`). The pull-request workflow needs a deckgen "
            "it can install: see the comment at the top of `.github/workflows/deck.yml`.\n"
        )
    return ""


def readme(deck: DeckInfo, install: Install) -> str:
    name_md = re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", deck.name)
    output = deck.cards.parent / "output" / f"{deck.key}.apkg"
    return fill(
        template("README.md"),
        {
            **_common(install),
            "INSTALL_NOTE": _install_note(install),
            "NAME_MD": name_md,
            "KEY": deck.key,
            "CARDS": str(deck.cards),
            "CARDS_LINK": CARDS_DIR,
            "OUTPUT": str(output),
        },
    )


def gitignore() -> str:
    return template("gitignore")


def workflow(install: Install) -> str:
    if install.reachable:
        values = {
            "DECKGEN_YAML": json.dumps(install.requirement()),
            "DECKGEN_NOTE": template("deck.yml.pinned").rstrip("\n"),
            "GUARD": "",
        }
    else:
        values = {
            "DECKGEN_YAML": '""',
            "DECKGEN_NOTE": fill(
                template("deck.yml.local"), {"PATH": install.url, "PIP": pip_requirement(__version__)}
            ).rstrip("\n"),
            "GUARD": template("deck.yml.guard"),
        }
    return fill(template("deck.yml"), values)


def remote_hook(install: Install) -> bool:
    """Whether pre-commit can fetch the hook from deckgen's repository (a release's tag or a git commit); otherwise
    the hook runs the installed ``deckgen`` (``repo: local``)."""
    return install.reachable and install.kind in (INDEX, VCS)


def pre_commit_config(cards_folders: list[PurePosixPath], install: Install) -> str:
    hooks = "".join(pre_commit_hook(folder, install) for folder in cards_folders)
    if remote_hook(install):
        head = {"REPO": install.url if install.kind == VCS else REPOSITORY, "REV": install.commit or tag()}
        return fill(template("pre-commit-config.yaml"), {**head, "HOOKS": hooks.rstrip("\n")})
    return fill(template("pre-commit-local.yaml"), {"HOOKS": hooks.rstrip("\n"), "PATH": install.url or "a URL"})


def pre_commit_hook(cards: PurePosixPath, install: Install) -> str:
    files = "^" + re.escape(f"{cards}/")
    local = not remote_hook(install)
    return fill(
        template("pre-commit-hook.yaml"),
        {
            "CARDS": str(cards),
            "CARDS_YAML": json.dumps(str(cards)),
            "FILES_YAML": json.dumps(files),
            "LOCAL": template("pre-commit-hook-local.yaml") if local else "",
        },
    )
