"""Note types: deckgen's built-in ones, Anki's template language (templates, filters, cloze syntax), and the checks on
what a template does with a field.

- ``builtin``: deckgen's two note types.
- ``cloze``: Reading Anki cloze syntax the way Anki does: ``{{c1::answer}}`` and ``{{c1::answer::hint}}``.
- ``fields``: What a field of a deck's own note type may hold, given where and how its templates show it.
- ``filters``: Anki's template filters that rewrite a field's text, reproduced so that deckgen can check what a
  learner's Anki will really show, not only the field as stored.
- ``jsscan``: Whether a field placed in a template's JavaScript sits inside an ordinary string literal, decided so
  that it is right or strict.
- ``language``: Anki's card template language, read the way Anki reads it (rslib/src/template.rs).
- ``media``: Media files that a note type's templates or CSS use (a font, a background, Anki's ``_style.css``
  convention).
- ``placements``: Where a card template puts each field in its HTML: in text, or somewhere a field's text can change
  the markup.
- ``regions``: The parts of a template's HTML that are not plain text (tag and attribute names, attribute values,
  the raw text of ``<script>`` and ``<style>``).
- ``shape``: Template shapes whose HTML deckgen cannot place fields in, refused as template errors.
"""
