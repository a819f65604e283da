"""``deckgen diff`` in real throwaway git repositories: exact Markdown, JSON, and usage errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import DECK_YAML, SECOND_TOPIC_YAML, run, write_deck

Git = Callable[..., str]

TABLE_HEAD = "| Topic | Added | Changed | Removed | Renamed |\n| --- | ---: | ---: | ---: | ---: |\n"
REMOVED_WARNING = (
    ": a package cannot delete notes, so learners keep it (and keep reviewing it) until they delete it themselves."
)


@pytest.fixture
def repo(git_repo: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/repo with the fixture deck committed on 'main'; the current directory is the repository."""
    root = tmp_path / "repo"
    write_deck(root)
    commit(git_repo, "fixture deck")
    monkeypatch.chdir(root)
    return root


def commit(git: Git, message: str) -> str:
    git("add", "-A")
    git("commit", "-q", "-m", message)
    return git("rev-parse", "HEAD").strip()


def short(git: Git, rev: str) -> str:
    return git("rev-parse", rev).strip()[:7]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diff(*args: str) -> str:
    result = run("diff", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


# --- Markdown, case by case ------------------------------------------------------------------------------------


def test_added_card(repo: Path, git_repo: Git) -> None:
    edit(
        repo / "cards" / "safety.yaml",
        '{{c1::fever}}."\n',
        '{{c1::fever}}."\n'
        "  - id: crs-grade\n    front: Which grade is CRS with hypotension?\n    back: Grade 2 or higher\n"
        "    tags: [grading]\n",
    )
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**1 added, 0 changed, 0 removed** in 1 topic\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `safety` | 1 | 0 | 0 | 0 |\n"
        "\n"
        "### `safety`: Safety\n"
        "\n"
        "#### Added `crs-grade` (question/answer)\n"
        "\n"
        "- **front:** Which grade is CRS with hypotension?\n"
        "- **back:** Grade 2 or higher\n"
        "- **tags:** `grading`\n"
    )


def test_changed_cards_show_word_level_changes_per_field(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    edit(basics, "Which blast fraction is", "Which cell share is")
    edit(basics, "**Below five percent** of BCR::ABL1 cells", "**Under five percent** of BCR::ABL1-positive cells")
    edit(basics, "tags: [numbers]", "tags: [numbers, cutoffs]")
    edit(basics, "    reverse: true\n", "")
    edit(basics, "{{c2::CD3}} on T cells.", "{{c2::CD3}} on T cells!")
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**0 added, 3 changed, 0 removed** in 1 topic\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `basics` | 0 | 3 | 0 | 0 |\n"
        "\n"
        "### `basics`: The basics\n"
        "\n"
        "#### Changed `threshold`\n"
        "\n"
        "- **front:** Which <del>blast fraction</del><ins>cell share</ins> is meant by &lt;5%?\n"
        "- **back:** \\*\\*<del>Below</del><ins>Under</ins> five percent\\*\\* of BCR::ABL1<ins>-positive</ins> cells\n"
        "- **tags:** `numbers`, <ins>`cutoffs`</ins>\n"
        "\n"
        "#### Changed `bite-abbreviation`\n"
        "\n"
        "- **reverse:** yes → no\n"
        "\n"
        "#### Changed `two-cloze`\n"
        "\n"
        "- **cloze:** Blinatumomab binds {{c1::CD19}} on B cells and {{c2::CD3}} on T cells<del>.</del><ins>!</ins>\n"
    )


def test_removed_card_is_listed_and_warned_about(repo: Path, git_repo: Git) -> None:
    (repo / "cards" / "safety.yaml").unlink()
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**0 added, 0 changed, 1 removed** in 1 topic\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        f"- **Removed card** `crs-fever`{REMOVED_WARNING} In Anki's browser, this search finds it: "
        '`"deck:Fixture::Immunotherapy" (Id:crs-fever)`\n'
        "\n"
        f"{TABLE_HEAD}"
        "| `safety` | 0 | 0 | 1 | 0 |\n"
        "\n"
        "### `safety`: Safety\n"
        "\n"
        "#### Removed `crs-fever` (cloze)\n"
        "\n"
        "- **cloze:** Mild CRS shows only {{c1::fever}}.\n"
    )


