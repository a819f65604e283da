"""Templates whose HTML deckgen cannot place fields in are template errors (template_shape.py), and names Anki
shows raw ({{Type}}, {{Card}}) may not hold markup: the second hostile review's bypasses, each with the exact
input, refused at its place; the premise of the first shown with the real Anki backend."""

from __future__ import annotations

import json
from pathlib import Path

import genanki
import pytest

from deckgen.diff.code import EXTERNAL, css_code, template_code
from tests.conftest import AnkiCollection, run, write_deck


def yq(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def build(
    tmp_path: Path, front: str, fields: dict[str, str], *, name: str = "W", template: str = "Card 1"
) -> tuple[int, str, Path]:
    shown = json.dumps(front) if "\v" in front else yq(front)  # a control character needs YAML's double quotes
    deck = (
        f"key: fr\nname: F\ndescription: d\nnote_types:\n  w:\n    name: {yq(name)}\n    fields: ["
        + ", ".join(fields)
        + f"]\n    templates:\n      - name: {yq(template)}\n        front: "
        + shown
        + "\n        back: '{{FrontSide}}'\n"
    )
    topic = "topic: t\ntitle: T\ncards:\n  - id: c\n    type: w\n    fields:\n" + "".join(
        f"      {k}: {yq(v)}\n" for k, v in fields.items()
    )
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    result = run("build", cards)
    return result.exit_code, result.output, cards


SECTION = (
    "a section marker inside {where}: Anki removes the section before the page is read, so what the template "
    "shows as an attribute or code can become text or the other way round; put the section around the whole tag "
    "instead"
)
TAG_NAME = (
    "a field in the name of a tag would let the field choose the element (e.g. 'script'); write the element's "
    "name, and use a class for what varies"
)
OPAQUE = (
    "<{tag}> is not supported in templates: the browser reads its content by other rules than the rest of the "
    "page, so deckgen cannot check the fields in it"
)

# (front template, fields, column of the error in the front's line, message)
HOSTILE = [
    (
        "{{Word}}<{{Style}} class=note>{{Note}}</{{Style}}>",
        {"Word": "w", "Style": "script", "Note": "document.body.dataset.pwned=1"},
        9,
        TAG_NAME,
    ),
    ("<h{{Level}}>x</h1>{{Word}}", {"Word": "w", "Level": "1"}, 2, TAG_NAME),
    (
        '<img src=x alt="{{^B}}"{{/B}}>{{Word}}">',
        {"Word": '" onerror="document.body.dataset.pwned=1', "B": "b"},
        16,
        SECTION.format(where="an attribute value"),
    ),
    ("<img src=x {{#B}}onerror=alert(1){{/B}}>{{Word}}", {"Word": "w", "B": "b"}, 11, SECTION.format(where="a tag")),
    (
        '<script>{{#B}}</script><img alt="{{/B}}{{Word}}">',
        {"Word": "w", "B": "b"},
        8,
        SECTION.format(where="a <script> element"),
    ),
    (
        "<textarea><b title=\"</textarea><img src=x alt='{{Word}}' >\">w",
        {"Word": "x' onerror='document.body.dataset.pwned=3' y='"},
        0,
        OPAQUE.format(tag="textarea"),
    ),
    ("<title>{{Word}}</title>{{Word}}", {"Word": "w"}, 0, OPAQUE.format(tag="title")),
    ("<xmp>{{Word}}</xmp>", {"Word": "w"}, 0, OPAQUE.format(tag="xmp")),
    ("<noscript>{{Word}}</noscript>{{Word}}", {"Word": "w"}, 0, OPAQUE.format(tag="noscript")),
    (
        "<svg><![CDATA[x]]></svg>{{Word}}",
        {"Word": "w"},
        5,
        "a CDATA section is not supported in templates: deckgen cannot check the fields in it",
    ),
]


@pytest.mark.parametrize(("front", "fields", "col", "message"), HOSTILE)  # col: the offset in the front
def test_template_shapes_deckgen_cannot_check_are_refused(
    tmp_path: Path, front: str, fields: dict[str, str], col: int, message: str
) -> None:
    code, output, cards = build(tmp_path, front, fields)
    assert code == 1
    lines = (cards / "deck.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.lstrip().startswith("front: "))
    column = lines[line - 1].index("front: '") + len("front: '") + 1 + col  # (no quote before the offending place)
    assert f"{cards / 'deck.yaml'}:{line}:{column}: error: note type 'w', template 'Card 1': {message}" in output, (
        output
    )
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    "front",
    [
        '{{#B}}<b title="{{B}}">b</b>{{/B}}{{Word}}',  # a section around the whole tag
        "<script>{{^B}}document.title = 'no b';{{/B}}</script>{{Word}}",  # whole sections inside script (a real deck)
        '<div class="w">{{Word}}</div><style>{{#B}}.w{color:red}{{/B}}</style>',
    ],
)
def test_sections_around_tags_and_inside_code_are_fine(tmp_path: Path, front: str) -> None:
    code, output, _ = build(tmp_path, front, {"Word": "w", "B": "b"})
    assert code == 0, output


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            "name",
            "note type name 'NT <img src=x onerror=alert(1)>' contains '<', and a template shows it with {{Type}}, "
            "which Anki inserts as HTML; remove the character or the {{Type}}",
        ),
        (
            "template",
            "template name 'C<img src=x onerror=alert(1)>' contains '<', and a template shows it with {{Card}}, "
            "which Anki inserts as HTML; remove the character or the {{Card}}",
        ),
    ],
)
def test_names_anki_shows_raw_may_not_hold_markup(tmp_path: Path, where: str, message: str) -> None:
    kwargs = (
        {"name": "NT <img src=x onerror=alert(1)>"}
        if where == "name"
        else {"template": "C<img src=x onerror=alert(1)>"}
    )
    code, output, _ = build(tmp_path, "{{Word}} {{Type}} {{Card}}", {"Word": "w"}, **kwargs)
    assert code == 1
    assert f"error: note type 'w': {message}" in output, output
    code, output, _ = build(
        tmp_path / "ok", "{{Word}} {{Type}} {{Card}}", {"Word": "w"}, name="Vocab & grammar", template="Recognise (1)"
    )
    assert code == 0, output


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"name": "NT \\(\\href{javascript:alert(1)}{x}\\)"},
            "note type name 'NT \\(\\href{javascript:alert(1)}{x}\\)' contains '\\(', '\\(' starts or ends math for "
            "MathJax, which typesets math wherever a card shows {{Type}}, so \\href or \\style there could run a "
            "script or load a URL; remove the backslash (put math in a field)",
        ),
        (
            {"template": "C \\[x\\]"},
            "template name 'C \\[x\\]' contains '\\[', '\\[' starts or ends math for MathJax, which typesets math "
            "wherever a card shows {{Card}}, so \\href or \\style there could run a script or load a URL; remove the "
            "backslash (put math in a field)",
        ),
    ],
)
def test_names_anki_shows_raw_may_not_hold_math_delimiters(
    tmp_path: Path, kwargs: dict[str, str], message: str
) -> None:
    """MathJax typesets the text {{Type}}/{{Card}} put on the card; another backslash is fine."""
    code, output, _ = build(tmp_path, "{{Word}} {{Type}} {{Card}}", {"Word": "w"}, **kwargs)
    assert code == 1
    assert f"error: note type 'w': {message}" in output, output
    code, output, _ = build(
        tmp_path / "ok", "{{Word}} {{Type}} {{Card}}", {"Word": "w"}, name="C\\+\\+", template="a\\b"
    )
    assert code == 0, output


