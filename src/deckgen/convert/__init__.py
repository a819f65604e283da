"""Turning a deck read by :mod:`deckgen.importers` into a cards folder: ids, topic files, note types, media, and
the checks that nothing changes on the way (see :mod:`deckgen.import_deck`, which runs them)."""
