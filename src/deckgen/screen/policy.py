"""The allow-list over the learner's screen: one HTML5 parse (lexbor, the WHATWG tokenizer and tree builder, through
selectolax) of the page Anki builds, and what of it deckgen refuses, trusts or reports as code.

- Refused anywhere: ``object``, ``embed``, ``iframe``, ``frame``, ``frameset``, ``applet``, ``portal``, ``base``
  and ``meta http-equiv`` elements (they load documents, plugins or a new base for every URL); text that Anki's
  raw passes rewrite (``[sound:]``, ``[anki:...]``, ``[[type:]]``, LaTeX tags) in an attribute or a tag, where the
  inserted markup's ``"`` ends the attribute; a field marker in a tag or attribute name; math in the page's text
  with a command outside the TeX allow-list (``\\style``, ``\\href``, ...).
- Trusted, shown as code by ``deckgen diff``: a note type's own ``<script>``, ``on...`` handlers, ``javascript:``
  URLs and URLs that leave the collection (a CDN script, a web font).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from deckgen.render import tex
from deckgen.screen import substitute

SCRIPT = "a <script> element"
HANDLER = "an event handler attribute (on...=)"
EXTERNAL = "an external URL"
JAVASCRIPT = "a javascript: URL"
IMPORT = "a CSS @import"
EMBEDDING = "an <object>, <embed>, <iframe>, <frame>, <base> or <meta http-equiv> element"

EMBEDDING_ELEMENTS = frozenset({"object", "embed", "iframe", "frame", "frameset", "applet", "portal", "base"})
# MathJax's defaults (skipHtmlTags): their text is never typeset
_NO_MATH = frozenset({"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_EXTERNAL = re.compile(r"\b(?:https?|ftp|wss?):|(?:^|[\s,(\"'=])//", re.I)
_HANDLER_NAME = re.compile(r"(?:^|[^a-z0-9_-])on[a-z]")
_MARKER = re.compile(r"dgfield[0-9a-fx]*end(?:o([qa])(\d+)z)?")
# elements whose content the browser reads as text or code, not markup: a field there is not in the page's text
_NOT_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "noscript", "noembed", "noframes", "plaintext", "iframe"}
)


@dataclass(frozen=True)
class Finding:
    """Something of the page the policy refuses: the message, and text to find its place in the template by."""

    message: str
    needle: str


def parse(page: str) -> LexborNode:
    """The page's document, as a browser builds it."""
    root = LexborHTMLParser(page).root
    assert root is not None  # lexbor always builds <html>
    return root


def _elements(root: LexborNode) -> list[LexborNode]:
    return [n for n in root.traverse() if n.tag and not n.tag.startswith("-")]


def _skipped(node: LexborNode) -> bool:
    """Whether MathJax skips this text: the nearest ancestor with 'mathjax_process' (typeset) or 'mathjax_ignore'
    or a skipped tag (not typeset) decides, as MathJax's processHtmlClass overrides the other two."""
    parent = node.parent
    while parent is not None:
        classes = (parent.attributes.get("class") or "").split()
        if "mathjax_process" in classes:
            return False
        if (parent.tag or "").lower() in _NO_MATH or "mathjax_ignore" in classes:
            return True
        parent = parent.parent
    return False


def refusals(page: str) -> list[Finding]:
    """What the policy refuses in ``page`` (a side as ``question()``/``answer()`` give it, before the reviewer's
    play buttons and type-in box): see the module's docstring."""
    out: list[Finding] = []
    root = parse(page)
    texts: list[str] = []
    for node in root.traverse(include_text=True):
        tag = (node.tag or "").lower()
        if tag == "-text":
            if "\\" in (node.text_content or "") and not _skipped(node):
                texts.append(node.text_content or "")
            continue
        if tag.startswith("-"):
            continue
        if _MARKER.search(tag):
            out.append(Finding("a field in the name of a tag lets the field choose the element", "<{{"))
        if tag in EMBEDDING_ELEMENTS or (tag == "meta" and "http-equiv" in node.attributes):
            out.append(
                Finding(
                    f"<{tag}> is refused in templates: it loads another document, a plugin or a new base for every "
                    "URL (a data: or javascript: address in it runs script); show media with <img>, <audio> or "
                    "<video>",
                    f"<{tag}",
                )
            )
        out += _rewrites(node, tag)
        for name in node.attributes:
            if _MARKER.search(name):
                out.append(Finding("a field in an attribute's name lets the field write attributes", "{{"))
    for text in texts:
        for message in dict.fromkeys([*tex.unsafe_commands(text), *_math(text)]):
            command = re.search(r"\\[A-Za-z]+", message)
            out.append(Finding(f"math in the template's text: {message}", command.group(0) if command else "\\"))
    return out