def test_renamed_card_is_paired_and_a_different_card_is_not(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    edit(basics, "id: two-cloze", "id: blinatumomab-targets")  # same text, new id: a rename
    edit(
        basics,
        "id: bite-abbreviation\n    front: BiTE\n    back: bispecific T-cell engager\n",
        "id: car-abbreviation\n    front: CAR\n    back: chimeric antigen receptor\n",
    )  # new id, other text
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**1 added, 0 changed, 1 removed, 1 renamed** in 1 topic\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        "- **Probable rename** `two-cloze` → `blinatumomab-targets` (question 100% similar): a new id is a new note, "
        "so learners start this card from scratch and keep the old one as well. Keep the old id unless the card now "
        "asks something else.\n"
        f"- **Removed card** `bite-abbreviation`{REMOVED_WARNING} In Anki's browser, this search finds it: "
        '`"deck:Fixture::Immunotherapy" (Id:bite-abbreviation)`\n'
        "\n"
        f"{TABLE_HEAD}"
        "| `basics` | 1 | 0 | 1 | 1 |\n"
        "\n"
        "### `basics`: The basics\n"
        "\n"
        "#### Added `car-abbreviation` (question/answer)\n"
        "\n"
        "- **front:** CAR\n"
        "- **back:** chimeric antigen receptor\n"
        "- **reverse:** yes\n"
        "\n"
        "#### Renamed `two-cloze` → `blinatumomab-targets` (probably)\n"
        "\n"
        "- no other changes\n"
        "\n"
        "#### Removed `bite-abbreviation` (question/answer)\n"
        "\n"
        "- **front:** BiTE\n"
        "- **back:** bispecific T-cell engager\n"
        "- **reverse:** yes\n"
    )


def test_rename_with_a_small_edit_shows_the_edit(repo: Path, git_repo: Git) -> None:
    safety = repo / "cards" / "safety.yaml"
    edit(
        safety,
        'id: crs-fever\n    cloze: "Mild CRS shows only {{c1::fever}}."',
        'id: crs-grade-1\n    cloze: "Mild CRS shows only {{c1::fever}}"',
    )
    out = diff("main")
    assert "- **Probable rename** `crs-fever` → `crs-grade-1` (question 99% similar): " in out
    assert out.endswith(
        "#### Renamed `crs-fever` → `crs-grade-1` (probably)\n\n- **cloze:** Mild CRS shows only {{c1::fever}}<del>.</del>\n"
    )


def test_card_moved_to_another_topic(repo: Path, git_repo: Git) -> None:
    (repo / "cards" / "safety.yaml").write_text("topic: safety\ntitle: Safety\ncards: []\n", encoding="utf-8")
    edit(
        repo / "cards" / "basics.yaml",
        "cards:\n",
        'cards:\n  - id: crs-fever\n    cloze: "Mild CRS shows only {{c1::fever}}."\n',
    )
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**0 added, 1 changed, 0 removed** in 1 topic\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `basics` | 0 | 1 | 0 | 0 |\n"
        "\n"
        "### `basics`: The basics\n"
        "\n"
        "#### Changed `crs-fever`\n"
        "\n"
        "- **topic:** `safety` → `basics`\n"
    )


def test_chinese_text_is_diffed_per_character(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    edit(basics, 'source: "基底原始细胞比例<5%的患儿"', 'source: "基底幼稚细胞比例<5%的儿童"')
    edit(basics, 'extra: "Chinese term: 基底原始细胞"', 'extra: "Chinese term: 原始细胞"')
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**0 added, 1 changed, 0 removed** in 1 topic\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `basics` | 0 | 1 | 0 | 0 |\n"
        "\n"
        "### `basics`: The basics\n"
        "\n"
        "#### Changed `threshold`\n"
        "\n"
        "- **extra:** Chinese term: <del>基底</del>原始细胞\n"
        "- **source:** 基底<del>原始</del><ins>幼稚</ins>细胞比例&lt;5%的<del>患</del>儿<ins>童</ins>\n"
    )


