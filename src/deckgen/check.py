"""``deckgen check``: every rule over a cards folder, every problem with its place. Nothing is written."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import WARNING, ContentError, Location, Problem, UsageError
from .loader import MEDIA_DIR
from .model import CLOZE, Deck
from .pipeline import Compiled, gc_paused, load_and_compile
from .yamlsource import file_display


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
    notes = compiled.notes
    problems += duplicate_prompts(deck)
    problems += tag_case(deck)
    from .build import render_description

    problems += render_description(deck)[1]
    problems += unused_media(deck, {name for note in notes for name in note.media})
    if documents:
        problems += sources_found(deck, documents)
    if not any(p.is_error for p in problems):
        problems += lock_problems(cards_dir, compiled)
    return CheckReport(tuple(sorted(problems, key=Problem.sort_key)), len(deck.cards), len(deck.topics))


_CLOZE_MARKUP = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _prompt_key(text: str) -> str:
    text = _CLOZE_MARKUP.sub(r"\1", text)
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def duplicate_prompts(deck: Deck) -> list[Problem]:
    """Same question twice (after folding case, punctuation and cloze markup), or the same words reordered."""
    problems: list[Problem] = []
    exact: dict[str, str] = {}
    words: dict[frozenset[str], str] = {}
    locations = {card.id: card.location for card in deck.cards}
    for card in deck.cards:
        key = _prompt_key(card.prompt)
        field = "cloze" if card.kind == CLOZE else "front"
        what = "cloze text" if card.kind == CLOZE else "front"
        if key in exact:
            other = exact[key]
            problems.append(Problem(card.where(field),
                                    f"same {what} as card '{other}' ({locations[other]}); merge them or make them distinct",
                                    severity=WARNING, context=f"card '{card.id}'", rule="duplicate"))
            continue
        exact[key] = card.id
        bag = frozenset(key.split())
        if len(bag) >= 4:
            if bag in words:
                other = words[bag]
                problems.append(Problem(card.where(field),
                                        f"{what} has the same words as card '{other}' ({locations[other]}); "
                                        "is it a near-duplicate?", severity=WARNING, context=f"card '{card.id}'",
                                        rule="duplicate"))
            else:
                words[bag] = card.id
    return problems


def tag_case(deck: Deck) -> list[Problem]:
    """Anki treats tags case-insensitively: 'MRD' and 'mrd' would merge into whichever came first."""
    problems: list[Problem] = []
    spelled: dict[str, str] = {}
    for card in deck.cards:
        for tag in (deck.topic_tag(card.topic), *card.tags):
            first = spelled.setdefault(tag.casefold(), tag)
            if first != tag:
                problems.append(Problem(card.where("tags"), f"tag '{tag}' differs from '{first}' only in case; "
                                        "Anki treats them as one tag, so spell it one way", severity=WARNING,
                                        context=f"card '{card.id}'", rule="tags"))
    return problems


def unused_media(deck: Deck, used: set[str]) -> list[Problem]:
    folder = deck.root / MEDIA_DIR
    if not folder.is_dir():
        return []
    return [
        Problem(Location(file_display(path)), "no card uses this file; reference it or delete it",
                severity=WARNING, rule="media")
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.name not in used
    ]


def sources_found(deck: Deck, documents: list[tuple[Path, str]]) -> list[Problem]:
    names = ", ".join(file_display(path) for path, _ in documents)
    problems: list[Problem] = []
    for card in deck.cards:
        if not card.source:
            problems.append(Problem(card.location, "has no 'source' excerpt; quote the sentence the card is based on",
                                    severity=WARNING, context=f"card '{card.id}'", rule="source"))
            continue
        excerpt = normalize_source(card.source)
        if not any(excerpt in text for _, text in documents):
            problems.append(Problem(card.where("source"), f"source excerpt not found in {names} (compared after NFKC "
                                    "normalization and whitespace folding); copy it verbatim from the document",
                                    context=f"card '{card.id}'", rule="source"))
    return problems


def lock_problems(cards_dir: Path, compiled: Compiled) -> list[Problem]:
    from .build import plan_build

    try:
        plan = plan_build(cards_dir, compiled=compiled)
    except ContentError as exc:  # lock-level problems: a reused id, a changed card kind, a damaged lock
        return [p for p in exc.problems if p.rule == "lock" or p.location.path.endswith("deckgen.lock")]
    stale = plan.stale_lock()
    return [] if stale is None else [stale]
