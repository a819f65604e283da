"""A push through AnkiConnect in the running Anki desktop (see :mod:`deckgen.push`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from deckgen.errors import UsageError
from deckgen.push.result import PushError, PushResult

ANKICONNECT_URL = "http://127.0.0.1:8765"
ANKICONNECT_VERSION = 6
TIMEOUT = 300.0  # seconds for Anki to import a package (a deck with thousands of images takes a while)
NOT_ANSWERING = (
    "nothing answers at {url}: start Anki desktop with the AnkiConnect add-on (code 2055492159, Tools → Add-ons → "
    "Get Add-ons), or close Anki and push straight into its collection with --collection PATH"
)


def push_to_ankiconnect(apkg: Path, url: str = ANKICONNECT_URL) -> PushResult:
    """Ask AnkiConnect in the running Anki desktop to import ``apkg`` (which it reads from this machine's disk)."""
    body = json.dumps(
        {"action": "importPackage", "version": ANKICONNECT_VERSION, "params": {"path": str(apkg.resolve())}}
    ).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (a local URL by default)
            reply = response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        raise PushError(f"AnkiConnect at {url} answered HTTP {exc.code}; is it AnkiConnect?") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise PushError(f"AnkiConnect at {url} did not answer within {TIMEOUT:.0f} s") from None
        raise UsageError(NOT_ANSWERING.format(url=url)) from None
    answer = _answer(reply, url)
    if answer.get("error") is not None:
        raise PushError(f"AnkiConnect refused the package: {answer['error']}")
    if answer.get("result") is not True:
        raise PushError(
            "AnkiConnect could not import the package (its importPackage returned false; Anki's window may show why)"
        )
    return PushResult(f"Anki through AnkiConnect at {url}", -1, -1, -1)


def _answer(reply: bytes, url: str) -> dict[str, Any]:
    try:
        answer = json.loads(reply)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or "result" not in answer or "error" not in answer:
        raise PushError(f"the server at {url} does not answer as AnkiConnect (version {ANKICONNECT_VERSION}) does")
    return answer
