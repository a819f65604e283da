"""The last step before output: nh3 (the ammonia sanitizer) cleans the field to the allow-list, and a scanner
reports, with a reason, everything nh3 would remove or refuse.

The scanner reads the field as nh3 does: tag names with the HTML tokenizer's own rule (a '<' and a letter),
and the attributes of allowed tags from a second, permissive nh3 pass that keeps every attribute and URL.
So it reads what html5ever parsed, and in linear time: Python's HTMLParser is quadratic on unclosed
comments and start tags (a field of 100,000 '<!--' took 100 s), but nh3's output has none.

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

from deckgen.distribution import docs_url
from deckgen.render import css as css_reader
from deckgen.render.allowlist import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    COVERING_PROPERTIES,
    DATA_PREFIX,
    RESERVED_IDS,
    STYLE_PROPERTIES,
    UNSAFE_SCHEMES,
    UNSAFE_TAGS,
    URL_SCHEMES,
)
from deckgen.render.cssbounds import length_problem
from deckgen.render.media import name_problem
from deckgen.render.result import WARNING, FieldProblem
from deckgen.render.urls import leaves_collection, relative_link_problem, url_scheme

MEDIA_PREFIX = "media/"
HTML_DOCS = docs_url("format/math-code-media", "html-in-fields")


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """nh3's last word on an attribute (its value decoded): what the scanner refuses as leaving the card is
    dropped, so the sanitizer's output (what ``--strip-unsafe`` keeps) holds none of it."""
    if tag == "img" and name == "src" and leaves_collection(value):
        return None
    if tag == "a" and name == "href" and not url_scheme(value) and relative_link_problem(value):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    generic_attribute_prefixes={DATA_PREFIX},
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
    filter_style_properties=set(STYLE_PROPERTIES),
    attribute_filter=_attribute_filter,
)

# nh3's output writes every attribute as name="value" (a '"' inside a value is &quot;), so its tags match this.
_RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript", "template"}
_TAG_NAME = re.compile(r"</?([A-Za-z][^\t\n\f\r />]*)")
_SCHEME_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*):")  # from a run's start: linear
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_IMG = re.compile(r'<img((?:\s+[^\s="/>]+="[^"]*")*)\s*/?>')
_SRC = re.compile(r'(\ssrc=")([^"]*)(")')
_C0_AND_SPACE = re.compile(r"[\x00-\x20]+")
_LOADING_CSS = ("url(", "image(", "image-set(", "element(", "cross-fade(", "expression(", "@import")

MAX_NESTING = 100
"""Elements inside each other that a field may have. html5ever's work grows with the depth of open elements
for every tag it reads (65,000 '>' quotes inside quotes took 12 s in nh3); real fields nest less than 20 deep."""
_START_OR_END = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# void elements, and elements that the next sibling closes (counting them would mistake a list of unclosed
# <li> or <p> for depth)
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta source track wbr p li dt dd tr td th thead tbody tfoot rp rt "
    "option optgroup colgroup caption".split()
)


# The HTML standard's serializer writes one extra line feed after <pre>/<listing>/<textarea> when their text starts
# with one, as the parser drops a line feed right after the start tag; nh3's serializer does not, so the browser
# would show one line feed less than nh3 kept (and sanitizing the stored HTML again would remove it)
_LEADING_LINE_FEED = re.compile(r"(<(?:pre|listing|textarea)(?:\s[^>]*)?>)\n", re.IGNORECASE)


def clean(fragment: str) -> str:
    """nh3 with deckgen's allow-list, serialized as the HTML standard serializes (see _LEADING_LINE_FEED)."""
    return _LEADING_LINE_FEED.sub("\\1\n\n", str(_CLEANER.clean(fragment)))


def _exposed(fragment: str) -> str:
    """The fragment as nh3 parses it, with every attribute and URL of the allowed tags kept (other tags
    dropped, their text kept; the contents of raw-text elements such as <script> dropped)."""
    schemes = {m.group(1).lower() for m in _SCHEME_CANDIDATE.finditer(_TAB_NEWLINE.sub("", html.unescape(fragment)))}
    return str(
        nh3.clean(
            fragment,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=_RAW_TEXT,
            generic_attribute_prefixes={""},
            url_schemes=schemes | URL_SCHEMES,
            link_rel=None,
            strip_comments=True,
        )
    )


