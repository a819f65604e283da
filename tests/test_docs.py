"""The documentation: a short README, pages under docs/ whose links hold on GitHub, reference pages equal to the code
they are generated from, and links from deckgen's messages that land on a page and heading that exist.

(`mkdocs build --strict` in scripts/test.sh checks the same links as the site reads them.)"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from deckgen import __version__
from tests.conftest import DECK_YAML, REPO, run, write_deck

DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINKED = [REPO / "README.md", REPO / "CONTRIBUTING.md", *PAGES]  # everything whose relative links must resolve
FENCE = re.compile(r"^(`{3,}|~{3,})")
LINK = re.compile(r"(?<!!)\[(?:[^\]`]|`[^`]*`)*\]\(([^)\s]+)\)")


def prose(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    out, fence = [], ""
    for line in text.splitlines():
        found = FENCE.match(line)
        if found and (not fence or found.group(1).startswith(fence)):
            fence = "" if fence else found.group(1)
        elif not fence:
            out.append(line)
    return out


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: its text lower-cased, without punctuation, spaces made hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = re.sub(r"[`*]", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in prose(page.read_text(encoding="utf-8")):
        heading = re.match(r"#{1,6} (.+)", line)
        if heading:
            anchor = github_anchor(heading.group(1))
            out.add(f"{anchor}-{seen[anchor]}" if anchor in seen else anchor)
            seen[anchor] = seen.get(anchor, 0) + 1
    return out


def test_github_anchor_follows_githubs_rule() -> None:
    """GitHub's rule: punctuation dropped, each space one hyphen, nothing collapsed (unlike the site's ids, which
    mkdocs checks)."""
    assert github_anchor("`deckgen build`") == "deckgen-build"
    assert github_anchor("Supported Anki clients (measured)") == "supported-anki-clients-measured"
    assert github_anchor("Editor's notes") == "editors-notes"
    assert github_anchor("`deckgen preview [CARDS_DIR] [-o DIR]`") == "deckgen-preview-cards_dir--o-dir"


def test_the_readme_is_short_and_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 150
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/deckgen build",
        "scripts/test.sh",
    ]
    assert "not medical advice" in readme


def test_the_first_install_a_newcomer_meets_works_today() -> None:
    """From a clone or a local checkout; the PyPI release only once it is published (issue 17)."""
    for path in (REPO / "README.md", DOCS / "getting-started.md"):
        text = path.read_text(encoding="utf-8")
        local = min(
            text.index(wanted) for wanted in ("pip install -e", "pip install '/path/to/deckgen") if wanted in text
        )
        pinned = text.index("deckgen-anki[preview]==")
        assert local < pinned, path
        section = text[text.rfind("\n#", 0, pinned) : pinned]
        assert re.search(r"once (the )?release( [\d.]+)? is published", section.lower()), path


@pytest.mark.parametrize("page", LINKED, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_land_on_a_file_and_a_heading(page: Path) -> None:
    for line in prose(page.read_text(encoding="utf-8")):
        line = re.sub(r"``[^`]*``|`[^`]*`", "", line)  # links inside code are text
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            where = (page.parent / path).resolve() if path else page
            assert where.exists(), f"{page.relative_to(REPO)}: {target} does not exist"
            if anchor:
                assert anchor in anchors(where), f"{page.relative_to(REPO)}: {target}: no such heading"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_reference", REPO / "scripts" / "docs_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_pages_are_equal_to_the_code() -> None:
    pages = load_generator().pages()
    assert set(pages) == {"reference/cli.md", "reference/keys.md", "reference/rules.md"}
    for path, text in pages.items():
        assert (DOCS / path).read_text(encoding="utf-8") == text, (
            f"docs/{path} is out of date: run 'python scripts/docs_reference.py'"
        )


def test_reference_pages_hold_what_they_are_generated_from() -> None:
    """The generator is not trusted to be complete: every command, key and rule is looked for by name."""
    from deckgen.cli import main
    from deckgen.rules import RULES
    from deckgen.source import keys

    cli = (DOCS / "reference/cli.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"## deckgen {name}\n" in cli
        assert f"Usage: deckgen {name} " in cli
        for param in command.params:
            for opt in param.opts if param.param_type_name == "option" else []:
                assert opt in cli, (name, opt)
    key_page = (DOCS / "reference/keys.md").read_text(encoding="utf-8")
    tables = [keys.DECK, keys.CITATION, keys.NOTETYPE, keys.TEMPLATE, keys.TOPIC, keys.EDITOR_NOTE]
    for table in [*tables, keys.QA_CARD, keys.CLOZE_CARD, keys.TYPED_CARD]:
        for name in table:
            assert f"| `{name}` |" in key_page, name
    rule_page = (DOCS / "reference/rules.md").read_text(encoding="utf-8")
    for name in RULES:
        assert f"| `{name}` |" in rule_page or not name


def docs_links_in_the_code() -> list[tuple[Path, int, str, str]]:
    """Every ``docs_url("page", "anchor")`` in src/: the page and the anchor must be literals, to be checked here."""
    found = []
    for path in sorted((REPO / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "docs_url":
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                assert len(args) == len(node.args) in (1, 2), f"{path}:{node.lineno}: docs_url needs literal strings"
                found.append((path, node.lineno, args[0], args[1] if len(args) > 1 else ""))
    return found


def test_every_page_the_code_links_to_exists_with_its_heading() -> None:
    links = docs_links_in_the_code()
    assert len(links) >= 2  # the math and the HTML messages
    for path, line, page, anchor in links:
        target = DOCS / f"{page}.md"
        assert target.exists(), f"{path.relative_to(REPO)}:{line}: docs/{page}.md does not exist"
        assert not anchor or anchor in anchors(target), f"{path.relative_to(REPO)}:{line}: no heading #{anchor}"


def test_messages_link_to_the_docs_of_the_users_release() -> None:
    from deckgen.distribution import docs_url

    assert docs_url("format/math-code-media", "math") == (
        f"https://github.com/deckgen-anki/deckgen/blob/v{__version__}/docs/format/math-code-media.md#math"
    )
    assert (
        docs_url("security", version="9.1.0") == "https://github.com/deckgen-anki/deckgen/blob/v9.1.0/docs/security.md"
    )


def test_every_page_is_in_the_site_navigation() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    for page in PAGES:
        assert f": {page.relative_to(DOCS).as_posix()}\n" in nav, page


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_lists_and_tables_start_after_a_blank_line(page: Path) -> None:
    """GitHub starts a list or a table right under a paragraph; the site's Markdown (Python-Markdown) reads it as
    more of the paragraph. A blank line before it reads the same on both."""
    previous = ""
    for line in prose(page.read_text(encoding="utf-8")):
        starts = re.match(r"(- |\d+\. |\| )", line)
        continues = previous == "" or re.match(r"(- |\d+\. |\||\s)", previous)
        assert not starts or continues, f"{page.relative_to(REPO)}: '{line[:40]}' needs a blank line before it"
        previous = line


def test_the_readmes_topic_file_builds_and_passes_every_check(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("   ```yaml\n", 1)[1].split("   ```", 1)[0]  # indented under a list item
    cards = write_deck(
        tmp_path, deck=DECK_YAML, topics={"verbs.yaml": "".join(line[3:] for line in block.splitlines(True))}
    )
    assert run("build", cards).exit_code == 0  # as the README goes on: build, then check --strict
    result = run("check", "--strict", cards)
    assert result.exit_code == 0, result.output
    assert "checked 2 cards in 1 topics: 0 error(s), 0 warning(s)" in result.output
