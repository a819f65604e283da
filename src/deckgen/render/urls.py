"""What an address in a field leads to, read as a browser reads it: a scheme, another computer, or a path on
Anki's own page server.

Anki's review page has the base ``http://127.0.0.1:PORT/``, so every relative link resolves on Anki's local
server: a path there can be one of Anki's own screens (``/_anki/pages/...``, ``deck-options``, ...), which the
reviewer loads in place of the card (aqt ``webview.py``, ``mediasrv.py``). A network path (``//host``, and the
forms a browser reads as one: ``\\\\host``, ``/\\host``) is another computer without its scheme. So a field's link is
a web address, ``mailto:``, an ``#anchor`` or a plain file name that is none of Anki's screens.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_C0_AND_SPACE = re.compile(r"[\x00-\x20]+")

# the pages Anki's reviewer loads in place (aqt 26.9 mediasrv.py: SvelteKit routes and the legacy pages folder)
ANKI_PAGES = frozenset(
    "_anki deck-options preferences graphs import-page import-anki-package change-notetype image-occlusion editor "
    "card-info congrats import-csv".split()
)


def url_scheme(value: str) -> str:
    """The scheme a browser would see: control characters and spaces anywhere removed (WHATWG URL parsing drops
    tabs and newlines, and leading/trailing C0 and spaces), lower-cased; '' for a relative URL."""
    squashed = _C0_AND_SPACE.sub("", value).lower()
    m = _SCHEME.match(squashed)
    return m.group(1) if m else ""


def leaves_collection(value: str) -> bool:
    """Whether a URL names another computer: a scheme (``https:``), or a network path (``//host``, and the forms a
    browser reads as one: ``\\\\host``, ``/\\host``, with tabs, newlines or leading spaces anywhere)."""
    return bool(url_scheme(value)) or _network_path(value)


def _network_path(value: str) -> bool:
    return _C0_AND_SPACE.sub("", value).replace("\\", "/").startswith("//")


def relative_link_problem(value: str) -> str | None:
    """Why a link without a scheme is refused (None for an ``#anchor`` or a plain file name)."""
    if _network_path(value):
        return (
            f"link '{value}' leads to another computer without naming how ('//', or a '\\' a browser reads as '/'); "
            "write the whole web address (https://...)"
        )
    path = re.split(r"[?#]", value, maxsplit=1)[0]
    if "\\" in value or ":" in path.split("/", 1)[0]:  # 'javascript\:x' is relative to a browser, but not plainly so
        return (
            f"link '{value}' is neither a web address nor a plain relative link; links start with http://, "
            "https:// or mailto:, or are a file name or #anchor (no ':', no '\\')"
        )
    name = unquote(_C0_AND_SPACE.sub("", path))
    if "/" in name:
        return (
            f"link '{value}' is a path: in Anki it resolves on Anki's own page server, where a path such as "
            "/deck-options opens one of Anki's screens in place of the card; link to a web address (https://...), "
            "a plain file name or an #anchor"
        )
    if name.lower() in ANKI_PAGES:
        return (
            f"link '{value}' names one of Anki's own screens ('{name}'), which would open in place of the card; "
            "link to a web address (https://...) or an #anchor"
        )
    return None
