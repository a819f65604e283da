"""Problems as machine-readable output: GitHub Actions workflow commands and JSON."""

from __future__ import annotations

from deckgen.errors import Problem


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
