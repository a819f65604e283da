"""How to fix the YAML mistakes people make in card text, read from where the parser stopped: the hint added to
libyaml's message, or (for indentation) a message of its own (see :mod:`deckgen.source.indent`)."""

from __future__ import annotations

import yaml

from deckgen.source.indent import diagnose

QUOTE_HINT = "put the value in quotes"
_INDENTATION_PROBLEMS = (
    "mapping values are not allowed",
    "did not find expected '-' indicator",
    "did not find expected key",
    "could not find expected ':'",
    "expected <block end>",
)


def indentation(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """A parse error whose cause is a mis-indented line, said as such (see :mod:`deckgen.source.indent`)."""
    mark = exc.problem_mark
    if mark is None or not (exc.problem or "").startswith(_INDENTATION_PROBLEMS) or "\t" in text:
        return None
    return diagnose(text, mark.line)


def hint(text: str, exc: yaml.MarkedYAMLError) -> str:
    """How to fix the YAML mistakes people make in card text, from where the parser stopped."""
    mark = exc.problem_mark
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    char = line[mark.column] if mark.column < len(line) else ""
    problem, context = exc.problem or "", exc.context or ""
    if char == "\t":
        return "; indent with spaces, not tabs"
    if problem == "found character that cannot start any token" and char:
        return f"; a value cannot start with '{char}' in YAML: {QUOTE_HINT}"
    if context in ("while scanning an alias", "while scanning an anchor"):
        start = "*" if "alias" in context else "&"
        return f"; a value starting with '{start}' is read as a YAML {context.rsplit(' ', 1)[1]}: {QUOTE_HINT}"
    if problem.startswith("found unknown escape character"):
        at = line.find("\\", mark.column)
        escape = line[at : at + 2] if at != -1 else "\\"
        opening, closing = line.rfind('"', 0, mark.column), line.find('"', mark.column)
        value = line[opening + 1 : closing] if -1 < opening < closing else "$\\Delta G$"
        single = "'" + value.replace("'", "''") + "'"
        return (
            f"; '{escape}' is not a YAML escape: inside double quotes a backslash starts an escape such as \\n. For "
            f"LaTeX, write the value in single quotes ({single}) or as a '|' block, where a backslash is an "
            "ordinary character"
        )
    if problem.startswith("mapping values are not allowed"):
        if ": " in line[: mark.column] or line[: mark.column].rstrip().endswith(":"):  # one value holding ': '
            return f"; ': ' inside an unquoted value starts a new key: {QUOTE_HINT}"
        return (
            f"; '{line.strip()}' continues the value on the line above, and its ': ' would start a key inside it: "
            f"{QUOTE_HINT} (the whole value), or if it is a key of its own, indent it like the keys beside it"
        )
    return ""
