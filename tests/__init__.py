"""deckgen's test suite: folders mirror src/deckgen/; scenarios/ holds the end-to-end suites."""
