"""``deckgen init``: a new deck that builds and passes its own checks at once, in a new or an existing repository.

For ``deckgen init DIR`` (default: the current folder), with ROOT the git work tree that holds DIR (DIR itself
when it is in none):

- the deck: ``DIR/cards/deck.yaml``, ``DIR/cards/getting-started.yaml`` (a Q/A, a reversed and a cloze card)
  and ``DIR/README.md`` (and ``DIR/schemas/``, the JSON Schemas the YAML files name, unless a published URL
  serves them);
- the repository's files, shared by all its decks: ``ROOT/.gitignore``, ``ROOT/.github/workflows/deck.yml``
  (reviews every deck of the repository) and ``ROOT/.pre-commit-config.yaml`` (one hook per deck).

Nothing that exists is overwritten unless ``init`` wrote it and nobody changed it since (see :mod:`.marker`):
the deck's files must be new (``force`` replaces unchanged ones), and the repository's files are created the
first time, kept afterwards (``force`` rewrites unchanged ones for this deckgen version), and the pre-commit
configuration gains the new deck's hook. Everything is checked before anything is written.

What these files install and run follows how the running deckgen was installed
(:func:`deckgen.distribution.current_install`): a release from PyPI or a git commit is pinned as such; a local
folder gets a pre-commit hook that runs the installed ``deckgen`` and a workflow that stops, saying what to set,
until it names a deckgen GitHub can install.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deckgen.distribution import Install, current_install
from deckgen.errors import UsageError
from deckgen.scaffold import files
from deckgen.scaffold.marker import Origin, mark, origin
from deckgen.source.layout import DECK_FILE, SLUG, SLUG_HINT
from deckgen.source.yamlfile import file_display

GITIGNORE = ".gitignore"
WORKFLOW = ".github/workflows/deck.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
# the deck folder names the workflow accepts (the same pattern as its 'Find the decks' step)
_WORKFLOW_SAFE = re.compile(r"(?!-)[\w. /-]+")


@dataclass(frozen=True)
class InitResult:
    root: Path  # the repository root
    cards_dir: Path
    key: str
    name: str
    written: tuple[Path, ...]
    kept: tuple[tuple[Path, str], ...]  # repository files left as they were, and why
    todo: tuple[str, ...]  # what the author must do by hand


@dataclass
class _Plan:
    writes: dict[Path, str]
    kept: list[tuple[Path, str]]
    todo: list[str]
    conflicts: list[tuple[Path, Origin]]


def derive_key(name: str) -> str:
    """A slug from a deck name: 'Spanish::Verbs (B1)' -> 'spanish-verbs-b1'. Empty if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")


def check_name(name: str) -> str:
    """The deck name, stripped; a UsageError says what is wrong with it."""
    name = name.strip()
    if not name:
        raise UsageError("the deck name is empty; pass one with --name")
    if not name.isprintable():
        raise UsageError("the deck name must be one line of printable text")
    if any(not part.strip() for part in name.split("::")):
        raise UsageError(f"deck name '{name}' has an empty part; write subdecks as 'Parent::Child'")
    return name


def check_key(key: str | None, name: str) -> str:
    if key is None:
        key = derive_key(name)
        if not key:
            raise UsageError(f"cannot make a deck key from the name '{name}'; pass one with --key ({SLUG_HINT})")
    elif not SLUG.match(key):
        raise UsageError(f"--key must be a slug, got '{key}'; {SLUG_HINT}")
    return key


