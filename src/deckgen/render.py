"""Card field text (Markdown) -> safe HTML for Anki.

Markdown is rendered by cmarkgfm (bindings to cmark-gfm, the CommonMark reference implementation in C, as used
by PyPI's readme_renderer), so ``<5%``, ``≥3`` and ``BCR::ABL1`` show as written.
Inline HTML is allowed only from a small allowlist: the rendered HTML is tokenized by the standard library's
HTML parser to report what is not allowed (with a reason), and the output itself passes through nh3 (the
ammonia sanitizer) with the same allowlist, so nothing outside it can reach a learner's Anki even if the
two ever disagreed. Anki runs card HTML in a browser engine, so script must never get through.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    "a b blockquote br code del div em h1 h2 h3 h4 h5 h6 hr i img ins li mark ol p pre s small span "
    "rp rt ruby strong sub sup table tbody td th thead tr u ul".split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "code": {"class"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Tags that run code, load other documents or restyle the whole card: refused as unsafe, not just unsupported.
UNSAFE_TAGS = frozenset(
    "script iframe frame frameset object embed applet style link meta base form input button textarea select "
    "svg math template noscript audio video source track portal".split()
)
MEDIA_PREFIX = "media/"
_MEDIA_SRC = re.compile(r'src="media/([^"]*)"')
_COLON = "\ue000"  # stands for an escaped colon while Markdown and the sanitizer run

# Text with none of these characters renders to itself (escaped) as one paragraph: no need to run Markdown.
_MARKDOWN_CHARS = re.compile(r"[\\`*_\[\]<>&\x00-\x1f\x7f\u00a0\u2028\u2029]|^[-+=#>~\s]|\s$|^\d+[.)]")


@dataclass
class Rendered:
    html: str
    media: list[str] = field(default_factory=list)  # file names under media/ that the field uses
    problems: list[str] = field(default_factory=list)  # messages; the caller adds the place


def _commonmark(text: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    # UNSAFE keeps raw HTML and every link as written: the scanner below reports what is not allowed and
    # nh3 removes it, instead of cmark silently dropping it.
    html_out: str = cmarkgfm.markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    return html_out


def render_markdown(text: str) -> Rendered:
    """Render one field. A single paragraph is unwrapped (Anki fields are usually inline)."""
    text = text.strip()
    escaped_colons = "\\:" in text
    if escaped_colons:  # '\:' keeps a literal ':' that Anki's cloze parser will not read as '::'
        text = text.replace("\\:", _COLON)
    if not _MARKDOWN_CHARS.search(text):
        result = Rendered(text.replace('"', "&quot;"))
    else:
        out = _commonmark(text)
        if out.startswith("<p>") and out.endswith("</p>\n") and out.count("<p>") == 1:
            out = out[3:-5]
        else:
            out = out.rstrip("\n")
        # Without '<' (raw HTML, autolinks) and '[' (links, images) the HTML is cmark's own markup only:
        # nothing to report or remove (a property test holds the scanner to that).
        result = sanitize(out) if ("<" in text or "[" in text) else Rendered(out)
    if escaped_colons:
        result.html = result.html.replace(_COLON, "&#58;")
    return result


def render_plain(text: str) -> str:
    """A verbatim quotation (the ``source`` excerpt): escaped, never interpreted."""
    return html.escape(" ".join(text.split()), quote=False)


_SOUND = re.compile(r"\[sound:([^\]\[]+)\]")


def render_html(text: str) -> Rendered:
    """An HTML field (a deck note type's non-Markdown field), sanitized; media are named as Anki names them
    (``<img src="x.png">``, ``[sound:x.mp3]``), files in the cards folder's media/."""
    result = sanitize(text, bare_media=True)
    result.media += [m.group(1) for m in _SOUND.finditer(text)]
    return result


class _Scanner(HTMLParser):
    def __init__(self, bare_media: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.media: list[str] = []
        self.bare_media = bare_media

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE_TAGS:
            self.problems.append(f"unsafe HTML: <{tag}> is not allowed (Anki would run or load it); remove it")
            return
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"HTML tag <{tag}> is not supported; use Markdown or one of: {', '.join(sorted(ALLOWED_TAGS))}")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"unsafe HTML: event handler attribute '{name}' on <{tag}> would run script in Anki; remove it")
            elif name not in allowed:
                self.problems.append(f"HTML attribute '{name}' on <{tag}> is not supported; remove it")
            elif name in ("href", "src"):
                self._url(tag, name, value)

    def _url(self, tag: str, name: str, value: str) -> None:
        compact = "".join(value.split()).lower()
        scheme = compact.split(":", 1)[0] if ":" in compact else ""
        if scheme in ("javascript", "vbscript", "data"):
            self.problems.append(f"unsafe HTML: '{scheme}:' URL in <{tag} {name}> is not allowed; remove it")
        elif tag == "img" and self.bare_media and not scheme:
            if not value or value.startswith(("/", ".")) or "/" in value or "\\" in value:
                self.problems.append(f"image '{value}' must name a file in the cards folder's media/ by its name (e.g. figure.png)")
            else:
                self.media.append(value)
        elif tag == "img":
            if scheme:
                self.problems.append(
                    f"image '{value}' is not a local file; put the image in the media/ folder and write ![...](media/NAME)"
                )
            elif not value.startswith(MEDIA_PREFIX) or value.startswith("/") or ".." in value.split("/") \
                    or "/" in value[len(MEDIA_PREFIX):] or "\\" in value or value == MEDIA_PREFIX:
                self.problems.append(
                    f"image path '{value}' must name a file directly in the cards folder's media/ (e.g. media/figure.png)"
                )
            else:
                self.media.append(value[len(MEDIA_PREFIX):])
        elif scheme and scheme not in URL_SCHEMES:
            self.problems.append(f"link scheme '{scheme}:' is not allowed; use http, https or mailto")


def sanitize(fragment: str, *, bare_media: bool = False) -> Rendered:
    """Report what the allowlist does not allow, and return the fragment cleaned to the allowlist."""
    import nh3

    scanner = _Scanner(bare_media)
    scanner.feed(fragment)
    scanner.close()
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    if scanner.media and not bare_media:  # Anki's media folder is flat: fields name the file only (one pass)
        names = set(scanner.media)
        cleaned = _MEDIA_SRC.sub(lambda m: f'src="{m.group(1)}"' if m.group(1) in names else m.group(0), cleaned)
    return Rendered(cleaned, scanner.media, scanner.problems)
