"""deckgen's two note types. Their fields and template *names* are frozen forever: a new card field
(:data:`deckgen.source.keys.CARD_FIELDS`) never becomes a field here.

Ids: deckgen 0.2 and earlier gave every deck the same two note types (:data:`SHARED_IDS`), so a deck's ``css:`` and
deckgen's own CSS restyled every other deckgen deck in a learner's collection (the last import wins). A deck now
gets its own copies (:func:`builtin_notetypes` with ``scope="deck"``): ids derived from the deck key, as its custom
note types' are, and names that carry the key (Anki renames a second note type of the same name ``Name+``). Decks
whose learners already have the shared ones keep them (``scope="shared"``): see :mod:`deckgen.source.idscope`.

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

from deckgen.identity.ids import CLOZE_NOTETYPE_ID, QA_NOTETYPE_ID, derived_id
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
SHARED_IDS = frozenset({QA_NOTETYPE_ID, CLOZE_NOTETYPE_ID})
"""The ids every deck shared before deck-scoped note types: a lock that records them keeps them."""

SHARED = "shared"
DECK = "deck"
SCOPES = (SHARED, DECK)

_CJK_FONTS = {  # Han glyph forms differ by language: the deck's language comes first
    "ja": ('"Noto Sans CJK JP"', '"Hiragino Sans"', '"Yu Gothic"'),
    "zh": ('"Noto Sans CJK SC"', '"PingFang SC"', '"Microsoft YaHei"'),
    "ko": ('"Noto Sans CJK KR"', '"Apple SD Gothic Neo"', '"Malgun Gothic"'),
}
_SHARED_FONTS = '"Noto Sans CJK SC", "PingFang SC"'


def language_css(lang: str) -> str:
    """deckgen's CSS with the CJK fonts of ``lang`` (a BCP 47 tag: ``ja``, ``zh-Hant``, ``ko``…) first; other
    languages keep the shared order. Only for deck-scoped note types: the shared ones' CSS must not change."""
    primary = lang.split("-")[0].casefold()
    fonts = _CJK_FONTS.get(primary)
    if fonts is None:
        return CSS
    if primary == "zh" and lang.casefold().replace("_", "-") in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        fonts = ('"Noto Sans CJK TC"', '"PingFang TC"', '"Microsoft JhengHei"')
    others = [f for key, group in _CJK_FONTS.items() if key != primary for f in group[:1]]
    return CSS.replace(_SHARED_FONTS, ", ".join([*fonts, *others]), 1)


def builtin_notetypes(
    deck_css: str = "", *, deck_key: str = "", scope: str = SHARED, lang: str = ""
) -> tuple[NoteType, ...]:
    """The built-in note types as a deck uses them: deckgen's CSS, then the deck's own CSS (``css:`` in deck.yaml).
    ``scope="deck"`` (with ``deck_key``) gives the deck its own copies: ids from :func:`derived_id`, the key in
    their names, and the CJK font order of ``lang``."""
    base = CSS
    qa, cloze = QA_TYPE, CLOZE_TYPE
    if scope == DECK:
        if not deck_key:
            raise ValueError("deck-scoped note types need the deck key")
        base = language_css(lang)
        qa = replace(qa, id=derived_id(deck_key, QA), name=f"{qa.name} · {deck_key}")
        cloze = replace(cloze, id=derived_id(deck_key, CLOZE), name=f"{cloze.name} · {deck_key}")
    css = f"{base}\n/* the deck's CSS */\n{deck_css.rstrip()}\n" if deck_css else base
    if css == CSS and scope == SHARED:
        return (qa, cloze)
    return (replace(qa, css=css), replace(cloze, css=css))
