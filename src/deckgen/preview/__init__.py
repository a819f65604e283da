"""``deckgen preview``: a static page of every card as the real Anki backend renders it, printable.

- ``page``: The page of ``deckgen preview``: every note of the plan with its cards as Anki rendered them, grouped by
  topic, styled by each note type's CSS, plus the print sheets.
- ``printing``: Printable flashcards for ``deckgen preview``: printing the page gives cut-out cards, fronts on odd
  pages and backs on even pages, each back sheet mirrored so that double-sided printing puts every back behind its
  front.
- ``side``: One side of a card, as Anki rendered it, made into what the static preview page shows: what Anki's
  review screen does with JavaScript and its media player, done here without either.
- ``site``: ``deckgen preview``: a static HTML page showing every card exactly as the real Anki backend renders it.
"""
