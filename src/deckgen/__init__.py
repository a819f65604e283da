"""deckgen: flashcard decks as code. YAML cards in, a reproducible Anki package out."""

__version__ = "0.2.0"
