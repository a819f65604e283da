"""The allow-list over the learner's screen: one HTML5 parse (lexbor, the WHATWG tokenizer and tree builder, through
selectolax) of the page Anki builds, and what of it deckgen refuses, trusts or reports as code.

- Refused anywhere: ``object``, ``embed``, ``iframe``, ``frame``, ``frameset``, ``applet``, ``portal``, ``base``
  and ``meta http-equiv`` elements (they load documents, plugins or a new base for every URL); text that Anki's
  raw passes rewrite (``[sound:]``, ``[anki:...]``, ``[[type:]]``, LaTeX tags) in an attribute or a tag, where the
  inserted markup's ``"`` ends the attribute; a field marker in a tag or attribute name; math in the page's text
  with a command outside the TeX allow-list (``\\style``, ``\\href``, ...).
- Trusted, shown as code by ``deckgen diff``: a note type's own ``<script>``, ``on...`` handlers, ``javascript:``
  URLs and URLs that leave the collection (a CDN script, a web font).

The content of a ``<template>`` element is not in the document tree a parser builds, but a browser that parses a
whole page (AnkiDroid's legacy reviewer) attaches ``<template shadowrootmode>`` content as a shadow root and runs
its scripts and handlers: every check here walks template content too (:func:`documents`). Math is read as
MathJax reads it: text joined across ``<br>`` (a newline), ``<wbr>`` and comments, split at every other element
(:func:`math_strings`), never inside template content (MathJax does not enter shadow roots).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from deckgen.render import css, tex
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
_GLUED = re.compile(r"(\\[A-Za-z]*)dgfield")  # a TeX command name the next field's text continues
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


def documents(root: LexborNode) -> list[LexborNode]:
    """``root`` and the content of every ``<template>`` under it, nested ones included (each node once)."""
    out = [root]
    pending = [root]
    while pending:
        fragments = pending.pop().template_fragments()
        out += fragments
        pending += fragments
    return out


def _nodes(root: LexborNode, *, include_text: bool = False) -> list[LexborNode]:
    """The nodes of the page and of every template content in it, document order within each."""
    return [n for doc in documents(root) for n in doc.traverse(include_text=include_text) if n.tag]


def elements(root: LexborNode) -> list[LexborNode]:
    """The elements of the page and of every template content in it."""
    return [n for n in _nodes(root) if not (n.tag or "-").startswith("-")]


_JOINED = {"br": "\n", "wbr": "", "-comment": ""}  # MathJax's includeHtmlTags: they do not split a string


def math_strings(root: LexborNode) -> list[str]:
    """The strings MathJax 3 searches for math (HTMLDomStrings): the page's text joined across ``<br>``, ``<wbr>``
    and comments, split at every other element boundary; nothing under a skipped element (script, style, code,
    ...) or ``mathjax_ignore`` unless a nearer ancestor has ``mathjax_process``. Iterative and linear."""
    out: list[str] = []
    run: list[str] = []

    def push() -> None:
        if run:
            out.append("".join(run))
            run.clear()

    stack: list[tuple[LexborNode | None, bool]] = [(root, False)]
    while stack:
        node, skip = stack.pop()
        while node is not None:
            tag = (node.tag or "").lower()
            if tag == "-text" or tag in _JOINED:
                if not skip:
                    run.append(node.text_content or "" if tag == "-text" else _JOINED[tag])
            elif not tag.startswith("-"):
                push()
                classes = (node.attributes.get("class") or "").split()
                inner = skip
                if "mathjax_process" in classes:
                    inner = False
                elif tag in _NO_MATH or "mathjax_ignore" in classes:
                    inner = True
                if node.child is not None:
                    stack.append((node.next, skip))
                    node, skip = node.child, inner
                    continue
            node = node.next
        push()
    return out


def refusals(page: str) -> list[Finding]:
    """What the policy refuses in ``page`` (a side as ``question()``/``answer()`` give it, before the reviewer's
    play buttons and type-in box): see the module's docstring."""
    out: list[Finding] = []
    root = parse(page)
    for node in elements(root):
        tag = (node.tag or "").lower()
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
    for text in math_strings(root):
        if "\\" not in text:
            continue
        glued = _GLUED.search(text)
        for message in dict.fromkeys([*tex.unsafe_commands(text), *_math(text)]):
            if glued and "dgfield" in message:
                continue  # a command name a field completes: reported once, below
            command = re.search(r"\\[A-Za-z]+", message)
            out.append(Finding(f"math in the template's text: {message}", command.group(0) if command else "\\"))
        if glued:
            out.append(
                Finding(
                    f"'{glued.group(1)}' right before a field in the template's text (MathJax joins text across "
                    "<wbr>, <br> and comments): the field's text completes the math command's name (a field "
                    "'le{...}' after '\\sty' makes \\style), which neither the template nor the field holds on its "
                    "own; put a space or braces between them",
                    glued.group(1) or "\\",
                )
            )
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
    return [f for node in elements(parse(page)) for f in _rewrites(node, (node.tag or "").lower())]


