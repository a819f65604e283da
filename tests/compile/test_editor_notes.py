"""Editor's notes: a card's note from the deck editor (not from the source document), kept apart from the
article-derived fields, citing a reference from the deck-level ``references`` list.

Covers the feature across loader (keys and types), compile (rendering into the frozen Source field, unknown
references), check (unused references), build (the reference list in the deck description) and diff."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import DECK_YAML, AnkiCollection, run, write_deck

LABEL = "Editor's note — not from the source article"
VDS = "van der Sluis IM, et al. Blinatumomab added to chemotherapy in infant lymphoblastic leukemia. N Engl J Med 2023;388(17):1572–1581."
REFERENCES = (
    "references:\n"
    f'  vandersluis-2023: "{VDS}"\n'
    '  locatelli-2022: "Locatelli F, et al. Blood Adv 2022;6(3):1004–1014. NCT02187354."\n'
)
DECK_WITH_REFS = DECK_YAML + REFERENCES  # references start on line 9 of deck.yaml

NOTED_TOPIC = """\
topic: infants
title: Infants
cards:
  - id: kmt2a-endpoints
    front: "Which outcomes improved?"
    back: "2-year DFS and OS"
    source: "Interfant-06研究表明"
    editor_note:
      text: "The result comes from a *single-arm* phase 2 study."
      ref: vandersluis-2023
  - id: rialto
    cloze: "MRD remission rate {{c1::92%}}"
    source: "MRD缓解率高达92%"
    editor_note: {text: "RIALTO is an expanded-access study.", ref: locatelli-2022}
  - id: plain
    front: "No note here?"
    back: "None"
    source: "普通"
