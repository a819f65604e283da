"""The HTML that card fields may contain: tags, attributes, CSS properties and URL schemes.

Decided from what public shared decks really use (21 CrowdAnki decks, 164,038 fields: language, geography,
medicine, biology, maths, engineering, programming; see docs/format/math-code-media.md) and from Anki's stock note types, minus
anything that can run script, load something from the network, or cover the card:

- no ``<script>``, ``<style>``, ``<iframe>``, ``<object>``, ``<svg>``, ``<math>``, forms, media elements
  (audio and video use Anki's own ``[sound:NAME]``), no ``on...=`` handlers; ``id`` (web pages pasted with
  their anchors) except the ids Anki's review page uses itself (:data:`RESERVED_IDS`); ``data-*`` attributes
  (inert); links to http, https and mailto, ``#anchor`` links and links to a plain file name (inert in Anki;
  see :mod:`deckgen.render.urls` for the relative links refused), with ``target`` and ``rel``;
- ``style`` only with the CSS properties below: colours, fonts, text layout, borders and padding. Not
  ``position``, ``inset``, ``z-index``, ``transform``, ``margin``, ``width``/``height``, ``opacity``,
  ``display``, nor anything that takes a URL (``background``, ``background-image``, ``list-style-image``,
  ``border-image``, ``cursor``, ``content``): those can overlay the card or load a file.
"""

from __future__ import annotations

ALLOWED_TAGS = frozenset(
    "a abbr b bdi bdo big blockquote br caption center cite code col colgroup dd del dfn div dl dt em "
    "figcaption figure font h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q rp rt ruby s samp small "
    "span strike strong sub sup table tbody td tfoot th thead tr tt u ul var wbr".split()
)

# on every allowed tag
GLOBAL_ATTRIBUTES = frozenset({"class", "style", "title", "lang", "dir", "id"})
DATA_PREFIX = "data-"  # data-* attributes on every allowed tag: data for scripts, inert in deckgen's fields

# ids Anki's reviewers (desktop, AnkiDroid) look up on the page: a field may not hold one of them, or a page script
# would find the field's element instead of Anki's (the typed answer, the card's container, the mark and flag, the
# Image Occlusion canvas and its container, the occlusion toggle: aqt 26.9 reviewer.js getElementById)
RESERVED_IDS = frozenset(
    {
        "qa",
        "typeans",
        "answer",
        "_mark",
        "_flag",
        "content",
        "qa_box",
        "night-mode",
        "image-occlusion-canvas",
        "image-occlusion-container",
        "toggle",
    }
)

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: GLOBAL_ATTRIBUTES | extra
    for tag, extra in {
        "a": frozenset({"href", "target", "rel"}),
        "img": frozenset({"src", "alt", "width", "height"}),
        "ol": frozenset({"start", "type", "reversed"}),
        "ul": frozenset({"type"}),
        "li": frozenset({"value"}),
        "table": frozenset({"border", "cellpadding", "cellspacing", "align", "width"}),
        "tr": frozenset({"align", "valign"}),
        "td": frozenset({"colspan", "rowspan", "align", "valign", "width"}),
        "th": frozenset({"colspan", "rowspan", "align", "valign", "width", "scope"}),
        "col": frozenset({"span", "width", "align"}),
        "colgroup": frozenset({"span", "width", "align"}),
        "font": frozenset({"color", "face", "size"}),
        "del": frozenset({"datetime"}),
        "ins": frozenset({"datetime"}),
    }.items()
}
for _tag in ALLOWED_TAGS:
    ALLOWED_ATTRIBUTES.setdefault(_tag, GLOBAL_ATTRIBUTES)

STYLE_PROPERTIES = frozenset(
    """
    color background-color
    font font-family font-size font-style font-variant font-weight
    text-align text-decoration text-decoration-color text-decoration-line text-decoration-style
    text-transform vertical-align line-height letter-spacing word-spacing white-space direction
    border border-color border-style border-width border-radius border-collapse border-spacing
    border-top border-right border-bottom border-left
    border-top-color border-right-color border-bottom-color border-left-color
    border-top-style border-right-style border-bottom-style border-left-style
    border-top-width border-right-width border-bottom-width border-left-width
    padding padding-top padding-right padding-bottom padding-left
    list-style-type
    """.split()
)

# Refused with an error (not just dropped): properties that can move an element over the card, or hide it.
COVERING_PROPERTIES = frozenset(
    """
    position inset inset-block inset-inline top right bottom left z-index transform translate scale rotate
    opacity visibility clip clip-path mask mask-image filter backdrop-filter zoom pointer-events content cursor
    behavior -moz-binding
    """.split()
)

URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Refused as unsafe (they run code, load other documents, or restyle the whole card), not just unsupported.
UNSAFE_TAGS = frozenset(
    "script iframe frame frameset object embed applet style link meta base form input button textarea select "
    "svg math template noscript audio video source track portal dialog".split()
)
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