class Scanner(HTMLParser):
    """Reports what the allow-list does not allow, in nh3's reading of the HTML (see ``scan``).
    ``markdown``: image paths are ``media/NAME`` (Markdown fields); otherwise bare file names as Anki writes
    them (HTML fields)."""

    def __init__(self, markdown: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.problems: list[FieldProblem] = []

    def error(self, message: str, rule: str = "html") -> None:
        self.problems.append(FieldProblem(message, rule=rule))

    def tag_name(self, tag: str) -> None:
        if tag in UNSAFE_TAGS:
            self.error(f"unsafe HTML: <{tag}> is not allowed (Anki would run or load it); remove it")
        elif tag not in ALLOWED_TAGS:
            self.error(
                f"HTML tag <{tag}> is not supported; use Markdown, or a tag from the list at {HTML_DOCS} (such as "
                "<span>, <div>, <sub>, <sup>, <ruby>, <table>)"
            )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.error(
                    f"unsafe HTML: event handler attribute '{name}' on <{tag}> would run script in Anki; remove it"
                )
            elif name.startswith(DATA_PREFIX):
                continue
            elif name not in allowed:
                self.error(f"HTML attribute '{name}' on <{tag}> is not supported; remove it")
            elif name == "id" and (value.strip().lower() in RESERVED_IDS or value.strip().lower().startswith("hint")):
                self.error(
                    f"the id '{value}' on <{tag}> is one that Anki's review page uses itself (its card, typed "
                    "answer, hints); choose another id"
                )
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
            if (problem := relative_link_problem(value)) is not None:
                self.error(problem)
            return  # an '#anchor' or a plain file name: it opens nothing of Anki's, runs nothing
        if scheme not in URL_SCHEMES:
            self.error(f"link scheme '{scheme}:' is not allowed; use http, https or mailto")

    def _src(self, value: str) -> None:
        if self._unsafe_url("img", "src", value):
            return
        if leaves_collection(value):  # never a defect a deck may keep: Anki would fetch it on every review
            where = (
                "put the image in the media/ folder and write ![...](media/NAME)"
                if self.markdown
                else 'put the image in cards/media/ and write <img src="NAME">'
            )
            self.error(
                f"unsafe HTML: image '{value}' is not a local file: Anki would load it from the network on every "
                f"review (telling that server who studies when); {where}",
                rule="media",
            )
        elif self.markdown:
            name = value[len(MEDIA_PREFIX) :]
            if not value.startswith(MEDIA_PREFIX) or not name or "/" in name or "\\" in name:
                self.error(
                    f"image path '{value}' must name a file directly in the cards folder's media/ (e.g. media/figure.png)",
                    rule="media",
                )
            elif (reason := name_problem(unquote(name))) is not None:  # found here: a ':' would make nh3 drop the src
                self.error(
                    f"media file name '{unquote(name)}' {reason}; rename the file and its reference", rule="media"
                )
        elif "/" in value or "\\" in value:
            self.error(
                f"image '{value}' must be a file name in cards/media/ (Anki's media folder has no subfolders), "
                'e.g. <img src="figure.png">',
                rule="media",
            )

    def _style(self, tag: str, value: str) -> None:
        # read as a browser's CSS tokenizer reads it first ('(' starts every URL and function)
        if "(" in value and css_reader.references(value):
            self.error(f"unsafe HTML: the style '{value.strip()}' on <{tag}> could load a file; remove it")
            return
        for declaration in value.split(";"):
            if not declaration.strip():
                continue
            prop, _, css = declaration.partition(":")
            prop = prop.strip().lower()
            squashed = _C0_AND_SPACE.sub("", css).lower()
            if "\\" in css or any(f in squashed for f in _LOADING_CSS):
                self.error(f"unsafe HTML: the style '{declaration.strip()}' on <{tag}> could load a file; remove it")
            elif prop in COVERING_PROPERTIES:
                self.error(
                    f"unsafe HTML: the CSS property '{prop}' on <{tag}> could move it over the card or hide it; remove it"
                )
            elif prop in STYLE_PROPERTIES and (too_large := length_problem(prop, css)):
                self.error(f"unsafe HTML: the style '{declaration.strip()}' on <{tag}>: {too_large}")
            elif prop not in STYLE_PROPERTIES:
                self.problems.append(
                    FieldProblem(
                        f"CSS property '{prop}' in a style attribute on <{tag}> is not allowed and is removed "
                        "(allowed: colours, fonts, text alignment, borders, padding)",
                        severity=WARNING,
                    )
                )


def scan(fragment: str, *, markdown: bool) -> Scanner:
    scanner = Scanner(markdown)
    if "<" not in fragment:
        return scanner
    for name in dict.fromkeys(m.group(1).lower() for m in _TAG_NAME.finditer(fragment)):
        scanner.tag_name(name)
    scanner.feed(_exposed(fragment))
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
    name = html.escape(unquote(value[len(MEDIA_PREFIX) :]), quote=True)
    return tag[: src.start(2)] + name + tag[src.end(2) :]


def nesting_depth(fragment: str) -> int:
    """How deep elements nest in ``fragment``, counted from its tags in one pass (an upper bound where end tags
    are missing); 0 when the fragment has too few tags to pass MAX_NESTING."""
    if fragment.count("<") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for tag in _START_OR_END.finditer(fragment):
        if tag.group(2).lower() in _NOT_NESTING:
            continue
        if tag.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def approve(fragment: str, *, markdown: bool, scanned: bool = True) -> tuple[str, list[FieldProblem]]:
    """(the HTML to ship, exactly as nh3 returned it; what the scanner reports about ``fragment``).
    ``scanned=False`` skips the report (for Markdown whose source has no HTML and no link: cmark's own markup
    never trips the scanner, a property test holds that). HTML nested deeper than MAX_NESTING is refused before
    nh3 reads it."""
    depth = nesting_depth(fragment)
    if depth > MAX_NESTING:
        return "", [
            FieldProblem(
                f"the field's HTML nests {depth:,} elements inside each other (e.g. '>' quotes inside quotes, lists inside "
                f"lists); deckgen renders up to {MAX_NESTING} levels: flatten it",
                rule="size",
            )
        ]
    problems = scan(fragment, markdown=markdown).problems if scanned else []
    cleaned = clean(fragment)
    if markdown and "<img" in cleaned:
        rewritten = _IMG.sub(_bare_name, cleaned)
        if rewritten != cleaned:
            cleaned = clean(rewritten)
    return cleaned, problems