def test_card_text_cannot_break_the_comment_or_inject_html(repo: Path, git_repo: Git) -> None:
    nasty = "<img src=x onerror=alert(1)> *b* | `c` [l](http://x) ~~s~~ $x$ &lt; \\\\ _u_"
    edit(
        repo / "cards" / "safety.yaml",
        '{{c1::fever}}."\n',
        f'{{{{c1::fever}}}}."\n  - id: nasty\n    front: "{nasty}"\n    back: "one\\n\\n## two"\n    tags: ["a`b"]\n',
    )
    edit(repo / "cards" / "safety.yaml", "title: Safety", 'title: "<b>Safety</b>"')
    out = diff("main")
    assert out.endswith(
        "### `safety`: &lt;b&gt;Safety&lt;/b&gt;\n"
        "\n"
        "#### Added `nasty` (question/answer)\n"
        "\n"
        "- **front:** &lt;img src=x onerror=alert(1)&gt; \\*b\\* \\| \\`c\\` \\[l\\](http://x) \\~\\~s\\~\\~ \\$x\\$ "
        "&amp;lt; \\\\ \\_u\\_\n"
        "- **back:** one<br><br>## two\n"
        "- **tags:** ``a`b``\n"
    )


# --- revisions ----------------------------------------------------------------------------------------------------


def test_work_tree_and_two_commits(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    edit(basics, "back: bispecific T-cell engager", "back: bispecific T-cell engager (BiTE)")
    commit(git_repo, "expand BiTE")
    first, second = short(git_repo, "HEAD~1"), short(git_repo, "HEAD")
    edit(basics, "Which blast fraction", "Which blast share")  # uncommitted
    (repo / "cards" / "new.yaml").write_text(  # untracked
        "topic: extra-topic\ntitle: Extra\ncards:\n  - id: untracked\n    front: Q\n    back: A\n", encoding="utf-8"
    )

    committed = diff("HEAD~1", "HEAD")
    assert committed == (
        f"## Deck changes: `HEAD~1` ({first}) → `HEAD` ({second})\n"
        "\n"
        "**0 added, 1 changed, 0 removed** in 1 topic\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `basics` | 0 | 1 | 0 | 0 |\n"
        "\n"
        "### `basics`: The basics\n"
        "\n"
        "#### Changed `bite-abbreviation`\n"
        "\n"
        "- **back:** bispecific T-cell engager <ins>(BiTE)</ins>\n"
    )
    assert diff("HEAD~1", "main") == committed.replace("`HEAD` (", "`main` (")
    assert diff(first, second) == committed.replace(f"`HEAD~1` ({first})", f"`{first}`").replace(
        f"`HEAD` ({second})", f"`{second}`"
    )

    uncommitted = diff("HEAD")
    assert uncommitted.startswith(
        f"## Deck changes: `HEAD` ({second}) → working tree\n\n**1 added, 1 changed, 0 removed** in 2 topics\n"
    )
    assert "Which blast <del>fraction</del><ins>share</ins> is" in uncommitted
    assert "#### Added `untracked` (question/answer)" in uncommitted
    assert "bite-abbreviation" not in uncommitted

    both = diff("HEAD~1")
    assert "**1 added, 2 changed, 0 removed** in 2 topics" in both
    assert "#### Changed `bite-abbreviation`" in both and "#### Changed `threshold`" in both

    assert diff("HEAD", "HEAD") == f"No deck changes between `HEAD` ({second}) and `HEAD` ({second}).\n"


def test_nothing_changed_is_one_line(repo: Path, git_repo: Git) -> None:
    assert diff("main") == f"No deck changes between `main` ({short(git_repo, 'main')}) and the working tree.\n"


def test_cards_folder_is_relative_to_the_current_directory(
    repo: Path, git_repo: Git, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "docs").mkdir()
    monkeypatch.chdir(repo / "docs")
    expected = f"No deck changes between `main` ({short(git_repo, 'main')}) and the working tree.\n"
    assert diff("main", "--cards", "../cards") == expected
    result = run("diff", "main")
    assert result.exit_code == 2
    assert result.stderr == "deckgen: error: revision 'main' has no cards folder 'docs/cards/'\n"


# --- warnings -----------------------------------------------------------------------------------------------------


def test_deck_key_and_name_changes_are_warned_about(repo: Path, git_repo: Git) -> None:
    deck = repo / "cards" / "deck.yaml"
    edit(deck, "key: fixture-deck", "key: fixture-deck-v2")
    edit(deck, 'name: "Fixture::Immunotherapy"', 'name: "Fixture::Immune therapy"')
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**0 added, 0 changed, 0 removed**\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        "- **Deck key changed** `fixture-deck` → `fixture-deck-v2`: every note's identity comes from the deck key, so "
        "every card arrives as a new note. Learners get a second copy of the whole deck with no review history. Keep the "
        "old key unless this is meant to be a separate deck.\n"
        "- **Deck renamed** `Fixture::Immunotherapy` → `Fixture::Immune therapy`: learners' existing cards stay in the "
        "deck they are in (Anki does not move cards on import); only cards new to them go to the new deck, so they end "
        "up with two.\n"
        # the deck's own built-in note types: their ids come from the key (issue 17)
        "- **Note type id changed** `qa` `750225173348` → `66302739079`: Anki matches note types by id, so learners "
        "get a second note type and a second copy of every note of it.\n"
        "- **Note type id changed** `cloze` `223922958717` → `128500961294`: Anki matches note types by id, so "
        "learners get a second note type and a second copy of every note of it.\n"
        "\n"
        "### Deck settings\n"
        "\n"
        "- **key:** `fixture-deck` → `fixture-deck-v2`\n"
        "- **name:** Fixture::<del>Immunotherapy</del><ins>Immune therapy</ins>\n"
        "\n"
        "### Note types\n"
        "\n"
        "#### Changed note type `qa` (deckgen Q/A (optional reverse) · fixture-deck-v2)\n"
        "\n"
        "- **name:** `deckgen Q/A (optional reverse) · fixture-deck` → `deckgen Q/A (optional reverse) · fixture-deck-v2`\n"
        "- **id:** `750225173348` → `66302739079`\n"
        "\n"
        "#### Changed note type `cloze` (deckgen Cloze · fixture-deck-v2)\n"
        "\n"
        "- **name:** `deckgen Cloze · fixture-deck` → `deckgen Cloze · fixture-deck-v2`\n"
        "- **id:** `223922958717` → `128500961294`\n"
    )


