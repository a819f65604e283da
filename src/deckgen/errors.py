"""The one exception hierarchy of deckgen, and problems as values.

Every problem deckgen finds in a deck carries its place (``path:line:col``).
Loading and checking collect *all* problems before anything is raised. A problem reads as text
(:meth:`Problem.text`), as a GitHub Actions workflow command or as JSON (:func:`github_command`,
:func:`problem_json`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


def printable(text: str) -> str:
    """``text`` safe to show on a terminal or in a log, on one line: every character that is not printable
    (controls such as ESC, CR and LF, bidi overrides, zero-width and other format characters, non-space
    separators) is written as an escape (``\\x1b``, ``\\n``, ``\\u202e``), so a card or file name cannot move the
    cursor, recolour or reorder the output, or draw a fake line. Problems pass through here when shown."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def did_you_mean(word: str, choices: Iterable[str], prefix: str = "") -> str:
    """`` (did you mean 'x'?)`` naming the choice closest to a misspelt ``word``, or "" when none is close;
    ``prefix`` is written before both (a TeX command's backslash, a media file's folder)."""
    close = difflib.get_close_matches(prefix + word, [prefix + c for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based (0 means "the whole file")."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where it is, and (when known) what to do."""

    location: Location
    message: str
    severity: str = ERROR
    context: str = ""  # e.g. "card 'mrd-definition'"
    rule: str = ""  # the check rule's name, for machine-readable output

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def body(self) -> str:
        """Context and message, as shown to a person (control characters escaped, see :func:`printable`)."""
        return printable(f"{self.context}: {self.message}" if self.context else self.message)

    def text(self) -> str:
        return f"{printable(str(self.location))}: {self.severity}: {self.body}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.message)


class DeckgenError(Exception):
    """Base of every error deckgen raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(DeckgenError):
    """The command was asked for something that cannot be done (missing folder, bad revision...)."""

    exit_code = 2


class MissingDependency(DeckgenError):
    """An optional package that this command needs is not installed (e.g. 'anki' for ``deckgen preview``)."""

    exit_code = 2


class ContentError(DeckgenError):
    """The deck's files have problems; ``problems`` holds every one of them, in file order."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(sorted(problems, key=Problem.sort_key))
        errors = sum(1 for p in self.problems if p.is_error)
        super().__init__(f"{errors} error(s) in the deck")


class OutputError(DeckgenError):
    """An output could not be written (full disk, read-only folder); the previous files are untouched."""


# Problems as machine-readable output: GitHub Actions workflow commands and JSON.


def _command_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _command_property(text: str) -> str:
    """A workflow command's property value (escapeProperty): also ':' and ',', which end a value."""
    return _command_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(problem: Problem) -> str:
    """``::error file=…,line=…,col=…::message``: a file name cannot end its property or start a new command."""
    loc = problem.location
    level = "error" if problem.is_error else "warning"
    props = f"file={_command_property(loc.path)}"
    if loc.line:
        props += f",line={loc.line},col={loc.col}"
    return f"::{level} {props}::{_command_data(problem.body)}"


def problem_json(problem: Problem) -> dict[str, object]:
    loc = problem.location
    return {
        "path": loc.path,
        "line": loc.line,
        "col": loc.col,
        "severity": problem.severity,
        "context": problem.context,
        "message": problem.message,
        "rule": problem.rule,
    }
