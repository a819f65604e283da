"""Checks on the exact bytes that go into the note (after nh3): what Anki itself will do with them.

- media references, found with Anki's own patterns (``<img src>``, ``[sound:NAME]``), with names Anki keeps;
- Anki's ``[latex]`` tags: references to the images Anki rendered for them (:mod:`deckgen.render.latex`);
- cloze markup: in a field that is not cloze text it shows as typed (a warning); in cloze text, a deletion
  or a '::' inside an HTML attribute breaks the page (refused: Anki cuts the text there, even inside a tag), and
  ``{{c1::image-occlusion:...}}`` makes Anki copy its text into HTML attributes unescaped (only shapes and numbers
  allowed); then every page Anki makes of the cloze text is built (clozeview.py) and must hold no element that
  the approved field does not have;
- math, as MathJax will see it: the text of the page, split where MathJax splits it (at every element but
  ``<br>`` and ``<wbr>``, skipping ``<code>`` and ``<pre>``). For cloze text that is not enough: Anki removes
  every HTML tag between ``\\(`` and ``\\)`` after revealing the deletions, so text in separate elements or
  deletions can join into one command; cloze text is therefore also checked with all tags and cloze markup
  removed (as answers, and as hints), which can only find more.
"""

from __future__ import annotations

import bisect
import html
import re
from html.parser import HTMLParser

from deckgen.render import clozeview, sanitize
from deckgen.render.latex import latex_bodies, latex_images
from deckgen.render.media import name_problem, references
from deckgen.render.result import WARNING, FieldProblem

CLOZE_OPEN = re.compile(r"\{\{c[\d,]*\d[\d,]*::")
_IMAGE_OCCLUSION = re.compile(r"\{\{c[\d,]*\d[\d,]*::image-occlusion:")
# what Anki's image-occlusion editor writes: a shape and key=value pairs of numbers (and colours, text-free);
# no quote, '<', '>' or '&' can reach the attributes Anki copies these values into
_OCCLUSION_SAFE = re.compile(r"[A-Za-z0-9:=.,#%_ -]*")
_TAG = re.compile(r'<([a-zA-Z][^\s/>]*)((?:\s+[^\s="/>]+="[^"]*")*)\s*/?>')  # nh3's output: name="value" only
_ATTRIBUTE = re.compile(r'([^\s="/>]+)="([^"]*)"')
MAX_MATH_PROBLEMS = 20
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# what Anki's raw string passes rewrite wherever it stands, attributes included: av tags (rslib av parser), play
# refs (pylib sound.py AV_REF_RE), type-answer markers (reviewer.py), LaTeX tags and their ends (rslib latex.rs: a
# tag opened in text and ended inside a tag replaces the tag's start with Anki's image)
ANKI_REWRITES = re.compile(r"\[sound:|\[anki:|\[\[type:|\[/?latex\]|\[/?\$\$?\]", re.I)


def inspect(field_html: str, *, cloze: bool) -> tuple[list[str], list[FieldProblem]]:
    """(media file names used, problems) of a field's final HTML."""
    problems: list[FieldProblem] = []
    media: dict[str, None] = {}
    for _, kind, name in references(field_html):
        problem = _media_problem(kind, name)
        if problem:
            problems.append(FieldProblem(problem, rule="media"))
        else:
            media[name] = None
    if "[" in field_html:
        for name in latex_images(field_html):  # Anki shows the image it rendered; it must ship (see latex.py)
            media[name] = None
        if cloze and any("{{c" in body for body in latex_bodies(field_html)):
            problems.append(
                FieldProblem(
                    "a cloze deletion inside Anki's LaTeX tag: Anki draws another image for each card side, which "
                    "the deck cannot ship, so learners' Anki would run LaTeX; put the whole tag inside the deletion, "
                    "or write the math as \\(...\\)",
                    rule="math",
                )
            )
    if "[" in field_html or "\\" in field_html:
        problems += attribute_problems(field_html) + spanning_problems(field_html)
    if "{{c" in field_html:
        problems += cloze_problems(field_html, cloze)
    if "\\" in field_html:
        problems += math_problems(field_html, cloze)
    return list(media), _unique(problems)


# Anki's raw patterns with their ends (rslib av parser, reviewer.py typeAnsPat): what one match replaces
_SPANS = (("[sound:", "]"), ("[anki:tts", "[/anki:tts]"), ("[[type:", "]]"))