def test_card_type_change_under_the_same_id_is_warned_about(repo: Path, git_repo: Git) -> None:
    edit(
        repo / "cards" / "basics.yaml",
        "id: bite-abbreviation\n    front: BiTE\n    back: bispecific T-cell engager\n    reverse: true\n",
        'id: bite-abbreviation\n    cloze: "BiTE: {{c1::bispecific T-cell engager}}"\n',
    )
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**0 added, 1 changed, 0 removed** in 1 topic\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        "- **Card type changed** `bite-abbreviation`: question/answer → cloze under the same id. Anki cannot change a "
        "note's type on import and skips the update; give the new card a new id.\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `basics` | 0 | 1 | 0 | 0 |\n"
        "\n"
        "### `basics`: The basics\n"
        "\n"
        "#### Changed `bite-abbreviation`\n"
        "\n"
        "- **kind:** question/answer → cloze\n"
        "- **front:** <del>BiTE</del>\n"
        "- **back:** <del>bispecific T-cell engager</del>\n"
        "- **reverse:** yes → no\n"
        "- **cloze:** <ins>BiTE: {{c1::bispecific T-cell engager}}</ins>\n"
    )


def test_note_type_change_recorded_in_the_lock_is_warned_about(repo: Path, git_repo: Git) -> None:
    assert run("build", "cards").exit_code == 0
    (repo / ".gitignore").write_text("output/\n", encoding="utf-8")
    commit(git_repo, "lock")
    lock = repo / "cards" / "deckgen.lock"
    data = json.loads(lock.read_text(encoding="utf-8"))
    old_hash = data["notetypes"]["qa"]["hash"]
    edit(lock, f'"hash": "{old_hash}"', '"hash": "0123456789abcdef0123"')  # as if a newer deckgen changed the template
    commit(git_repo, "new templates")
    assert diff("HEAD~1", "HEAD") == (
        f"## Deck changes: `HEAD~1` ({short(git_repo, 'HEAD~1')}) → `HEAD` ({short(git_repo, 'HEAD')})\n"
        "\n"
        "**0 added, 0 changed, 0 removed**\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        "- **Note type changed** `qa`: its hash in deckgen.lock differs between the revisions, so its fields, templates "
        "or styling changed (the lock cannot tell which). New templates and styling reach learners on import; a changed "
        "field or template name would make Anki skip the updates of every such note.\n"
    )
    # Without a lock at the base there is nothing to compare: no warning, and nothing else changed.
    assert diff("HEAD~2", "HEAD").startswith("No deck changes between ")


# --- JSON ---------------------------------------------------------------------------------------------------------