def test_names_no_template_shows_may_hold_any_character(tmp_path: Path, anki: AnkiCollection) -> None:
    """Ultimate Geography's 'Country > Capital', covid-19's 'Front <-> Back': names Anki lists as text and no
    template puts on the card (nor a section {{#Card}}, which shows nothing of the name)."""
    code, output, cards = build(
        tmp_path, "{{#Card}}{{Word}}{{/Card}}", {"Word": "w"}, name="Front <-> Back", template="Country > Capital"
    )
    assert code == 0, output
    anki.import_package(tmp_path / "output" / "fr.apkg")
    card = anki.col.get_card(anki.col.find_cards("")[0])
    assert card.template()["name"] == "Country > Capital"
    assert card.question().endswith(">w"), card.question()  # the name is nowhere on the card


def test_anki_lets_a_field_choose_the_element(tmp_path: Path, anki: AnkiCollection) -> None:
    """The premise of TAG_NAME: Anki fills '<{{Style}}>' with the field before the page is read."""
    model = genanki.Model(
        1607392399,
        "Tag name",
        fields=[{"name": "Style"}, {"name": "Note"}],
        templates=[{"name": "Card 1", "qfmt": "x<{{Style}} class=n>{{Note}}</{{Style}}>", "afmt": "y"}],
    )
    deck = genanki.Deck(2059400199, "Premise")
    deck.add_note(genanki.Note(model=model, fields=["script", "document.body.dataset.pwned=1"], guid="premise-tag"))
    genanki.Package(deck).write_to_file(str(tmp_path / "p.apkg"))
    anki.import_package(tmp_path / "p.apkg")
    question = anki.col.get_card(anki.col.find_cards("")[0]).question()
    assert "<script class=n>document.body.dataset.pwned=1</script>" in question