def placed(
    page: str, attributes: dict[tuple[str, int], set[tuple[str, str]]] | None = None
) -> dict[tuple[str, int], set[str]]:
    """Where each tagged field marker (render.render with ``tag_side``) lands in the parsed page: ("q" or "a", the
    placeholder's offset) -> kinds among "text", "value" (an attribute value), "name" (a tag or attribute name),
    "raw" (the content of <script>, <style>, <textarea>, ...); a marker in a comment is shown nowhere. With
    ``attributes``, also the (element, attribute) each marker in a value lands in, as the browser reads them."""
    out: dict[tuple[str, int], set[str]] = {}

    def add(text: str, kind: str, where: tuple[str, str] | None = None) -> None:
        for m in _MARKER.finditer(text):
            if m.group(1):
                out.setdefault((m.group(1), int(m.group(2))), set()).add(kind)
                if where is not None and attributes is not None:
                    attributes.setdefault((m.group(1), int(m.group(2))), set()).add(where)

    for node in _nodes(parse(page), include_text=True):
        tag = (node.tag or "").lower()
        if tag == "-text":
            parent = (node.parent.tag or "").lower() if node.parent is not None else ""
            add(node.text_content or "", "raw" if parent in _NOT_TEXT else "text")
        elif not tag.startswith("-"):
            add(tag, "name")
            for name, value in node.attributes.items():
                add(name, "name")
                add(value or "", "value", (tag, name.lower()))
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


CodeItem = tuple[str, str]  # (kind, the code as the browser reads it: what the diff compares between revisions)


def css_items(css_text: str) -> list[CodeItem]:
    """The code of CSS text, read by a CSS tokenizer (css.py), one item per reference: @import (with its target),
    javascript: and external URLs (the URL), CSS too deep to read."""
    found: list[CodeItem] = []
    for ref in css.references(css_text):
        if ref.how == "unread":
            found.append((css.UNREAD, " ".join(css_text.split())[:200]))
            continue
        if ref.how == "import":
            found.append((IMPORT, f"@import {ref.target}"))
        kind = css.url_kind(ref.target)
        if kind == "script":
            found.append((JAVASCRIPT, ref.target))
        elif kind == "external":
            found.append((EXTERNAL, ref.target))
    return found


def css_code(css_text: str, found: Counter[str]) -> None:
    """Count in ``found`` the code of CSS text by kind (:func:`css_items`)."""
    found.update(kind for kind, _ in css_items(css_text))


def _start_tag(node: LexborNode, tag: str, only: str | None = None) -> str:
    """The element's start tag as the parser read it (decoded values), or with the one attribute ``only``."""
    shown = "".join(
        f' {name}="{value}"' if value is not None else f" {name}"
        for name, value in node.attributes.items()
        if only is None or name == only
    )
    return f"<{tag}{shown}>"


def code_items(page: str) -> list[CodeItem]:
    """What in ``page`` is code or reaches outside the collection, one item per piece of code: each script element
    (its start tag and its text), handler, javascript: or external URL (the attribute), embedding element, and the
    CSS of <style> elements and style attributes (:func:`css_items`). Two revisions of a template hold the same code
    when they hold the same items: a swapped URL or a rewritten script is a new item."""
    found: list[CodeItem] = []
    for node in elements(parse(page)):
        tag = (node.tag or "").lower()
        if tag == "script":
            found.append((SCRIPT, _start_tag(node, tag) + (node.text() or "")))
        if tag in EMBEDDING_ELEMENTS or (tag == "meta" and "http-equiv" in node.attributes):
            found.append((EMBEDDING, _start_tag(node, tag)))
        if tag == "style":
            found += css_items(node.text() or "")
        for name, value in node.attributes.items():
            if _HANDLER_NAME.search(name.lower()):  # also "{{#f}}onclick", a section glued to the name
                found.append((HANDLER, _start_tag(node, tag, name)))
            if value is None:
                continue
            if name.lower() == "style":
                found += css_items(value)
            else:
                kinds: Counter[str] = Counter()
                _url_code(value, kinds)
                found += [(kind, _start_tag(node, tag, name)) for kind in kinds]
    return found


def code(page: str) -> Counter[str]:
    """What in ``page`` is code or reaches outside the collection, by kind (the items of :func:`code_items`
    counted; the diff's "new code" warning compares the items)."""
    return Counter(kind for kind, _ in code_items(page))
