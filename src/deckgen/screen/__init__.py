"""The learner's screen: what Anki's reviewer puts into its webview for a card side, modelled and held to one
allow-list (docs/security.md). Layer between notetypes/ and source/.

- ``render``: a template side rendered as Anki renders it, with marker or real field values, per section combination.
- ``substitute``: Anki's raw string passes (av tags, play buttons, the type-in box, the CSS in ``<style>``).
- ``policy``: one HTML5 parse of the page (lexbor) and what of it is refused, trusted or reported as code.
- ``check``: the checks source/ (templates, CSS) and compile/ (each card's values in its templates) run through
  the model.
- ``cards``: card by card, only where the card's field text lands in the page (time independent of the template's
  size).
"""
