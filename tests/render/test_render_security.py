"""Hostile field content: each attack, the refusal, and what Anki would store and show if it got through.

Two layers are tested separately: deckgen refuses every case with an error (nothing is built), and the HTML
nh3 approved is already harmless on its own, as imported and rendered by the real Anki backend. Math is text
to nh3, so for math the refusal is the protection; the tests also show that the Anki behaviours the checks
rest on are real."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest

from deckgen.render import render_html, render_markdown
from tests.conftest import DECK_YAML, MATH_DOCS, AnkiCollection, run, write_deck

# ------------------------------------------------------------------ an independent judge of "script vector"

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "audio",
    "video",
    "source",
    "template",
    "portal",
    "noscript",
    "image",
    "isindex",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "srcdoc",
    "background",
    "poster",
    "srcset",
}
MATHJAX_DANGER = re.compile(
    r"\\(?:href|style|class|cssId|data|unicode|require|mmlToken|toggle|mathtip|texttip)(?![A-Za-z])"
)


class _Judge(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            squashed = re.sub(r"[\x00-\x20]", "", value).lower()
            if name.startswith("on"):
                self.found.append(f"{name}=")
            if name in URL_ATTRIBUTES and squashed.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{name}={squashed[:11]}")
            if name == "style" and re.search(
                r"position|inset|expression|@import|behavior|-moz-binding"
                r"|(?:background|list-style|border-image|content|cursor|mask|filter)[^:;]*:[^;]*url\(",
                squashed,
            ):
                self.found.append(f"style={squashed[:20]}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def script_vectors(html: str, card: bool = False) -> list[str]:
    if card:  # Anki puts the note type's own CSS in front of a card
        html = re.sub(r"\A<style>.*?</style>", "", html, flags=re.S)
    judge = _Judge()
    judge.feed(html)
    judge.close()
    return judge.found + MATHJAX_DANGER.findall("".join(judge.text))


# ------------------------------------------------------------------ attacks on the HTML

HTML_ATTACKS = [
    '<a href="javascript\\:alert(1)">x</a>',  # the issue's bypass: '\:' was put back after sanitizing
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="javascript&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="javascript&#0000058alert(1)">x</a>',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href=" &#1;javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<img src=x onerror=alert(1)>",
    '<b onclick="alert(1)">x</b>',
    "<svg onload=alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<script>alert(1)</script>",
    "<style>.card{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<image src="javascript:alert(1)">',
    '<span style="position:fixed;inset:0;opacity:0">x</span>',
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<span style="color:u\\72l(x)">x</span>',
    '<a href="https://ok.example" style="position:absolute;top:0;left:0;width:100%;height:100%">x</a>',
    "<!--><img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
# Markdown's own links and images: attacks in Markdown fields, plain text in HTML fields
MARKDOWN_ATTACKS = [
    "[x](javascript:alert(1))",
    "[x](javascript\\:alert(1))",
    '[x](JAVASCRIPT:alert(1) "t")',
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
]


@pytest.mark.parametrize("attack", HTML_ATTACKS + MARKDOWN_ATTACKS)
def test_html_attack_is_an_error_and_nh3_output_is_harmless(attack: str) -> None:
    for rendered in (render_markdown(attack), render_markdown(attack, cloze=True)):
        assert any(p.is_error for p in rendered.problems), (attack, rendered)
        assert script_vectors(rendered.html) == [], (attack, rendered.html)
    rendered = render_html(attack)
    assert attack in MARKDOWN_ATTACKS or any(p.is_error for p in rendered.problems), (attack, rendered)
    assert script_vectors(rendered.html) == [], (attack, rendered.html)


def test_judge_sees_the_attacks_it_is_meant_to_see() -> None:
    """The independent judge is not blind: it flags the raw attacks (else the test above proves nothing). Left
    out: those that need an HTML parser's decoding or Markdown to become attacks."""
    missed = [
        a
        for a in HTML_ATTACKS
        if not script_vectors(a) and "\\:" not in a and "&" not in a and "\\72" not in a and not a.startswith("<!--")
    ]
    assert missed == []