def test_json_report(repo: Path, git_repo: Git) -> None:
    basics = repo / "cards" / "basics.yaml"
    edit(basics, "back: bispecific T-cell engager", "back: bispecific engager")
    edit(basics, "id: two-cloze", "id: blinatumomab-targets")
    (repo / "cards" / "safety.yaml").unlink()
    result = run("diff", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    removed = {
        "id": "crs-fever",
        "kind": "cloze",
        "topic": "safety",
        "front": "",
        "back": "",
        "reverse": False,
        "cloze": "Mild CRS shows only {{c1::fever}}.",
        "extra": "",
        "source": "",
        "tags": [],
        "fields": {},
        "guid": None,
    }
    assert doc == {
        "base": {"revision": "main", "commit": git_repo("rev-parse", "main").strip(), "worktree": False},
        "head": {"revision": None, "commit": None, "worktree": True},
        "changed": True,
        "summary": {"added": 0, "changed": 1, "removed": 1, "renamed": 1, "topics": 2},
        "warnings": [
            {
                "type": "rename",
                "ids": ["two-cloze", "blinatumomab-targets"],
                "old": None,
                "new": None,
                "similarity": 1.0,
                "search": None,
                "message": "Probable rename 'two-cloze' → 'blinatumomab-targets' (question 100% similar): a new id is a new "
                "note, so learners start this card from scratch and keep the old one as well. Keep the old id "
                "unless the card now asks something else.",
            },
            {
                "type": "removed",
                "ids": ["crs-fever"],
                "old": None,
                "new": None,
                "similarity": None,
                "search": '"deck:Fixture::Immunotherapy" (Id:crs-fever)',
                "message": "Removed card 'crs-fever': a package cannot delete notes, so learners keep it (and keep reviewing "
                "it) until they delete it themselves. In Anki's browser, this search finds it: "
                "'\"deck:Fixture::Immunotherapy\" (Id:crs-fever)'",
            },
        ],
        "deck": [],
        "notetypes": [],
        "lock": {"changes": [], "future": [], "backwards": []},
        "media": {"added": [], "replaced": [], "removed": [], "skipped": None},
        "notetype_changes": [],
        "topics": [
            {
                "topic": "basics",
                "title": "The basics",
                "added": [],
                "removed": [],
                "changed": [
                    {
                        "id": "bite-abbreviation",
                        "fields": [
                            {
                                "field": "back",
                                "old": "bispecific T-cell engager",
                                "new": "bispecific engager",
                                "diff": [["equal", "bispecific "], ["delete", "T-cell "], ["equal", "engager"]],
                            },
                        ],
                    }
                ],
                "renamed": [{"old_id": "two-cloze", "new_id": "blinatumomab-targets", "fields": [], "similarity": 1.0}],
            },
            {"topic": "safety", "title": "Safety", "added": [], "changed": [], "renamed": [], "removed": [removed]},
        ],
    }


# --- errors -------------------------------------------------------------------------------------------------------


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_deck(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repository above tmp_path
    result = run("diff", "main")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == "deckgen: error: not in a git repository: the cards folder 'cards' is not inside a git work tree\n"
    )


@pytest.mark.parametrize("rev", ["nope", "main~5", "-x", "HEAD:cards"])
def test_unknown_revision(repo: Path, rev: str) -> None:
    for args in (("diff", "--", rev), ("diff", "--", "main", rev)):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        hint = "" if rev.startswith("-") else "; the branches here are main"
        assert result.stderr == f"deckgen: error: unknown revision '{rev}'{hint}\n"


def test_main_where_the_branch_is_master_names_the_branches(
    tmp_path: Path, git_repo: Git, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    write_deck(root)
    commit(git_repo, "fixture deck")
    git_repo("branch", "-m", "main", "master")
    git_repo("branch", "review")
    monkeypatch.chdir(root)
    result = run("diff", "main")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "deckgen: error: unknown revision 'main'; the branches here are master, review\n"


def test_revision_without_the_cards_folder(tmp_path: Path, git_repo: Git, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / "README.md").write_text("no deck yet\n", encoding="utf-8")
    commit(git_repo, "readme")
    write_deck(root)
    commit(git_repo, "deck")
    monkeypatch.chdir(root)
    result = run("diff", "HEAD~1")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "deckgen: error: revision 'HEAD~1' has no cards folder 'cards/'\n"
    result = run("diff", "HEAD", "--cards", "README.md")
    assert result.exit_code == 2
    assert result.stderr == "deckgen: error: revision 'HEAD' has no cards folder 'README.md/'\n"


def test_broken_deck_at_a_revision_is_reported_there(repo: Path, git_repo: Git) -> None:
    edit(repo / "cards" / "basics.yaml", "    front: BiTE\n", "    frnt: BiTE\n")
    commit(git_repo, "typo")
    result = run("diff", "HEAD~1", "HEAD")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "HEAD:cards/basics.yaml:10:5: error: card 'bite-abbreviation': missing required key 'front' (a question/answer "
        "card needs front and back)\n"
        "HEAD:cards/basics.yaml:11:5: error: card 'bite-abbreviation': unknown key 'frnt' (did you mean 'front'?)\n"
        "deckgen: 2 error(s); nothing was written\n"
    )


def test_deck_files_are_read_from_git_not_the_work_tree(repo: Path, git_repo: Git) -> None:
    (repo / "cards" / "deck.yaml").write_text(DECK_YAML.replace("key: fixture-deck", "key: BAD KEY"), encoding="utf-8")
    (repo / "cards" / "safety.yaml").write_text(SECOND_TOPIC_YAML.replace("fever", "rash"), encoding="utf-8")
    assert diff("main", "main").startswith("No deck changes between `main`")
    assert git_repo("status", "--porcelain") == " M cards/deck.yaml\n M cards/safety.yaml\n"


def test_git_missing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-folder"))
    result = run("diff", "main")
    assert result.exit_code == 2
    assert result.stderr == (
        "deckgen: error: git is not installed or not on PATH; deckgen diff needs git to read earlier revisions\n"
    )


def test_mentions_in_card_text_do_not_notify() -> None:
    from deckgen.diff.report import escape

    assert escape("ask @octocat") == "ask @\u2060octocat"


# --- changes a reader cannot see are shown as code points ------------------------------------------------------


def changed(old: str, new: str) -> str:
    from deckgen.diff.compare import FieldChange
    from deckgen.diff.report import inline_markdown

    return inline_markdown(FieldChange("front", old, new))


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("10", "1\u200b0", "<del>10</del><ins>1<code>U+200B</code>0</ins>"),
        ("10", "1\r0", "<del>10</del><ins>1<code>U+000D</code>0</ins>"),
        ("dose 10 mg", "dose \u202e10 mg", "dose <ins><code>U+202E</code></ins>10 mg"),
        ("10 mg", "10\u00a0mg", "10<del>␣</del><ins><code>U+00A0</code></ins>mg"),
        ("a\nb", "a\r\nb", "a<del>↵</del><ins>␍↵</ins>b"),
        ("café", "cafe\u0301", "<del>caf<code>U+00E9</code></del><ins>cafe<code>U+0301</code></ins>"),
        ("ﬁve", "five", "<del><code>U+FB01</code>ve</del><ins>five</ins>"),
    ],
)
def test_invisible_changes_are_visible(old: str, new: str, shown: str) -> None:
    assert changed(old, new) == shown


