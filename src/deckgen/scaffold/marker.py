"""How ``deckgen init`` knows the files it wrote: a marker line with a checksum of the rest of the file.

A file whose marker is intact was written by ``deckgen init`` and has not been changed since: ``init --force``
may replace it. A file with a marker whose checksum no longer matches was written by init and then edited: it
belongs to its author now and is never overwritten. A file without a marker is not init's at all.
"""

from __future__ import annotations

import hashlib
import re
from enum import Enum

from deckgen import __version__

_MARKER = re.compile(r'^(?:# |<!-- |  "\$comment": ")Written by deckgen init (\S+) \(checksum ([0-9a-f]{16})\)')
_SEARCHED_LINES = 3  # the marker is the first line, or the second after a yaml-language-server modeline or a JSON '{'


class Origin(Enum):
    INTACT = "written by deckgen init, unchanged since"
    EDITED = "changed since deckgen init wrote it"
    FOREIGN = "not written by deckgen init"


def checksum(body: str) -> str:
    return hashlib.sha256(body.replace("\r\n", "\n").encode("utf-8")).hexdigest()[:16]


def marker_line(body: str, markdown: bool = False, json_object: bool = False) -> str:
    text = (
        f"Written by deckgen init {__version__} (checksum {checksum(body)}): 'deckgen init --force' may replace "
        "this file only while it is unchanged"
    )
    if json_object:  # JSON has no comments; JSON Schema has "$comment"
        return f'  "$comment": "{text}",'
    return f"<!-- {text} -->" if markdown else f"# {text}"


def mark(text: str, markdown: bool = False) -> str:
    """``text`` with the marker inserted: after a leading yaml-language-server modeline or the ``{`` that opens a
    JSON object (as its first member, ``$comment``), else first."""
    lines = text.splitlines(keepends=True)
    json_object = bool(lines) and lines[0] == "{\n"
    if json_object:
        return lines[0] + marker_line("".join(lines), json_object=True) + "\n" + "".join(lines[1:])
    at = 1 if lines and lines[0].startswith("# yaml-language-server:") else 0
    body = "".join(lines)
    return "".join(lines[:at]) + marker_line(body, markdown) + "\n" + "".join(lines[at:])


def origin(text: str) -> Origin:
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines[:_SEARCHED_LINES]):
        found = _MARKER.match(line)
        if found:
            body = "".join(lines[:index] + lines[index + 1 :])
            return Origin.INTACT if checksum(body) == found.group(2) else Origin.EDITED
    return Origin.FOREIGN