def repository_root(target: Path) -> Path:
    """The git work tree holding ``target`` (a folder with ``.git``, a folder or a worktree's file), else ``target``."""
    here = Path(os.path.abspath(target))
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def existing_deck(target: Path) -> tuple[str, str] | None:
    """(key, name) of a deck that ``target/cards`` already holds and that init did not write (e.g. one written by
    ``deckgen import``): init then adopts it, adding only what is missing around it. None when there is none."""
    manifest_path = target / files.CARDS_DIR / DECK_FILE
    text = _read(manifest_path)
    if text is None or origin(text) is not Origin.FOREIGN:
        return None
    from deckgen.source.manifest import read_manifest

    manifest, _ = read_manifest(target / files.CARDS_DIR)
    if manifest is None:
        raise UsageError(
            f"'{file_display(manifest_path)}' exists but has errors (see 'deckgen check'); fix it before "
            "deckgen init adds the repository files around it"
        )
    return manifest.key, manifest.name


def init(
    target: Path, name: str | None, key: str | None = None, *, force: bool = False, install: Install | None = None
) -> InitResult:
    """Scaffold a deck in ``target``; raises UsageError, writing nothing, if that would overwrite a file.
    A deck that is already there and that init did not write (an imported one) is adopted: its files are kept and
    only the README (if missing) and the repository's files are added. ``install``: how deckgen was installed
    (default: as the running one was)."""
    install = install if install is not None else current_install()
    if target.exists() and not target.is_dir():
        raise UsageError(f"'{file_display(target)}' is a file; pass a folder for the new deck")
    adopted = existing_deck(target)
    if adopted is not None:
        key, name = adopted
    else:
        if name is None:
            raise UsageError("deckgen init needs the deck's name: pass --name 'My deck' (it asks only on a terminal)")
        name = check_name(name)
        key = check_key(key, name)
    root = repository_root(target)
    cards_dir = target / files.CARDS_DIR
    cards = PurePosixPath(Path(os.path.abspath(cards_dir)).relative_to(root).as_posix())
    if not _WORKFLOW_SAFE.fullmatch(str(cards)):
        raise UsageError(
            f"the deck's folder '{cards}' (in the repository) has characters the deck workflow refuses "
            "(it runs deckgen on each deck folder): use letters, digits, '.', '_', '-', ' ' and '/' only, "
            "and do not start it with '-'"
        )
    deck = files.DeckInfo(key=key, name=name, cards=cards)
    plan = _Plan({}, [], [], [])
    if adopted is None:
        _deck_file(plan, cards_dir / DECK_FILE, files.deck_yaml(deck, install), force)
        _deck_file(plan, cards_dir / files.EXAMPLE_TOPIC, files.topic_yaml(install), force)
        _deck_file(plan, target / "README.md", files.readme(deck, install), force, markdown=True)
        for which in ("deck", "topic"):
            if files.schema_ref(which, install).startswith("../"):
                path = target / files.SCHEMAS_DIR / f"{which}.schema.json"
                _deck_file(plan, path, files.schema_file(which), force)
    else:
        plan.kept.append((cards_dir / DECK_FILE, "an existing deck: kept as it is; add 'requires:' to pin deckgen"))
        if _read(target / "README.md") is None:
            _deck_file(plan, target / "README.md", files.readme(deck, install), force, markdown=True)
    _shared_file(plan, root / GITIGNORE, files.gitignore(), force)
    _shared_file(plan, root / WORKFLOW, files.workflow(install), force)
    _pre_commit(plan, root / PRE_COMMIT, cards, force, install)
    if not install.reachable:
        plan.todo.append(
            f"set DECKGEN in {file_display(root / WORKFLOW)} before pull requests can be checked on GitHub: deckgen "
            f"was installed from {install.url}, which GitHub cannot reach (the file's first comment says how)"
        )
    if plan.conflicts:
        raise UsageError(_conflict_message(plan.conflicts, force))
    _write(plan.writes)
    return InitResult(
        root=root,
        cards_dir=cards_dir,
        key=key,
        name=name,
        written=tuple(plan.writes),
        kept=tuple(plan.kept),
        todo=tuple(plan.todo),
    )


def _read(path: Path) -> str | None:
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""  # unreadable: certainly not ours


