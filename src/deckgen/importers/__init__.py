"""Reading existing decks: Anki packages (``.apkg``, ``.colpkg``, every format Anki has written) and CrowdAnki
export folders, into one frozen model (:mod:`deckgen.importers.model`). Nothing here writes a file outside a
private temporary folder, and nothing here knows about the terminal.

    with open_source(path) as col:            # a Collection: every deck, note type, note and media file
        deck = select(col, deck_name)         # the deck to import (--deck), its notes and note types
        data = deck.media[0].read()           # media are read lazily, while the source is open
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deckgen.errors import UsageError
from deckgen.importers.model import Collection
from deckgen.importers.select import Selected, select
from deckgen.source.yamlfile import file_display

__all__ = ["Collection", "Selected", "open_source", "select"]


@contextmanager
def open_source(path: Path) -> Iterator[Collection]:
    """Open an ``.apkg``/``.colpkg`` file or a CrowdAnki folder. A missing path is a usage error; a damaged or
    hostile source a :class:`~deckgen.errors.ContentError` with its place."""
    display = file_display(path)
    if path.is_dir():
        from deckgen.importers.crowdanki import DECK_JSON, read_crowdanki

        if not (path / DECK_JSON).exists() and not (path / DECK_JSON).is_symlink():
            raise UsageError(
                f"'{display}' is a folder without deck.json; pass an .apkg or .colpkg file, or a CrowdAnki "
                "export folder (deck.json and media/)"
            )
        yield read_crowdanki(path, display)
        return
    if not path.exists():
        raise UsageError(f"'{display}' does not exist; pass an .apkg or .colpkg file, or a CrowdAnki export folder")
    from deckgen.importers.package import open_package

    with open_package(path, display) as col:
        yield col
