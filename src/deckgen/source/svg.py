"""SVG media: accepted when a real XML parser finds nothing in it that could run or load.

Anki shows an SVG through ``<img src="flag.svg">`` (Ultimate Geography's flags and maps, Image Occlusion masks),
where a browser runs no script and loads nothing else; but the same file opened as a document (AnkiDroid's media
viewer, a browser tab, a future ``<object>``) would. So deckgen ships an SVG only if, read with expat (the XML
parser of Python's standard library, namespace-aware), it has

- no ``<script>``, no ``<foreignObject>`` (HTML inside SVG), no element in the XHTML namespace, no SVG Tiny
  ``<handler>``/``<listener>``;
- no event handler attribute (``on...``), and no animation (``<set>``, ``<animate>``) that changes an ``href`` or
  a handler;
- no reference that leaves the file: every ``href``/``xlink:href`` and every URL of CSS (``url(...)``, a string
  in ``image-set()``; in attributes and in a ``<style>``'s text, read by a CSS tokenizer as the browser reads it,
  escapes such as ``u\\72l(`` decoded) points at a ``#fragment`` of the same file (or, on ``<image>``, is an
  embedded PNG, JPEG, GIF or WebP ``data:`` image: pixels); no ``@import``; no ``<?xml-stylesheet?>``;
- no external entity, and internal entities only as plain text (no entity inside another: no "billion laughs");
- at most :data:`MAX_SVG_BYTES`.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from deckgen.render import css

MAX_SVG_BYTES = 2 * 1024 * 1024
"""Real SVG media are far smaller (Ultimate Geography's largest flag: 265 KB); parsing is linear in the size."""

XHTML = "http://www.w3.org/1999/xhtml"
_RUNNING = frozenset({"script", "foreignobject", "handler", "listener"})
_ANIMATION = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor", "discard"})
# a raster image embedded in an <image> (Image Occlusion masks carry their picture so): pixels, nothing to run
_RASTER = re.compile(r"\s*data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)


class _Refused(Exception):
    pass


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) from expat's 'namespace name' (separator: a space)."""
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _css_problem(text: str, where: str) -> str | None:
    """Why the CSS ``text`` (a <style> element's text, a style or presentation attribute) could load something:
    read by a CSS tokenizer (render/css.py), so escapes (``u\\72l(``, ``@\\69mport``), string URLs
    (``image-set("...")``) and comments count as a browser counts them."""
    for ref in css.references(text):
        if ref.how == "unread":
            return f"{where} nests CSS brackets more than {css.MAX_NESTING} deep"
        if ref.how == "import":
            return f"{where} imports other CSS (@import)"
        if css.url_kind(ref.target) != "fragment":
            return f"{where} loads '{ref.target.strip()[:80]}' through url() or an image-set() string; only '#fragment' references are allowed"
    return None


class _Checker:
    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.entity
        self.parser.ProcessingInstructionHandler = self.instruction
        self.parser.ExternalEntityRefHandler = self.external
        self.open: list[list[str] | None] = []  # per open element: its direct text if it is a <style>, else None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        namespace, local = _local(name)
        lowered = local.lower()
        if lowered in _RUNNING or namespace == XHTML:
            raise _Refused(f"has a <{local}> element, which runs script or HTML when the file is opened")
        for attr, value in attrs.items():
            _, attr_local = _local(attr)
            low = attr_local.lower()
            if low.startswith("on"):
                raise _Refused(f"has an event handler attribute '{attr_local}' on <{local}>")
            if (
                low == "href"
                and not value.strip().startswith("#")
                and not (lowered == "image" and _RASTER.match(value))
            ):
                raise _Refused(
                    f"<{local}> refers to '{value.strip()[:80]}'; only '#fragment' references inside the file are "
                    "allowed"
                )
            if low == "attributename" and lowered in _ANIMATION:
                target = value.strip().lower().rpartition(":")[2]
                if target == "href" or target.startswith("on"):
                    raise _Refused(f"has an animation <{local}> that changes '{value.strip()}'")
            if "(" in value or "@" in value or "\\" in value:  # all CSS that can load has one of these
                found = _css_problem(value, f"the attribute '{attr_local}' on <{local}>")
                if found:
                    raise _Refused(found)
        self.open.append([] if lowered == "style" else None)

    def end(self, name: str) -> None:
        style = self.open.pop()
        if style is not None:  # the style sheet is the element's direct text, joined (as the browser joins it)
            found = _css_problem("".join(style), "a <style> element")
            if found:
                raise _Refused(found)

    def text(self, data: str) -> None:
        style = self.open[-1] if self.open else None
        if style is not None:
            style.append(data)

    def entity(
        self,
        name: str,
        is_parameter: int,
        value: str | None,
        base: str | None,
        system_id: str | None,
        public_id: str | None,
        notation: str | None,
    ) -> None:
        if value is None or system_id or public_id or is_parameter:
            raise _Refused(f"declares an external or parameter entity '{name}'")
        if "&" in value or "<" in value or "%" in value:
            raise _Refused(f"declares an entity '{name}' that holds markup or other entities")

    def instruction(self, target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise _Refused("loads a style sheet (<?xml-stylesheet?>)")

    def external(self, context: str, base: str | None, system_id: str | None, public_id: str | None) -> int:
        raise _Refused(f"refers to an external entity '{system_id or public_id}'")


def svg_problem(data: bytes) -> str | None:
    """Why this SVG may not be shipped (it could run script or load something), or None when it may."""
    if len(data) > MAX_SVG_BYTES:
        return f"is {len(data):,} bytes, over the {MAX_SVG_BYTES:,}-byte limit for an SVG; simplify it or use a PNG"
    checker = _Checker()
    try:
        checker.parser.Parse(data, True)
    except _Refused as exc:
        return f"is an SVG that {exc}; deckgen ships an SVG only if it cannot run script or load a file"
    except expat.ExpatError as exc:
        return (
            f"is not a well-formed SVG (XML error: {expat.ErrorString(exc.code)}, line {exc.lineno}); export it again"
        )
    except RecursionError:  # pragma: no cover - expat is iterative; belt and braces
        return "is an SVG nested too deeply to check"
    return None