def spanning_problems(field_html: str) -> list[FieldProblem]:
    """A ``[sound:...]``, ``[anki:tts]...[/anki:tts]`` or ``[[type:...]]`` whose match reaches over a tag: Anki
    replaces the whole match, so the start of a tag disappears and the rest of it becomes text (or, with a
    different tag, markup). Linear: each start finds its end with a binary search in positions found once."""
    tags: list[int] | None = None
    out: list[FieldProblem] = []
    for opening, closing in _SPANS:
        start = field_html.find(opening)
        if start == -1:
            continue
        if tags is None:
            tags = [m.start() for m in re.finditer("<", field_html)]
        ends = [m.start() for m in re.finditer(re.escape(closing), field_html)]
        while start != -1:
            k = bisect.bisect_left(ends, start + len(opening))
            if k == len(ends):
                break
            first_tag = bisect.bisect_left(tags, start)
            if first_tag < len(tags) and tags[first_tag] < ends[k]:
                out.append(
                    FieldProblem(
                        f"'{opening}' reaches over an HTML tag to its '{closing}': Anki replaces everything in "
                        "between, tag included, so the page is not the one checked; close it before the tag",
                        rule="html",
                    )
                )
                break
            start = field_html.find(opening, start + 1)
    return out


def attribute_problems(field_html: str) -> list[FieldProblem]:
    """Text in an attribute value that Anki's raw passes rewrite (a play button's '"' ends the attribute; what
    follows becomes markup, math in it becomes page text), and math in an attribute value, checked as if it were
    text (MathJax never reads attributes, but nothing else may move it out)."""
    out: list[FieldProblem] = []
    for tag in _TAG.finditer(field_html):
        for name, value in _ATTRIBUTE.findall(tag.group(2)):
            raw = ANKI_REWRITES.search(value)
            if raw:
                out.append(
                    FieldProblem(
                        f"'{raw.group(0)}' inside the '{name}' attribute of <{tag.group(1)}>: Anki replaces it there "
                        "too (with a play button, a type-in box or a LaTeX image) before the page is read, and the "
                        "inserted '\"' ends the attribute, so the rest of it becomes markup; take it out of the "
                        "attribute (e.g. out of an image's description)",
                        rule="html",
                    )
                )
            if "\\" in value:
                out += math_problems(value)
    return out


def _unique(problems: list[FieldProblem]) -> list[FieldProblem]:
    return list(dict.fromkeys(problems))


def _media_problem(kind: str, name: str) -> str | None:
    if kind == "sound":
        if _SCHEME.match(name):
            return f"sound '{name}' is not a local file; put it in cards/media/ and write [sound:NAME]"
        if "/" in name or "\\" in name:
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            return f"[sound:{name}] must name a file in cards/media/ by its name alone, e.g. [sound:{base}]"
    reason = name_problem(name)
    if reason:
        return f"media file name '{name}' {reason}; rename the file and its reference"
    return None


def cloze_problems(field_html: str, cloze: bool) -> list[FieldProblem]:
    """Cloze markup where Anki would mishandle it (the only check plain text, with no '<', '[' or '\\', needs)."""
    opener = CLOZE_OPEN.search(field_html)
    if opener is None:
        return []
    if not cloze:
        return [
            FieldProblem(
                f"cloze syntax '{opener.group(0)}' in a field that is not cloze text: Anki shows it as "
                "typed; make it a cloze card ('cloze:') to hide the answer",
                severity=WARNING,
                rule="cloze",
            )
        ]
    problems = []
    for tag in _TAG.finditer(field_html) if "<" in field_html else ():
        for attribute in _ATTRIBUTE.finditer(tag.group(2)):
            value = attribute.group(2)
            if CLOZE_OPEN.search(value) or "}}" in value:
                problems.append(
                    FieldProblem(
                        f"cloze deletion inside the '{attribute.group(1)}' attribute of <{tag.group(1)}> "
                        f"({html.unescape(value)!r}): Anki would write its cloze HTML into the attribute; "
                        "keep the deletion out of HTML attributes (and image descriptions)",
                        rule="cloze",
                    )
                )
            elif "::" in value:
                problems.append(
                    FieldProblem(
                        f"'::' inside the '{attribute.group(1)}' attribute of <{tag.group(1)}> ({html.unescape(value)!r}): "
                        "in cloze text Anki splits a deletion's answer from its hint at the first '::', even inside an "
                        "HTML attribute, which would cut the element open (and '\\:\\:' is a plain '::' there); remove the "
                        "'::' from the attribute (image descriptions, link titles and addresses)",
                        rule="cloze",
                    )
                )
    if "<" in field_html and not problems:
        problems += clozeview.problems(field_html, sanitize.clean)
    for occlusion in _IMAGE_OCCLUSION.finditer(field_html) if "image-occlusion:" in field_html else ():
        end = field_html.find("}}", occlusion.end())
        body = field_html[occlusion.end() : end if end != -1 else len(field_html)]
        if not _OCCLUSION_SAFE.fullmatch(body):
            problems.append(
                FieldProblem(
                    f"'{occlusion.group(0)}' (Anki's image occlusion) may hold only shapes and numbers "
                    "(e.g. 'rect:left=.1:top=.2:width=.3:height=.1:oi=1'): Anki copies these values into HTML attributes "
                    "without escaping them",
                    rule="cloze",
                )
            )
            break
    return problems


