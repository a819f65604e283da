"""Write the generated reference pages under docs/reference/ from the code, so that they cannot drift from it.

- ``cli.md``: every command's ``--help``, from click (``deckgen.cli.main``);
- ``keys.md``: every key of deck.yaml and topic files, from the key tables (``deckgen.source.keys``);
- ``rules.md``: every rule a problem can carry, from the rule table (``deckgen.rules``).

Usage: ``python scripts/docs_reference.py`` writes the pages; ``--check`` only says which differ (exit 1).
``tests/test_docs.py`` regenerates them and compares, so a change to the code without the pages fails the tests.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from deckgen.cli import main as cli_main
from deckgen.rules import RULES
from deckgen.source import keys

DOCS = Path(__file__).resolve().parent.parent / "docs"
WIDTH = 100  # the help text's width, fixed so that the page does not depend on the terminal that writes it


def _generated(source: str) -> str:
    return (
        f"<!-- Generated from {source} by scripts/docs_reference.py: do not edit by hand; "
        "run `python scripts/docs_reference.py` after changing the code. -->\n"
    )


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    # the group's context settings (-h as well as --help) as the command line applies them; subcommands inherit them
    settings = cli_main.context_settings if parent is None else {}
    ctx = click.Context(
        command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH, **settings
    )
    return command.get_help(ctx)


def cli_page() -> str:
    root = click.Context(
        cli_main, info_name="deckgen", terminal_width=WIDTH, max_content_width=WIDTH, **cli_main.context_settings
    )
    out = [
        "# CLI reference\n",
        _generated("deckgen.cli (click)"),
        "Every command's `--help`, as `deckgen` prints it. What the commands do, with examples: "
        "[Commands](../commands.md).\n",
        "## deckgen\n",
        f"```text\n{_help(cli_main, 'deckgen', None)}\n```\n",
    ]
    for name in sorted(cli_main.commands):
        out += [f"## deckgen {name}\n", f"```text\n{_help(cli_main.commands[name], name, root)}\n```\n"]
    return "\n".join(out)


def _cell(text: str) -> str:
    """Table cell text: Markdown would read '|' as a cell's end and '<x>' as an HTML tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


TYPES = {  # what each key type of deckgen.source.keys accepts, in words (the JSON Schema says it exactly)
    "text": "text (not empty)",
    "scalar": "text or a number",
    "slug": "a slug: `a-z`, `0-9`, `-`, `_`",
    "boolean": "`true` or `false`",
    "specifier": "PEP 440 version specifiers, e.g. `>=0.2,<1`",
    "deck-name": "an Anki deck name (`::` between parts, none empty)",
    "id": "a whole number from 1 to 2⁶³−1",
    "kind": "`standard` or `cloze`",
    "note-type-ids": "`deck` or `shared`",
    "lang": "a BCP 47 language tag, e.g. `ja`, `zh-Hant`",
    "guid": "an Anki GUID: 1 to 100 printable ASCII characters",
    "texts": "a list of texts",
    "slugs": "a list of slugs",
    "tags": "a list of tags without whitespace",
    "field-names": 'a list of field names (no `:`, `{`, `}`, `"`; not starting with `#`, `/`, `^`)',
    "field-values": "a mapping of field name to text",
    "text-or-file": "text, or `{file: path inside cards/}`",
    "citation": "a mapping: see [Source](#source)",
    "references": "a mapping of slug to the reference's full text",
    "editor-note": "a mapping: see [Editor's note](#editors-note)",
    "note-types": "a mapping of slug to a note type: see [Note types](#note-types)",
    "templates": "a list of templates: see [Templates](#templates)",
    "cards": "a list of cards: see [Cards](#cards)",
}


def _table(table: keys.Keys) -> str:
    rows = ["| key | required | value | meaning |", "| --- | --- | --- | --- |"]
    for name, key in table.items():
        if key.type not in TYPES:
            raise KeyError(f"key type '{key.type}' ('{name}'): describe it in TYPES in scripts/docs_reference.py")
        value = TYPES[key.type]
        rows.append(f"| `{name}` | {'yes' if key.required else ''} | {value} | {_cell(key.doc)} |")
    return "\n".join(rows) + "\n"


KEY_SECTIONS: list[tuple[str, str, keys.Keys]] = [
    ("## deck.yaml", "The deck manifest, `cards/deck.yaml`.", keys.DECK),
    ("### Source", "`source:` in deck.yaml: the source document's citation.", keys.CITATION),
    ("### Note types", "Each entry of `note_types:` in deck.yaml.", keys.NOTETYPE),
    ("### Templates", "Each entry of a note type's `templates:`.", keys.TEMPLATE),
    ("## Topic files", "Every other `*.yaml` / `*.yml` file of the cards folder.", keys.TOPIC),
    (
        "### Cards",
        "Each entry of `cards:` is one of three kinds. A question/answer card (`front`, `back`):",
        keys.QA_CARD,
    ),
    ("### Cloze cards", "A cloze card (`cloze`).", keys.CLOZE_CARD),
    ("### Cards of the deck's note types", "A card of a note type declared in deck.yaml (`type`).", keys.TYPED_CARD),
    ("### Editor's note", "`editor_note:` on a card.", keys.EDITOR_NOTE),
]


def keys_page() -> str:
    out = [
        "# Keys reference\n",
        _generated("deckgen.source.keys"),
        "Every key of `deck.yaml` and of topic files, from the tables the loader reads with (`deckgen schema` "
        "turns the same tables into JSON Schema for editors). How they fit together, with examples: "
        "[The card format](../format/cards.md). Any other key is an error (with a suggestion when it looks like a "
        "typo).\n",
    ]
    for heading, intro, table in KEY_SECTIONS:
        out += [f"{heading}\n", f"{intro}\n", _table(table)]
    return "\n".join(out)


def rules_page() -> str:
    rows = ["| rule | what it reports |", "| --- | --- |"]
    rows += [f"| `{name}` | {_cell(text)} |" if name else f"| (none) | {_cell(text)} |" for name, text in RULES.items()]
    return "\n".join(
        [
            "# Rules and errors\n",
            _generated("deckgen.rules"),
            "`deckgen check` applies every rule and reports every problem at once, each with its place, what is "
            "wrong and, where it helps, the fix: `cards/file.yaml:LINE:COL: error: card 'ID': message`. "
            "`deckgen build` refuses to build a deck with errors and prints its warnings. "
            'With `--format json`, each problem carries the name of its rule (`"rule"`); '
            "`--format github` shows problems on a pull request's changed lines. "
            "How problems are shown and the exit codes: [Commands](../commands.md#errors).\n",
            "\n".join(rows) + "\n",
        ]
    )


PAGES: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_page,
    "reference/keys.md": keys_page,
    "reference/rules.md": rules_page,
}


def pages() -> dict[str, str]:
    """Each generated page (its path under docs/) and its text."""
    return {path: render() for path, render in PAGES.items()}


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    stale = []
    for path, text in pages().items():
        target = DOCS / path
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    verb = "out of date" if check else "written"
    for path in stale:
        print(f"docs/{path}: {verb}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
