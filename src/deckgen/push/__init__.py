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

from deckgen.push.ankiconnect import ANKICONNECT_URL, push_to_ankiconnect
from deckgen.push.collection import push_to_collection
from deckgen.push.result import PushError, PushResult

__all__ = ["ANKICONNECT_URL", "PushError", "PushResult", "push_to_ankiconnect", "push_to_collection"]