def test_what_anki_stores_and_shows_for_the_attacks_has_no_script(tmp_path: Path, anki: AnkiCollection) -> None:
    """Even if the errors were ignored, the fields nh3 approved import into Anki without a script vector."""
    model = genanki.Model(
        1607392320,
        "Hostile",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    deck = genanki.Deck(2059400111, "Hostile")
    for i, attack in enumerate(HTML_ATTACKS + MARKDOWN_ATTACKS):
        deck.add_note(
            genanki.Note(model=model, fields=[render_markdown(attack).html, render_html(attack).html], guid=f"h{i}")
        )
    genanki.Package(deck).write_to_file(str(tmp_path / "hostile.apkg"))
    anki.import_package(tmp_path / "hostile.apkg")
    assert len(anki.notes()) == len(HTML_ATTACKS + MARKDOWN_ATTACKS)
    for note in anki.notes():
        assert script_vectors(note["Front"]) == [] and script_vectors(note["Back"]) == [], note.fields
    for cid in anki.col.find_cards(""):
        card = anki.col.get_card(cid)
        assert script_vectors(card.question(), card=True) == [] and script_vectors(card.answer(), card=True) == []


def test_the_issues_bypass_is_refused_in_a_card_and_in_the_description(tmp_path: Path) -> None:
    attack = '<a href="javascript\\:alert(1)">x</a>'
    deck = DECK_YAML.replace("A *fixture* deck for tests. Not medical advice.", attack)
    cards = write_deck(
        tmp_path,
        deck=deck,
        topics={"t.yaml": f"topic: t\ntitle: T\ncards:\n  - id: a\n    front: Q\n    back: '{attack}'\n"},
    )
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        f"{cards / 't.yaml'}:6:11: error: card 'a': unsafe HTML: 'javascript:' URL in <a href> is not allowed; remove it"
        in result.output
    )
    assert (
        f"{cards / 'deck.yaml'}: error: deck description: unsafe HTML: 'javascript:' URL in <a href> is not allowed; remove it"
        in result.output
    )
    assert not (tmp_path / "output" / "fixture-deck.apkg").exists()


# ------------------------------------------------------------------ attacks through MathJax

MATH_ATTACKS = [
    r"\(\style{position:fixed;inset:0;opacity:0}{\href{javascript:alert(1)}{x}}\)",  # the issue's example
    r"\(\href{javascript:alert(1)}{x}\)",
    r"\(\class{card}{x}\)",
    r"\(\cssId{qa}{x}\)",
    r"\(\unicode[some font]{x41}\)",
    r"\(\require{html}\)",
    r"\[\mmlToken{mi}[href='javascript:alert(1)']{x}\]",
    r"\(\fcolorbox{red;position:fixed;inset:0}{white}{x}\)",
    r"\(\bbox[border:1px solid red;position:fixed;inset:0]{x}\)",
    r"$\href{javascript:alert(1)}{x}$",
    r"$$\style{position:fixed}{x}$$",
    r"\\(\href{javascript:alert(1)}{x}\\)",  # Markdown's escaped backslash still gives \( to MathJax
    r"&#92;(&#92;href{javascript:alert(1)}{x}&#92;)",  # entities decode to backslashes in the page
    r"\(\text{\href{javascript:alert(1)}{x}}\)",
    r"\begin{align}\href{javascript:alert(1)}{x}\end{align}",  # other MathJax configurations process environments
    "\\(\\h\u0000ref{x}{y}\\)".replace("\u0000", ""),
]


@pytest.mark.parametrize("attack", MATH_ATTACKS)
def test_math_attack_is_refused(attack: str) -> None:
    for rendered in (
        render_markdown(attack),
        render_markdown(attack, cloze=True),
        render_html(attack),
        render_html(attack, cloze=True),
    ):
        assert any(p.is_error and p.message.startswith("unsafe math:") for p in rendered.problems), (attack, rendered)


