"""C6 and C7 of the fifth hostile review (issue 16): a card's tags, its subdeck or its front shown on the back through
``{{FrontSide}}`` join its fields into a math command that MathJax typesets. Each case: the premise measured (the
real backend's ``question()``/``answer()``, the text MathJax reads from it, the vendored MathJax's output, a click
in Chromium), then the refusal by ``deckgen check`` and ``deckgen build``, with its place, and the shapes that
stay accepted (a ``<br>`` or ``<hr id=answer>`` between the two fields, ordinary math beside the tags)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deckgen.preview import mathjax
from deckgen.render import tex
from deckgen.screen import policy
from tests.browser import Chromium
from tests.conftest import AnkiCollection, limited_deckgen, run, write_deck

HREF = "\\href{javascript:alert(1)}{CLICK}"  # as a tag or a deck name: no quotes there
PWN = "\\href{javascript:void(document.title+='pwned')}{CLICK}"
STYLE = "\\style{background:url(//127.0.0.1:9/TAGJOIN.png)}{x}"

DECK = """\
key: joins
name: Joins
description: d
note_types:
  t:
    name: T
    fields: [Front, Back]
    templates:
      - name: C1
        front: {file: t/front.html}
        back: {file: t/back.html}
"""


def cards(root: Path, front: str, back: str, fields: str, *, tags: str = "", subdeck: str = "") -> Path:
    topic = "topic: a\ntitle: a\n" + (f"deck: '{subdeck}'\n" if subdeck else "")
    topic += f"cards:\n  - id: one\n    type: t\n    fields: {fields}\n" + (f"    tags: ['{tags}']\n" if tags else "")
    out = write_deck(root, deck=DECK, topics={"a.yaml": topic})
    (out / "t").mkdir()
    (out / "t" / "front.html").write_text(front, encoding="utf-8")
    (out / "t" / "back.html").write_text(back, encoding="utf-8")
    return out


# Front ends by opening math, Back closes it: the tag, the subdeck or the other half of a command sits in between
OPEN_CLOSE = "{Front: 'x \\(', Back: '\\) y'}"
HALVES = "{Front: 'Q \\(\\hr', Back: 'ef{javascript:alert(1)}{CLICK}\\)'}"


@pytest.mark.parametrize(
    ("front", "back", "fields", "tags", "subdeck", "place", "expected"),
    [
        (
            "<div>{{Front}}{{Tags}}{{Back}}</div>",
            "{{FrontSide}}<hr id=answer>",
            OPEN_CLOSE,
            HREF,
            "",
            "a.yaml:7:11",
            "'{{Front}}', '{{Tags}}' and '{{Back}}' stand side by side in template 'C1' (front), and MathJax reads "
            "their text as one: unsafe math: \\href is not allowed",
        ),
        (
            "<div>{{Front}}{{Tags}}{{Back}}</div>",
            "{{FrontSide}}",
            OPEN_CLOSE,
            STYLE,
            "",
            "a.yaml:7:11",
            "unsafe math: \\style is not allowed",
        ),
        (
            "<div>{{Front}} {{Subdeck}} {{Back}}</div>",
            "{{FrontSide}}",
            OPEN_CLOSE,
            "",
            HREF,
            "a.yaml:7:13",
            "'{{Front}}', '{{Subdeck}}' and '{{Back}}' stand side by side in template 'C1' (front)",
        ),
        (
            "{{Front}}<wbr><b hidden></b>{{Deck}}<!-- -->{{Back}}",  # <b> splits MathJax's string: still refused
            "{{FrontSide}}",
            OPEN_CLOSE,
            "",
            HREF,
            "a.yaml:7:13",
            "unsafe math: \\href is not allowed",
        ),
        (
            "{{Front}}{{Tags}}{{Back}}",  # a tag completes the command name the field starts: first once Anki
            "{{FrontSide}}",  # sorts the tags, before deckgen's topic tag 'joins::a'
            "{Front: '\\(\\hr', Back: '\\)'}",
            "ef{javascript:alert(1)}{CLICK}",
            "",
            "a.yaml:6:21",
            "'{{Front}}', '{{Tags}}' and '{{Back}}' stand side by side",
        ),
        (
            "{{Front}}",
            "{{FrontSide}}<!-- answer -->{{Back}}",
            HALVES,
            "",
            "",
            "a.yaml:6:21",
            "'{{Front}}' and '{{Back}}' stand side by side in template 'C1' (back, which shows the front through "
            "'{{FrontSide}}'), and MathJax reads their text as one: unsafe math: \\href is not allowed",
        ),
        (
            "{{Front}}",
            "{{FrontSide}}<wbr>{{Back}}",
            HALVES,
            "",
            "",
            "a.yaml:6:21",
            "unsafe math: \\href is not allowed",
        ),
        (
            "{{type:Back}}{{Front}}",  # the desktop removes <hr id=answer> before it reads [[type:]]
            "{{FrontSide}}<hr id=answer>{{Back}}",
            HALVES,
            "",
            "",
            "a.yaml:6:21",
            "unsafe math: \\href is not allowed",
        ),
    ],
)
def test_values_joined_into_math_are_refused(
    tmp_path: Path, front: str, back: str, fields: str, tags: str, subdeck: str, place: str, expected: str
) -> None:
    root = cards(tmp_path, front, back, fields, tags=tags, subdeck=subdeck)
    for command in ("check", "build"):
        result = run(command, root)
        assert result.exit_code == 1, result.output
        assert f"{place}: error: card 'one': " in result.output, result.output
        assert expected in result.output, result.output
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").glob("*.apkg"))


@pytest.mark.parametrize(
    ("front", "back", "fields", "tags"),
    [
        ("{{Front}}", "{{FrontSide}}<br>{{Back}}", HALVES, ""),  # <br> is a newline to MathJax: '\\hr' 'ef' apart
        ("{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}", HALVES, ""),  # <hr> ends MathJax's string
        ("{{Front}} {{Tags}} {{Back}}", "{{FrontSide}}", "{Front: '\\(x^2\\)', Back: '\\[y\\]'}", "algebra::powers"),
        ("{{Front}}{{Tags}}{{Back}}", "{{FrontSide}}", OPEN_CLOSE, "not-math"),
    ],
)
def test_what_joins_into_no_command_is_accepted(tmp_path: Path, front: str, back: str, fields: str, tags: str) -> None:
    result = run("check", cards(tmp_path, front, back, fields, tags=tags))
    assert result.exit_code == 0, result.output


def _typeset(page: str) -> list[str]:
    """What Anki's MathJax makes of a side: the strings it reads (policy.math_strings, held to Chromium by
    s2-sec-tpl's tests), their math, typeset by the vendored MathJax 3.2.2."""
    found = [math for text in policy.math_strings(policy.parse(page)) for _, _, math in tex.find_math(text)]
    drawn = mathjax.typeset([(math, False) for math in found])
    return [svg for svg in drawn.values() if svg]