def test_invisible_characters_in_ids_and_tags_show_as_code_points() -> None:
    from deckgen.diff.report import code

    assert code("tag\u202eevil") == "`tag⟨U+202E⟩evil`"


def views(markdown: str) -> tuple[str, str]:
    """What a reader sees as the old and as the new text: the markup without the inserted (or deleted) parts."""
    import re

    old = re.sub(r"<ins>.*?</ins>", "", markdown, flags=re.S).replace("<del>", "").replace("</del>", "")
    new = re.sub(r"<del>.*?</del>", "", markdown, flags=re.S).replace("<ins>", "").replace("</ins>", "")
    return old, new


tricky = st.lists(
    st.sampled_from(
        [
            "1",
            "0",
            "a",
            " ",
            "\t",
            "\n",
            "\r",
            "\u200b",
            "\u200d",
            "\u202e",
            "\u2066",
            "\u00a0",
            "\u2028",
            "\ufeff",
            "\u0301",
            "é",
            "e",
            "\x1b",
            "ﬁ",
            "fi",
            "基",
        ]
    ),
    max_size=8,
).map("".join)


@given(tricky, tricky)
def test_a_real_change_never_looks_like_no_change(old: str, new: str) -> None:
    if old.strip() == new.strip():
        return
    before, after = views(changed(old.strip(), new.strip()))
    assert before != after


