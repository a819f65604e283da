"""The mistakes a new author makes first, each answered with its place and the fix that is right for it
(issue 17, item 4): indentation named as indentation, LaTeX in double quotes, single-brace cloze, misspelt media
names and TeX commands. Every one is an error: exit 1, and `build` writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MATH_DOCS, AnkiCollection, run, write_deck
from tests.source.test_media import PNG

DECK = """\
key: chem-deck
name: Chemistry
description: Organic chemistry.
note_types:
  vocab:
    name: Vocab
    fields: [Word, Reading, Meaning]
    templates:
      - name: Recognise
        front: "{{Word}}"
        back: "{{FrontSide}}<hr>{{Reading}} {{Meaning}}"
"""
HEAD = "topic: t\ntitle: T\ncards:\n"
VOCAB = "  - id: a\n    type: vocab\n    fields:\n"

CASES = [
    pytest.param(
        VOCAB + "      Word: 水\n    Reading: みず\n      Meaning: water\n",
        "cards/t.yaml:8:5: error: invalid YAML: 'Reading' is indented 4 spaces; the other fields of this card are "
        "at 6: indent it 6 spaces like them",
        id="field dedented",
    ),
    pytest.param(
        VOCAB + "      Word: 水\n        Reading: みず\n      Meaning: water\n",
        "cards/t.yaml:8:9: error: invalid YAML: 'Reading' is indented 8 spaces; the other fields of this card are "
        "at 6: indent it 6 spaces like them",
        id="field indented too far",
    ),
    pytest.param(
        VOCAB + "      Word: 水\n      Reading: みず\n     Meaning: water\n",
        "cards/t.yaml:9:6: error: invalid YAML: 'Meaning' is indented 5 spaces; the other fields of this card are "
        "at 6: indent it 6 spaces like them",
        id="last field dedented",
    ),
    pytest.param(
        "  - id: a\n    front: Ethanol\n   back: CH3CH2OH\n",
        "cards/t.yaml:6:4: error: invalid YAML: 'back' is indented 3 spaces; the other keys of this card are at 4: "
        "indent it 4 spaces like them",
        id="back at 3 spaces",
    ),
    pytest.param(
        "  - id: a\n    front: Ethanol\n      back: CH3CH2OH\n",
        "cards/t.yaml:6:7: error: invalid YAML: 'back' is indented 6 spaces; the other keys of this card are at 4: "
        "indent it 4 spaces like them",
        id="back at 6 spaces",
    ),
    pytest.param(
        "  - id: a\n    front: A\n    back: B\n - id: b\n   front: C\n   back: D\n",
        "cards/t.yaml:7:2: error: invalid YAML: the '-' of this item ('- id') is indented 1 space; the '-' of the "
        "items before it is at 2: indent it 2 spaces like them",
        id="card item dedented",
    ),
    pytest.param(
        "  - id: a\n    front: |\n      line one\n     line two\n      line three\n    back: B\n",
        "cards/t.yaml:7:6: error: invalid YAML: this line of the '|' block of 'front' (line 5) is indented 5 spaces, "
        "less than the block's first line (6), so YAML ends the block here; indent every line of the block by at "
        "least 6 spaces",
        id="dedented line in a block",
    ),
    pytest.param(
        "  - id: a\n    front: Ratio: 2 to 1\n    back: B\n",
        "cards/t.yaml:5:17: error: invalid YAML: mapping values are not allowed in this context; ': ' inside an "
        "unquoted value starts a new key: put the value in quotes",
        id="one value holding ': ' (quoting is the fix)",
    ),
    pytest.param(
        "  - id: a\n    front: What is\n      the ratio: 2 to 1?\n    back: B\n",
        "cards/t.yaml:6:16: error: invalid YAML: mapping values are not allowed in this context; 'the ratio: 2 to "
        "1?' continues the value on the line above, and its ': ' would start a key inside it: put the value in "
        "quotes (the whole value), or if it is a key of its own, indent it like the keys beside it",
        id="a value over two lines holding ': ' (not a misplaced key)",
    ),
    pytest.param(
        '  - id: a\n    front: Gibbs energy change\n    back: "$\\Delta G$"\n',
        "cards/t.yaml:6:13: error: invalid YAML: while parsing a quoted scalar found unknown escape character; "
        "'\\D' is not a YAML escape: inside double quotes a backslash starts an escape such as \\n. For LaTeX, write "
        "the value in single quotes ('$\\Delta G$') or as a '|' block, where a backslash is an ordinary character",
        id="LaTeX in double quotes",
    ),
    pytest.param(
        '  - id: a\n    cloze: "Ethanol is oxidised to {c1::acetaldehyde} by PCC"\n',
        "cards/t.yaml:5:12: error: card 'a': '{c1::acetaldehyde}' looks like a cloze with single braces; Anki "
        "needs two on each side: {{c1::acetaldehyde}}",
        id="single-brace cloze",
    ),
    pytest.param(
        '  - id: a\n    cloze: "{c1::PCC} stops at the {{c2::aldehyde}}"\n',
        "cards/t.yaml:5:12: error: card 'a': '{c1::PCC}' looks like a cloze with single braces; Anki needs two on "
        "each side: {{c1::PCC}}",
        id="single-brace c1 beside a c2 (was: cloze numbers skip c1)",
    ),
    pytest.param(
        "  - id: a\n    front: Which carbon?\n    back: Carbon #2 (the one bearing OH)\n",
        "cards/t.yaml:6:18: error: card 'a': the text after ' #' is a YAML comment, not part of 'back' ('Carbon #2 "
        "(the one bearing OH)' reads as 'Carbon'); put the value in quotes to keep it, or put the comment on a line "
        "of its own",
        id="' #' in an unquoted value",
    ),
    pytest.param(
        VOCAB + "      Word: 水\n      Meaning: water #noun\n",
        "cards/t.yaml:8:22: error: card 'a': the text after ' #' is a YAML comment, not part of 'fields.Meaning' "
        "('water #noun' reads as 'water'); put the value in quotes to keep it, or put the comment on a line of its "
        "own",
        id="' #' in a field of a note type",
    ),
    pytest.param(
        "  - id: a\n    front: Benzene ![ring](media/benzen.png)\n    back: C6H6\n",
        "cards/t.yaml:4:5: error: card 'a': image 'media/benzen.png' does not exist in cards/media (did you mean "
        "'media/benzene.png'?); add the file or fix the name",
        id="misspelt media name",
    ),
    pytest.param(
        "  - id: a\n    front: Gibbs\n    back: '$\\Delat G$'\n",
        "cards/t.yaml:6:11: error: card 'a': math: \\Delat is not a command of Anki's MathJax (did you mean "
        f"'\\Delta'?); check the spelling (what math supports: {MATH_DOCS})",
        id="misspelt TeX command",
    ),
]


@pytest.mark.parametrize("cards, expected", CASES)
def test_the_message_names_the_right_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = write_deck(tmp_path, deck=DECK, topics={"t.yaml": HEAD + cards})
    (folder / "media").mkdir()
    (folder / "media" / "benzene.png").write_bytes(PNG)
    result = run("check", "cards")
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert errors == [expected]
    assert result.exit_code == 1
    built = run("build", "cards")
    assert built.exit_code == 1
    assert expected in built.output.splitlines()
    assert built.output.splitlines()[-1] == "deckgen: 1 error(s); nothing was written"
    assert not (tmp_path / "output").exists() and not (folder / "deckgen.lock").exists()


def test_a_template_that_makes_no_card_for_a_note_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anki: AnkiCollection
) -> None:
    monkeypatch.chdir(tmp_path)
    deck = DECK.replace(
        '        back: "{{FrontSide}}<hr>{{Reading}} {{Meaning}}"\n',
        '        back: "{{FrontSide}}<hr>{{Reading}} {{Meaning}}"\n'
        '      - name: Produce\n        front: "{{Meaning}}"\n'
        '        back: "{{FrontSide}}<hr>{{Word}}"\n',
    )
    write_deck(tmp_path, deck=deck, topics={"t.yaml": HEAD + VOCAB + "      Word: 水\n      Reading: みず\n"})
    expected = (
        "cards/t.yaml:7:7: warning: card 'a': makes no 'Produce' card: the front of that template shows no field "
        "this note fills; fill Meaning (to make the card optional on purpose, wrap that front in "
        "{{#Meaning}}...{{/Meaning}})"
    )
    assert run("check", "cards").exit_code == 0
    strict = run("check", "--strict", "cards")
    assert strict.exit_code == 1 and expected in strict.output.splitlines()
    built = run("build", "cards")
    assert built.exit_code == 0 and expected in built.output.splitlines()
    anki.import_package(tmp_path / "output" / "chem-deck.apkg")
    assert [row[3] for row in anki.card_rows()] == [0]  # Anki made the 'Recognise' card only, as warned
    # a front wrapped in {{#Meaning}}...{{/Meaning}}: optional on purpose (Anki's idiom), no warning
    write_deck(
        tmp_path,
        deck=deck.replace('front: "{{Meaning}}"', 'front: "{{#Meaning}}{{Meaning}}{{/Meaning}}"'),
        topics={"t.yaml": HEAD + VOCAB + "      Word: 水\n      Reading: みず\n"},
    )
    assert "Produce" not in run("check", "cards").output


def test_naming_an_indentation_mistake_takes_bounded_time_on_hostile_input() -> None:
    """The diagnosis runs after every parse error; on a huge file or a huge line it must stay cheap (measured:
    0.05 s CPU for the largest here; the bound is generous for a loaded machine)."""
    import time

    from deckgen.source.indent import diagnose

    many = HEAD + "  - id: a\n    front: x\n    back: y\n" * 50_000 + "   back: z\n"
    wide = HEAD + "  - id: a\n    front: x\n" + ("    " + " " * 1_000_000 + "a b\n") * 3 + "   back: z\n"
    blocks = HEAD + "  - id: a\n    front: |\n" * 2_000 + "      x\n" * 100_000 + "     bad\n"
    for text, line in ((many, 150_003), (wide, 8), (blocks, 104_003)):
        start = time.process_time()
        found = diagnose(text, line)
        assert time.process_time() - start < 2.0
        if text is not blocks:
            assert found is not None and found[2].startswith("'back' is indented 3 spaces")