def _rewrites(node: LexborNode, tag: str) -> list[Finding]:
    out: list[Finding] = []
    for name, value in node.attributes.items():
        raw = substitute.RAW_SUBSTITUTED.search(f"{name}={value or ''}")
        if raw:
            out.append(
                Finding(
                    f"'{raw.group(0)}' inside the <{tag}> tag: Anki replaces it there too (with a play button, a "
                    "type-in box or a LaTeX image) before the page is read, and the inserted markup's '\"' ends "
                    "the attribute, so the rest becomes markup; move it out of the tag",
                    raw.group(0),
                )
            )
    return out


def rewrites_in_tags(page: str) -> list[Finding]:
    """Anki's rewritten strings inside a tag of ``page``, one finding per attribute."""
    return [f for node in _elements(parse(page)) for f in _rewrites(node, (node.tag or "").lower())]


def placed(page: str) -> dict[tuple[str, int], set[str]]:
    """Where each tagged field marker (render.render with ``tag_side``) lands in the parsed page: ("q" or "a", the
    placeholder's offset) -> kinds among "text", "value" (an attribute value), "name" (a tag or attribute name),
    "raw" (the content of <script>, <style>, <textarea>, ...); a marker in a comment is shown nowhere."""
    out: dict[tuple[str, int], set[str]] = {}

    def add(text: str, kind: str) -> None:
        for m in _MARKER.finditer(text):
            if m.group(1):
                out.setdefault((m.group(1), int(m.group(2))), set()).add(kind)

    for node in parse(page).traverse(include_text=True):
        tag = (node.tag or "").lower()
        if tag == "-text":
            parent = (node.parent.tag or "").lower() if node.parent is not None else ""
            add(node.text_content or "", "raw" if parent in _NOT_TEXT else "text")
        elif not tag.startswith("-"):
            add(tag, "name")
            for name, value in node.attributes.items():
                add(name, "name")
                add(value or "", "value")
    return out


def _math(text: str) -> list[str]:
    out: list[str] = []
    for _, _, math in tex.find_math(text):
        out += tex.check_math(math)
    return out


def _url_code(value: str, found: Counter[str]) -> None:
    """A decoded attribute value: a javascript: URL, an external URL anywhere in it (srcset, meta content, ...)."""
    squeezed = _CONTROL.sub("", value).casefold()
    if "javascript:" in squeezed or "vbscript:" in squeezed:
        found[JAVASCRIPT] += 1
    slashed = value.replace("\\", "/")  # URL parsers read '\' as '/': '/\evil.example' is '//evil.example'
    if _EXTERNAL.search(slashed) or _EXTERNAL.search(_CONTROL.sub("", slashed)):
        found[EXTERNAL] += 1


CssCode = Callable[[str, Counter[str]], object]


def code(page: str, css_code: CssCode | None = None) -> Counter[str]:
    """What in ``page`` is code or reaches outside the collection, by kind, counted over the parsed page (the diff's
    "new code" warning): script elements, handlers, javascript: and external URLs, embedding elements, and with
    ``css_code`` (which adds CSS findings to a Counter) the CSS of <style> elements and style attributes."""
    found: Counter[str] = Counter()
    for node in _elements(parse(page)):
        tag = (node.tag or "").lower()
        if tag == "script":
            found[SCRIPT] += 1
        if tag in EMBEDDING_ELEMENTS or (tag == "meta" and "http-equiv" in node.attributes):
            found[EMBEDDING] += 1
        if tag == "style" and css_code is not None:
            css_code(node.text() or "", found)
        for name, value in node.attributes.items():
            if _HANDLER_NAME.search(name.lower()):  # also "{{#f}}onclick", a section glued to the name
                found[HANDLER] += 1
            if value is None:
                continue
            if name.lower() == "style" and css_code is not None:
                css_code(value, found)
            else:
                _url_code(value, found)
    return found