def yaml_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_math_attack_is_refused_by_build(tmp_path: Path) -> None:
    cards = write_deck(
        tmp_path,
        topics={
            "t.yaml": "topic: t\ntitle: T\ncards:\n"
            + "".join(f"  - id: m{i}\n    front: {yaml_quoted(a)}\n    back: A\n" for i, a in enumerate(MATH_ATTACKS))
        },
    )
    result = run("build", cards)
    assert result.exit_code == 1
    for i in range(len(MATH_ATTACKS)):
        assert f"card 'm{i}': unsafe math:" in result.output
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


# covering the card: boxes, paddings and shifts that lay math over the rest of the card (hostile review #13)
COVERING = [
    (
        r"\(\color{white}{\rule{3000px}{3000px}}\)",
        r"\rule: '3000px' is too large: a size in math is limited to 20em (about 320px)",
    ),
    (
        r"\(\kern-3000px x\)",
        r"\kern: '-3000px' is too large: a shift or a negative space in math is limited to 5em (about 80px)",
    ),
    (r"\(\kern{-3000px} x\)", r"\kern: '-3000px' is too large: a shift or a negative space"),
    (r"\(\raise{300px}{x}\)", r"\raise: '300px' is too large: a shift or a negative space"),
    (r"\(\lower 30em{x}\)", r"\lower: '30em' is too large: a shift or a negative space"),
    (
        r"\(\bbox[white,3000px]{x}\)",
        r"\bbox[white,3000px]: '3000px' is too large: a padding or border in math is limited to 20em",
    ),
    (r"\(\hspace*{25em}x\)", r"\hspace: '25em' is too large: a size in math is limited to 20em"),
    (r"\(\hspace{-6em}x\)", r"\hspace: '-6em' is too large: a shift or a negative space"),
    (r"\[a\\[50em] b\]", r"\\: '50em' is too large: a size"),
    (r"\(\rule[-40em]{1em}{1em}\)", r"\rule: '-40em' is too large: a shift or a negative space"),
    (r"\(\Space{1em}{30em}{0em}\)", r"\Space: '30em' is too large: a size"),
    (r"\(\rule{10cm}{1pt}\)", r"\rule: '10cm' is too large: a size"),
    (r"\(\kern--3000em x\)", r"\kern: '--3000em' is too large"),  # TeX reads every sign
    (r"\(\kern 3000true pt x\)", r"\kern: '3000true pt' is too large"),
    (r"\(\mathmakebox[3000px]{x}\)", r"\mathmakebox: '3000px' is too large"),
]


def test_negative_spaces_that_add_up_are_refused() -> None:
    """Nine \\kern-4em, each within the limit, move a white box over the question (the second hostile review)."""
    attack = r"\(" + r"\kern-4em" * 9 + r"\color{white}{\rule{19em}{19em}}\)"
    for rendered in (render_markdown(attack), render_html(attack)):
        assert [p.message for p in rendered.problems if p.is_error] == [
            "unsafe math: negative spaces and shifts add up to 36em in one formula; together they are limited to 5em "
            "(about 80px), so that math cannot cover the rest of the card; use fewer or smaller ones"
        ]
    assert not render_html(r"\(a - 100 mm \kern-1em x\kern-1em y \mkern-3mu\)").problems  # text, and small shifts


@pytest.mark.parametrize(("attack", "message"), COVERING)
def test_math_that_could_cover_the_card_is_refused(attack: str, message: str) -> None:
    for rendered in (render_markdown(attack), render_html(attack)):
        errors = [p.message for p in rendered.problems if p.is_error]
        assert errors and errors[0].startswith("unsafe math: " + message), (attack, errors)
        assert (
            errors[0].endswith("so that math cannot cover or push away the rest of the card; use a smaller value")
            or "bbox" in attack
        )


