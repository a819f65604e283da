"""``deckgen check`` on 1 MB templates and CSS of each shape that once made a template check quadratic (a 48 KB
template took 264 s): bounded in CPU time, measured for the child process with resource.getrusage. Each shape takes
a few seconds here; the bound is generous for a loaded 2-core machine, and far below what a quadratic check takes
(20-30 s per shape at 1 MB before the fix, growing fourfold per doubling)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import limited_deckgen, write_deck

CPU_BOUND = 25.0  # seconds per shape, template and CSS together
SIZE = 1_000_000  # under the 1 MiB include limit
DECK = """\
key: big
name: Big
description: d
note_types:
  w:
    name: W
    fields: [F, G]
    templates:
      - name: T
        front: {file: t/front.html}
        back: "{{FrontSide}}<hr id=answer>{{G}}"
    css: {file: t/style.css}
"""
SHAPES = {  # template unit, CSS unit
    "placeholders": ("{{F}}x", "a{b:c}"),
    "comments": ("<!--x-->", "/* x */"),
    "open tags": ("<a ", "@import 'x.css';"),
    "quotes": ('<a title="{{F}}">', 'a{content:"\'"}'),
    "sections": ("{{#F}}x{{/F}}", "</style>"),
    "sections in tags": ("<a {{#F}}x{{/F}}>", "a{b:url(https://x.example/)}"),
    "svg": ("<svg>{{F}}", "\\"),
    "odd comments": ("<!x", "<!--"),
    "rewrites in attributes": ('<img alt="[sound:a.mp3]">', "[sound:a.mp3]"),
    "math": ("\\(\\style{a}{b}\\) ", "\\(x\\)"),
    "math joined across wbr and comments": ("\\(\\sty<wbr>le<!---->{{F}}<b>", "a{b:c}"),
    "template elements and reaching tags": ("<template>[sound:<b title=]>{{F}}", "a{b:c}"),
    "type markers joined by the separator": ("[[ty<hr id=answer>pe:F]]<<hr id=answer>b ", "a{b:c}"),
    "card ordinals": ("", "a{b:c}"),  # {{#c1}}x{{/c1}}{{#c2}}x{{/c2}}... up to c99999
    "media names Anki encodes": ('<img class="a" src=\'{{F}}\' alt="{{F}}">', "a{b:c}"),  # F is 'a b'
    # fields in one piece of JavaScript: each was read from the code's start (a 20 KB script took 22 s)
    "fields in one script": ("{{F}}, '{{G}}', ", "a{b:c}"),
    "fields in one handler": ("{{F}}, &#39;{{G}}&#39;, ", "a{b:c}"),
    "fields in one javascript: URL": ("{{F}}, %27{{G}}%27, ", "a{b:c}"),
    "ambiguous slashes in one script": ("(a) / '{{F}}' / (b) / {{G}} / ", "a{b:c}"),  # a reading per '/'
    # fields in one URL: each field's rule reads the attribute's text before it
    "fields in one link": ("{{F}}/{{G}}?", "a{b:c}"),
    "fields in one srcset": ("{{F}} 1x, {{G}}/", "a{b:c}"),
}
OPENINGS = {  # the template's start, before the repeated unit
    "fields in one script": "<script>var a = [",
    "fields in one handler": '<b onclick="f(',
    "fields in one javascript: URL": '<a href="javascript:f(',
    "ambiguous slashes in one script": "<script>",
    "fields in one link": '<a href="',
    "fields in one srcset": '<img srcset="',
}
CARD_F = {"media names Anki encodes": "a b"}  # a space: every card side goes through Anki's media-path encoding


@pytest.mark.parametrize("shape", list(SHAPES))
def test_check_on_a_1_mb_template_and_css_is_bounded(tmp_path: Path, shape: str) -> None:
    template_unit, css_unit = SHAPES[shape]
    cards = write_deck(
        tmp_path,
        deck=DECK,
        topics={
            "a.yaml": f"topic: a\ntitle: a\ncards:\n  - id: x\n    type: w\n    fields: {{F: {CARD_F.get(shape, 'f')}, G: g}}\n"
        },
    )
    (cards / "t").mkdir()
    body = OPENINGS.get(shape, "") + template_unit * (SIZE // len(template_unit)) if template_unit else _ordinals(SIZE)
    (cards / "t" / "front.html").write_text("{{F}}" + body, encoding="utf-8")
    (cards / "t" / "style.css").write_text(css_unit * (SIZE // len(css_unit)), encoding="utf-8")
    proc, cpu = limited_deckgen(tmp_path, "check", "cards", timeout=600)
    assert proc.returncode in (0, 1), proc.stderr  # a clear result, never a traceback
    assert "Traceback" not in proc.stderr, proc.stderr
    assert cpu < CPU_BOUND, (shape, cpu)
    print(f"{shape}: {cpu:.2f} s CPU")


def _ordinals(size: int) -> str:
    """Sections naming a new card ordinal each: every one is an ordinal the template tells apart."""
    parts: list[str] = []
    total = 0
    for n in range(1, 100_000):
        part = f"{{{{#c{n}}}}}x{{{{/c{n}}}}}"
        if total + len(part) > size:
            break
        parts.append(part)
        total += len(part)
    return "".join(parts)