def test_an_added_card_with_a_given_guid_shows_it_and_is_warned_about(repo: Path, git_repo: Git) -> None:
    """Hostile review #9: a guid of another deck's note would overwrite that note in learners' Anki."""
    edit(
        repo / "cards" / "safety.yaml",
        '{{c1::fever}}."\n',
        '{{c1::fever}}."\n'
        "  - id: crs-grade\n    guid: 'Ot0&3xV!xq'\n    front: Which grade is CRS with hypotension?\n"
        "    back: Grade 2 or higher\n",
    )
    assert diff("main") == (
        f"## Deck changes: `main` ({short(git_repo, 'main')}) → working tree\n"
        "\n"
        "**1 added, 0 changed, 0 removed** in 1 topic\n"
        "\n"
        "### ⚠️ Warnings\n"
        "\n"
        "- **New card with a given guid** `crs-grade`: Anki matches notes by guid, so if a note of another deck has "
        "this guid, importing this deck overwrites that note in learners' Anki. Remove `guid:` (deckgen derives one "
        "from the deck key and the card id) unless the card comes from an existing Anki deck.\n"
        "\n"
        f"{TABLE_HEAD}"
        "| `safety` | 1 | 0 | 0 | 0 |\n"
        "\n"
        "### `safety`: Safety\n"
        "\n"
        "#### Added `crs-grade` (question/answer)\n"
        "\n"
        "- **guid:** `Ot0&3xV!xq`\n"
        "- **front:** Which grade is CRS with hypotension?\n"
        "- **back:** Grade 2 or higher\n"
    )


# --- media (second hostile review: a replaced image under an approved question was 'No deck changes') -----------


def test_replaced_added_and_removed_media_are_shown(repo: Path, git_repo: Git) -> None:
    media = repo / "cards" / "media"
    media.mkdir()
    (media / "ecg.png").write_bytes(b"\x89PNG\r\n\x1a\nfirst")
    (media / "old.png").write_bytes(b"\x89PNG\r\n\x1a\nold")
    base = commit(git_repo, "media")
    assert diff(base, "HEAD").startswith("No deck changes")
    (media / "ecg.png").write_bytes(b"\x89PNG\r\n\x1a\nsecond")  # same name, other picture
    (media / "old.png").unlink()
    (media / "new.png").write_bytes(b"\x89PNG\r\n\x1a\nnew")
    worktree = diff(base)  # the work tree: files hashed as git hashes them
    head = short(git_repo, commit(git_repo, "replace the ECG"))
    report = diff(base, "HEAD")
    for text in (worktree, report):
        assert (
            "- **Media file replaced** `ecg.png`: the file's content changed under the same name, so cards that show "
            "it change for learners while their text does not. Open the new file and check it before merging."
        ) in text
        assert "### Media\n\n- **Added:** `new.png`\n- **Replaced:** `ecg.png`\n- **Removed:** `old.png`\n" in text
    assert report.startswith(f"## Deck changes: `{base[:7]}` → `HEAD` ({head})\n\n**0 added, 0 changed, 0 removed**")
    document = json.loads(run("diff", base, "HEAD", "--format", "json").stdout)
    assert document["media"] == {"added": ["new.png"], "replaced": ["ecg.png"], "removed": ["old.png"], "skipped": None}
    assert document["changed"] is True


def test_work_tree_media_are_hashed_as_git_hashes_them(repo: Path, git_repo: Git) -> None:
    from deckgen.git.media import git_blob_id

    path = repo / "cards" / "x.bin"
    path.write_bytes(bytes(range(256)) * 5000)
    assert git_blob_id(path) == git_repo("hash-object", str(path)).strip()


def test_a_changed_card_that_gains_a_guid_is_warned_about(repo: Path, git_repo: Git) -> None:
    """A guid given to a shipped card (not only to a new one) changes which note it is for Anki."""
    edit(repo / "cards" / "basics.yaml", "  - id: threshold\n", "  - id: threshold\n    guid: 'Ot0&3xV!xq'\n")
    report = diff("main")
    assert (
        "- **Card guid changed** `threshold`: Anki matches notes by guid, so the card becomes another note (learners "
        "get a second copy without its reviews) or overwrites a note of another deck that has this guid. `deckgen "
        "build` refuses it unless `--allow-identity-change` is given.\n"
    ) in report, report
    assert "#### Changed `threshold`" in report
