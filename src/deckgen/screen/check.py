"""The checks source/ and compile/ run on a deck's own note types through the screen model: each template side
rendered with marker values for every section combination deckgen checks (render.py), parsed once as a browser
parses it and held to the policy (policy.py); the CSS held to the ``<style>`` element Anki wraps it in; and, card
by card, the note's values filled into the templates where Anki's raw passes could join them into markup."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from deckgen.notetypes import filters as anki_filters
from deckgen.notetypes import language as templates
from deckgen.notetypes import placements as template_html
from deckgen.notetypes import shape as template_shape
from deckgen.render.gate import ANKI_REWRITES, spanning_problems
from deckgen.screen import cards, media_paths, policy, substitute
from deckgen.screen.render import marked_sides, render

_STYLE_END = re.compile(r"</style", re.I)
_LATEX = re.compile(r"\[/?latex\]|\[/?\$\$?\]", re.I)  # rslib/src/latex.rs (an end: a field's tag ends there)
_LATEX_MESSAGE = (
    "Anki's LaTeX tags in a template make Anki run LaTeX on every card's fields on the learner's computer (desktop) "
    "or show a missing image (AnkiDroid); deckgen ships no LaTeX images: write math as \\(...\\) or \\[...\\]"
)


def css_problems(css: str) -> list[tuple[int, str]]:
    """(offset, message) for CSS that would end the ``<style>`` element Anki puts it in (template.py:289): a
    browser ends it at ``</style`` in any case and with anything after it (``</style class=x>``)."""
    return [
        (
            m.start(),
            f"'{m.group(0)}' in CSS ends the <style> element Anki wraps the CSS in, and what follows becomes markup "
            "on every card (a script can run); CSS never needs it: remove it (in a string, write '<\\/style')",
        )
        for m in itertools.islice(_STYLE_END.finditer(css), 5)
    ]


def side_problems(
    text: str, fields: tuple[str, ...], *, is_cloze: bool, front: bool
) -> tuple[tuple[templates.Node, ...] | None, list[tuple[int, str]]]:
    """(the parsed side or None, (offset, message) for each problem) of one template side read on its own: syntax,
    fields and filters, fields placed where HTML breaks the page, shapes deckgen cannot place fields in."""
    try:
        nodes = templates.parse(text)
    except templates.TemplateSyntaxError as exc:
        return None, [(exc.offset, exc.message)]
    found = templates.problems(nodes, fields, is_cloze=is_cloze, front=front)
    found += template_html.problems(text, nodes)  # fields placed there are checked card by card
    found += template_shape.problems(text, nodes)
    return nodes, found


def template_problems(front: str, back: str, fields: tuple[str, ...]) -> list[tuple[str, int, str]]:
    """("front" or "back", offset in that side's text, message) for what the policy refuses on the screen this
    template makes; nothing when a side does not parse (its syntax error is reported where it is read)."""
    try:
        templates.parse(front), templates.parse(back)
    except templates.TemplateSyntaxError:
        return []
    texts = {"front": front.lower(), "back": back.lower()}
    out: dict[tuple[str, str], tuple[str, int]] = {}
    for where, text in (("front", front), ("back", back)):
        latex = _LATEX.search(text)
        if latex:
            out[(where, _LATEX_MESSAGE)] = (where, latex.start())
    scanned = {
        side: {p.offset: (p.tag, p.attribute.lower()) for p in template_html.placements(text, templates.parse(text))}
        for side, text in (("q", front), ("a", back))
    }
    for side, page in marked_sides(front, back, fields):
        for finding in _page_findings(side, page):
            if (side, finding.message) not in out:
                out[(side, finding.message)] = _locate(texts, side, finding.needle)
        media = _template_media_path(page)  # the template's own text in a file name, whatever the fields hold
        if media and (side, media.message) not in out:
            out[(side, media.message)] = _locate(texts, side, media.needle)
        attributes: dict[tuple[str, int], set[tuple[str, str]]] = {}
        for (letter, offset), kinds in policy.placed(page, attributes).items():
            seen = scanned[letter].get(offset)
            # the browser disagrees with placements.py: a field it reads as markup, or in another attribute (whose
            # rule, a URL's by what its element does with it, would not be the one checked)
            if (kinds - {"text"} and seen is None) or attributes.get((letter, offset), set()) - {seen}:
                out.setdefault((letter, f"@{offset}"), ("front" if letter == "q" else "back", offset))
    found = {
        (where, offset, _DISAGREE if message.startswith("@") else message)
        for (_, message), (where, offset) in out.items()
    }
    return sorted(found, key=lambda p: p[:2])


_JOINED_BY_HR = (
    " (found once every '<hr id=answer>' is removed: Anki's desktop reviewer removes them all, attributes included, "
    "before it replaces '[[type:...]]' on the answer side)"
)
_DISAGREE = (
    "the browser reads this field as part of a tag, an attribute or code, where deckgen's template scanner read it "
    "as text or in another element or attribute (an <svg> <style> is markup, not CSS), so its checks would not hold "
    "there; simplify the HTML around it (close tags and quotes plainly)"
)


def _page_findings(side: str, page: str) -> list[policy.Finding]:
    """What the policy refuses on one rendered side, and on the back also as the desktop reviewer's type-answer
    filter reads it (every '<hr id=answer>' removed first: substitute.answer_before_type_answer)."""
    found = [*policy.refusals(page), *_spans(page)]
    joined = substitute.answer_before_type_answer(page) if side == "back" else page
    if joined != page:
        seen = {f.message for f in found}
        found += [
            policy.Finding(f.message + _JOINED_BY_HR, f.needle)
            for f in [*policy.refusals(joined), *_spans(joined)]
            if f.message not in seen
        ]
    return found


def _spans(page: str) -> list[policy.Finding]:
    """Anki's raw tags of the rendered page (``[sound:...]``, ``[anki:tts]...[/anki:tts]``, ``[[type:...]]``) that
    reach over a tag: Anki replaces the whole match, so a tag's start disappears and the rest of it becomes
    markup (a template's own, or a field's)."""
    return [
        policy.Finding(f"in the template: {problem.message}", problem.message.split("'")[1])
        for problem in spanning_problems(page)
    ]


def _locate(texts: dict[str, str], side: str, needle: str) -> tuple[str, int]:
    """The side and offset where ``needle`` first occurs (the back shows the front through ``{{FrontSide}}``)."""
    for probe in (needle, needle[:3]):  # '\\sty<wbr>le' is found by its start
        for where in (side, "front"):
            at = texts[where].find(probe.lower())
            if at != -1:
                return where, at
    return side, 0


def card_problems(
    sides: tuple[tuple[str, str, str], ...], values: dict[str, str], tags: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(template name, message) for what a card's values, filled into its note type's templates (``sides``: name,
    front, back), make of the page through Anki's raw passes: its rewritten strings put inside a tag
    (:func:`rewrite_problems`) and its media-path encoding reaching beyond a file name (:func:`media_path_problems`)."""
    return rewrite_problems(sides, values, tags) + media_path_problems(sides, values)


def rewrite_problems(
    sides: tuple[tuple[str, str, str], ...], values: dict[str, str], tags: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(template name, message) for Anki's rewritten strings that a card's values put inside a tag: two fields
    side by side in one attribute can spell ``[sound:x]`` where neither holds it alone. Only cards with a '['
    somewhere are rendered."""
    bracketed_tags = any("[" in t or "]" in t for t in tags)  # a tag's ']' can close a template's '[sound:'
    if not any("[" in v or "]" in v for v in values.values()) and not bracketed_tags:
        return []
    found = (
        bracketed_tags
        or _places_fields_in_tags(sides)  # two fields can join in a tag
        or any(_unclosed(v) or "[/anki:tts" in v for v in values.values())  # a field opens or ends one of Anki's tags
        or (_opens_anki_tags(sides) and any("<" in v for v in values.values()))  # '[sound:{{Audio}}]', {{tts:F}}
    )
    if not found:
        return []  # nothing Anki rewrites can reach over a tag or into one: nothing to render
    filled = {**values, "Tags": " ".join(tags)}
    out: dict[tuple[str, str], None] = {}
    for name, front, back in sides:
        for page, spans in cards.pages(front, back, filled):
            for message in cards.findings(page, spans):
                out[(name, message)] = None
    return list(out)


@lru_cache(maxsize=128)
def _places_fields_in_tags(sides: tuple[tuple[str, str, str], ...]) -> bool:
    """Whether any template side places a field anywhere but in text (placements.py; held to the browser above)."""
    for _, front, back in sides:
        for text in (front, back):
            try:
                if template_html.placements(text, templates.parse(text)):
                    return True
            except templates.TemplateSyntaxError:
                return True
    return False


def _unclosed(value: str) -> bool:
    """Whether ``value`` opens one of Anki's tags (``[sound:``, ``[anki:tts``, ``[[type:``) and does not close it."""
    for opening, closing in (("[sound:", "]"), ("[anki:tts", "[/anki:tts]"), ("[[type:", "]]")):
        start = value.rfind(opening)
        if start != -1 and value.find(closing, start + len(opening)) == -1:
            return True
    return False


_TTS_FILTER = re.compile(r"\{\{[^}]*\btts\b")


@lru_cache(maxsize=128)
def _opens_anki_tags(sides: tuple[tuple[str, str, str], ...]) -> bool:
    """Whether the templates' own text holds one of Anki's rewritten strings or a tts filter, which a field's
    HTML then sits inside ('[sound:{{Audio}}]' puts the field inside the sound tag)."""
    return any(
        ANKI_REWRITES.search(text) or _TTS_FILTER.search(text) for _, front, back in sides for text in (front, back)
    )


_PLACEHOLDER = re.compile(r"\{\{([^}]*)\}\}")
_MEDIA_PATH = (
    "Anki's media-path encoding (the desktop and AnkiDroid percent-encode the file name of '<{tag} ... src=...>' "
    "with a substring replace over the whole tag) also rewrites a quote elsewhere in the tag, so the tag's "
    "attributes run on into the markup after it and a field's text can become an attribute (such as onerror): "
    "{fix}"
)
_MEDIA_PATH_CARD = (
    "remove the '\"' (and spaces) from the field shown in the file name, or quote that attribute with double quotes "
    "in the template"
)
_MEDIA_PATH_TEMPLATE = (
    "the template's own text in the file name does it for every card; remove the '\"' (and spaces) from the file "
    "name in the template"
)


def media_path_problems(sides: tuple[tuple[str, str, str], ...], values: dict[str, str]) -> list[tuple[str, str]]:
    """(template name, message) for media tags (Anki's pattern: img, audio, video, object, source with src or
    data) whose file name, as this card fills it in, Anki's encode_iri_paths rewrites beyond the name itself and
    so changes the page's elements or attributes (media_paths.py). Only cards whose fields shown inside such a tag
    hold a character Anki encodes are rendered, only pages that hold that text twice are matched, and the two
    pages are parsed only when the rewrite reaches beyond a name."""
    inserted = {anki_filters.apply(filters, values.get(key, "")) for key, filters in _fields_in_media_tags(sides)}
    inserted = {text for text in inserted if media_paths.encode(text) != text}
    if not inserted:
        return []
    out: dict[tuple[str, str], None] = {}
    for name, front, back in sides:
        q = render(front, values)
        for page in (q, render(back, values, front_side=q)):
            if not any(page.count(text) > 1 for text in inserted):
                continue  # a name holding the field's text occurs twice in a tag only if the text does in the page
            found = media_paths.matches(page)
            reaching = media_paths.beyond_the_name(page, found)
            if reaching and _reshaped(page, found):
                tag = re.match(r"<([^\s/>]+)", reaching[0][0])
                out[(name, _MEDIA_PATH.format(tag=tag.group(1).lower() if tag else "img", fix=_MEDIA_PATH_CARD))] = None
    return list(out)


_PLACE = re.compile(r"(?<=end)o[qa]\d+z")  # where a marker was placed (screen/policy.py's _MARKER)


def _template_media_path(page: str) -> policy.Finding | None:
    """A media tag of a side rendered with marker values (letters and digits, which Anki does not encode) whose
    encoding still reaches beyond its file name: the template's own quote or space in the name does it for every
    card, with any field value. Each field's markers are made one (a card's field has one value wherever it
    shows), so a name that repeats in a tag repeats here too."""
    page = _PLACE.sub("", page)
    found = media_paths.matches(page)
    if all(media_paths.encode(page[t.name_start : t.name_end]) == page[t.name_start : t.name_end] for t in found):
        return None
    reaching = media_paths.beyond_the_name(page, found)
    if not reaching or not _reshaped(page, found):
        return None
    tag = re.match(r"<([^\s/>]+)", reaching[0][0])
    name = tag.group(1).lower() if tag else "img"
    return policy.Finding(_MEDIA_PATH.format(tag=name, fix=_MEDIA_PATH_TEMPLATE), f"<{name}")


def _reshaped(page: str, found: list[media_paths.MediaTag]) -> bool:
    """Whether the elements or their attributes differ between the page as Anki's encode_iri_paths leaves it and
    the page with only each file name encoded."""
    intended: list[str] = []
    pos = 0
    for tag in found:
        intended += [page[pos : tag.name_start], media_paths.encode(page[tag.name_start : tag.name_end])]
        pos = tag.name_end
    intended.append(page[pos:])
    shapes = [
        [((n.tag or "").lower(), tuple(n.attributes)) for n in policy.elements(policy.parse(text))]
        for text in (media_paths.encode_iri_paths(page, found), "".join(intended))
    ]
    return shapes[0] != shapes[1]


@lru_cache(maxsize=128)
def _fields_in_media_tags(sides: tuple[tuple[str, str, str], ...]) -> frozenset[tuple[str, tuple[str, ...]]]:
    """(field, filters as written) of each placeholder a template side places inside a tag that Anki's media
    pattern matches (as written)."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    for _, front, back in sides:
        for text in (front, back):
            for tag in media_paths.matches(text):
                for m in _PLACEHOLDER.finditer(text, tag.start, tag.end):
                    *filters, key = m.group(1).split(":")
                    found.add((key.strip(), tuple(f.strip() for f in filters)))
    return frozenset(found)
