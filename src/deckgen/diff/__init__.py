"""``deckgen diff``: what changed in a deck between two revisions, card by card, and its reports.

- ``code``: What in a note type's template or CSS looks like code, found by parsing: the template is read with
  :mod:`html.parser`, style attributes, ``<style>`` elements and the CSS are read with their CSS escapes and
  comments undone.
- ``compare``: ``deckgen diff``: what changed in a deck between two git revisions, card by card, keyed by card id.
- ``hazards``: What ``deckgen diff`` warns about: each kind of warning (a ``Literal``) and its one message.
- ``jsondoc``: ``deckgen diff --format json``: the report as one JSON document, for tools.
- ``lock``: What changed in the lock file between two revisions *without* a matching change of the cards.
- ``markdown``: ``deckgen diff`` as Markdown for a pull-request comment: the summary, the warnings, the topic table,
  deck settings, note types in full, the lock, the cards.
- ``notetypes``: ``deckgen diff`` for note types: what changed in each of the deck's note types between two
  revisions.
- ``report``: ``deckgen diff`` output: Markdown for a pull-request comment, or one JSON document.
"""
