"""Template shapes whose HTML deckgen cannot place fields in, refused as template errors.

template_html.py reads a template as written, but Anki first fills it in (fields, sections) and the browser
then reads the result. These shapes make that result differ from what the template shows a reviewer, so that a
field deckgen checked as text ends up in a tag, an attribute or script:

- a placeholder in a tag's name (``<{{Kind}}>``, ``<h{{Level}}>``): the field chooses the element (``script``);
- a section marker (``{{#F}}``, ``{{^F}}``, ``{{/F}}``) inside a tag or an attribute value: Anki removes the section
  before the page is read, so what is an attribute in the template (``alt="{{^B}}"{{/B}}>{{Word}}"``) is text in
  the card, or the other way round. Inside ``<script>`` or ``<style>`` whole sections are fine (a real deck
  switches code on a field) as long as the element holds no ``</`` or ``<!--`` that removing one could complete;
- elements whose content the browser reads as text or by other rules (``<textarea>``, ``<title>``, ``<xmp>``,
  ``<noscript>``, ``<noembed>``, ``<noframes>``, ``<plaintext>``, ``<iframe>``) and CDATA sections: what looks
  like an attribute inside them is not one.

None of these occur in the 148 templates of 21 public shared decks (measured); each has an equivalent that
deckgen checks (a section around the whole tag, a class instead of a variable element).
"""

from __future__ import annotations

import re

from . import templates
from .template_html import regions

OPAQUE_ELEMENTS = ("textarea", "title", "xmp", "noscript", "noembed", "noframes", "plaintext", "iframe")
_OPAQUE = re.compile(r"<(" + "|".join(OPAQUE_ELEMENTS) + r")(?=[\s/>])", re.I)
_CDATA = re.compile(r"<!\[CDATA\[", re.I)
_SECTION = re.compile(r"\{\{\s*[#^/]")
_PLACEHOLDER = re.compile(r"\{\{(?!\s*[#^/])")


_MARKER = re.compile(r"\{\{\s*([#^/])\s*([^}]*?)\s*\}\}")


def _whole_sections(code: str) -> bool:
    """Whether every section marker in ``code`` (the content of a <script> or <style>) belongs to a section that
    opens and closes in it, and no '</' or '<!--' in it could become the element's end when one is removed."""
    if "</" in code or "<!--" in code:
        return False
    stack: list[str] = []
    for m in _MARKER.finditer(code):
        if m.group(1) != "/":
            stack.append(m.group(2))
        elif not stack or stack.pop() != m.group(2):
            return False
    return not stack


def problems(text: str, nodes: tuple[templates.Node, ...]) -> list[tuple[int, str]]:
    """(offset, message) for each shape of ``text`` (a template, parsed into ``nodes``) deckgen refuses."""
    out: list[tuple[int, str]] = []
    for m in _OPAQUE.finditer(text):
        out.append((m.start(), f"<{m.group(1).lower()}> is not supported in templates: the browser reads its content by "
                               "other rules than the rest of the page, so deckgen cannot check the fields in it"))
    for m in _CDATA.finditer(text):
        out.append((m.start(), "a CDATA section is not supported in templates: deckgen cannot check the fields in it"))
    if "{{" not in text or "<" not in text:
        return out
    parts = regions(text)
    names = [(r.start, r.end) for r in parts if r.kind == "name" and r.start > 0 and text[r.start - 1] in "</"]
    for start, end in names:
        found = next((m.start() for m in _PLACEHOLDER.finditer(text, start, end)), -1)
        if found != -1:
            out.append((found, "a field in the name of a tag would let the field choose the element (e.g. 'script'); "
                               "write the element's name, and use a class for what varies"))
    for m in _SECTION.finditer(text):
        inside = next((r for r in parts if r.start <= m.start() < r.end), None)
        if inside is not None and not (inside.kind == "raw" and _whole_sections(text[inside.start:inside.end])):
            where = {"raw": f"a <{inside.tag}> element", "value": "an attribute value"}.get(inside.kind, "a tag")
            out.append((m.start(), f"a section marker inside {where}: Anki removes the section before the page is read, "
                                   "so what the template shows as an attribute or code can become text or the other way "
                                   "round; put the section around the whole tag instead"))
    return sorted(out)
