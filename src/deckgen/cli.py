"""The command line: the only module that imports click. Each command calls the core and reports."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click

from deckgen import __version__
from deckgen.rules import help_text

if TYPE_CHECKING:
    from pathlib import Path

    from deckgen.errors import Problem

# Start-up: `deckgen --help` imports click and this module only; pathlib, the dataclasses of deckgen.errors and
# everything a command needs are imported when a command runs (tests/test_startup.py holds this).

F = TypeVar("F", bound=Callable[..., Any])


class PathType(click.Path):
    """``click.Path`` giving a ``pathlib.Path``, with pathlib imported only when a value is converted."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pathlib import Path

        return Path(os.fsdecode(super().convert(value, param, ctx)))


CARDS_DIR = click.argument("cards_dir", required=False, default="cards", type=PathType(file_okay=True, dir_okay=True))


def report(problems: Iterable[Problem]) -> None:
    from deckgen.errors import github_command

    on_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        click.echo(problem.text(), err=True)
        if on_actions:
            click.echo(github_command(problem))


def handle_errors(func: F) -> F:
    """The one place that turns deckgen's errors into messages and exit codes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from deckgen.errors import ContentError, DeckgenError, printable

        try:
            return func(*args, **kwargs)
        except ContentError as exc:
            report(exc.problems)
            errors = sum(1 for p in exc.problems if p.is_error)
            click.echo(f"deckgen: {errors} error(s); nothing was written", err=True)
            sys.exit(exc.exit_code)
        except DeckgenError as exc:
            # each line escaped on its own: a message's own line breaks stay; continuation lines are indented, so no
            # line of it can pass for a command of the CI runner ('::error::...') or for deckgen's own first line
            first, *rest = (printable(line) for line in str(exc).split("\n"))
            rest = [line if line[:1].isspace() else "  " + line for line in rest]
            click.echo("\n".join([f"deckgen: error: {first}", *rest]), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("deckgen: interrupted; nothing was written", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckgen")
def main() -> None:
    """deckgen: flashcard decks as code.

    Cards are written in YAML under cards/ and compiled into an Anki package that can be
    re-imported after every edit without duplicates and without losing reviews. Start a deck
    of your own with 'deckgen init'; 'deckgen COMMAND --help' tells more about each command.

    Exit codes of every command: 0 ok, 1 problems in the deck's content, 2 usage errors
    (a missing folder, a bad option), 130 interrupted. Nothing is ever half-written.
    """


@main.command(short_help="Compile the cards into an Anki package; update the lock.")
@CARDS_DIR
@click.option(
    "-o",
    "--output",
    type=PathType(dir_okay=False),
    help="Where to write the .apkg (default: output/<deck key>.apkg beside the cards folder).",
)
@click.option(
    "--locked", is_flag=True, help="Fail if the lock file would change (for CI: the committed lock must be current)."
)
@click.option("--no-cache", is_flag=True, help="Parse and render every file again instead of using ~/.cache/deckgen.")
@click.option(
    "--allow-schema-change",
    is_flag=True,
    help="Ship a note type whose fields or templates changed (learners must tick 'Merge note types', Anki 23.10+).",
)
@click.option(
    "--allow-identity-change",
    is_flag=True,
    help="Ship a changed deck key, note type id or GUID (learners get new notes beside the old ones).",
)
@handle_errors
def build(
    cards_dir: Path,
    output: Path | None,
    locked: bool,
    no_cache: bool,
    allow_schema_change: bool,
    allow_identity_change: bool,
) -> None:
    """Compile CARDS_DIR (default: cards) into an Anki package and update its lock file.

    The package goes to output/<deck key>.apkg beside CARDS_DIR (-o to change that). The lock file,
    CARDS_DIR/deckgen.lock, records what each card was shipped as and when: commit it with the cards
    (--locked, for CI, refuses to change it). Building the same commit twice gives the same bytes;
    SOURCE_DATE_EPOCH (seconds since 1970) sets the time new and edited cards are stamped with
    (default: now). Parsed files are cached in ~/.cache/deckgen ($DECKGEN_CACHE_DIR moves it).

    Exit codes: 0 built; 1 problems in the deck, a lock that --locked would change, or a guarded
    change (identity, note type schema); 2 usage errors; 130 interrupted. On any error the previous
    package and lock are left as they were.
    """
    from deckgen.build import build as run_build
    from deckgen.progress import TerminalProgress

    progress = TerminalProgress()
    try:
        plan, path = run_build(
            cards_dir,
            output,
            locked=locked,
            progress=progress,
            use_cache=not no_cache,
            allow_schema_change=allow_schema_change,
            allow_identity_change=allow_identity_change,
        )
    finally:
        progress.close()
    report(plan.warnings)
    n_topics = len(plan.deck.topics)
    click.echo(
        f"built {os.path.relpath(path) if not path.is_absolute() else path}: {len(plan.notes)} notes, "
        f"{plan.card_count} cards, {n_topics} topics ({plan.counts()})"
    )
    for old, new, ratio in plan.renamed:
        click.echo(
            f"probable rename: '{old}' -> '{new}' (question {round(100 * ratio)}% similar): a new id is a new note, "
            "so learners start it from scratch and keep the old one; keep the old id unless the card now asks "
            "something else"
        )
    if plan.rename_skipped:
        click.echo(
            f"rename detection skipped: {plan.rename_skipped}; cards whose question is unchanged are still paired, "
            "look for renamed cards among the new and removed ones yourself (a new id is a new note)"
        )
    for key in plan.draft_changes:
        click.echo(
            f"draft: note type '{key}' changed its fields or templates (allowed while deck.yaml says "
            "'released: false'; a collection that imported an earlier draft gets a copy of the note type)"
        )
    if plan.released_now:
        click.echo(
            "released: deck.yaml no longer says 'released: false', so the deck is no longer a draft: from this build on, "
            "the fields and templates of its note types are frozen (a change forks them in learners' Anki)"
        )
    elif not plan.deck.released:
        click.echo("draft: 'released: false' in deck.yaml; note types may still change their fields and templates")
    for key in plan.schema_changes:
        nt = plan.deck.notetype_map[key]
        click.echo(
            f"WARNING: note type '{key}' ({nt.name}) changed its fields or templates (--allow-schema-change): learners "
            "who import this package into a collection that has the old one must tick 'Merge note types' (Anki 23.10 "
            f"or newer); otherwise their Anki adds a copy named '{nt.name}+' and skips the updates of its notes",
            err=True,
        )
    if plan.removed:
        click.echo(
            f"removed from the deck: {', '.join(plan.removed)} (recorded in the lock: once it is committed the ids are "
            "reserved, and learners who have these notes keep them until they delete them)"
        )
        search, unsearchable = plan.removed_search()
        if search:
            click.echo(f"learners find the removed notes in Anki's browser with this search:\n  {search}")
        if unsearchable:
            click.echo(
                f"  ({unsearchable} of them belong to the deck's own note types, which have no Id field: find those by "
                "their text)"
            )


CHECK_HELP = f"""Check CARDS_DIR (default: cards) against every rule; write nothing.

