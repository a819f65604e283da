"""``deckgen push``: the deck, built as ``deckgen build`` builds it, put into the author's own Anki.

Two ways in:

- ``--collection PATH``: straight into a collection file with the ``anki`` package's importer,
  ``col.import_anki_package``, the one *File → Import* runs, with the options the author last chose there (Anki
  keeps them in the collection): reviews kept, edited notes updated in place. Anki desktop holds its collection
  open while it runs; the backend refuses a second opening ("Anki already open"), and so does push, before
  anything is written into it.
- otherwise through AnkiConnect (``http://127.0.0.1:8765``, action ``importPackage``, version 6) when Anki
  desktop is running with that add-on. AnkiConnect calls Anki's legacy entry point
  ``anki.importing.AnkiPackageImporter``, which in Anki 26.9.3 runs the same importer with options of its own
  (merge note types, import scheduling and deck options) instead of the ones chosen in *File → Import*: notes
  are matched by GUID and updated in place, reviews kept.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.distribution import pip_requirement
from deckgen.errors import DeckgenError, MissingDependency, UsageError
from deckgen.source.yamlfile import file_display

ANKICONNECT_URL = "http://127.0.0.1:8765"
ANKICONNECT_VERSION = 6
TIMEOUT = 300.0  # seconds for Anki to import a package (a deck with thousands of images takes a while)
NOT_ANSWERING = (
    "nothing answers at {url}: start Anki desktop with the AnkiConnect add-on (code 2055492159, Tools → Add-ons → "
    "Get Add-ons), or close Anki and push straight into its collection with --collection PATH"
)


class PushError(DeckgenError):
    """Anki refused the package or could not be reached; nothing was changed in the collection."""


@dataclass(frozen=True)
class PushResult:
    target: str  # what received the package, as shown to the author
    new: int  # notes added (-1: unknown, AnkiConnect does not say)
    updated: int
    unchanged: int


def push_to_collection(apkg: Path, collection: Path) -> PushResult:
    """Import ``apkg`` into the collection file ``collection`` as *File → Import* does; refuse one that is open."""
    try:
        from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
        from anki.errors import DBError
    except ImportError:
        raise MissingDependency(
            f"deckgen push --collection needs the 'anki' package: pip install '{pip_requirement()}'"
        ) from None
    shown = file_display(collection)
    if not collection.is_file():
        raise UsageError(
            f"collection '{shown}' does not exist or is not a file; give Anki's collection.anki2 (in the profile "
            "folder, e.g. ~/.local/share/Anki2/User 1/collection.anki2)"
        )
    with collection.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise UsageError(f"'{shown}' is not an Anki collection (not an SQLite database); give collection.anki2")
    try:
        col = Collection(str(collection))
    except DBError as exc:
        if "already open" in str(exc):
            raise UsageError(
                f"collection '{shown}' is open in Anki (Anki holds its collection while it runs); close Anki, or "
                "leave it open and push through AnkiConnect (without --collection)"
            ) from None
        raise PushError(f"collection '{shown}' cannot be opened: {exc}") from None
    try:
        # the choices the author last made in File → Import (Anki saves them in the collection)
        presets = getattr(col._backend, "get_import_anki_package_presets", ImportAnkiPackageOptions)
        request = ImportAnkiPackageRequest(package_path=str(apkg.resolve()), options=presets())
        log = col.import_anki_package(request).log
    except Exception as exc:  # the backend's own message (a damaged collection, a full disk)
        raise PushError(f"Anki could not import the package into '{shown}': {exc}") from None
    finally:
        col.close()
    return PushResult(shown, len(log.new), len(log.updated), len(log.duplicate))


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
