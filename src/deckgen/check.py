"""``deckgen check``: every rule over a cards folder, every problem with its place. Nothing is written."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from deckgen.compile.pipeline import Compiled, gc_paused, load_and_compile
from deckgen.errors import WARNING, ContentError, Problem, UsageError
from deckgen.lock.read import read_lock
from deckgen.model import Deck
from deckgen.source.layout import LOCK_FILE
from deckgen.source.yamlfile import file_display


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    cards: int
    topics: int

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def normalize_source(text: str) -> str:
    """How excerpts are compared with documents: Unicode NFKC, whitespace runs folded to one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def read_documents(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    docs = []
    for path in paths:
        try:
            docs.append((path, normalize_source(path.read_text(encoding="utf-8"))))
        except FileNotFoundError:
            raise UsageError(f"source document '{file_display(path)}' does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"source document '{file_display(path)}' cannot be read as UTF-8 text ({exc})") from None
    return docs


@gc_paused()
def check(cards_dir: Path, sources: Sequence[Path] = ()) -> CheckReport:
    """Run every rule. Usage problems (no such folder, unreadable --source) raise UsageError."""
    documents = read_documents(sources)
    compiled = load_and_compile(cards_dir)
    problems = list(compiled.problems)
    deck = compiled.deck
    if deck is None:
        return CheckReport(tuple(sorted(problems, key=Problem.sort_key)), 0, 0)
    problems = _keep_imported(cards_dir, compiled, problems)
    if documents:
        problems += sources_found(deck, documents)
    problems += placeholder_problems(deck)
    problems += lock_problems(cards_dir, compiled, deck_has_errors=any(p.is_error for p in problems))
    return CheckReport(tuple(sorted(problems, key=Problem.sort_key)), len(deck.cards), len(deck.topics))


PLACEHOLDER_DESCRIPTION = "Replace this text: Anki shows it on the deck's overview"
"""A sentence of the description 'deckgen init' writes (scaffold/templates/deck.yaml; a test holds them equal)."""


def placeholder_problems(deck: Deck) -> list[Problem]:
    """The description 'deckgen init' wrote, still there: learners would see it on the deck's overview screen."""
    if PLACEHOLDER_DESCRIPTION not in " ".join(deck.description.split()):
        return []
    return [
        Problem(
            deck.location,
            "'description' is still the text 'deckgen init' wrote; replace it with what the deck is about (Anki "
            "shows it on the deck's overview screen)",
            severity=WARNING,
            rule="placeholder",
        )
    ]


def sources_found(deck: Deck, documents: list[tuple[Path, str]]) -> list[Problem]:
    names = ", ".join(file_display(path) for path, _ in documents)
    problems: list[Problem] = []
    for card in deck.cards:
        if not card.source:
            problems.append(
                Problem(
                    card.location,
                    "has no 'source' excerpt; quote the sentence the card is based on",
                    severity=WARNING,
                    context=f"card '{card.id}'",
                    rule="source",
                )
            )
            continue
        excerpt = normalize_source(card.source)
        if not any(excerpt in text for _, text in documents):
            problems.append(
                Problem(
                    card.where("source"),
                    f"source excerpt not found in {names} (compared after NFKC "
                    "normalization and whitespace folding); copy it verbatim from the document",
                    context=f"card '{card.id}'",
                    rule="source",
                )
            )
    return problems


def _keep_imported(cards_dir: Path, compiled: Compiled, problems: list[Problem]) -> list[Problem]:
    """The defects imported cards keep while unchanged (see :mod:`deckgen.lock.kept`): one warning, not errors."""
    from deckgen.build import build_time
    from deckgen.lock.kept import keep

    assert compiled.deck is not None
    try:
        old = read_lock(cards_dir / LOCK_FILE, build_time())
    except ContentError:
        return problems  # reported by lock_problems
    left, kept = keep(problems, compiled.notes, compiled.deck.notetypes, old)
    summary = kept.summary(compiled.deck.location)
    return left if summary is None else [*left, summary]


def lock_problems(cards_dir: Path, compiled: Compiled, *, deck_has_errors: bool = False) -> list[Problem]:
    """The lock file's problems: damaged or tampered (always), out of date (only when the cards have no errors)."""
    from deckgen.build import build_time, plan_build

    if deck_has_errors:  # plan_build would stop at the cards' errors: read the lock alone
        try:
            read_lock(cards_dir / LOCK_FILE, build_time())
        except ContentError as exc:
            return list(exc.problems)
        return []
    try:
        plan = plan_build(cards_dir, compiled=compiled)
    except ContentError as exc:  # lock-level problems: a reused id, a changed card kind, a damaged lock
        return [
            p
            for p in exc.problems
            if p.rule in ("lock", "identity", "schema") or p.location.path.endswith("deckgen.lock")
        ]
    stale = plan.stale_lock()
    # a warning while editing (pre-commit must not block ordinary work); 'deckgen build --locked' is the CI gate
    return [] if stale is None else [replace(stale, severity=WARNING)]