def test_urls_written_with_backslashes_are_external_in_the_diff() -> None:
    """URL parsers read '\\' as '/': '/\\evil.example' and CSS '\\5c\\5c evil.example' are '//evil.example'."""
    assert css_code('a { background: url("\\5c\\5c evil.example/t.png") }')[EXTERNAL] == 1
    assert template_code('<img src="/\\evil.example/x.png">')[EXTERNAL] == 1
    assert template_code('<img src="\\\\evil.example/x.png">')[EXTERNAL] == 1
    assert not template_code('<img src="x.png">') and not css_code(".a { content: '\\\\' }")


def test_an_entity_encoded_javascript_link_is_script_for_the_field_in_it(tmp_path: Path) -> None:
    """'<a href="&#106;avascript:{{Word}}">': the browser decodes the entity, so Word is script code there."""
    code, output, _ = build(tmp_path, '<a href="&#106;avascript:{{Word}}">{{Word}}</a>', {"Word": "alert(1)"})
    assert code == 1
    assert (
        "field 'Word' is shown inside the 'href' attribute of <a> by template 'Card 1' (front: "
        "'<a href=\"&#106;avascript:{{Word}}\">'), where Anki inserts the text as it is and"
    ) in output, output


# --- the third hostile review: templates deckgen's reading and the browser's disagree on ---------------------

ATTACK = {"Word": "w", "Note": "x onerror=document.body.dataset.pwned=1"}
ROUND3 = [
    (
        "{{Word}}<style>.a{}<{{#Word}}{{/Word}}/style><img src=x alt={{Note}}></style>",
        "a section marker inside a <style> element",
    ),
    (
        "{{Word}}{{^Word}}<!{{/Word}}<img src=x alt='{{Note}}'>",
        "'<!' is not supported in templates: the browser reads it as a comment that ends elsewhere than it seems to",
    ),
    (
        "{{Word}}<svg><style><img title='</style>{{Note}}' src=x></style></svg>",
        "inside <svg> the browser reads <style>, <script> and comments by other rules than in HTML",
    ),
    ("{{Word}}<math><style>x</style></math>", "inside <math> the browser reads <style>, <script> and comments"),
    ("{{Word}}<!--><img src=x alt='-->{{Note}}'>", "'<!-->' is not supported in templates"),
    ("{{Word}}<!-- a --!><img src=x alt='-->{{Note}}'>", "'--!>' is not supported in templates"),
    ("{{Word}}<!-- open", "a comment '<!--' is not closed with '-->'"),
    (
        "{{Word}}<img src=x title='",
        "the template ends inside a tag, an attribute or a <script>/<style>: what follows it "
        "(the back after {{FrontSide}}) would be read as part of it; close it in the template",
    ),
    (
        "{{Word}}<img src=x alt='{{Type}}'>",
        "'{{Type}}' inside the 'alt' attribute of <img>: Anki inserts the name there as "
        "it is, and names are checked for text only; move it out into the text",
    ),
    ("{{Word}}<img src=x alt={{Subdeck}}>", "'{{Subdeck}}' inside the 'alt' attribute of <img>"),
    ("{{Word}}<div title='{{Card}} {{Deck}}'>x</div>", "'{{Card}}' inside the 'title' attribute of <div>"),
    ("<script><!--<script></script>{{Word}}", "'<!--' inside <script> is not supported in templates"),
    ('{{Word}}<img src=x {{Word}}{{Note}}="1">', "a field in a tag's attributes, not in an attribute's value"),
    ("{{Word}}<b>x</b {{Note}}>", "a field inside a closing tag is not supported"),
]


@pytest.mark.parametrize(("front", "message"), ROUND3)
def test_templates_the_browser_reads_otherwise_are_refused(tmp_path: Path, front: str, message: str) -> None:
    code, output, cards = build(tmp_path, front, dict(ATTACK))
    assert code == 1
    assert f"error: note type 'w', template 'Card 1': {message}" in output, output


def test_script_ends_only_where_the_browser_ends_it(tmp_path: Path) -> None:
    """'</script\\v>' does not end a script (the HTML standard's whitespace has no vertical tab): a field after it is
    script code, and held to the script rule."""
    code, output, _ = build(tmp_path, "<script>//</script\v>{{Note}}</script>{{Word}}", dict(ATTACK))
    assert code == 1
    assert "field 'Note' is shown inside a <script> element by template 'Card 1'" in output, output


def test_real_deck_shapes_stay_fine(tmp_path: Path) -> None:
    """A static SVG drawing, sections in a script with '<' elsewhere in it, comments written plainly."""
    front = (
        '<svg viewBox="0 0 30 30" height="2em"><circle cx="1" cy="6" r="15"/></svg><!-- note -->{{Word}}'
        "<script>for (let i = 0; i < 3; i++) {}\n{{^Note}}\ndocument.title = 'x';\n{{/Note}}</script>"
    )
    code, output, _ = build(tmp_path, front, {"Word": "w", "Note": "n"})
    assert code == 0, output
