"""Where a card template puts each field in its HTML: in text, or somewhere a field's text can change the markup.

Anki inserts a field into the template as it is, before the page is parsed. In text that is safe (the field's
HTML was sanitized). Inside an attribute value a '"' ends the attribute (``<a href="https://jisho.org/search/{{Word}}">``
with Word ``x" autofocus onfocus="..."`` runs script with no tap); inside ``<script>`` or ``<style>`` the text is
code. Real shared decks do this, so such templates are not refused: :func:`placements` finds every placeholder
that is not in text, with what its text may hold there (a :class:`Rule`), and the fields shown there are checked
card by card (field_rules.py). The tokenizer follows the HTML standard's states closely enough for templates:
tags, quoted and unquoted attribute values, comments, and the raw text of ``<script>`` and ``<style>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from deckgen.notetypes import language as templates
from deckgen.notetypes import urls
from deckgen.render.gate import ANKI_REWRITES

# Filters whose output is HTML (the front side, cloze spans, a type-in box, a hint link, a play button): they
# cannot be anywhere but in text.
MARKUP_FILTERS = frozenset({"cloze", "type", "hint"})
URL_ATTRIBUTES = frozenset(
    "href src action formaction poster background cite data srcset ping longdesc codebase archive lowsrc dynsrc "
    "usemap manifest icon profile classid xlink:href imagesrcset".split()
)
_RAW_TEXT = frozenset({"script", "style"})
_SPACE = " \t\n\r\f"


@dataclass(frozen=True)
class Rule:
    """What a field may hold where the template puts it, checked on the text Anki inserts there (after its
    filters). ``forbidden``: characters it may not hold; ``allowed``: if set, the only characters it may hold."""

    name: str
    why: str  # what a forbidden character would do there
    forbidden: str = ""
    allowed: re.Pattern[str] | None = None
    url: str = ""  # in a URL-bearing attribute: what the element does with it (urls.kind)
    prefix: str = ""  # ... the attribute's text before the field in the template
    no_handler: bool = False  # the text may not start an event handler attribute ('on...')

    def first_problem(self, value: str) -> str | None:
        """The first character (or a short description) that breaks the rule in ``value``, or None."""
        rewritten = ANKI_REWRITES.search(value)  # anywhere but in text, Anki's markup for it breaks the place
        if rewritten:
            return f"'{rewritten.group(0)}' (Anki replaces it with markup wherever it stands)"
        for ch in value:
            if ch in self.forbidden or (self.allowed is not None and not self.allowed.fullmatch(ch)):
                return ch
        if self.no_handler and value[:2].lower() == "on":
            return "'on' at the start (an event handler attribute)"
        if self.url:
            return urls.problem(self.url, self.prefix, value)
        return None


def _attribute(quote: str) -> Rule:
    """A quoted attribute value: only its own quote ends it (entities in it are decoded as part of the value);
    tags have no place there."""
    kind = "double" if quote == '"' else "single"
    return Rule("attribute", f"a {kind} quote would end the attribute (and a tag would show as text)", quote + "<>")


UNQUOTED = Rule(
    "unquoted attribute",
    "a space, '=' or a quote would end the unquoted attribute value and start another one",
    "\"'<>`=" + _SPACE,
)
SCRIPT_STRING = Rule(
    "script",
    "a quote, '<', '>', '&', backslash, backtick, '$' or line break could end the script's "
    "string and run the rest as code",
    "\"'<>&\\`$\n\r\u2028\u2029",
)
SCRIPT_CODE = Rule(
    "script code",
    "it is code there, not a string: only letters, digits, spaces, '.' and ',' are harmless",
    allowed=re.compile(r"[\w .,]"),
)
STYLE = Rule(
    "style",
    "it is CSS there: quotes, brackets, ';', ':', '@', '/', '&' or a backslash could add rules or load files",
    "\"'<>&\\`$\n\r(){};:@/",
)
TAG = Rule(
    "tag",
    "it would become the tag's name or attributes: only letters, digits, '-' and '_' are harmless",
    allowed=re.compile(r"[A-Za-z0-9_-]"),
    no_handler=True,
)
URL = Rule(
    "URL",
    "the element loads or sends to that address when the card is shown or used, and the browser decodes "
    "'&...;' in it: it may not give the address a scheme (such as 'javascript:' or 'https:') or another host "
    "('//host'), in any URL of the attribute",
    "<>",
    url="resource",
)
LINK = Rule(
    "URL",
    "it is a link's address, and the browser decodes '&...;' in it: it may only be a web address (http:// or "
    "https://) or a relative one",
    "<>",
    url="navigation",
)


@dataclass(frozen=True)
class Placement:
    """A placeholder of a template that is not in text."""

    offset: int  # of its '{{' in the template
    node: templates.Replacement
    rules: tuple[Rule, ...]
    where: str  # e.g. "the 'href' attribute of <a>"
    excerpt: str  # the template's text around it
    tag: str = ""  # the element, as the scanner reads it
    attribute: str = ""  # the attribute whose value holds it, as written ('' outside a value)


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str  # "name" (tag or attribute name), "value", "raw"
    tag: str
    attribute: str = ""  # as written
    quote: str = ""


def regions(text: str) -> list[Region]:
    """The parts of ``text`` that are not plain text, in order. Linear: every scan moves forward."""
    out: list[Region] = []
    n, i = len(text), 0
    while True:
        i = text.find("<", i)
        if i == -1 or i + 1 >= n:
            return out
        nxt = text[i + 1]
        if text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = n if end == -1 else end + 3
            continue
        if nxt in "!?/" and not (nxt == "/" and i + 2 < n and text[i + 2].isascii() and text[i + 2].isalpha()):
            end = text.find(">", i + 1)  # a bogus comment
            i = n if end == -1 else end + 1
            continue
        closing = nxt == "/"
        start = i + (2 if closing else 1)
        if not (text[start : start + 1].isascii() and text[start : start + 1].isalpha()) and not text.startswith(
            "{{", start
        ):
            i += 1  # '<' followed by anything else is text
            continue
        j = start
        while j < n and text[j] not in _SPACE + "/>":
            j += 1
        tag = text[start:j].lower()
        out.append(Region(start, j, "name", tag))
        i, self_closing = _attributes(text, j, tag, out, closing)
        if tag in _RAW_TEXT and not closing and not self_closing:
            end = _raw_end(text, i, tag)
            out.append(Region(i, end, "raw", tag))
            i = end


def _attributes(text: str, i: int, tag: str, out: list[Region], closing: bool) -> tuple[int, bool]:
    """Reads the attributes of a tag from ``i`` (after its name); returns (position after '>', self-closing)."""
    n = len(text)
    self_closing = False
    while i < n:
        while i < n and text[i] in _SPACE + "/":
            self_closing = text[i] == "/"
            i += 1
        if i >= n:
            return n, False
        if text[i] == ">":
            return i + 1, self_closing
        self_closing = False
        start = i
        i += 1  # the first character of a name may be '='
        while i < n and text[i] not in _SPACE + "/>=":
            i += 1
        name = text[start:i]
        if not closing:
            out.append(Region(start, i, "name", tag))
        k = i
        while k < n and text[k] in _SPACE:
            k += 1
        if k >= n or text[k] != "=":
            continue
        k += 1
        while k < n and text[k] in _SPACE:
            k += 1
        if k < n and text[k] in "\"'":
            end = text.find(text[k], k + 1)
            end = n if end == -1 else end
            if not closing:
                out.append(Region(k + 1, end, "value", tag, name, text[k]))
            i = end + 1
        else:
            end = k
            while end < n and text[end] not in _SPACE + ">":
                end += 1
            if not closing:
                out.append(Region(k, end, "value", tag, name))
            i = end
    return n, False


def _raw_end(text: str, i: int, tag: str) -> int:
    m = re.compile(rf"</{tag}[\t\n\f\r />]", re.I).search(text, i)  # the HTML standard's whitespace: no \v
    return m.start() if m else len(text)


def _js_in_string(code: str) -> bool:
    """Whether the end of ``code`` is inside a string literal (quotes and template literals; comments skipped)."""
    state = ""  # "", a quote character, "//" or "/*"
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if state in ("'", '"', "`"):
            if c == "\\":
                i += 1
            elif c == state:
                state = ""
        elif state == "//":
            if c in "\n\r":
                state = ""
        elif state == "/*":
            if code.startswith("*/", i):
                state, i = "", i + 1
        elif c in "'\"`":
            state = c
        elif code.startswith("//", i) or code.startswith("/*", i):
            state, i = code[i : i + 2], i + 1
        i += 1
    return state in ("'", '"', "`")


def _script_rule(code: str) -> Rule:
    return SCRIPT_STRING if _js_in_string(code) else SCRIPT_CODE


def _rules(text: str, region: Region, offset: int) -> tuple[tuple[Rule, ...], str]:
    """The rules for a placeholder at ``offset`` inside ``region``, and where that is."""
    tag = f"<{region.tag}>" if region.tag and "{{" not in region.tag else "a tag"
    if region.kind == "raw":
        where = f"a {tag} element"
        if region.tag == "style":
            return (STYLE,), where
        return (_script_rule(text[region.start : offset]),), where
    if region.kind == "name":
        return (TAG,), f"the name or attributes of {tag}"
    where = f"the '{region.attribute}' attribute of {tag}"
    name = region.attribute.lower()
    rules = [_attribute(region.quote) if region.quote else UNQUOTED]
    prefix = text[region.start : offset]
    if "{{" in name:
        rules.append(SCRIPT_CODE)  # an attribute whose name a field gives could be anything
    elif name.startswith("on"):
        rules.append(_script_rule(prefix))
    elif name == "style":
        rules.append(STYLE)
    elif name in URL_ATTRIBUTES:
        head = re.sub(r"[\x00-\x20]", "", html.unescape(prefix)).lower()  # '&#106;avascript:' is 'javascript:'
        if head.startswith("javascript:"):
            rules.append(_script_rule(html.unescape(prefix).split(":", 1)[1]))
        else:
            what = urls.kind(region.tag, name)
            rules.append(replace(LINK if what == "navigation" else URL, url=what, prefix=prefix))
    return tuple(rules), where


def placements(text: str, nodes: tuple[templates.Node, ...]) -> list[Placement]:
    """Every field placeholder of a template (``text``, parsed into ``nodes``) that is not in text."""
    replacements = sorted(
        (n for n in templates.walk(nodes) if isinstance(n, templates.Replacement)), key=lambda n: n.offset
    )
    if not replacements or "<" not in text:
        return []
    found = regions(text)
    out: list[Placement] = []
    k = 0
    for node in replacements:
        while k < len(found) and found[k].end <= node.offset:
            k += 1
        if k == len(found) or found[k].start > node.offset:
            continue
        rules, where = _rules(text, found[k], node.offset)
        region = found[k]
        attribute = region.attribute if region.kind == "value" else ""
        out.append(
            Placement(node.offset, node, rules, where, _excerpt(text, region, node.offset), region.tag, attribute)
        )
    return out


def _excerpt(text: str, region: Region, offset: int) -> str:
    start = text.rfind("<", 0, region.start + 1) if region.kind != "raw" else region.start
    start = max(start, offset - 60, 0)
    end = text.find(">", offset) + 1 if region.kind != "raw" else region.end
    end = min(end if end > offset else len(text), offset + 60)
    return " ".join(text[start:end].split())


def problems(text: str, nodes: tuple[templates.Node, ...]) -> list[tuple[int, str]]:
    """(offset, message) for placeholders that insert HTML where only text can go: a template error."""
    out: list[tuple[int, str]] = []
    for p in placements(text, nodes):
        node = p.node
        markup = node.key == "FrontSide" or any(
            f.split(" ", 1)[0] in MARKUP_FILTERS or f.startswith("tts") for f in node.filters
        )
        if markup:
            shown = "{{" + ":".join((*node.filters, node.key)) + "}}"
            out.append(
                (
                    p.offset,
                    f"'{shown}' inserts HTML (the front side, cloze spans, a type-in box, a hint link or a "
                    f"play button), but here it is inside {p.where}, where HTML breaks the page; move it "
                    "out into the text",
                )
            )
    return out
