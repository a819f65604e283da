"""The documentation: reference pages equal to the code they are generated from."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.conftest import REPO

DOCS = REPO / "docs"


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