@pytest.mark.parametrize(
    "math",
    [
        r"\(\kern1em\hspace{2cm}\rule{5em}{.4pt}\)",
        r"\[a \\[2pt] b \\[-1em] c\]",
        r"\(a\mkern-3mu b\)",
        r"\(\bbox[yellow,5px]{x}\)",
        r"\(\raise.5ex\hbox{x}\)",
        r"\(\rule{20em}{0.4pt}\)",
    ],
)
def test_ordinary_sizes_and_shifts_are_fine(math: str) -> None:
    assert not render_markdown(math).problems and not render_html(math).problems


# the same with CSS that the allow-list lets through: allowed properties, sizes that cover the card
CSS_COVERING = [
    (
        '<span style="padding:3000px;background-color:white">x</span>',
        "unsafe HTML: the style 'padding:3000px' on <span>: '3000px' is too large: a length in a style is limited to 20em "
        "(about 320px), so that it cannot cover the rest of the card; use a smaller value",
    ),
    (
        '<span style="letter-spacing:-1000px">x</span>',
        "unsafe HTML: the style 'letter-spacing:-1000px' on <span>: '-1000px' is too large: a negative length in a style is "
        "limited to 5em (about 80px), so that it cannot cover the rest of the card; use a smaller value",
    ),
    (
        '<span style="vertical-align:-300px">x</span>',
        "unsafe HTML: the style 'vertical-align:-300px' on <span>: '-300px' is too large",
    ),
    (
        '<b style="border:3000px solid white">x</b>',
        "unsafe HTML: the style 'border:3000px solid white' on <b>: '3000px' is too large",
    ),
    (
        '<span style="padding:50%;background-color:white">x</span>',
        "unsafe HTML: the style 'padding:50%' on <span>: '50%' is too large",
    ),
    (
        '<span style="font-size:3000%">x</span>',
        "unsafe HTML: the style 'font-size:3000%' on <span>: '3000%' is too large",
    ),
    ('<span style="padding:60vw">x</span>', "unsafe HTML: the style 'padding:60vw' on <span>: '60vw' is too large"),
    (
        '<span style="font-size:100dvh">x</span>',
        "unsafe HTML: the style 'font-size:100dvh' on <span>: '100dvh' is too large",
    ),
    ('<span style="padding:30cqw">x</span>', "unsafe HTML: the style 'padding:30cqw' on <span>: '30cqw' is too large"),
    (
        '<span style="font-size:calc(100px * 100)">x</span>',
        "unsafe HTML: the style 'font-size:calc(100px * 100)' on <span>: 'calc()' computes a length deckgen cannot check; "
        "write the length itself",
    ),
    (
        '<span style="padding:1e4px">x</span>',
        "unsafe HTML: the style 'padding:1e4px' on <span>: '1e4px' has an exponent; write the number without one",
    ),
    (
        '<span style="color:red;padding:var(--x, 3000px)">x</span>',
        "unsafe HTML: the style 'padding:var(--x, 3000px)' on <span>: '3000px' is too large",
    ),
]


@pytest.mark.parametrize(("attack", "message"), CSS_COVERING)
def test_styles_that_could_cover_the_card_are_refused(attack: str, message: str) -> None:
    for rendered in (render_markdown(attack), render_html(attack)):
        errors = [p.message for p in rendered.problems if p.is_error]
        assert errors and errors[0].startswith(message), (attack, errors)


def test_ordinary_styles_of_real_decks_are_fine() -> None:
    """Lengths as shared decks write them (and Anki's night-mode colour variables)."""
    html = (
        '<span style="font-size:24px;color:#ff0000;padding:2px 4px;letter-spacing:0.1em;border:1px solid #ccc">a</span>'
        '<span style="font-family:Arial;line-height:150%;font-size:400%;vertical-align:-50%">b</span>'
        '<span style="color: var(--field-fg); font: 12px/1.5 sans-serif; border-radius: 50%">c</span>'
    )
    assert render_html(html).problems == ()


