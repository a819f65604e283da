"""SVG media: what a real XML parser finds in the file decides, not the extension. The hostile shapes are refused
with a message that names what was found; flags and maps as real decks have them pass."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deckgen.source.svg import MAX_SVG_BYTES, svg_problem
from tests.conftest import AnkiCollection, run, write_deck

FLAG = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="900" height="600" inkscape:version="1.0">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
    '<path id="star" d="M0,0 L10,10z"/></defs>'
    "<style>.a { fill: url(#g); }</style>"
    '<rect class="a" width="900" height="600" fill="url(\'#g\')"/>'
    '<use xlink:href="#star" x="5"/><use href="#star" y="5"/>'
    '<a href="#star"><text>Ünïcode &amp; text</text></a>'
    "</svg>"
)


def test_flags_as_real_decks_have_them_pass() -> None:
    assert svg_problem(FLAG.encode()) is None
    entity = '<!DOCTYPE svg [<!ENTITY ns_svg "http://www.w3.org/2000/svg">]><svg xmlns="&ns_svg;"/>'
    assert svg_problem(entity.encode()) is None  # Illustrator writes namespaces as plain entities


@pytest.mark.parametrize(
    ("svg", "found"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler attribute 'onload' on <svg>"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script> element"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div>x</div></foreignObject></svg>',
            "<foreignObject> element",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">1</h:script></svg>',
            "<script> element",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><p xmlns="http://www.w3.org/1999/xhtml">x</p></svg>',
            "<p> element",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<image xlink:href="https://example.com/x.png"/></svg>',
            "<image> refers to 'https://example.com/x.png'",
        ),
        ('<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#x"/></svg>', "<use> refers to 'other.svg#x'"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
            "<a> refers to 'javascript:alert(1)'",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>',
            "<image> refers to 'data:image/svg+xml",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://e.com/p.svg#a)"/></svg>',
            "loads 'https://e.com/p.svg#a' through url()",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://e.com/x.css";</style></svg>',
            "imports other CSS",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url( "//e.com/a" ) }</style></svg>',
            "loads '//e.com/a' through url()",
        ),
        (
            '<?xml-stylesheet href="https://e.com/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "<?xml-stylesheet?>",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
            "animation <set> that changes 'href'",
        ),
        (
            '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "external or parameter entity 'x'",
        ),
        (
            '<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
            "entity 'b' that holds markup or other entities",
        ),
        ('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not a well-formed SVG"),
    ],
)
def test_what_could_run_or_load_is_refused(svg: str, found: str) -> None:
    problem = svg_problem(svg.encode())
    assert problem is not None and found in problem, problem


_S = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:x">'


@pytest.mark.parametrize(
    ("svg", "found"),
    [
        # hostile-import H6: CSS processes escapes before it recognises url(/@import (a browser loads each of these
        # when the SVG is opened as a document); a pattern on the raw text missed them
        (_S + r"<style>rect { fill: u\72l(https://e.example/a) }</style></svg>", "loads 'https://e.example/a'"),
        (_S + r'<rect style="fill: u\72l(https://e.example/a)"/></svg>', "loads 'https://e.example/a'"),
        (_S + r'<style>@\69mport "https://e.example/x.css";</style></svg>', "imports other CSS"),
        (_S + '<rect style="cursor: image-set(&quot;https://e.example/c.png&quot; 1x)"/></svg>', "e.example/c.png"),
        (_S + "<style>a { cursor: -webkit-image-set('//e.example/c.png' 1x) }</style></svg>", "e.example/c.png"),
        (_S + r'<rect><set attributeName="fill" to="u\72l(https://e.example/s)"/></rect></svg>', "e.example/s"),
        # a nested element splits the style's text; the browser joins its direct text: 'url(...)', '@import'
        (_S + "<style>rect { fill: u<x:style/>rl(https://e.example/j) }</style></svg>", "e.example/j"),
        (_S + '<style>@im<x:style/>port "https://e.example/i.css";</style></svg>', "imports other CSS"),
        # a comment is a comment only outside strings and url(): '/*' in a string hides nothing
        (
            _S + '<style>a::after{content:"/*"} rect{fill:url(https://e.example/c)} b{content:"*/"}</style></svg>',
            "e.example/c",
        ),
    ],
)
def test_css_urls_are_found_as_a_browser_tokenizes_them(svg: str, found: str) -> None:
    problem = svg_problem(svg.encode())
    assert problem is not None and found in problem, problem


def test_css_that_loads_nothing_passes() -> None:
    svg = (
        _S + "<style>@namespace svg url(http://www.w3.org/2000/svg); /* from https://e.example/ */"
        ' rect { fill: url(#g); font-family: "https://not-a-url" }</style>'
        '<rect style="fill:url( #g )" transform="translate(1,2) rotate(3)"/></svg>'
    )
    assert svg_problem(svg.encode()) is None


def test_size_is_bounded_and_checking_is_linear() -> None:
    rects = b'<rect width="1"/>' * ((MAX_SVG_BYTES - 100) // 17)
    largest = b'<svg xmlns="http://www.w3.org/2000/svg">' + rects + b"</svg>"
    assert len(largest) <= MAX_SVG_BYTES
    started = time.process_time()
    assert svg_problem(largest) is None
    assert time.process_time() - started < 5  # about 0.3 s here: expat is linear
    problem = svg_problem(largest + b" " * 100)
    assert problem is not None and f"over the {MAX_SVG_BYTES:,}-byte limit for an SVG" in problem


DECK = "key: fl\nname: Flags\ndescription: d\n"


def test_a_checked_svg_ships_and_anki_shows_it(tmp_path: Path, anki: AnkiCollection) -> None:
    topic = 'topic: t\ntitle: T\ncards:\n  - id: ch\n    front: "![flag](media/ch.svg)"\n    back: Switzerland\n'
    cards = write_deck(tmp_path, deck=DECK, topics={"t.yaml": topic})
    (cards / "media").mkdir()
    (cards / "media" / "ch.svg").write_text(FLAG, encoding="utf-8")
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    anki.import_package(tmp_path / "output" / "fl.apkg")
    card = anki.col.get_card(anki.col.find_cards("")[0])
    assert card.question().endswith('<img src="ch.svg" alt="flag">')
    assert (Path(anki.col.media.dir()) / "ch.svg").read_text(encoding="utf-8") == FLAG


def test_a_hostile_svg_stops_the_build_at_its_place(tmp_path: Path) -> None:
    topic = 'topic: t\ntitle: T\ncards:\n  - id: ch\n    front: "![flag](media/ch.svg)"\n    back: Switzerland\n'
    cards = write_deck(tmp_path, deck=DECK, topics={"t.yaml": topic})
    (cards / "media").mkdir()
    (cards / "media" / "ch.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        f"{cards / 'media' / 'ch.svg'}: error: is an SVG that has an event handler attribute 'onload' on <svg>; "
        "deckgen ships an SVG only if it cannot run script or load a file"
    ) in result.output, result.output
    assert not (tmp_path / "output").exists()


def test_css_of_a_hostile_svg_is_read_in_bounded_time() -> None:
    """Every open bracket is an object in the CSS tokenizer's tree: 2 MB of '(' took 12 s and 600 MB, so deeper
    than MAX_CSS_NESTING is refused before it is tokenized; flat shapes are read in linear time."""
    for shape, refused in (("(", True), ("{[(", True), ("()", False), ('"', False), ("url(#a)", False)):
        body = shape * ((MAX_SVG_BYTES - 200) // len(shape) // (1 if refused else 4))  # flat: a quarter (CI time)
        data = f'<svg xmlns="http://www.w3.org/2000/svg"><style>{body}</style></svg>'.encode()
        started = time.process_time()
        problem = svg_problem(data)
        assert time.process_time() - started < 20, shape  # 0.6-1.5 s here
        assert (problem is not None and "nests CSS brackets more than 100 deep" in problem) == refused, problem