def _deck_file(plan: _Plan, path: Path, text: str, force: bool, markdown: bool = False) -> None:
    existing = _read(path)
    if existing is None or (force and origin(existing) is Origin.INTACT):
        plan.writes[path] = mark(text, markdown)
    else:
        plan.conflicts.append((path, origin(existing)))


def _shared_file(plan: _Plan, path: Path, text: str, force: bool) -> None:
    existing = _read(path)
    if existing is None:
        plan.writes[path] = mark(text)
        return
    state = origin(existing)
    if state is Origin.FOREIGN:
        plan.conflicts.append((path, state))
    elif state is Origin.INTACT and force:
        plan.writes[path] = mark(text)
    else:
        plan.kept.append((path, "shared by every deck of the repository" if state is Origin.INTACT else state.value))


def _pre_commit(plan: _Plan, path: Path, cards: PurePosixPath, force: bool, install: Install) -> None:
    existing = _read(path)
    if existing is None:
        plan.writes[path] = mark(files.pre_commit_config([cards], install))
        return
    state = origin(existing)
    if state is Origin.FOREIGN:
        plan.conflicts.append((path, state))
        return
    folders = _hooked_folders(existing)
    if state is Origin.INTACT and (force or cards not in folders):
        plan.writes[path] = mark(files.pre_commit_config([*(f for f in folders if f != cards), cards], install))
    elif cards not in folders:  # edited by hand: say what to add
        plan.kept.append((path, state.value))
        plan.todo.append(
            f"add this hook to {file_display(path)}, under "
            + ("the deckgen repository's 'hooks:'" if files.remote_hook(install) else "'hooks:' of 'repo: local'")
            + ":\n"
            + files.pre_commit_hook(cards, install).rstrip("\n")
        )
    else:
        plan.kept.append((path, "already checks this deck"))


_HOOK_ARGS = re.compile(r'^ +args: \[--strict, ("(?:[^"\\]|\\.)*")\]$', re.M)


def _hooked_folders(text: str) -> list[PurePosixPath]:
    """The cards folders that a pre-commit configuration written by init checks (its hooks' ``args`` lines)."""
    folders = []
    for found in _HOOK_ARGS.finditer(text):
        try:
            folders.append(PurePosixPath(json.loads(found.group(1))))
        except ValueError:
            continue
    return folders


def _conflict_message(conflicts: list[tuple[Path, Origin]], force: bool) -> str:
    listing = "\n".join(f"  {file_display(path)} ({state.value})" for path, state in conflicts)
    hint = (
        "--force replaces only files that deckgen init wrote and nobody changed since"
        if force
        else "--force replaces those that deckgen init wrote and nobody changed since"
    )
    return (
        f"deckgen init would overwrite {len(conflicts)} existing file(s):\n{listing}\nnothing was written; move "
        f"them away or init the deck into another folder ({hint})"
    )


def _write(writes: dict[Path, str]) -> None:
    from deckgen.fsutil import staged

    targets = list(writes)
    with staged(targets) as temps:
        for tmp, target in zip(temps, targets, strict=True):
            tmp.write_text(writes[target], encoding="utf-8")


def summary(result: InitResult) -> str:
    """What init did and what to do next, for the terminal."""
    cards = file_display(result.cards_dir)
    lines = [f"new deck '{result.name}' (key: {result.key}) in {file_display(result.cards_dir.parent)}"]
    lines += [f"  wrote {file_display(path)}" for path in result.written]
    lines += [f"  kept  {file_display(path)} ({why})" for path, why in result.kept]
    lines += [f"to do: {item}" for item in result.todo]
    lines += [
        "next:",
        f"  deckgen build {cards}            # the package, and the lock file to commit",
        f"  deckgen check --strict {cards}   # what pull requests and the pre-commit hook run",
        "  pre-commit install             # once: every commit runs the check (pip install pre-commit)",
        "  git add -A && git commit -m 'New deck'",
    ]
    return "\n".join(lines)
