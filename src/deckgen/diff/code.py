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


def css_code(css: str, found: Counter[str] | None = None) -> Counter[str]:
    """Code in CSS text, read by a CSS tokenizer as the browser reads it (render/css.py): @import, javascript: and
    external URLs; and what a '</style' in it lets out of the <style> element Anki wraps it in (read by the HTML
    parser, as the browser reads it)."""
    found = Counter() if found is None else found
    if _STYLE_END.search(css):
        found[STYLE_END] += 1
        found.update(policy.code(f"<style>{css}</style>"))  # the CSS up to the early end, then the markup after it
    else:
        policy.css_code(css, found)
    return found


def template_code(template: str) -> Counter[str]:
    """Code in a template, read from one HTML5 parse of it (the screen model's parser and policy, screen/policy.py):
    <script>, any on* attribute, javascript: and external URLs in attribute values (srcset, style and every other),
    <style> content read as CSS, embedding elements, and Anki's rewritten strings inside a tag or reaching over
    one; the content of <template> elements included, and the template read once more with every
    '<hr id=answer>' removed (the desktop reviewer's type-answer filter does that before it reads '[[type:]]')."""
    found = policy.code(template)
    rewrites = len(policy.rewrites_in_tags(template)) + len(spanning_problems(template))
    joined = template.replace(substitute.HR_ANSWER, "")  # the desktop's type-answer filter removes it first
    if joined != template:
        for kind, count in policy.code(joined).items():
            found[kind] = max(found[kind], count)
        rewrites = max(rewrites, len(policy.rewrites_in_tags(joined)) + len(spanning_problems(joined)))
    if rewrites:
        found[REWRITE] += rewrites
    if not found[JAVASCRIPT] and "javascript:" in _CONTROL.sub("", html.unescape(template)).casefold():
        found[JAVASCRIPT] += 1  # e.g. inside a comment: still worth a reviewer's look
    return found
