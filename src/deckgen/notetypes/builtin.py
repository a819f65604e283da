"""deckgen's two note types. Their ids, names, fields and template *names* are frozen forever: a new card field
(:data:`deckgen.source.keys.CARD_FIELDS`) never becomes a field here.

Anki matches note types by id; adding, removing or renaming a field or template under the same id makes
every re-imported note "conflicting" (Anki forks the note type as "Name+" and skips the updates). Template
text and CSS may change: they reach users when the note type's ``mod`` is newer, which the lock file handles.

Why one question/answer type with an optional reverse card, rather than separate Basic and
Basic+Reversed types: a note cannot move to another note type on re-import (measured: Anki reports it as
conflicting and skips it), so toggling ``reverse:`` on a shipped card would silently never arrive. With a
``Reverse`` field that switches the second template on, it is an ordinary field edit (Anki then adds the
reverse card and keeps the forward card's history).
"""

from __future__ import annotations

from dataclasses import replace

from deckgen.identity.ids import CLOZE_NOTETYPE_ID, QA_NOTETYPE_ID
from deckgen.model import CLOZE, QA, NoteType
from deckgen.render import FIELD_CSS

CSS = (
    """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", sans-serif;
  font-size: 20px;
  line-height: 1.45;
  text-align: left;
  color: #1d1d1f;
  background-color: #ffffff;
  max-width: 42em;
  margin: 0 auto;
  padding: 0 0.5em;
}
.nightMode .card, .card.nightMode { color: #e8e8e8; background-color: #2b2b2b; }
.cloze { font-weight: bold; color: #0a58ca; }
.nightMode .cloze { color: #7fb2ff; }
hr#answer { margin: 1em 0; }
.dg-extra { margin-top: 1em; font-size: 0.9em; color: #3a3a3c; }
.nightMode .dg-extra { color: #c8c8c8; }
.dg-source {
  margin-top: 1.2em;
  padding: 0.5em 0.8em;
  border-left: 3px solid #b0b0b0;
  font-size: 0.75em;
  color: #555;
}
.nightMode .dg-source { color: #aaa; border-left-color: #666; }
.dg-source-label { font-weight: bold; margin-right: 0.3em; }
.dg-source-quote { font-style: normal; }
.dg-citation { margin-top: 0.3em; font-style: italic; }
.dg-editor-note {
  margin-top: 0.8em;
  padding: 0.4em 0.6em;
  border: 1px solid #c9a227;
  border-radius: 4px;
  background-color: #fff8e1;
  color: #3a3a3c;
}
.nightMode .dg-editor-note { background-color: #3a3320; border-color: #8a7a3a; color: #e0e0e0; }
.dg-editor-note-label { font-weight: bold; }
.dg-editor-note-ref { margin-top: 0.3em; font-style: italic; }
img { max-width: 100%; height: auto; }
"""
    + FIELD_CSS
)

_BACK_TAIL = (
    '{{#Extra}}<div class="dg-extra">{{Extra}}</div>{{/Extra}}\n'
    '{{#Source}}<div class="dg-source">{{Source}}</div>{{/Source}}'
)

QA_TYPE = NoteType(
    key=QA,
    id=QA_NOTETYPE_ID,
    name="deckgen Q/A (optional reverse)",
    fields=("Front", "Back", "Reverse", "Extra", "Source", "Id"),  # FROZEN, as are the template names: see above
    templates=(
        ("Forward", "{{Front}}", '{{FrontSide}}\n<hr id="answer">\n{{Back}}\n' + _BACK_TAIL),
        ("Reverse", "{{#Reverse}}{{Back}}{{/Reverse}}", '{{FrontSide}}\n<hr id="answer">\n{{Front}}\n' + _BACK_TAIL),
    ),
    is_cloze=False,
    css=CSS,
    markdown=frozenset({"Front", "Back", "Extra"}),
)

CLOZE_TYPE = NoteType(
    key=CLOZE,
    id=CLOZE_NOTETYPE_ID,
    name="deckgen Cloze",
    fields=("Text", "Extra", "Source", "Id"),  # FROZEN, as are the template names: see above
    templates=(("Cloze", "{{cloze:Text}}", "{{cloze:Text}}\n" + _BACK_TAIL),),
    is_cloze=True,
    css=CSS,
    markdown=frozenset({"Text", "Extra"}),
)

NOTE_TYPES = {QA: QA_TYPE, CLOZE: CLOZE_TYPE}


def builtin_notetypes(deck_css: str = "") -> tuple[NoteType, ...]:
    """The built-in note types as a deck uses them: deckgen's CSS, then the deck's own CSS (``css:`` in deck.yaml)."""
    if not deck_css:
        return (QA_TYPE, CLOZE_TYPE)
    css = f"{CSS}\n/* the deck's CSS */\n{deck_css.rstrip()}\n"
    return (replace(QA_TYPE, css=css), replace(CLOZE_TYPE, css=css))
