"""deckgen's reading of Anki's template language, held against the real Anki backend."""

from __future__ import annotations

import itertools

import pytest

from deckgen.notetypes import language as templates
from tests.conftest import AnkiCollection

FIELDS = ("A", "B", "C")
FRONTS = [
    "{{A}}",
    "{{#B}}{{A}}{{/B}}",
    "{{^B}}{{A}}{{/B}}",
    "{{#A}}{{#B}}x{{/B}}{{/A}}",
    "{{text:C}}",
    "{{A}} {{B}}",
    "Static text only {{#C}}{{/C}}",
    "<!-- {{A}} -->{{B}}",
    "{{furigana:B}}",
    "{{#B}}{{^C}}{{A}}{{/C}}{{/B}}",
    "{{Tags}}",
]


def anki_ords(anki: AnkiCollection, front: str, values: dict[str, str], tags: str = "") -> set[int]:
    """The cards the real Anki backend generates for a note with ``values`` in a note type whose 2nd template has ``front``."""
    col = anki.col
    mm = col.models
    nt = mm.new(f"oracle {len(mm.all())}")
    for name in FIELDS:
        mm.add_field(nt, mm.new_field(name))
    for index, qfmt in enumerate(["{{A}}{{B}}{{C}}", front]):
        tmpl = mm.new_template(f"T{index}")
        tmpl["qfmt"], tmpl["afmt"] = qfmt, "{{FrontSide}}"
        mm.add_template(nt, tmpl)
    mm.add(nt)
    note = col.new_note(mm.by_name(nt["name"]))
    for name, value in values.items():
        note[name] = value
    if tags:
        note.tags = [tags]
    col.add_note(note, col.decks.id_for_name("Default") or 1)
    return {card.ord for card in note.cards()}


@pytest.mark.parametrize("front", FRONTS)
def test_cards_per_template_match_anki(anki: AnkiCollection, front: str) -> None:
    """For every combination of empty and non-empty fields, deckgen predicts exactly the cards Anki makes."""
    nodes = templates.parse(front)
    for filled in itertools.product([False, True], repeat=len(FIELDS)):
        if not any(filled):
            continue  # Anki refuses a note with no content at all
        values = {name: ("x" if on else "") for name, on in zip(FIELDS, filled, strict=True)}
        nonempty = {name for name, on in zip(FIELDS, filled, strict=True) if on}
        expected = anki_ords(anki, front, values) - {0}
        special = templates.SPECIAL_FIELDS - {"FrontSide", "Tags"}
        assert ({1} if templates.renders(nodes, nonempty | special) else set()) == expected, (front, values)


def test_field_is_empty_matches_anki() -> None:
    for html in ["", " ", "<br>", "<div></div>", "<br/>", "<div><br></div>", "\n<BR>\t"]:
        assert templates.field_is_empty(html), html
    for html in ["x", "<b></b>", "&nbsp;", "<img src=a.png>"]:
        assert not templates.field_is_empty(html), html


@pytest.mark.parametrize(
    "text, offset, message",
    [
        ("{{#A}}x", 0, "'{{#A}}' is never closed; add '{{/A}}'"),
        ("ab{{/A}}", 2, "'{{/A}}' closes a section that was never opened with '{{#A}}' or '{{^A}}'"),
        (
            "{{#A}}{{^B}}{{/A}}{{/B}}",
            12,
            "'{{/A}}' found where '{{/B}}' was expected (sections must close in the reverse order they open)",
        ),
        ("x {{A", 2, "'{{' is never closed with '}}'"),
        ("{{=<% %>=}}<%A%>", 0, "the legacy '{{=<% %>=}}' syntax is not supported; use {{Field}}"),
        ("{{#A}}" * 60, 300, "sections are nested more than 50 deep"),
    ],
)
def test_syntax_errors(text: str, offset: int, message: str) -> None:
    with pytest.raises(templates.TemplateSyntaxError) as caught:
        templates.parse(text)
    assert (caught.value.offset, caught.value.message) == (offset, message)


def test_handlebars_inside_comments_are_ignored_as_in_anki() -> None:
    assert templates.parse("<!-- {{#Nope}} -->{{A}}") == (templates.Replacement("A", (), 18),)


def test_hostile_templates_are_read_in_linear_time() -> None:
    import time

    start = time.process_time()
    for text in ("{{" * 200_000, "<!--" * 200_000, "{{a}}<!--x-->" * 100_000, "}}" * 200_000):
        try:
            templates.parse(text)
        except templates.TemplateSyntaxError:
            pass
    assert time.process_time() - start < 5  # quadratic scanning would take minutes


def test_legacy_req_matches_genanki_for_deckgens_qa_type() -> None:
    """genanki's own computation (which renders the template) and deckgen's (which reads it) agree where genanki works."""
    from deckgen.notetypes.builtin import QA_TYPE

    got = [templates.legacy_req(templates.parse(front), QA_TYPE.fields) for _, front, _ in QA_TYPE.templates]
    assert got == [["all", [0]], ["all", [1, 2]]]
    assert templates.legacy_req(templates.parse("{{furigana:B}}"), FIELDS) == ["all", [1]]
    assert templates.legacy_req(templates.parse("{{A}}{{B}}"), FIELDS) == ["any", [0, 1]]
    assert templates.legacy_req(templates.parse("static"), FIELDS) == ["none", []]
