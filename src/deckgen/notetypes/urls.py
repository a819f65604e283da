"""The URL allow-list for a field placed in a URL-bearing attribute of a template: what the element does with the
attribute decides what the field may make of the address, checked on the URL the browser finally holds.

- The browser decodes character references in an attribute value once, after Anki inserted the field: a field
  ``&amp;colon;`` shown through ``{{text:F}}`` (which decodes once) is ``&colon;`` in the page and ``:`` in the DOM.
  So every check reads the attribute value decoded (:func:`dom_value`, over-decoding rather than under-decoding).
- By the element (:func:`kind`): a link a tap follows (``<a href>``, ``<area href>``, a form's ``action``/
  ``formaction``) may be a web address; everything else is a resource the page loads or sends to (``<link href>``
  stylesheets, ``src``, ``poster``, ``ping``, ...) and must stay in the collection: no scheme, no other host.
- By the attribute's syntax: ``srcset``/``imagesrcset`` hold a list of candidates (each URL parsed as the HTML
  standard's srcset parser does, :func:`srcset_urls`), ``ping`` a space-separated list; each URL the field's text
  reaches is checked.
- A link the field starts is a web address, or a plain file name or ``#anchor`` (render/urls.py: Anki resolves a
  relative link on its own page server, where ``/deck-options`` opens one of its screens).
- A URL the template's own text already sends elsewhere (``https://jisho.org/search/{{Word}}``) is the note type's
  code, shown by ``deckgen diff``; the field may only continue it.
"""

from __future__ import annotations

import html
import re

from deckgen.render.urls import relative_link_problem

NAVIGATION = frozenset({("a", "href"), ("area", "href"), ("form", "action"), ("button", "formaction")})
NAVIGATION_ANY = frozenset({"formaction"})  # <input formaction> too
SRCSET = frozenset({"srcset", "imagesrcset"})
_SPACES = " \t\n\r\f"
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:", re.I)
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")


def kind(tag: str, attribute: str) -> str:
    """'navigation', 'srcset', 'ping' or 'resource': what the element does with the attribute's URL."""
    attribute = attribute.lower()
    if (tag, attribute) in NAVIGATION or attribute in NAVIGATION_ANY:
        return "navigation"
    if attribute in SRCSET:
        return "srcset"
    if attribute == "ping":
        return "ping"
    return "resource"


def dom_value(raw: str) -> str:
    """An attribute value as the DOM holds it: character references decoded (html.unescape also decodes a few
    legacy names without ';' that a browser keeps in attributes: stricter, never looser)."""
    return html.unescape(raw) if "&" in raw else raw


def srcset_urls(value: str) -> list[tuple[int, int]]:
    """(start, end) of each candidate's URL in ``value``, as the HTML standard's srcset parser reads them: leading
    spaces and commas skipped, the URL a run of non-spaces with trailing commas removed, descriptors up to a comma
    outside parentheses. Linear."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i] in _SPACES or value[i] == ","):
            i += 1
        start = i
        while i < n and value[i] not in _SPACES:
            i += 1
        end = i
        while end > start and value[end - 1] == ",":
            end -= 1
        if end > start:
            out.append((start, end))
        if end < i:  # the URL ended with a comma: no descriptors
            continue
        in_parens = False  # the descriptor tokenizer's "in parens" state: a ',' there does not end the candidate
        while i < n and (value[i] != "," or in_parens):
            if value[i] in "()":
                in_parens = value[i] == "("
            i += 1
    return out


def _urls(what: str, value: str) -> list[tuple[int, int]]:
    if what == "srcset":
        return srcset_urls(value)
    if what == "ping":
        return [(m.start(), m.end()) for m in re.finditer(r"[^ \t\n\r\f]+", value)]
    return [(0, len(value))]


def _leaves(url: str, navigation: bool) -> str | None:
    """What about ``url`` (as the URL parser reads it) leaves the collection, or None."""
    url = _TAB_NEWLINE.sub("", url).strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    scheme = _SCHEME.match(url)
    if scheme:
        if navigation and scheme.group(0).lower() in ("http:", "https:"):
            return None
        return f"the scheme '{scheme.group(0)}'"
    if url.startswith("//") and not navigation:
        return "'//' at the start (another host)"
    return None


def problem(what: str, prefix: str, value: str) -> str | None:
    """What the field's text ``value`` (as Anki inserts it), placed after ``prefix`` (the attribute's text before
    it in the template), makes of a URL there that leaves the collection, or None. Other placeholders in the
    prefix count as empty. Checked on the value as written and as the DOM holds it."""
    before = _PLACEHOLDER.sub("", prefix)
    for text_before, text in ((before, before + value), (dom_value(before), dom_value(before + value))):
        reached = _common(text_before, text)
        for start, end in _urls(what, text):
            if end <= reached:
                continue  # the template's own URL
            own = text[start : max(start, reached)]
            if _leaves(own, what == "navigation") or (own and _SCHEME.match(_TAB_NEWLINE.sub("", own).strip())):
                continue  # the template's own text gives the address its scheme or host: the field continues it
            url = text[start:end]
            found = _leaves(url, what == "navigation")
            if found:
                return f"{found} in the URL '{_short(url)}' as the browser reads it"
            if what != "navigation" and not re.search(r"[/?#]", own) and url.lstrip(_SPACES)[:1] in ("/", "\\"):
                return f"'/' at the start of the URL '{_short(url)}' (with another field before it: another host)"
            if not re.search(r"[/?#]", own) and ":" in url[len(own) :]:
                if not (what == "navigation" and _web(url)):
                    return f"':' in the URL '{_short(url)}' (a scheme such as 'javascript:')"
            if what == "navigation" and not re.search(r"[/?#]", own) and not _web(url):
                if relative_link_problem(url.strip(_SPACES)):
                    return (
                        f"the link '{_short(url)}', neither a web address nor a plain file name or #anchor (Anki "
                        "resolves a relative link on its own page server, where a path such as /deck-options opens "
                        "one of Anki's screens)"
                    )
    return None


def _web(url: str) -> bool:
    return _TAB_NEWLINE.sub("", url).strip().lower().startswith(("http://", "https://"))


def _common(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "..."
