"""Every problem the field renderer reports, through ``deckgen check``: the exact message at the field's place.

The YAML values are single-quoted, so a backslash is a backslash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from deckgen.errors import printable
from tests.conftest import DECK_YAML, HTML_DOCS, MATH_DOCS, run, write_deck


def check_output(tmp_path: Path, cards_yaml: str, *, deck: str = DECK_YAML) -> tuple[int, str, Path]:
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": "topic: t\ntitle: T\ncards:\n" + cards_yaml})
    media = cards / "media"
    media.mkdir()
    for name in ("a.mp3", "x.png"):
        (media / name).write_bytes(b"x")
    assert run("build", cards).exit_code in (0, 1)
    result = run("check", cards)
    return result.exit_code, result.output, cards / "t.yaml"


def qa(back: str) -> str:
    """A Q/A card whose back (line 6, column 11) is ``back``, and which uses both media files."""
    return f"  - id: a\n    front: Q\n    back: '{back}'\n    extra: '![x](media/x.png) [sound:a.mp3]'\n"


def front(text: str) -> str:
    """A Q/A card whose front (line 5, column 12) is ``text``."""
    return f"  - id: a\n    front: '{text}'\n    back: '![x](media/x.png) [sound:a.mp3]'\n"


def cloze(text: str) -> str:
    """A cloze card whose text (line 5, column 12) is ``text``."""
    return f"  - id: a\n    cloze: '{text}'\n    extra: '![x](media/x.png) [sound:a.mp3]'\n"


UNSAFE_MATH = [
    # MathJax's html extension, and its kin: links, CSS, classes, ids, data attributes
    ("href", "\\href{https://example.com}{x}", "it would put a link in the card"),
    ("style", "\\style{color:red}{x}", "it would add CSS, a class or an id to the card"),
    ("class", "\\class{card}{x}", "it would add CSS, a class or an id to the card"),
    ("cssId", "\\cssId{qa}{x}", "it would add CSS, a class or an id to the card"),
    ("data", "\\data{a=b}{x}", "it would add CSS, a class or an id to the card"),
    ("unicode", "\\unicode[Comic Sans]{x41}", "it can load a font and insert any character"),
    ("require", "\\require{physics}", "it loads MathJax extensions"),
    (
        "mmlToken",
        '\\mmlToken{mi}[href="javascript:alert(1)"]{x}',
        "it can give MathML elements any attribute (href, style, class)",
    ),
    ("eqref", "\\eqref{x}", "it would put a link in the card"),
    ("toggle", "\\toggle{a}{b}\\endtoggle", "it makes an interactive element"),
    ("mathtip", "\\mathtip{a}{b}", "it makes an interactive element"),
    ("newcommand", "\\newcommand{\\x}{y}", "it defines a macro that would stay defined on the learner's other cards"),
    ("def", "\\def\\x{y}", "it defines a macro that would stay defined on the learner's other cards"),
    ("let", "\\let\\x=\\alpha", "it defines a macro that would stay defined on the learner's other cards"),
    (
        "DeclareMathOperator",
        "\\DeclareMathOperator{\\tr}{tr}",
        "it defines a macro that would stay defined on the learner's other cards",
    ),
    (
        "definecolor",
        "\\definecolor{c}{rgb}{1,0,0}",
        "it defines a macro that would stay defined on the learner's other cards",
    ),
    ("mathtoolsset", "\\mathtoolsset{showonlyrefs}", "it changes MathJax settings for the learner's other cards"),
]


@pytest.mark.parametrize("name, tex, why", UNSAFE_MATH, ids=[u[0] for u in UNSAFE_MATH])
def test_unsafe_math_command_is_refused(tmp_path: Path, name: str, tex: str, why: str) -> None:
    code, output, path = check_output(tmp_path, front(f"\\({tex}\\)"))
    assert f"{path}:5:12: error: card 'a': unsafe math: \\{name} is not allowed: {why}; remove it" in output
    assert code == 1


def test_the_issues_mathjax_attack_is_refused_twice(tmp_path: Path) -> None:
    code, output, path = check_output(
        tmp_path, front("\\(\\style{position:fixed;inset:0;opacity:0}{\\href{javascript:alert(1)}{x}}\\)")
    )
    assert output.count(f"{path}:5:12: error: card 'a': unsafe math:") == 2
    assert (
        f"{path}:5:12: error: card 'a': unsafe math: \\style is not allowed: it would add CSS, a class or an id to the card; remove it"
        in output
    )
    assert (
        f"{path}:5:12: error: card 'a': unsafe math: \\href is not allowed: it would put a link in the card; remove it"
        in output
    )
    assert code == 1


RULES = [
    # (cards yaml, expected text after the path, exit code)
    (
        qa('<a href="javascript\\:alert(1)">x</a>'),
        ":6:11: error: card 'a': unsafe HTML: 'javascript:' URL in <a href> is not allowed; remove it",
        1,
    ),
    (
        qa('<a href="dir\\x.html">x</a>'),
        ":6:11: error: card 'a': link 'dir\\x.html' is neither a web address nor a plain relative link",
        1,
    ),
    (
        qa('<span style="position: fixed; inset: 0; color: red">x</span>'),
        ":6:11: error: card 'a': unsafe HTML: the CSS property 'position' on <span> could move it over the card or hide it; remove it",
        1,
    ),
    (
        qa('<div style="margin: -2em; color: red">x</div>'),
        ":6:11: warning: card 'a': CSS property 'margin' in a style attribute on <div> is not allowed and is removed "
        "(allowed: colours, fonts, text alignment, borders, padding)",
        0,
    ),
    (
        qa('<span style="background-image: url(https://t.example/p.gif)">x</span>'),
        ":6:11: error: card 'a': unsafe HTML: the style 'background-image: url(https://t.example/p.gif)' on <span> could load a file; remove it",
        1,
    ),
    (
        qa('<span style="color: u\\72l(x)">x</span>'),
        ":6:11: error: card 'a': unsafe HTML: the style 'color: u\\72l(x)' on <span> could load a file; remove it",
        1,
    ),
    (
        qa("![x](media/a?b.png)"),
        ":6:11: error: card 'a': media file name 'a?b.png' has characters that Anki does not allow in media file names (?); "
        "rename the file and its reference",
        1,
    ),
    (
        qa("![x](media/a:b.png)"),
        ":6:11: error: card 'a': media file name 'a:b.png' has characters that Anki does not allow in media file names (:); "
        "rename the file and its reference",
        1,
    ),
    (
        qa("[sound:b*.mp3]"),
        ":6:11: error: card 'a': media file name 'b*.mp3' has characters that Anki does not allow in media file names (*); "
        "rename the file and its reference",
        1,
    ),
    (
        qa("[sound:CON.mp3]"),
        ":6:11: error: card 'a': media file name 'CON.mp3' is a reserved Windows device name, which Anki renames; "
        "rename the file and its reference",
        1,
    ),
    (
        qa("[sound:e\u0301.mp3]"),
        ":6:11: error: card 'a': media file name 'e\u0301.mp3' is not in Unicode NFC form, which Anki renames (re-type its "
        "accents); rename the file and its reference",
        1,
    ),
    (
        qa("[sound:a\u00a0b.mp3]"),
        ":6:11: error: card 'a': media file name 'a\u00a0b.mp3' has a non-breaking space, which Anki turns into a space; "
        "rename the file and its reference",
        1,
    ),
    (
        qa("[sound:notes.]"),
        ":6:11: error: card 'a': media file name 'notes.' ends with a space or a dot, which Anki renames; rename the file and its reference",
        1,
    ),
    (
        qa(f"[sound:{'x' * 118}.mp3]"),
        f":6:11: error: card 'a': media file name '{'x' * 118}.mp3' is longer than 120 bytes, which Anki shortens; "
        "rename the file and its reference",
        1,
    ),
    (
        qa("[sound:a\U000e0080.mp3]"),
        ":6:11: error: card 'a': media file name 'a\U000e0080.mp3' has characters that Unicode does not assign, which Anki "
        "removes from media file names; rename the file and its reference",
        1,
    ),
    (
        qa("[x](ftp://t.example/f)"),
        ":6:11: error: card 'a': link scheme 'ftp:' is not allowed; use http, https or mailto",
        1,
    ),
    (
        qa("[sound:https://t.example/a.mp3]"),
        ":6:11: error: card 'a': sound 'https://t.example/a.mp3' is not a local file; put it in cards/media/ and write [sound:NAME]",
        1,
    ),
    (
        qa("[sound:media/a.mp3]"),
        ":6:11: error: card 'a': [sound:media/a.mp3] must name a file in cards/media/ by its name alone, e.g. [sound:a.mp3]",
        1,
    ),
    (qa("[sound:b.mp3]"), ":4:5: error: card 'a': media file 'media/b.mp3' does not exist in ", 1),
    (  # Anki shows the image it rendered (rslib/src/latex.rs names it); deckgen never lets a learner's Anki run LaTeX
        qa("[latex]\\input{/etc/passwd}[/latex]"),
        ":4:5: error: card 'a': image 'media/latex-"
        + hashlib.sha1(rb"\input{/etc/passwd}").hexdigest()
        + ".png' does not exist",
        1,
    ),
    (
        qa("[$]x^2[/$]"),
        f":4:5: error: card 'a': image 'media/latex-{hashlib.sha1(b'$x^2$').hexdigest()}.png' does not",
        1,
    ),
    (
        front("What is {{c1::x}}?"),
        ":5:12: warning: card 'a': cloze syntax '{{c1::' in a field that is not cloze text: Anki shows it as typed; "
        "make it a cloze card ('cloze:') to hide the answer",
        0,
    ),
    (
        cloze("![{{c1::heart}}](media/x.png) is {{c2::red}}"),
        ":5:12: error: card 'a': cloze deletion inside the 'alt' attribute of <img> ('{{c1::heart}}'): Anki would write its "
        "cloze HTML into the attribute; keep the deletion out of HTML attributes (and image descriptions)",
        1,
    ),
    (
        cloze('<span title="{{c1::x}}">y</span> {{c2::z}}'),
        ":5:12: error: card 'a': cloze deletion inside the 'title' attribute of <span> ('{{c1::x}}')",
        1,
    ),
    (
        cloze('{{c1::image-occlusion:rect:left=x" autofocus onfocus="alert(1)}}'),
        ":5:12: error: card 'a': '{{c1::image-occlusion:' (Anki's image occlusion) may hold only shapes and numbers "
        "(e.g. 'rect:left=.1:top=.2:width=.3:height=.1:oi=1'): Anki copies these values into HTML attributes without "
        "escaping them",
        1,
    ),
    (
        front("\\(\\fcolorbox{red;position:fixed}{white}{x}\\)"),
        ":5:12: error: card 'a': unsafe math: \\fcolorbox{red;position:fixed}: 'red;position:fixed' is not a colour; "
        "write a name (red), #rrggbb or [rgb]{1,0,0}",
        1,
    ),
    (
        front("\\(\\color[named]{red;x}{y}\\)"),
        ":5:12: error: card 'a': unsafe math: \\color{red;x}: 'red;x' is not a colour",
        1,
    ),
    (
        front("\\(\\color[cmyk]{0,1,1,0}{x}\\)"),
        ":5:12: error: card 'a': unsafe math: \\color[cmyk]: 'cmyk' is not a colour model; use rgb, RGB, gray or none",
        1,
    ),
    (
        front("\\(" + "".join(f"\\x{c} " for c in "abcdefghijklmnopqrstuvwxy") + "\\)"),
        ":5:12: error: card 'a': math: 4 more problems like these",
        1,
    ),  # 24 unknown (\\xi is a letter), 20 shown
    (
        front("\\(\\bbox[style:position:fixed]{x}\\)"),
        ":5:12: error: card 'a': unsafe math: \\bbox[style:position:fixed]: 'style:position:fixed' is not allowed; \\bbox takes "
        "a colour, a padding and a border (e.g. \\bbox[yellow,5px,border:1px solid red]{x}), not CSS styles",
        1,
    ),
    (
        front("\\(\\bbox[red,border:1px solid red;position:fixed]{x}\\)"),
        ":5:12: error: card 'a': unsafe math: \\bbox[red,border:1px solid red;position:fixed]: 'border:1px solid red;position:fixed' is not allowed",
        1,
    ),
    (
        front('\\(\\enclose{circle}[style="position:fixed"]{x}\\)'),
        ":5:12: error: card 'a': unsafe math: \\enclose options '[style=\"position:fixed\"]' are not allowed; use plain "
        "key=value pairs such as mathcolor=red",
        1,
    ),
    (
        front("\\(\\alpah + 1\\)"),
        ":5:12: error: card 'a': math: \\alpah is not a command of Anki's MathJax (did you mean '\\alpha'?); check the spelling (what math supports: "
        f"{MATH_DOCS})",
        1,
    ),
    (
        front("\\[\\begin{foo}x\\end{foo}\\]"),
        f":5:12: error: card 'a': math: environment 'foo' is not available in Anki's MathJax; what math supports: {MATH_DOCS}",
        1,
    ),
    (
        front("a \\(x + 1"),
        ":5:12: warning: card 'a': '\\(' starts math but has no matching '\\)', so Markdown shows '('; close the math, "
        "or write '(' without the backslash",
        0,
    ),
    (
        front("cost $ x_1 $ here"),
        ":5:12: warning: card 'a': '$ x_1 $' is not turned into math: a '$' followed or preceded by a space is a dollar sign; "
        "write $x_1$ or \\(x_1\\) for math, or \\$ for a dollar sign",
        0,
    ),
    (
        front("a" * 65_537),
        ":5:12: error: card 'a': field is 65,537 characters long; deckgen renders fields of up to 65,536 characters "
        "(a card shows one screen of text); split it into several cards",
        1,
    ),
    (
        qa("```klingon\n\n      x\n\n      ```"),
        ":6:11: warning: card 'a': code language 'klingon' is not known to Pygments, so the code block is shown without "
        "colours; see https://pygments.org/languages/ for the names",
        0,
    ),
    (
        qa("<marquee>x</marquee>"),
        f":6:11: error: card 'a': HTML tag <marquee> is not supported; use Markdown, or a tag from the list at {HTML_DOCS} "
        "(such as <span>, <div>, <sub>, <sup>, <ruby>, <table>)",
        1,
    ),
]


@pytest.mark.parametrize("cards_yaml, expected, code", RULES, ids=[r[1].split(": ", 2)[-1][:50] for r in RULES])
def test_rule(tmp_path: Path, cards_yaml: str, expected: str, code: int) -> None:
    exit_code, output, path = check_output(tmp_path, cards_yaml)
    assert f"{path}{printable(expected)}" in output  # shown as on a terminal: invisible characters escaped
    assert exit_code == code, output


def test_long_code_block_is_shown_uncoloured_with_a_warning(tmp_path: Path) -> None:
    body = "\\n".join(f"x{i} = {i}" for i in range(2500))
    cards = f"  - id: a\n    front: Q\n    back: \"```python\\n{body}\\n```\"\n    extra: '![x](media/x.png) [sound:a.mp3]'\n"
    code, output, path = check_output(tmp_path, cards)
    assert (
        f"{path}:6:11: warning: card 'a': code block longer than 20,000 characters is shown without colours" in output
    )
    assert code == 0, output


def test_deck_description_is_checked_like_a_field(tmp_path: Path) -> None:
    deck = DECK_YAML.replace(
        "A *fixture* deck for tests. Not medical advice.",
        '<a href="java&#9;script:alert(1)">x</a> \\(\\href{https://t.example}{y}\\) ![z](media/x.png)',
    )
    code, output, _ = check_output(tmp_path, qa("[sound:a.mp3]"), deck=deck)
    where = f"{tmp_path / 'cards' / 'deck.yaml'}: error: deck description:"
    assert f"{where} unsafe HTML: 'javascript:' URL in <a href> is not allowed; remove it" in output
    assert f"{where} unsafe math: \\href is not allowed: it would put a link in the card; remove it" in output
    assert (
        f"{where} the deck description cannot show images or sounds (Anki does not take media files along with a "
        "deck's description); remove them" in output
    )
    assert code == 1
    build = run("build", tmp_path / "cards")
    assert build.exit_code == 1 and "unsafe math: \\href" in build.output