"""


def topic(cards_yaml: str) -> str:
    return "topic: t\ntitle: T\ncards:\n" + cards_yaml


def check(tmp_path: Path, cards_yaml: str, deck: str = DECK_WITH_REFS) -> tuple[int, str]:
    cards = write_deck(tmp_path, deck=deck, topics={"t.yaml": topic(cards_yaml)})
    result = run("check", cards)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# --- the loader: keys and types, each error with its exact message and place ----------------------------------

CARD_ERRORS = [
    # (the card, expected problem after 'cards/t.yaml:')
    (
        '  - id: a\n    front: Q\n    back: A\n    editor_note: "just text"\n',
        "7:18: error: card 'a': editor_note: expected a mapping (key: value lines), got text",
    ),
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note:\n      ref: vandersluis-2023\n",
        "8:7: error: card 'a': editor_note: missing required key 'text'",
    ),
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: Note\n",
        "8:7: error: card 'a': editor_note: missing required key 'ref'",
    ),
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: 42\n      ref: vandersluis-2023\n",
        "8:13: error: card 'a': editor_note: 'text' must be text, got a number (42); put it in quotes: \"42\"",
    ),
    (
        '  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: ""\n      ref: vandersluis-2023\n',
        "8:13: error: card 'a': editor_note: 'text' is empty; give it a value or remove the key",
    ),
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: Note\n      ref: [vandersluis-2023]\n",
        "9:12: error: card 'a': editor_note: 'ref' must be text, got a list",
    ),
    (
        '  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: Note\n      ref: "Van der Sluis 2023"\n',
        "9:12: error: card 'a': editor_note: 'ref' must be a reference key (a slug) from 'references' in deck.yaml, got 'Van der Sluis 2023'",
    ),
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: Note\n      ref: vandersluis-2023\n      refs: x\n",
        "10:7: error: card 'a': editor_note: unknown key 'refs' (did you mean 'ref'?)",
    ),
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note: {text: Note, ref: vandersluis-2023, ref: locatelli-2022}\n",
        "7:54: error: card 'a': editor_note: duplicate key 'ref' (first at line 7); keep only one",
    ),
    # the reference must exist (resolved against deck.yaml's list when the card is compiled)
    (
        "  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: Note\n      ref: vandersluis-2032\n",
        "9:12: error: card 'a': editor_note cites unknown reference 'vandersluis-2032' (did you mean 'vandersluis-2023'?); "
        "add it to 'references' in deck.yaml or fix the key (known: locatelli-2022, vandersluis-2023)",
    ),
    # the note's text is Markdown held to the same allowlist as every field
    (
        '  - id: a\n    front: Q\n    back: A\n    editor_note:\n      text: "<script>alert(1)</script>"\n      ref: locatelli-2022\n',
        "8:13: error: card 'a': unsafe HTML: <script> is not allowed (Anki would run or load it); remove it",
    ),
]


@pytest.mark.parametrize(("cards_yaml", "expected"), CARD_ERRORS)
def test_card_editor_note_errors(tmp_path: Path, cards_yaml: str, expected: str) -> None:
    code, output = check(tmp_path, cards_yaml)
    assert code == 1, output
    assert f"cards/t.yaml:{expected}\n" in output


def test_unknown_reference_in_a_deck_without_references(tmp_path: Path) -> None:
    code, output = check(
        tmp_path,
        "  - id: a\n    front: Q\n    back: A\n    editor_note: {text: Note, ref: smith-2020}\n",
        deck=DECK_YAML,
    )
    assert code == 1
    assert (
        "cards/t.yaml:7:36: error: card 'a': editor_note cites unknown reference 'smith-2020'; "
        "add it to 'references' in deck.yaml or fix the key (deck.yaml has no 'references')\n"
    ) in output


DECK_ERRORS = [
    (
        "references: [vandersluis-2023]\n",
        "9:13: error: deck references: expected a mapping (key: value lines), got a list",
    ),
    ("references:\n", "9:12: error: deck references: expected a mapping (key: value lines), got nothing"),
    (
        "references:\n  smith-2020: 2020\n",
        "10:15: error: deck references: 'smith-2020' must be text, got a number (2020); put it in quotes: \"2020\"",
    ),
    (
        'references:\n  smith-2020: ""\n',
        "10:15: error: deck references: 'smith-2020' is empty; give it a value or remove the key",
    ),
    (
        'references:\n  Smith 2020: "Smith J. A paper."\n',
        "10:3: error: deck references: reference key 'Smith 2020' must be a slug; use lowercase letters, digits, '-' and '_' (e.g. 'smith-2023')",
    ),
    (
        'references:\n  smith-2020: "A."\n  smith-2020: "B."\n',
        "11:3: error: deck references: duplicate key 'smith-2020' (first at line 10); keep only one",
    ),
    (
        'references: !!omap [{smith-2020: "A."}]\n',
        "9:13: error: deck references: unsupported YAML tag '!!omap'; card files use plain YAML only",
    ),
]


@pytest.mark.parametrize(("references", "expected"), DECK_ERRORS)
def test_deck_reference_errors(tmp_path: Path, references: str, expected: str) -> None:
    code, output = check(tmp_path, "  - id: a\n    front: Q\n    back: A\n", deck=DECK_YAML + references)
    assert code == 1, output
    assert f"cards/deck.yaml:{expected}\n" in output


def test_build_refuses_an_unknown_reference_and_writes_nothing(tmp_path: Path) -> None:
    cards = write_deck(
        tmp_path, deck=DECK_WITH_REFS, topics={"t.yaml": NOTED_TOPIC.replace("ref: locatelli-2022", "ref: rialto-2022")}
    )
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        "cards/t.yaml:14:69: error: card 'rialto': editor_note cites unknown reference 'rialto-2022'" in result.output
    )
    assert not (tmp_path / "output").exists() and not (cards / "deckgen.lock").exists()


# --- check: a reference no card cites ---------------------------------------------------------------------------


def test_check_warns_on_a_reference_no_card_cites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    only_one = NOTED_TOPIC.replace(
        '    editor_note: {text: "RIALTO is an expanded-access study.", ref: locatelli-2022}\n', ""
    )
    cards = write_deck(tmp_path, deck=DECK_WITH_REFS, topics={"t.yaml": only_one})
    assert run("build", cards).exit_code == 0
    result = run("check", cards)
    assert result.exit_code == 0
    assert result.output == (
        "cards/deck.yaml:11:3: warning: reference 'locatelli-2022': no card's editor_note cites it; "
        "cite it (editor_note: {text: ..., ref: locatelli-2022}) or remove it\n"
        "checked 3 cards in 1 topics: 0 error(s), 1 warning(s)\n"
    )
    assert run("check", cards, "--strict").exit_code == 1
    cards_json = json.loads(run("check", cards, "--format", "json").output)
    assert [(p["rule"], p["severity"], p["line"]) for p in cards_json["problems"]] == [("reference", "warning", 11)]


def test_check_is_clean_when_every_reference_is_cited(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, deck=DECK_WITH_REFS, topics={"t.yaml": NOTED_TOPIC})
    assert run("build", cards).exit_code == 0
    result = run("check", cards, "--strict")
    assert result.exit_code == 0, result.output
    assert result.output == "checked 3 cards in 1 topics: 0 error(s), 0 warning(s)\n"


# --- what a learner sees: the real Anki import -----------------------------------------------------------------


class _Classes(HTMLParser):
    """For each element with a class: its class and the classes of the elements it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr", "img"):
            return
        cls = dict(attrs).get("class") or ""
        if cls:
            self.seen.append((cls, tuple(self.stack)))
        self.stack.append(cls)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "hr", "img") and self.stack:
            self.stack.pop()


