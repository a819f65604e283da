"""Reading a cards folder: YAML files with their places, the key tables, the folder's layout, deck.yaml, topic files, a
deck's own note types and its media.

- ``cards``: One card of a topic file: a built-in question/answer or cloze card, or a note of one of the deck's own
  note types.
- ``includes``: Text that deck.yaml gives inline or as ``{file: path}`` (note-type templates, CSS), read safely.
- ``keys``: The keys of deck.yaml and topic files, in one place: the loader reads with these tables, and ``deckgen
  schema`` turns them into JSON Schema for editors.
- ``layout``: The shape of a cards folder: file names, slugs, and reading a file that must stay inside the folder.
- ``loader``: From a cards folder to a frozen :class:`~deckgen.model.Deck`, collecting every problem on the way.
- ``manifest``: deck.yaml, the deck manifest: identity, name, description, citation, styling and the deck's own note
  types.
- ``media``: Media files: the one place that decides whether a file in ``cards/media/`` may be read, listed or
  packaged.
- ``notetypes``: A deck's own note types (``note_types:`` in deck.yaml): read, checked, frozen into
  :class:`~deckgen.model.NoteType`.
- ``requires``: deck.yaml's ``requires``: the deckgen versions a deck is built with (a PEP 440 specifier, e.g.
- ``schema``: JSON Schema for deck.yaml and topic files, generated from the loader's own key tables
  (:mod:`deckgen.source.keys`).
- ``yamlfile``: Reading card files safely: bytes -> text -> YAML node tree, every problem with a place.
"""
