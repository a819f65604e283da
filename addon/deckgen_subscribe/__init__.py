"""deckgen subscription add-on: learners subscribe to a deck released with `deckgen release` and get every release in Anki."""