# ---------------------------------------------------------------------------------------------------- math


class _MathJaxStrings(HTMLParser):
    """The strings MathJax 3 looks for math in (HTMLDomStrings): text split at every element boundary except
    <br> (a newline) and <wbr>; nothing inside skipped elements unless their class asks MathJax to process it."""

    SKIP = frozenset({"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"})
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        self.all_text: list[str] = []  # every text node, skipped elements included
        self._current: list[str] = []
        self._skipping: list[str] = []

    def _push(self) -> None:
        if self._current:
            self.strings.append("".join(self._current))
            self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "wbr"):
            if not self._skipping:
                self._current.append("\n" if tag == "br" else "")
            return
        self._push()
        if tag in self.VOID:
            return
        classes = " ".join(v or "" for k, v in attrs if k == "class")
        if self._skipping or (
            tag in self.SKIP and "mathjax_process" not in classes and "tex2jax_process" not in classes
        ):
            self._skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._push()
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        self.all_text.append(data)
        if not self._skipping:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._push()


def mathjax_strings(field_html: str) -> tuple[list[str], str]:
    """(the strings MathJax searches for math, the field's whole text with every tag removed)."""
    parser = _MathJaxStrings()
    parser.feed(field_html)
    parser.close()
    return parser.strings, "".join(parser.all_text)


def cloze_views(text: str) -> tuple[str, str]:
    """The field's text (tags already removed) with every deletion shown: as its answer, and as its hint or
    [...]. Anki's cloze rendering followed by its tag stripping inside math can join text at most this much."""
    answers: list[str] = []
    hints: list[str] = []
    stack: list[list[str]] = []  # per open deletion: [where we are: 'answer' or 'hint', hint text]
    pos = 0
    for token in re.finditer(r"\{\{c[\d,]*\d[\d,]*::|\}\}", text):
        _add_text(text[pos : token.start()], stack, answers, hints)
        if token.group(0) == "}}":
            if stack:
                _, hint = stack.pop()
                hints.append(f"[{hint or '...'}]" if not stack else "")
            else:
                answers.append("}}")
                hints.append("}}")
        else:
            stack.append(["answer", ""])
        pos = token.end()
    _add_text(text[pos:], stack, answers, hints)
    return "".join(answers), "".join(hints)


def _add_text(text: str, stack: list[list[str]], answers: list[str], hints: list[str]) -> None:
    if not stack:
        answers.append(text)
        hints.append(text)
        return
    top = stack[-1]
    if top[0] == "answer" and "::" in text:
        answer, hint = text.split("::", 1)
        answers.append(answer)
        top[0], top[1] = "hint", top[1] + hint
    elif top[0] == "answer":
        answers.append(text)
    else:
        top[1] += text


def math_problems(field_html: str, cloze: bool = False) -> list[FieldProblem]:
    """The math problems of a page's HTML: the commands refused anywhere, and each piece of math MathJax finds."""
    from deckgen.render import tex

    texts, flat = mathjax_strings(field_html)
    if cloze:
        texts += cloze_views(flat) if CLOZE_OPEN.search(flat) else [flat]
    messages: list[str] = []
    for text in texts:
        if "\\" not in text:
            continue
        messages += tex.unsafe_commands(text)
        for _, _, math in tex.find_math(text):
            messages += tex.check_math(math)
    unique = list(dict.fromkeys(messages))
    if len(unique) > MAX_MATH_PROBLEMS:
        unique[MAX_MATH_PROBLEMS:] = [f"math: {len(unique) - MAX_MATH_PROBLEMS} more problems like these"]
    return [FieldProblem(m, rule="math") for m in unique]