@pytest.mark.skipif(mathjax.node() is None, reason="needs Node.js for the vendored MathJax")
def test_the_joins_reach_mathjax_in_the_real_backend(tmp_path: Path, anki: AnkiCollection) -> None:
    """The premise, with deckgen's checks out of the way: Anki puts the tag and the subdeck between the two
    fields, and the front before the back across a comment; MathJax makes a javascript: link and a CSS URL of
    them, and a click on the link runs it in Chromium."""
    model = anki.col.models.by_name("Basic")
    model["tmpls"][0]["qfmt"] = "<div>{{Front}}{{Tags}}{{Back}}</div><div>{{Front}} {{Subdeck}} {{Back}}</div>"
    model["tmpls"][0]["afmt"] = "{{Front}}<!-- answer -->{{Back}}"
    anki.col.models.update_dict(model)
    note = anki.col.new_note(model)
    note["Front"], note["Back"] = "x \\(", "\\) y"
    note.tags = [STYLE]
    anki.col.add_note(note, anki.col.decks.id(f"D::{PWN}"))
    card = note.cards()[0]
    question = card.question()
    assert f"x \\({STYLE}\\) y" in question and f"x \\( {PWN} \\) y" in question
    drawn = " ".join(_typeset(question))
    assert "background: url(//127.0.0.1:9/TAGJOIN.png)" in drawn and f'href="{PWN[6:-8]}"' in drawn
    note["Front"], note["Back"] = "Q \\(\\hr", PWN[3:] + "\\)"
    anki.col.update_note(note)
    answer = note.cards()[0].answer()
    assert "\\hr<!-- answer -->ef{javascript:" in answer
    (svg,) = _typeset(answer)
    (tmp_path / "card.html").write_text(f"<!doctype html><title>t</title><body>{svg}", encoding="utf-8")
    with Chromium(tmp_path / "browser") as chromium:
        tab = chromium.open((tmp_path / "card.html").as_uri())
        box = tab.evaluate(
            "(() => { const r = document.querySelector('a').getBoundingClientRect(); "
            "return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for event in ("mousePressed", "mouseReleased"):  # a real click, as the learner's tap
            chromium.call(
                "Input.dispatchMouseEvent", tab.session, type=event, x=box[0], y=box[1], button="left", clickCount=1
            )
        time.sleep(0.5)
        title = tab.evaluate("document.title")
    assert title == "tpwned"


CPU_BOUND = 25.0  # seconds; a few here, far below what a check quadratic in the values takes at 1 MB


def test_the_per_card_math_check_is_linear_in_the_values(tmp_path: Path) -> None:
    """1 MB of fields full of math (16 fields of 60 KB, the most a field may hold is 64 KB) and 2,000 tags per card,
    all joined on each side with the template's own math around them: ``deckgen check`` in bounded CPU time (the
    child's, resource.getrusage)."""

    field = "\\(x\\) \\hr " * 6_000  # 60 KB, a backslash every 5 characters
    tags = ", ".join(f"t{i}ef" for i in range(2_000))
    root = cards(tmp_path, "\\({{Front}}{{Tags}}<wbr>{{Back}}\\)", "{{FrontSide}}<!-- -->{{Back}}", "{}")
    one = f"  - id: c{{n}}\n    type: t\n    fields: {{{{Front: '{field}', Back: '{field}'}}}}\n    tags: [{tags}]\n"
    (root / "a.yaml").write_text(
        "topic: a\ntitle: a\ncards:\n" + "".join(one.format(n=n) for n in range(8)), encoding="utf-8"
    )
    proc, cpu = limited_deckgen(tmp_path, "check", str(root), timeout=600)
    assert "checked 8 cards in 1 topics" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert cpu < CPU_BOUND, cpu