def _cloze_note(tmp_path: Path, anki: AnkiCollection, text: str) -> tuple[str, str]:
    """Import one note of a stock-like cloze note type written by genanki (deckgen's checks bypassed on purpose)
    and return (question, answer) of its first card as Anki renders them."""
    model = genanki.Model(
        1607392321,
        "Plain cloze",
        fields=[{"name": "Text"}],
        model_type=genanki.Model.CLOZE,
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
    )
    deck = genanki.Deck(2059400112, "Premise")
    deck.add_note(genanki.Note(model=model, fields=[text], guid="premise"))
    genanki.Package(deck).write_to_file(str(tmp_path / "premise.apkg"))
    anki.import_package(tmp_path / "premise.apkg")
    card = anki.col.get_card(anki.col.find_cards("")[0])
    return card.question(), card.answer()


def test_anki_joins_math_across_tags_in_cloze_text_and_deckgen_refuses_it(tmp_path: Path, anki: AnkiCollection) -> None:
    """Anki strips HTML tags between \\( and \\) when it renders cloze text: '\\hr<b></b>ef' becomes '\\href'."""
    text = r"{{c1::a}} \(\hr<b></b>ef{https://t.example}{x}\)"
    _, answer = _cloze_note(tmp_path, anki, text)
    assert r"\(\href{https://t.example}{x}\)" in answer  # the premise, shown by Anki itself
    assert "unsafe math: \\href is not allowed: it would put a link in the card; remove it" in [
        p.message for p in render_html(text, cloze=True).problems
    ]
    # outside cloze text MathJax reads '\hr' and 'ef' apart: no false alarm there
    assert not any(p.message.startswith("unsafe math") for p in render_html(text).problems)
    # in Markdown, math is TeX: '<b>' in it is text (&lt;b&gt;), which Anki keeps, so MathJax reads \hr
    assert [p.message for p in render_markdown(text, cloze=True).problems] == [
        f"math: \\hr is not a command of Anki's MathJax (did you mean '\\hbar'?); check the spelling (what math supports: {MATH_DOCS})"
    ]


def test_anki_writes_image_occlusion_text_into_attributes_and_deckgen_refuses_it(
    tmp_path: Path, anki: AnkiCollection
) -> None:
    text = '{{c1::image-occlusion:rect:left=x" autofocus onfocus="alert(1):top=1:width=2:height=3}}'
    question, _ = _cloze_note(tmp_path, anki, text)
    assert 'onfocus="alert(1)' in question  # the premise: Anki puts the text into an attribute unescaped
    for rendered in (render_markdown(text, cloze=True), render_html(text, cloze=True)):
        assert any(p.is_error and "image-occlusion" in p.message for p in rendered.problems)


def test_cloze_inside_an_attribute_breaks_the_page_and_deckgen_refuses_it(tmp_path: Path, anki: AnkiCollection) -> None:
    text = '<span title="{{c1::secret}}">hover</span>'
    question, _ = _cloze_note(tmp_path, anki, text)
    assert 'title="<span class="cloze"' in question  # Anki's cloze HTML lands inside the attribute
    rendered = render_markdown(text, cloze=True)
    assert [p.message for p in rendered.problems if p.is_error] == [
        "cloze deletion inside the 'title' attribute of <span> ('{{c1::secret}}'): Anki would write its cloze HTML "
        "into the attribute; keep the deletion out of HTML attributes (and image descriptions)"
    ]


def test_image_occlusion_shapes_of_numbers_are_kept() -> None:
    """What Anki's own image-occlusion editor writes passes; only values that could leave the attribute are refused."""
    from deckgen.render import render_html

    text = "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}{{c2::image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=.1}}"
    rendered = render_html(text, cloze=True)
    assert not rendered.problems and rendered.html == text
