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
from functools import lru_cache

from deckgen.notetypes import jsscan, urls
from deckgen.notetypes import language as templates
from deckgen.notetypes.regions import Region, regions
from deckgen.render.gate import ANKI_REWRITES

# Filters whose output is HTML (the front side, cloze spans, a type-in box, a hint link, a play button): they
# cannot be anywhere but in text.
MARKUP_FILTERS = frozenset({"cloze", "type", "hint"})
URL_ATTRIBUTES = frozenset(
    "href src action formaction poster background cite data srcset ping longdesc codebase archive lowsrc dynsrc "
    "usemap manifest icon profile classid xlink:href imagesrcset".split()
)
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
    "it is code there, or deckgen cannot be sure it is inside an ordinary '...' or \"...\" string (after a regular "
    "expression, in a template literal): only letters, digits, spaces, '.' and ',' are harmless",
    allowed=re.compile(r"[\w .,]"),
)
URL_READ_LIMIT = 4096  # characters of a URL attribute before a field that deckgen reads to place the field
URL_FIELDS_LIMIT = 16  # fields in one URL attribute
LONG_URL = Rule(
    "long URL",
    "deckgen reads where a field lands in a URL only in a URL attribute of up to 16 fields, each within its first "
    "4,096 characters",
    allowed=re.compile(r"[\w .,]"),
)
SCRIPT_URL_STRING = Rule(
    "script",
    "a quote, '<', '>', '&', '%', backslash, backtick, '$' or line break could end the script's string in the "
    "javascript: URL (the browser percent-decodes it first) and run the rest as code",
    "\"'<>&%\\`$\n\r\u2028\u2029",
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


def _js_rules(text: str, region: Region, tags: list[tuple[int, int, str]], *, url: bool = False) -> list[Rule]:
    """The rule for each field placed in the JavaScript of ``region`` (a script, a handler, a javascript: URL)."""
    in_string = jsscan.classify(
        jsscan.items(text, region.start, region.end, tags, attribute=region.kind == "value", url=url)
    )
    string = SCRIPT_URL_STRING if url else SCRIPT_STRING
    return [string if s else SCRIPT_CODE for s in in_string]


def _url_rules(text: str, region: Region, tags: list[tuple[int, int, str]]) -> list[Rule]:
    """The rule for each field placed in a URL attribute: the link or URL rule while nothing before it gave the URL
    a scheme, host, path, query or fragment; script rules in a 'javascript:' URL; the strict script rule after a
    scheme a field could have chosen ('{{A}}:{{B}}' with A 'javascript')."""
    head = ""  # the template's text of the attribute up to its first ':', '/', '?' or '#' (decoded, no fields)
    stop = ""  # that character, once there
    out: list[Rule] = []
    script: list[int] = []  # fields of out in a javascript: URL
    field_first = False
    for k, (start, _, inner) in enumerate(tags):
        if not stop:
            piece = re.sub(r"[\x00-\x20]", "", html.unescape(text[(tags[k - 1][1] if k else region.start) : start]))
            found = re.search(r"[:/?#]", piece)
            head = (head + piece[: found.end()]).lower() if found else (head + piece[:16])[:16]
            stop = found.group(0) if found else ""
        if _is_section(inner):
            continue
        if not stop:
            field_first = True
        if stop and head == "javascript:" and not field_first:
            script.append(len(out))
            out.append(SCRIPT_CODE)
        elif stop == ":" and field_first:
            out.append(SCRIPT_CODE)
        else:
            what = urls.kind(region.tag, region.attribute.lower())
            url = LINK if what == "navigation" else URL
            if start - region.start > URL_READ_LIMIT or len(out) >= URL_FIELDS_LIMIT:
                out.append(LONG_URL)  # a template error (problems()); bounds each card's check of the URL
            else:
                out.append(replace(url, url=what, prefix=text[region.start : start]))
    if script:
        js = _js_rules(text, region, tags, url=True)
        for i in script:
            out[i] = js[i]
    return out


def _is_section(inner: str) -> bool:
    return inner.lstrip("{").strip()[:1] in ("#", "^", "/")


_NO_RULE = Rule("none", "")


def _region_rules(text: str, region: Region, tags: list[tuple[int, int, str]]) -> tuple[list[tuple[Rule, ...]], str]:
    """The rules for every field placed in ``region`` (its ``tags``: the template tags inside it), and where."""
    tag = f"<{region.tag}>" if region.tag and "{{" not in region.tag else "a tag"
    count = sum(1 for _, _, inner in tags if not _is_section(inner))
    if region.kind == "raw":
        where = f"a {tag} element"
        if region.tag == "style":
            return [(STYLE,)] * count, where
        return [(r,) for r in _js_rules(text, region, tags)], where
    if region.kind == "name":
        return [(TAG,)] * count, f"the name or attributes of {tag}"
    where = f"the '{region.attribute}' attribute of {tag}"
    name = region.attribute.lower()
    base = _attribute(region.quote) if region.quote else UNQUOTED
    extra: list[Rule]
    if "{{" in name:
        extra = [SCRIPT_CODE] * count  # an attribute whose name a field gives could be anything
    elif name.startswith("on"):
        extra = list(_js_rules(text, region, tags))
    elif name == "style":
        extra = [STYLE] * count
    elif name in URL_ATTRIBUTES:
        extra = list(_url_rules(text, region, tags))
    else:
        extra = [_NO_RULE] * count
    return [(base,) if r is _NO_RULE else (base, r) for r in extra], where


def placements(text: str, nodes: tuple[templates.Node, ...]) -> list[Placement]:
    """Every field placeholder of a template (``text``, parsed into ``nodes``) that is not in text. Linear: each
    region is read once, with all the fields in it; a template's are found once (the checks all ask)."""
    return list(_placements(text, nodes))


@lru_cache(maxsize=32)
def _placements(text: str, nodes: tuple[templates.Node, ...]) -> tuple[Placement, ...]:
    if "<" not in text or not any(isinstance(n, templates.Replacement) for n in templates.walk(nodes)):
        return ()
    found = regions(text)
    grouped: dict[int, list[tuple[int, int, str]]] = {}
    k = 0
    for tag in templates.tags(text):
        while k < len(found) and found[k].end <= tag[0]:
            k += 1
        if k < len(found) and found[k].start <= tag[0]:
            grouped.setdefault(k, []).append(tag)
    by_offset = {n.offset: n for n in templates.walk(nodes) if isinstance(n, templates.Replacement)}
    out: list[Placement] = []
    for k, tags in grouped.items():
        region = found[k]
        rules, where = _region_rules(text, region, tags)
        fields = [start for start, _, inner in tags if not _is_section(inner)]
        for offset, rule in zip(fields, rules, strict=True):
            if offset in by_offset:
                attribute = region.attribute if region.kind == "value" else ""
                excerpt = _excerpt(text, region, offset)
                out.append(Placement(offset, by_offset[offset], rule, where, excerpt, region.tag, attribute))
    return tuple(out)


def _excerpt(text: str, region: Region, offset: int) -> str:
    start = text.rfind("<", max(0, offset - 60), region.start + 1) if region.kind != "raw" else region.start
    start = max(start, offset - 60, 0)
    end = text.find(">", offset, offset + 60) + 1 if region.kind != "raw" else region.end
    end = min(end if end > offset else len(text), offset + 60)
    return " ".join(text[start:end].split())


def problems(text: str, nodes: tuple[templates.Node, ...]) -> list[tuple[int, str]]:
    """(offset, message) for placeholders that insert HTML where only text can go: a template error."""
    out: list[tuple[int, str]] = []
    for p in placements(text, nodes):
        node = p.node
        if LONG_URL in p.rules:
            out.append(
                (
                    p.offset,
                    f"a field in {p.where} more than {URL_READ_LIMIT:,} characters into it, or after "
                    f"{URL_FIELDS_LIMIT} other fields there: deckgen cannot check where it lands in the URL; "
                    "shorten the attribute or use fewer fields in it",
                )
            )
            continue
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