Every problem is reported with its place (path:line:col), as text (default), as GitHub
annotations or as one JSON document.

Exit codes: 0 no errors (and with --strict no warnings); 1 errors, or warnings with
--strict; 2 usage errors (no such folder, an unreadable --source).

{help_text()}"""


@main.command(short_help="Check the cards against every rule; write nothing.", help=CHECK_HELP)
@CARDS_DIR
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=PathType(dir_okay=False),
    help="A source document; every card's 'source' excerpt must be found in one of them. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text: path:line:col lines; github: GitHub Actions annotations; json: one document.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (default: only on errors).")
@handle_errors
def check(cards_dir: Path, sources: tuple[Path, ...], fmt: str, strict: bool) -> None:
    import json

    from deckgen.check import check as run_check
    from deckgen.errors import github_command, problem_json

    result = run_check(cards_dir, sources)
    summary = f"checked {result.cards} cards in {result.topics} topics: {result.errors} error(s), {result.warnings} warning(s)"
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "problems": [problem_json(p) for p in result.problems],
                    "cards": result.cards,
                    "topics": result.topics,
                    "errors": result.errors,
                    "warnings": result.warnings,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for problem in result.problems:
            click.echo(github_command(problem) if fmt == "github" else problem.text())
        click.echo(summary)
    if result.errors or (strict and result.warnings):
        sys.exit(1)


@main.command(short_help="Write an HTML page of every card as Anki renders it.")
@CARDS_DIR
@click.option(
    "-o",
    "--output",
    type=PathType(file_okay=False),
    help="Folder for the HTML site (default: preview/ beside the cards folder); it is replaced as a whole.",
)
@click.option("--watch", is_flag=True, help="Serve the preview on 127.0.0.1 and rebuild it on every save (live).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8400,
    show_default=True,
    help="With --watch: the port (0: any free one).",
)
@handle_errors
def preview(cards_dir: Path, output: Path | None, watch: bool, port: int) -> None:
    """Write an HTML page showing every card of CARDS_DIR (default: cards) as Anki renders it.

    Needs the 'anki' package (the 'preview' extra). The page goes to preview/index.html beside
    CARDS_DIR unless -o says otherwise; the lock file is not changed.

    With --watch, the preview is served at http://127.0.0.1:8400/ (--port to change it) and rebuilt
    whenever a file under CARDS_DIR is saved; the page reloads itself and shows the problems of a
    save at their place (file:line:col and the line). Only this computer can open it. Ctrl-C stops
    it. Needs the 'watchfiles' package (also in the 'preview' extra).

    Exit codes: 0 written (with --watch: stopped with Ctrl-C); 1 problems in the deck (nothing
    written); 2 usage errors, or the 'anki' package is missing.
    """
    if watch:
        from deckgen.errors import UsageError

        if output is not None:
            raise UsageError("--watch serves the preview from a folder of its own; -o is for the static preview")
        _live(cards_dir, port)
        return
    from deckgen.preview.site import preview as run_preview

    result = run_preview(cards_dir, output)
    report(result.plan.warnings)
    path = result.index
    click.echo(
        f"preview written to {os.path.relpath(path) if not path.is_absolute() else path}: "
        f"{result.note_count} notes, {result.card_count} cards"
    )
    if result.math_by and not result.math_by.startswith("MathJax"):
        click.echo(
            f"deckgen: warning: math drawn by {result.math_by}; install Node.js to draw it as Anki does", err=True
        )
    if result.undrawn:
        click.echo(
            f"deckgen: warning: {result.undrawn} formula(s) could not be drawn; the page shows their TeX, marked "
            "'not drawn'",
            err=True,
        )


@main.command(short_help="Write a release: the package and its manifest for subscribers.")
@CARDS_DIR
@click.option("--tag", required=True, help="The release's tag, e.g. v1.2.0 (the deck workflow passes the git tag).")
@click.option(
    "-o",
    "--output",
    type=PathType(file_okay=False),
    default="release",
    show_default=True,
    help="The folder for <deck key>.apkg and <deck key>.manifest.json.",
)
@click.option("--commit", default="", help="The commit released (the workflow passes $GITHUB_SHA).")
@click.option(
    "--since",
    metavar="REV",
    help="The previous release's tag: the manifest's changelog lists the cards added, changed and removed since.",
)
@handle_errors
def release(cards_dir: Path, tag: str, output: Path, commit: str, since: str | None) -> None:
    """Write a release of CARDS_DIR (default: cards) into OUTPUT: the package, built from the committed lock
    as 'build --locked' builds it, and its manifest (deck key, tag, commit, the package's sha256, the note
    types with their schema hashes, the GUIDs of removed cards, the changelog). Publish both as release
    assets: the deckgen subscription add-on in learners' Anki reads the manifest and applies the update.

    Exit codes: 0 written; 1 problems in the deck, or a lock that is not current; 2 usage errors.
    Nothing is written unless both files are.
    """
    from deckgen.release import changelog_since
    from deckgen.release import release as run_release

    text = changelog_since(since, cards_dir) if since else ""
    result = run_release(cards_dir, output, tag=tag, commit=commit, changelog=text)
    click.echo(
        f"released {result.data['deck']['key']} {tag}: {result.package} ({result.data['notes']} notes, "
        f"{len(result.data['removed'])} removed since the first release), {result.manifest}"
    )


def _live(cards_dir: Path, port: int) -> None:
    import tempfile
    from pathlib import Path

    from deckgen.errors import UsageError, printable
    from deckgen.preview.live import LiveState, serve

    if not cards_dir.is_dir():
        raise UsageError(f"cards folder '{cards_dir}' does not exist")

    def rebuilt(state: LiveState) -> None:
        report(state.problems)
        if state.message:
            click.echo(f"deckgen: error: {printable(state.message)}", err=True)
        outcome = f"{state.notes} notes" if state.ok else "problems shown on the page; the last good build stays"
        click.echo(f"build {state.version} in {state.seconds:.2f} s: {outcome}")

    with tempfile.TemporaryDirectory(prefix="deckgen-live-") as folder:
        try:
            serve(
                cards_dir,
                Path(folder) / "site",
                port=port,
                ready=lambda url: click.echo(f"live preview at {url} (rebuilt on every save; Ctrl-C stops it)"),
                rebuilt=rebuilt,
            )
        except KeyboardInterrupt:
            click.echo("live preview stopped")
        except OSError as exc:
            raise UsageError(
                f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}); choose another --port"
            ) from None


@main.command(short_help="Build the deck and import it into your own Anki.")
@CARDS_DIR
@click.option(
    "--collection",
    type=PathType(dir_okay=False),
    help="Import straight into this collection file (Anki closed), e.g. '~/.local/share/Anki2/User 1/collection.anki2'.",
)
@click.option(
    "--ankiconnect",
    "url",
    default="http://127.0.0.1:8765",
    show_default=True,
    metavar="URL",
    help="Where AnkiConnect listens (without --collection).",
)
@handle_errors
def push(cards_dir: Path, collection: Path | None, url: str) -> None:
    """Build CARDS_DIR (default: cards) as 'deckgen build' does, then import the package into your own Anki.

    \b
    With --collection PATH: straight into that collection file, with the importer
    File > Import uses (reviews kept, edited cards updated in place). Anki must be
    closed: a collection Anki has open is refused.
    Without it: through the AnkiConnect add-on of the running Anki desktop (its
    importPackage action: the same importer, called through Anki's legacy entry
    point with options of its own: changed note types merged, deck options and
    scheduling in the package imported; notes updated in place, reviews kept).

    Exit codes: 0 imported; 1 problems in the deck (nothing built or imported), or Anki refused the
    package; 2 usage errors (no such collection, a collection open in Anki, nothing answering at the
    AnkiConnect URL).
    """
    from deckgen.build import build as run_build
    from deckgen.progress import TerminalProgress
    from deckgen.push import push_to_ankiconnect, push_to_collection

    progress = TerminalProgress()
    try:
        plan, path = run_build(cards_dir, None, progress=progress)
    finally:
        progress.close()
    report(plan.warnings)
    result = push_to_collection(path, collection) if collection is not None else push_to_ankiconnect(path, url)
    counts = (
        f": {result.new} new, {result.updated} updated, {result.unchanged} unchanged notes" if result.new >= 0 else ""
    )
    click.echo(f"pushed {len(plan.notes)} notes of '{plan.deck.name}' into {result.target}{counts}")


@main.command(short_help="Print the JSON Schema of deck.yaml or of a topic file.")
@click.argument("which", type=click.Choice(["deck", "topic"]))
def schema(which: str) -> None:
    """Print the JSON Schema of deck.yaml (deck) or of a topic file (topic).

    Editors with a YAML language server complete and check card files with it: put
    '# yaml-language-server: $schema=<path or URL of the schema>' on the first line of the file.

    Exit codes: 0 printed; 2 WHICH is neither deck nor topic.
    """
    from deckgen.source.schema import dumps

    click.echo(dumps(which), nl=False)


@main.command(short_help="Card-by-card changes of the deck between git revisions.")
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--cards",
    "cards_dir",
    default="cards",
    show_default=True,
    type=PathType(),
    help="The cards folder, relative to the current directory; it must be inside the git work tree.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default=None,
    help="text (for reading in a terminal; coloured there), Markdown (for a pull-request comment) or one JSON "
    "document. [default: text on a terminal, else markdown]",
)
@handle_errors
def diff(base: str, head: str | None, cards_dir: Path, fmt: str | None) -> None:
    """Card-by-card changes of the deck between git revisions.

    Compares the cards folder at BASE with HEAD (default: the work tree, uncommitted edits included) and prints
    a report: plain text on a terminal (coloured; NO_COLOR turns colour off), Markdown for a pull-request comment
    (the default when the output is not a terminal), or JSON.

    Exit codes: 0 the report (whether or not anything changed); 1 the deck at one of the revisions has
    errors; 2 usage errors (not in a git repository, an unknown revision, no cards folder there, no git).
    """
    from deckgen.diff.compare import diff_revisions
    from deckgen.diff.jsondoc import to_json
    from deckgen.diff.markdown import markdown
    from deckgen.diff.text import text

    tty = sys.stdout.isatty()
    fmt = fmt or ("text" if tty else "markdown")
    result = diff_revisions(base, head, cards_dir)
    if fmt == "text":
        click.echo(text(result, color=tty and not os.environ.get("NO_COLOR")), color=True)
    else:
        click.echo(to_json(result) if fmt == "json" else markdown(result))


@main.command("import", short_help="Turn an Anki package or a CrowdAnki folder into a cards folder.")
@click.argument("source", type=PathType())
@click.option(
    "-o",
    "--output",
    "cards_dir",
    default="cards",
    show_default=True,
    type=PathType(),
    help="The new cards folder to write (it must not exist yet, or be empty).",
)
@click.option("--key", help="The deck's permanent key (a slug; default: from the deck name).")
@click.option(
    "--split-by",
    type=click.Choice(["subdeck", "tag", "none"]),
    default="subdeck",
    show_default=True,
    help="One topic file per subdeck, per subdeck and first tag, or one file for a deck without subdecks.",
)
@click.option("--markdown", is_flag=True, help="Write fields as Markdown where that renders to exactly the same HTML.")
@click.option(
    "--deck", "deck_name", metavar="NAME", help="The deck to import when the source holds several (a subdeck too)."
)
@click.option(
    "--strip-unsafe",
    is_flag=True,
    help="Remove HTML that deckgen would refuse (script, handlers, tags outside its allow-list) instead of stopping.",
)
@handle_errors
def import_(
    source: Path,
    cards_dir: Path,
    key: str | None,
    split_by: str,
    markdown: bool,
    deck_name: str | None,
    strip_unsafe: bool,
) -> None:
    """Turn an Anki package (.apkg, .colpkg) or a CrowdAnki folder into a cards folder.

    The cards keep their GUIDs, fields (HTML, byte for byte), tags and note types (with their Anki ids), and the
    lock is seeded so that the first 'deckgen build' changes nothing for learners who already have the deck.
    SOURCE is an .apkg (any Anki version's format), a .colpkg or a CrowdAnki export folder (deck.json);
    the default output folder is cards/.

    Exit codes: 0 written; 1 the source or its content cannot be imported (damaged package, unsafe HTML
    without --strip-unsafe, ...); 2 usage errors (no such source, an existing deck.yaml in the output);
    nothing is written unless the whole import succeeds.
    """
    from deckgen.import_deck import import_deck

    result = import_deck(
        source, cards_dir, key=key, split_by=split_by, markdown=markdown, deck=deck_name, strip_unsafe=strip_unsafe
    )
    report(result.warnings)
    for line in result.summary():
        click.echo(line)


@main.command(short_help="Start a new deck that builds and passes its checks at once.")
@click.argument("directory", required=False, default=".", type=PathType(file_okay=False))
@click.option("--name", help="The deck's name in Anki; 'Parent::Child' makes a subdeck. Asked for on a terminal.")
@click.option("--key", help="The deck's permanent key, a slug (default: made from --name).")
@click.option("--force", is_flag=True, help="Replace files that deckgen init wrote and nobody changed since.")
@handle_errors
def init(directory: Path, name: str | None, key: str | None, force: bool) -> None:
    """Start a new deck in DIRECTORY (default: the current folder).

    \b
    The deck:
      DIRECTORY/cards/deck.yaml             key, name, description, requires
      DIRECTORY/cards/getting-started.yaml  a Q/A, a reversed and a cloze card
      DIRECTORY/README.md
    and once per git repository (DIRECTORY itself outside git), for all its decks:
      .gitignore, .github/workflows/deck.yml, .pre-commit-config.yaml
    pinned to this deckgen release. More decks: 'deckgen init decks/b'.

    Existing files are never overwritten: init lists them and stops. Each file it writes
    carries a marker line with a checksum; --force replaces only files whose marker is intact
    (written by init and unchanged since). Without --name, init asks on a terminal, and
    elsewhere stops with a usage error. A deck already in DIRECTORY/cards that init did not
    write (one from 'deckgen import') is kept: init adds only the README and the repository files.

    Exit codes: 0 written; 2 usage errors (an existing file, a bad name or key, no --name
    without a terminal), nothing written.
    """
    from deckgen.errors import UsageError
    from deckgen.scaffold import existing_deck, summary
    from deckgen.scaffold import init as run_init

    if name is None and existing_deck(directory) is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError("deckgen init needs the deck's name: pass --name 'My deck' (it asks only on a terminal)")
        name = click.prompt("Deck name (as Anki will show it)")
    click.echo(summary(run_init(directory, name, key, force=force)))
