"""The last step before output: nh3 (the ammonia sanitizer) cleans the field to the allow-list, and a scanner
that reads the same HTML reports, with a reason, everything nh3 would remove or refuse.

``approve`` returns nh3's output itself; nothing is changed after it. Markdown image paths (``media/x.png``)
must become bare file names (Anki's media folder is flat): that rewrite happens on nh3's first output, whose
attributes are in one canonical form, and the result is sanitized again, so the bytes shipped are the bytes
nh3 approved last.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import nh3

from .allowlist import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    STYLE_PROPERTIES,
    UNSAFE_SCHEMES,
    UNSAFE_TAGS,
    URL_SCHEMES,
)
from .result import WARNING, FieldProblem

MEDIA_PREFIX = "media/"

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
    filter_style_properties=set(STYLE_PROPERTIES),
)

# nh3's output writes every attribute as name="value" (a '"' inside a value is &quot;), so its tags match this.
_IMG = re.compile(r'<img((?:\s+[^\s="/>]+="[^"]*")*)\s*/?>')
_SRC = re.compile(r'(\ssrc=")([^"]*)(")')
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_C0_AND_SPACE = re.compile(r"[\x00-\x20]+")
_LOADING_CSS = ("url(", "image(", "image-set(", "element(", "cross-fade(", "expression(", "@import")


def clean(fragment: str) -> str:
    """nh3 with deckgen's allow-list."""
    return str(_CLEANER.clean(fragment))


def url_scheme(value: str) -> str:
    """The scheme a browser would see: control characters and spaces anywhere removed (WHATWG URL parsing drops
    tabs and newlines, and leading/trailing C0 and spaces), lower-cased; '' for a relative URL."""
    squashed = _C0_AND_SPACE.sub("", value).lower()
    m = _SCHEME.match(squashed)
    return m.group(1) if m else ""


class Scanner(HTMLParser):
    """Reports what the allow-list does not allow. ``markdown``: image paths are ``media/NAME`` (Markdown fields);
    otherwise bare file names as Anki writes them (HTML fields)."""

    def __init__(self, markdown: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.problems: list[FieldProblem] = []
        self.images = 0

    def error(self, message: str, rule: str = "html") -> None:
        self.problems.append(FieldProblem(message, rule=rule))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE_TAGS:
            self.error(f"unsafe HTML: <{tag}> is not allowed (Anki would run or load it); remove it")
            return
        if tag not in ALLOWED_TAGS:
            self.error(f"HTML tag <{tag}> is not supported; use Markdown or one of: {', '.join(sorted(ALLOWED_TAGS))}")
            return
        allowed = ALLOWED_ATTRIBUTES[tag]
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.error(f"unsafe HTML: event handler attribute '{name}' on <{tag}> would run script in Anki; remove it")
            elif name not in allowed:
                self.error(f"HTML attribute '{name}' on <{tag}> is not supported; remove it")
            elif name == "href":
                self._href(value)
            elif name == "src":
                self._src(value)
            elif name == "style":
                self._style(tag, value)

    def _unsafe_url(self, tag: str, name: str, value: str) -> bool:
        scheme = url_scheme(value)
        if scheme in UNSAFE_SCHEMES:
            self.error(f"unsafe HTML: '{scheme}:' URL in <{tag} {name}> is not allowed; remove it")
            return True
        return False

    def _href(self, value: str) -> None:
        if self._unsafe_url("a", "href", value):
            return
        scheme = url_scheme(value)
        if not scheme:
            self.error(f"link '{value}' is not a web address; links must start with http://, https:// or mailto:")
        elif scheme not in URL_SCHEMES:
            self.error(f"link scheme '{scheme}:' is not allowed; use http, https or mailto")

    def _src(self, value: str) -> None:
        if self._unsafe_url("img", "src", value):
            return
        self.images += 1
        if url_scheme(value) or value.startswith("//"):
            where = "put the image in the media/ folder and write ![...](media/NAME)" if self.markdown \
                else "put the image in cards/media/ and write <img src=\"NAME\">"
            self.error(f"image '{value}' is not a local file; {where}", rule="media")
        elif self.markdown:
            name = value[len(MEDIA_PREFIX):]
            if not value.startswith(MEDIA_PREFIX) or not name or "/" in name or "\\" in name:
                self.error(f"image path '{value}' must name a file directly in the cards folder's media/ (e.g. media/figure.png)",
                           rule="media")
        elif "/" in value or "\\" in value:
            self.error(f"image '{value}' must be a file name in cards/media/ (Anki's media folder has no subfolders), "
                       "e.g. <img src=\"figure.png\">", rule="media")

    def _style(self, tag: str, value: str) -> None:
        for declaration in value.split(";"):
            if not declaration.strip():
                continue
            prop, _, css = declaration.partition(":")
            prop = prop.strip().lower()
            squashed = _C0_AND_SPACE.sub("", css).lower()
            if "\\" in css or any(f in squashed for f in _LOADING_CSS):
                self.error(f"unsafe HTML: the style '{declaration.strip()}' on <{tag}> could load a file; remove it")
            elif prop not in STYLE_PROPERTIES:
                self.problems.append(FieldProblem(
                    f"CSS property '{prop}' in a style attribute on <{tag}> is not allowed and is removed "
                    "(allowed: colours, fonts, text alignment, borders, padding)", severity=WARNING))


def scan(fragment: str, *, markdown: bool) -> Scanner:
    scanner = Scanner(markdown)
    scanner.feed(fragment)
    scanner.close()
    return scanner


def _bare_name(match: re.Match[str]) -> str:
    """``<img ... src="media/NAME">`` -> ``src="NAME"`` (NAME percent-decoded: cmark encodes spaces and non-ASCII)."""
    tag = match.group(0)
    src = _SRC.search(tag)
    if src is None:
        return tag
    value = html.unescape(src.group(2))
    if not value.startswith(MEDIA_PREFIX):
        return tag
    name = html.escape(unquote(value[len(MEDIA_PREFIX):]), quote=True)
    return tag[:src.start(2)] + name + tag[src.end(2):]


def approve(fragment: str, *, markdown: bool) -> tuple[str, list[FieldProblem]]:
    """(the HTML to ship, exactly as nh3 returned it; what the scanner reports about ``fragment``)."""
    scanner = scan(fragment, markdown=markdown)
    cleaned = clean(fragment)
    if markdown and scanner.images:
        rewritten = _IMG.sub(_bare_name, cleaned)
        if rewritten != cleaned:
            cleaned = clean(rewritten)
    return cleaned, scanner.problems
