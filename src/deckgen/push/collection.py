"""A push straight into a collection file, with the importer *File → Import* runs (see :mod:`deckgen.push`)."""

from __future__ import annotations

from pathlib import Path

from deckgen.distribution import needs_package
from deckgen.errors import MissingDependency, UsageError
from deckgen.push.result import PushError, PushResult
from deckgen.source.yamlfile import file_display


def push_to_collection(apkg: Path, collection: Path) -> PushResult:
    """Import ``apkg`` into the collection file ``collection`` as *File → Import* does; refuse one that is open."""
    try:
        from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
        from anki.errors import DBError
    except ImportError:
        raise MissingDependency(needs_package("anki", "push --collection")) from None
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
