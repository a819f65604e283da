"""Fields of a deck's own note type, checked where and how its templates show them (field_rules.py,
template_html.py, anki_filters.py): the hostile review's #3 (furigana filters), #5 (a placeholder inside an
attribute or a <script>) and #6 (math in the text Anki produces). Each hostile value is refused with its exact
message and place; benign values are built; one test shows in the real Anki backend why the rules matter."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest

from tests.conftest import AnkiCollection, run, write_deck


def yq(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def build(tmp_path: Path, front: str, fields: dict[str, str], tags: str = "[t1]") -> tuple[int, list[str], Path]:
    """Build a deck with one note type (``front``; back '{{FrontSide}}') and one card; (exit code, output lines, cards)."""
    deck = (
        "key: fr\nname: F\ndescription: d\nnote_types:\n  w:\n    name: W\n    fields: ["
        + ", ".join(fields)
        + "]\n    templates:\n      - name: Card 1\n        front: "
        + yq(front)
        + "\n        back: '{{FrontSide}}'\n"
    )
    topic = f"topic: t\ntitle: T\ncards:\n  - id: c\n    type: w\n    tags: {tags}\n    fields:\n" + "".join(
        f"      {k}: {yq(v)}\n" for k, v in fields.items()
    )
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": topic})
    result = run("build", cards)
    return result.exit_code, result.output.splitlines(), cards


FURIGANA_ATTACK = '<img src="broken.png" title="x[ onerror=document.body.dataset.pwned=1 q]">'
FURIGANA = (
    "field 'Reading' is shown through '{{furigana:Reading}}': Anki's furigana filter reads the field's HTML as text "
    "(its pattern 'base[reading]' can cut a tag or an attribute apart), so the field may hold no HTML tags and no "
    "'\"'; write it as plain text, e.g. 漢字[かんじ]"
)
ATTR = (
    "where Anki inserts the text as it is and a double quote would end the attribute (and a tag would show as text): "
    "remove '\"' from the {what}, or move '{{{{{key}}}}}' out of it in the template"
)
SCRIPT = (
    "where Anki inserts the text as it is and a quote, '<', '>', '&', backslash, backtick, '$' or line break could "
    "end the script's string and run the rest as code: remove '\"' from the {what}, or move '{{{{text:Word}}}}' out "
    "of it in the template"
)
HREF = '<a href="https://jisho.org/search/{{Word}}">{{Word}}</a>'

# (front template, fields, line:col of the error, message)
HOSTILE = [
    ("{{furigana:Reading}}", {"Reading": FURIGANA_ATTACK}, "8:16", FURIGANA),
    (
        "{{kana:Reading}}",
        {"Reading": FURIGANA_ATTACK},
        "8:16",
        FURIGANA.replace("{{furigana:", "{{kana:").replace("Anki's furigana", "Anki's kana"),
    ),
    (
        "{{kanji:Reading}}",
        {"Reading": '<img src="broken.png" title="x[y">]" onerror="document.body.dataset.pwned=1" <br>'},
        "8:16",
        FURIGANA.replace("{{furigana:", "{{kanji:").replace("Anki's furigana", "Anki's kanji"),
    ),
    (
        "{{kana:Reading}}",
        {"Reading": 'x[y]"'},
        "8:16",
        FURIGANA.replace("{{furigana:", "{{kana:").replace("Anki's furigana", "Anki's kana"),
    ),
    (
        HREF,
        {"Word": 'x" autofocus onfocus="document.body.dataset.pwned=1'},
        "8:13",
        "field 'Word' is shown inside the 'href' attribute of <a> by template 'Card 1' (front: "
        "'<a href=\"https://jisho.org/search/{{Word}}\">'), " + ATTR.format(what="field", key="Word"),
    ),
    (
        '<div title="{{Meaning}}">m</div>',
        {"Meaning": 'a" onmouseover="document.body.dataset.pwned=1'},
        "8:16",
        "field 'Meaning' is shown inside the 'title' attribute of <div> by template 'Card 1' (front: "
        "'<div title=\"{{Meaning}}\">'), " + ATTR.format(what="field", key="Meaning"),
    ),
    (
        '<script>var word = "{{text:Word}}"</script>',
        {"Word": 'x";document.body.dataset.pwned=1;"'},
        "8:13",
        "field 'Word' is shown inside a <script> element by template 'Card 1' (front: 'var word = \"{{text:Word}}\"'), "
        + SCRIPT.format(what="field"),
    ),
    (
        "{{text:Plain}}",
        {"Plain": "\\(\\hr<b></b>ef{javascript:alert(1)}{x}\\)"},
        "8:14",
        "field 'Plain' as Anki shows it through '{{text:Plain}}': unsafe math: \\href is not allowed: it would put a link "
        "in the card; remove it",
    ),
    (
        "{{A}}{{B}}",
        {"A": "\\(\\hr", "B": "ef{javascript:alert(1)}{x}\\)"},
        "8:10",
        "'{{A}}' and '{{B}}' stand side by side in template 'Card 1' (front), and MathJax reads their text as one: unsafe "
        "math: \\href is not allowed: it would put a link in the card; remove it",
    ),
]


@pytest.mark.parametrize(("front", "fields", "place", "message"), HOSTILE)
def test_hostile_field_is_refused(tmp_path: Path, front: str, fields: dict[str, str], place: str, message: str) -> None:
    code, lines, cards = build(tmp_path, front, fields)
    assert code == 1
    assert f"{cards / 't.yaml'}:{place}: error: card 'c': {message}" in lines, lines
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("tags", "front", "message"),
    [
        # a quote in a tag is refused wherever {{Tags}} is (the loader's tag rule), before the placement rule
        (
            "['a\"b']",
            '<div title="{{Tags}}">x</div>',
            "tag 'a\"b' contains '\"'; tags may not hold < > \" ' & (Anki shows {{Tags}} as HTML, so they could add markup "
            "to a card)",
        ),
        (
            "[a, b]",
            "<div class={{Tags}}>x</div>",
            "the note's tags are shown inside the 'class' attribute of <div> by template 'Card 1' (front: "
            "'<div class={{Tags}}>'), where Anki inserts the text as it is and a space, '=' or a quote would end the unquoted "
            "attribute value and start another one: remove a space from the tags, or move '{{Tags}}' out of it in the template",
        ),
    ],
)
def test_hostile_tags_in_an_attribute_are_refused(tmp_path: Path, tags: str, front: str, message: str) -> None:
    code, lines, cards = build(tmp_path, front, {"Word": "w"}, tags=tags)
    assert code == 1
    place = "6:12" if message.startswith("tag ") else "6:11"
    assert f"{cards / 't.yaml'}:{place}: error: card 'c': {message}" in lines, lines


@pytest.mark.parametrize(
    ("front", "fields"),
    [
        ("{{furigana:Reading}}<br>{{kana:Reading}} {{kanji:Reading}}", {"Reading": "漢字[かんじ]を 書[か]く"}),
        (HREF, {"Word": "漢字"}),
        ('<div title="{{Meaning}}">m</div>', {"Meaning": "a plain meaning, with commas"}),
        ('<script>var word = "{{text:Word}}"</script>', {"Word": "word"}),
        ('<div title="{{Tags}}">{{Word}}</div>', {"Word": "w"}),
        ("{{A}}{{B}}", {"A": "\\(x", "B": "+y\\)"}),
        ("{{text:Plain}}", {"Plain": "\\(a<b>b</b>\\)"}),
    ],
)
def test_benign_values_are_built(tmp_path: Path, front: str, fields: dict[str, str]) -> None:
    code, lines, _ = build(tmp_path, front, fields)
    assert code == 0, lines


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, name) for name, _ in attrs if name.startswith(("on", "autofocus"))]


def test_anki_turns_the_hostile_fields_into_event_handlers(tmp_path: Path, anki: AnkiCollection) -> None:
    """The premise in the real backend (deckgen's checks bypassed with genanki): the kana filter cuts the
    sanitized <img> apart, and the jisho link's attribute is ended by the field's quote."""
    model = genanki.Model(
        1607392339,
        "Premise W",
        fields=[{"name": "Reading"}, {"name": "Word"}],
        templates=[{"name": "Card 1", "qfmt": "{{kana:Reading}}" + HREF, "afmt": "{{FrontSide}}"}],
    )
    deck = genanki.Deck(2059400139, "Premise")
    deck.add_note(
        genanki.Note(
            model=model, fields=[FURIGANA_ATTACK, 'x" autofocus onfocus="document.body.dataset.pwned=1'], guid="p1"
        )
    )
    genanki.Package(deck).write_to_file(str(tmp_path / "premise.apkg"))
    anki.import_package(tmp_path / "premise.apkg")
    (cid,) = anki.col.find_cards("")
    parser = _Attributes()
    parser.feed(anki.col.get_card(cid).question())
    assert ("img", "onerror") in parser.found
    assert ("a", "autofocus") in parser.found and ("a", "onfocus") in parser.found


def test_anki_joins_the_math_that_each_field_splits(tmp_path: Path, anki: AnkiCollection) -> None:
    """The premise of #6 in the real backend: '{{text:Plain}}' removes the '<b></b>' that kept '\\hr' and 'ef' apart,
    and '{{A}}{{B}}' puts the two halves side by side: the page holds a whole '\\href{javascript:...}'."""
    model = genanki.Model(
        1607392340,
        "Premise M",
        fields=[{"name": "Plain"}, {"name": "A"}, {"name": "B"}],
        templates=[{"name": "Card 1", "qfmt": "{{text:Plain}}<br>{{A}}{{B}}", "afmt": "{{FrontSide}}"}],
    )
    deck = genanki.Deck(2059400140, "Premise")
    deck.add_note(
        genanki.Note(
            model=model,
            guid="p2",
            fields=["\\(\\hr<b></b>ef{javascript:alert(1)}{x}\\)", "\\(\\hr", "ef{javascript:alert(1)}{x}\\)"],
        )
    )
    genanki.Package(deck).write_to_file(str(tmp_path / "premise.apkg"))
    anki.import_package(tmp_path / "premise.apkg")
    (cid,) = anki.col.find_cards("")
    question = anki.col.get_card(cid).question()
    assert question.count("\\(\\href{javascript:alert(1)}{x}\\)") == 2, question


def test_a_placeholder_that_inserts_html_inside_an_attribute_is_a_template_error(tmp_path: Path) -> None:
    code, lines, cards = build(tmp_path, '<div title="{{hint:Word}}">x</div>', {"Word": "w"})
    assert code == 1
    assert lines[0] == (
        f"{cards / 'deck.yaml'}:10:29: error: note type 'w', template 'Card 1': '{{{{hint:Word}}}}' inserts "
        "HTML (the front side, cloze spans, a type-in box, a hint link or a play button), but here it is "
        "inside the 'title' attribute of <div>, where HTML breaks the page; move it out into the text"
    )


@pytest.mark.parametrize(
    ("front", "value", "refused"),
    [
        ('<a href="{{Word}}">w</a>', "javascript:document.body.dataset.pwned=1", "remove the scheme 'javascript:'"),
        ('<a href="{{Word}}">w</a>', "https://jisho.org/search/x", ""),
        ('<img src="{{Word}}">', "//evil.example/t.png", "remove '//' at the start (another host)"),
        ("<script>var n = {{Word}};</script>", "alert(1)", "remove '(' from the field"),
        ("<script>var n = {{Word}};</script>", "42", ""),
        ("<style>.card { color: {{Word}} }</style>", "red } body { background: url(x)", "remove '}' from the field"),
        # a field in a tag's attributes, outside a value, is a template error since the second hostile review (two
        # fields side by side spelled 'onerror'): test_template_shape.py
        (
            "<div {{Word}}>x</div>",
            "onclick",
            "a field in a tag's attributes, not in an attribute's value, would let the field "
            "write attributes of its own",
        ),
    ],
)
def test_placement_rules(tmp_path: Path, front: str, value: str, refused: str) -> None:
    code, lines, _ = build(tmp_path, front, {"Word": value})
    if refused:
        assert code == 1 and any(refused in line for line in lines), lines
    else:
        assert code == 0, lines
