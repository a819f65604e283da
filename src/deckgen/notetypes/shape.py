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

import bisect
import re

from deckgen.notetypes import language as templates
from deckgen.notetypes.placements import placements
from deckgen.notetypes.regions import regions

OPAQUE_ELEMENTS = ("textarea", "title", "xmp", "noscript", "noembed", "noframes", "plaintext", "iframe")
_OPAQUE = re.compile(r"<(" + "|".join(OPAQUE_ELEMENTS) + r")(?=[\s/>])", re.I)
_CDATA = re.compile(r"<!\[CDATA\[", re.I)
_PLACEHOLDER = re.compile(r"\{\{(?!\s*[#^/])")


# Anki's special fields that insert a name (the note type's, the template's, the deck's) or a flag
NAMES_SHOWN_RAW = frozenset({"Type", "Card", "Deck", "Subdeck", "CardFlag"})
_CLOSING_FIELD = re.compile(r"</[A-Za-z][^>]*?\{\{")
_FOREIGN = re.compile(r"<(svg|math)(?=[\s/>])", re.I)
_IN_FOREIGN = re.compile(r"\{\{|<(?:style|script)\b|<!--", re.I)
# comments as the browser ends them: '<!-->', '<!--->' and '--!>' end a comment early; '<!x', '<?x' and '</ x' are
# "bogus comments" that end at the first '>', wherever a field or a section puts it
_ODD_COMMENT = re.compile(r"<!---?>|--!>|<!(?!--)|<\?|</(?![A-Za-z])")


def _markup_problems(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for m in _ODD_COMMENT.finditer(text):
        out.append(
            (
                m.start(),
                f"'{m.group(0)}' is not supported in templates: the browser reads it as a comment that "
                "ends elsewhere than it seems to; write comments as <!-- ... -->",
            )
        )
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            out.append((start, "a comment '<!--' is not closed with '-->'"))
            break
        start = text.find("<!--", end + 3)
    return out


_MARKER = re.compile(r"\{\{\s*([#^/])\s*([^}]*?)\s*\}\}")


def _whole_sections(code: str) -> bool:
    """Whether every section marker in ``code`` (the content of a <script> or <style>) belongs to a section that
    opens and closes in it, and no '<' just before a marker could become the element's end when a section is
    removed ('<{{#A}}{{/A}}/style>' is '</style>' in the card)."""
    stack: list[str] = []
    for m in _MARKER.finditer(code):
        if "<" in code[max(0, m.start() - 9) : m.start()]:  # '</script' is 8 characters: a join could complete it
            return False
        if m.group(1) != "/":
            stack.append(m.group(2))
        elif not stack or stack.pop() != m.group(2):
            return False
    return not stack


def problems(text: str, nodes: tuple[templates.Node, ...]) -> list[tuple[int, str]]:
    """(offset, message) for each shape of ``text`` (a template, parsed into ``nodes``) deckgen refuses."""
    out: list[tuple[int, str]] = []
    for m in _OPAQUE.finditer(text):
        out.append(
            (
                m.start(),
                f"<{m.group(1).lower()}> is not supported in templates: the browser reads its content by "
                "other rules than the rest of the page, so deckgen cannot check the fields in it",
            )
        )
    for m in _CDATA.finditer(text):
        out.append((m.start(), "a CDATA section is not supported in templates: deckgen cannot check the fields in it"))
    out += _markup_problems(text)
    if "{{" not in text or "<" not in text:
        return sorted(out)
    parts = regions(text)
    for r in parts:
        if r.kind == "raw" and "<!--" in text[r.start : r.end]:
            out.append(
                (
                    text.index("<!--", r.start),
                    f"'<!--' inside <{r.tag}> is not supported in templates: the browser "
                    f"then reads a '</{r.tag}>' after it as part of the code",
                )
            )
        found = _PLACEHOLDER.search(text, r.start, r.end) if r.kind == "name" and r.start > 0 else None
        if found and text[r.start - 1] in "</":  # the tag's name
            out.append(
                (
                    found.start(),
                    "a field in the name of a tag would let the field choose the element (e.g. "
                    "'script'); write the element's name, and use a class for what varies",
                )
            )
        elif found:  # an attribute's name
            out.append(
                (
                    found.start(),
                    "a field in a tag's attributes, not in an attribute's value, would let the field "
                    "write attributes of its own (two fields side by side can spell 'onerror'); put it "
                    "inside a quoted value",
                )
            )
    for p in placements(text, nodes):
        if p.node.key in NAMES_SHOWN_RAW:
            out.append(
                (
                    p.offset,
                    f"'{{{{{p.node.key}}}}}' inside {p.where}: Anki inserts the name there as it is, and names "
                    "are checked for text only; move it out into the text",
                )
            )
    for m in _CLOSING_FIELD.finditer(text):
        out.append((m.start(), "a field inside a closing tag is not supported: deckgen cannot check it there"))
    bad_at = [b.start() for b in _IN_FOREIGN.finditer(text)]  # positions found once, then binary searches: linear
    closes = {name: [c.start() for c in re.finditer(f"</{name}", text, re.I)] for name in ("svg", "math")}
    for m in _FOREIGN.finditer(text):
        ends = closes[m.group(1).lower()]
        i = bisect.bisect_left(ends, m.end())
        end = ends[i] if i < len(ends) else len(text)
        j = bisect.bisect_left(bad_at, m.start())
        if j < len(bad_at) and bad_at[j] < end:
            out.append(
                (
                    bad_at[j],
                    f"inside <{m.group(1).lower()}> the browser reads <style>, <script> and "
                    "comments by other rules than in HTML: a field, a section, <style>, "
                    "<script> or a comment there is not supported; keep the drawing static",
                )
            )
    if any(r.start <= len(text) < r.end for r in regions(text + "\ue000")):
        out.append(
            (
                len(text),
                "the template ends inside a tag, an attribute or a <script>/<style>: what follows it "
                "(the back after {{FrontSide}}) would be read as part of it; close it in the template",
            )
        )
    k = 0
    whole: dict[int, bool] = {}  # per raw region, computed once
    for m in _MARKER.finditer(text):
        while k < len(parts) and parts[k].end <= m.start():
            k += 1  # regions are in order and do not overlap: one forward pass
        inside = parts[k] if k < len(parts) and parts[k].start <= m.start() else None
        if inside is not None and inside.kind == "raw" and inside.start not in whole:
            whole[inside.start] = _whole_sections(text[inside.start : inside.end])
        if inside is not None and not (inside.kind == "raw" and whole[inside.start]):
            where = {"raw": f"a <{inside.tag}> element", "value": "an attribute value"}.get(inside.kind, "a tag")
            out.append(
                (
                    m.start(),
                    f"a section marker inside {where}: Anki removes the section before the page is read, "
                    "so what the template shows as an attribute or code can become text or the other way "
                    "round; put the section around the whole tag instead",
                )
            )
    return sorted(out)
