"""From a loaded deck to the notes of the package: rendered fields, tags, GUIDs, deck-wide warnings and the per-file
cache.

- ``cache``: The per-file cache of parsed and rendered topic files, validated like input.
- ``cloze_rules``: The rules a cloze text must follow (numbering, split terms); the syntax itself is
  :mod:`deckgen.notetypes.cloze`'s.
- ``deck``: Deck -> the notes that go into the package: rendered fields, tags, GUIDs and content hashes.
- ``editor_notes``: Editor's notes: outside knowledge a deck editor adds to a card (e.g.
- ``lint``: Warnings about the deck as a whole, which ``deckgen build`` and ``deckgen check`` both report.
- ``note``: A compiled note, what identifies it, and the deck-level inputs it is compiled with.
- ``pipeline``: Load and compile a whole cards folder: cached per topic file (see :mod:`deckgen.compile.cache`), in
  parallel on large decks.
- ``typed``: Compiling a card of one of the deck's own note types: each field rendered, and the cards Anki will make
  for the note decided the way Anki decides them.
"""