def nesting(html: str) -> dict[str, tuple[str, ...]]:
    parser = _Classes()
    parser.feed(html)
    return dict(parser.seen)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S)).split())


def test_editor_note_reaches_anki_apart_from_the_source_quote(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = write_deck(tmp_path, deck=DECK_WITH_REFS, topics={"t.yaml": NOTED_TOPIC})
    result = run("build", cards)
    assert result.exit_code == 0, result.output
    log = anki.import_package(tmp_path / "output" / "fixture-deck.apkg")
    assert len(log.conflicting) == 0 and len(log.new) == 3
    # the frozen note types: no field was added for the note
    assert [f["name"] for f in anki.col.models.by_name("deckgen Q/A (optional reverse) · fixture-deck")["flds"]] == [
        "Front",
        "Back",
        "Reverse",
        "Extra",
        "Source",
        "Id",
    ]

    source = anki.note_by_id_field("kmt2a-endpoints")["Source"]
    assert source == (
        '<span class="dg-source-label">Source:</span><span class="dg-source-quote">Interfant-06研究表明</span>'
        '<div class="dg-citation">A fixture article, Test Press</div>'
        f'<div class="dg-editor-note"><div class="dg-editor-note-label">{LABEL}</div>'
        '<div class="dg-editor-note-text">The result comes from a <em>single-arm</em> phase 2 study.</div>'
        f'<div class="dg-editor-note-ref">Reference: {VDS}</div></div>'
    )
    assert "dg-editor-note" not in anki.note_by_id_field("plain")["Source"]

    # rendered by Anki: on the back, after the source quote and its citation, never on the front
    card = anki.col.get_card(anki.col.find_cards('"Id:kmt2a-endpoints"')[0])
    assert LABEL not in card.question()
    answer = card.answer()
    seen = text_of(answer)
    assert (
        seen.index("Interfant-06研究表明")
        < seen.index("A fixture article")
        < seen.index(LABEL)
        < seen.index("single-arm")
    )
    assert seen.endswith(f"{LABEL} The result comes from a single-arm phase 2 study. Reference: {VDS}")
    where = nesting(answer)
    assert "dg-source-quote" not in where["dg-editor-note"] and "dg-citation" not in where["dg-editor-note"]
    assert where["dg-editor-note-label"][-1] == "dg-editor-note"
    assert ".dg-editor-note {" in card.css()

    cloze = anki.col.get_card(anki.col.find_cards('"Id:rialto"')[0])
    assert LABEL not in cloze.question()
    assert (
        "RIALTO is an expanded-access study. Reference: Locatelli F, et al. Blood Adv 2022;6(3):1004–1014. NCT02187354."
        in text_of(cloze.answer())
    )


def test_references_are_listed_in_the_deck_description(tmp_path: Path, anki: AnkiCollection) -> None:
    deck = DECK_WITH_REFS + '  odd-1: "A <b>bold</b> & odd reference"\n'
    topics = {"t.yaml": NOTED_TOPIC.replace("ref: locatelli-2022}", "ref: odd-1}")}
    cards = write_deck(tmp_path, deck=deck, topics=topics)
    assert run("build", cards).exit_code == 0
    anki.import_package(tmp_path / "output" / "fixture-deck.apkg")
    desc = anki.col.decks.by_name("Fixture::Immunotherapy")["desc"]
    assert desc == (
        "A <em>fixture</em> deck for tests. Not medical advice.\n"
        "<p><b>References of the editor's notes</b> (not from the source article):</p>"
        f"<ol><li>{VDS}</li><li>Locatelli F, et al. Blood Adv 2022;6(3):1004–1014. NCT02187354.</li>"
        "<li>A &lt;b&gt;bold&lt;/b&gt; &amp; odd reference</li></ol>"
    )


def test_a_deck_without_references_keeps_its_description(tmp_path: Path, anki: AnkiCollection) -> None:
    cards = write_deck(tmp_path)
    assert run("build", cards).exit_code == 0
    anki.import_package(tmp_path / "output" / "fixture-deck.apkg")
    assert (
        anki.col.decks.by_name("Fixture::Immunotherapy")["desc"]
        == "A <em>fixture</em> deck for tests. Not medical advice."
    )


def test_editing_a_reference_updates_the_citing_notes_and_the_deck(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, deck=DECK_WITH_REFS, topics={"t.yaml": NOTED_TOPIC})
    assert run("build", cards, env={"SOURCE_DATE_EPOCH": "1700000000"}).exit_code == 0
    apkg = tmp_path / "output" / "fixture-deck.apkg"
    first = hashlib.sha256(apkg.read_bytes()).hexdigest()
    (cards / "deck.yaml").write_text(DECK_WITH_REFS.replace("NCT02187354.", "NCT02187354 (RIALTO)."), encoding="utf-8")
    result = run("build", cards, env={"SOURCE_DATE_EPOCH": "1700000100"})
    assert result.exit_code == 0
    assert "(0 new, 1 changed, 0 removed)" in result.output  # the one card citing it (the cache must not hide it)
    assert hashlib.sha256(apkg.read_bytes()).hexdigest() != first
    lock = json.loads((cards / "deckgen.lock").read_text(encoding="utf-8"))
    assert lock["cards"]["rialto"]["mod"] == 1700000100 and lock["cards"]["kmt2a-endpoints"]["mod"] == 1700000000
    assert lock["deck"]["mod"] == 1700000100  # the description lists the references


# --- diff: the note is reviewed like any other field -----------------------------------------------------------


def test_diff_shows_added_and_changed_editor_notes(git_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    cards = write_deck(
        root,
        deck=DECK_WITH_REFS,
        topics={
            "t.yaml": NOTED_TOPIC.replace(
                '    editor_note: {text: "RIALTO is an expanded-access study.", ref: locatelli-2022}\n', ""
            )
        },
    )
    git_repo("add", "-A")
    git_repo("commit", "-q", "-m", "deck")
    added = '  - id: added\n    front: "New?"\n    back: "Yes"\n    editor_note: {text: "Editor\'s words.", ref: vandersluis-2023}\n'
    (cards / "t.yaml").write_text(
        NOTED_TOPIC.replace("a *single-arm* phase 2", "a single-arm, phase 2") + added, encoding="utf-8"
    )
    (cards / "deck.yaml").write_text(
        DECK_WITH_REFS.replace("NCT02187354.", "NCT02187354 (RIALTO).") + '  new-1: "New reference."\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    result = run("diff", "main")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "**1 added, 2 changed, 0 removed** in 1 topic" in out
    assert (
        "#### Added `added` (question/answer)\n\n- **front:** New?\n- **back:** Yes\n"
        "- **editor_note:** Editor's words.\n- **editor_ref:** `vandersluis-2023`\n"
    ) in out
    assert (
        "#### Changed `kmt2a-endpoints`\n\n- **editor_note:** The result comes from a <del>\\*</del>single-arm<del>\\*</del><ins>,</ins> phase 2 study.\n"
        in out
    )
    assert (
        "### Deck settings\n\n"
        "- **references.locatelli-2022:** Locatelli F, et al. Blood Adv 2022;6(3):1004–1014. NCT02187354 <ins>(RIALTO)</ins>.\n"
        "- **references.new-1:** <ins>New reference.</ins>\n"
    ) in out
    assert (
        "#### Changed `rialto`\n\n- **editor_note:** <ins>RIALTO is an expanded-access study.</ins>\n"
        "- **editor_ref:** (none) → `locatelli-2022`\n"
    ) in out

    report = json.loads(run("diff", "main", "--format", "json").stdout)
    (topic,) = report["topics"]
    assert [(c["id"], c["editor_note"], c["editor_ref"]) for c in topic["added"]] == [
        ("added", "Editor's words.", "vandersluis-2023")
    ]
    assert {"field": "editor_ref", "old": "", "new": "locatelli-2022"} in topic["changed"][1]["fields"]
