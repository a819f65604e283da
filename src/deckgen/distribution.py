"""Where deckgen is published (its distribution name on PyPI and its canonical repository), and how the running
deckgen was installed (:func:`current_install`, from PEP 610's ``direct_url.json``).

This is the one place in the code that names them; ``pyproject.toml`` (``[project] name`` and
``[project.urls]``) repeats them and a test holds the two equal. The command and the import package are
``deckgen``; the distribution is not, because ``deckgen`` on PyPI is an unrelated project. If the repository
moves, change ``REPOSITORY`` here and in ``pyproject.toml`` (see CONTRIBUTING.md, "Releasing").
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

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


def docs_url(page: str, anchor: str = "", version: str = __version__) -> str:
    """A page of the documentation (``docs/<page>.md``, e.g. ``format/math-code-media``) as it reads in the user's
    release, so that a message never points at text written for another version. ``tests/test_docs.py`` holds
    every page and anchor linked from the code to ``docs/``."""
    url = f"{REPOSITORY}/blob/{tag(version)}/docs/{page}.md"
    return f"{url}#{anchor}" if anchor else url


def schema_url(which: str, version: str = __version__, ref: str = "") -> str:
    """The JSON Schema of deck.yaml (``deck``) or of topic files (``topic``) as shipped in a release's tag (or at
    ``ref``, a commit). Only meaningful while the repository is on GitHub (raw.githubusercontent.com serves it)."""
    path = REPOSITORY.removeprefix("https://github.com/")
    return f"https://raw.githubusercontent.com/{path}/{ref or tag(version)}/src/deckgen/schemas/{which}.schema.json"


INDEX = "index"  # a release from a package index (PyPI): pinned by version
VCS = "vcs"  # a git URL at a commit (a 'name @ git+URL@COMMIT' requirement)
URL = "url"  # an archive at a URL (a wheel or sdist on a web server)
LOCAL = "local"  # a folder or a file on this machine (a clone, 'pip install -e .', a built wheel)


@dataclass(frozen=True)
class Install:
    """How the running deckgen was installed (PEP 610's ``direct_url.json``), so that what deckgen writes and says
    (``deckgen init``'s files, install hints in messages) works with it."""

    kind: str
    version: str = __version__
    url: str = ""  # VCS and URL: where from; LOCAL: the folder or file
    commit: str = ""  # VCS: the commit pip resolved
    editable: bool = False

    @property
    def reachable(self) -> bool:
        """Whether another machine (a GitHub runner, a co-author) can install it the same way."""
        return self.kind in (INDEX, URL) or (self.kind == VCS and not self.url.startswith("file:"))

    def requirement(self, extra: str = PREVIEW_EXTRA) -> str:
        """What pip installs: the pinned release from the index, the git URL at its commit, the archive's URL, or
        the local folder (with the extra)."""
        name = f"{DISTRIBUTION}[{extra}]" if extra else DISTRIBUTION
        if self.kind == VCS:
            return f"{name} @ git+{self.url}@{self.commit}" if self.commit else f"{name} @ git+{self.url}"
        if self.kind == URL:
            return f"{name} @ {self.url}"
        if self.kind == LOCAL:
            return f"{self.url}[{extra}]" if extra else self.url
        return pip_requirement(self.version, extra)

    def pip_command(self, extra: str = PREVIEW_EXTRA) -> str:
        """The shell command that installs it, quoted for POSIX shells."""
        editable = "-e " if self.kind == LOCAL and self.editable else ""
        return f"python3 -m pip install {editable}{shlex.quote(self.requirement(extra))}"


def install_from(direct_url: object, version: str = __version__) -> Install:
    """The install that a parsed ``direct_url.json`` describes (None: there is none, so an index installed it)."""
    if not isinstance(direct_url, dict) or not isinstance(direct_url.get("url"), str):
        return Install(INDEX, version)
    url: str = direct_url["url"]
    vcs_info = direct_url.get("vcs_info")
    if isinstance(vcs_info, dict):
        commit = vcs_info.get("commit_id")
        return Install(VCS, version, url=url, commit=commit if isinstance(commit, str) else "")
    if url.startswith("file:"):
        dir_info = direct_url.get("dir_info")
        editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
        return Install(LOCAL, version, url=url2pathname(urlsplit(url).path), editable=editable)
    return Install(URL, version, url=url)


def current_install() -> Install:
    """How this deckgen was installed. Running from a source tree (an editable install, or ``PYTHONPATH=src``) is
    a local install of that tree, whatever metadata sits beside it (setuptools leaves ``src/*.egg-info``)."""
    package = Path(__file__).resolve().parent
    if package.parent.name == "src" and (package.parent.parent / "pyproject.toml").is_file():
        return Install(LOCAL, url=str(package.parent.parent), editable=True)
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return Install(LOCAL, url=str(package), editable=True)
    text = dist.read_text("direct_url.json")
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    return install_from(data, dist.version)


def needs_package(package: str, command: str = "preview") -> str:
    """The message for a missing optional package, with the install command that matches this install."""
    return f"deckgen {command} needs the '{package}' package: {current_install().pip_command()}"
