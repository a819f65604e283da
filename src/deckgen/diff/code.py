"""What in a note type's template or CSS looks like code, found by parsing (not by a pattern on the raw text, which
``<img/src/onerror=...>``, ``&#106;avascript:`` or CSS's ``\\68ttps://`` slip past): the template is read with the
screen model's HTML5 parser (lexbor: the browser's tokenizer and tree builder; attribute values come back with
their character references decoded, ``</style class=x>`` ends a style element as in the browser), style attributes,
``<style>`` elements and the CSS are read by a CSS tokenizer (tinycss2, render/css.py): a ``/*`` inside a string
or a ``url(...)`` is no comment, ``u\\72l(`` is ``url(``. Used by ``deckgen diff`` to
warn a reviewer; nothing is changed or refused here."""

from __future__ import annotations

import html
import re
from collections import Counter

from deckgen.render.gate import spanning_problems
from deckgen.screen import policy, substitute

SCRIPT, HANDLER, EXTERNAL, JAVASCRIPT, IMPORT = (
    policy.SCRIPT,
    policy.HANDLER,
    policy.EXTERNAL,
    policy.JAVASCRIPT,
    policy.IMPORT,
)
EMBEDDING = policy.EMBEDDING
STYLE_END = "'</style' in CSS (what follows it is markup)"
REWRITE = "a [sound:], [anki:...] or [[type:]] inside a tag or reaching over one (Anki's markup for it breaks the tag)"
_STYLE_END = re.compile(r"</style", re.I)

_CONTROL = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these inside a URL scheme ("java\tscript:")
_SHOWN = 200  # characters after an early '</style' that its code item is compared and shown by


def css_items(css: str) -> list[policy.CodeItem]:
    """Code in CSS text, read by a CSS tokenizer as the browser reads it (render/css.py): @import, javascript: and
    external URLs, one item each; and what a '</style' in it lets out of the <style> element Anki wraps it in (read
    by the HTML parser, as the browser reads it)."""
    end = _STYLE_END.search(css)
    if end is None:
        return policy.css_items(css)
    # the CSS up to the early end, then the markup after it
    return [(STYLE_END, css[end.start() :][:_SHOWN]), *policy.code_items(f"<style>{css}</style>")]


def css_code(css: str) -> Counter[str]:
    """:func:`css_items` counted by kind."""
    return Counter(kind for kind, _ in css_items(css))


def template_items(template: str) -> Counter[policy.CodeItem]:
    """Code in a template, read from one HTML5 parse of it (the screen model's parser and policy, screen/policy.py):
    <script>, any on* attribute, javascript: and external URLs in attribute values (srcset, style and every other),
    <style> content read as CSS, embedding elements, and Anki's rewritten strings inside a tag or reaching over
    one; the content of <template> elements included, and the template read once more with every
    '<hr id=answer>' removed (the desktop reviewer's type-answer filter does that before it reads '[[type:]]')."""
    found = _page_items(template)
    joined = template.replace(substitute.HR_ANSWER, "")  # the desktop's type-answer filter removes it first
    if joined != template:
        found |= _page_items(joined)
    if not any(kind == JAVASCRIPT for kind, _ in found):
        plain = _CONTROL.sub("", html.unescape(template))
        at = plain.casefold().find("javascript:")
        if at != -1:  # e.g. inside a comment: still worth a reviewer's look
            found[(JAVASCRIPT, plain[max(0, at - 40) : at + 80])] += 1
    return found


def _page_items(page: str) -> Counter[policy.CodeItem]:
    found = Counter(policy.code_items(page))
    for finding in policy.rewrites_in_tags(page):
        found[(REWRITE, finding.needle)] += 1
    for problem in spanning_problems(page):
        found[(REWRITE, problem.message)] += 1
    return found


def template_code(template: str) -> Counter[str]:
    """:func:`template_items` counted by kind."""
    found: Counter[str] = Counter()
    for (kind, _), count in template_items(template).items():
        found[kind] += count
    return found
