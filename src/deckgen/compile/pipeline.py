"""Load and compile a whole cards folder: cached per topic file (see :mod:`deckgen.compile.cache`), in parallel on large
decks."""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from deckgen.compile.cache import Cache, Result, default_cache_dir, private, widths
from deckgen.compile.deck import compile_cards, missing_media
from deckgen.compile.editor_notes import references_html
from deckgen.compile.lint import deck_warnings, prompt_key
from deckgen.compile.note import CompileContext, NoteSpec
from deckgen.errors import Problem
from deckgen.model import Deck, Topic
from deckgen.render import render_markdown
from deckgen.source.layout import read_file_bytes
from deckgen.source.loader import cross_file_problems, make_deck, parse_topic, topic_files
from deckgen.source.manifest import read_manifest
from deckgen.source.requires import version_problem
from deckgen.source.yamlfile import file_display

PARALLEL_MIN_BYTES = 2_000_000  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Compiled:
    deck: Deck | None
    notes: tuple[NoteSpec, ...]
    problems: tuple[Problem, ...]
    description_html: str = ""  # the deck description as the package carries it (with the editor's references)


Work = tuple[bytes, Path, str, CompileContext, "Path | None", str]  # data, path, display, ctx, cache folder, key


def _unit(data: bytes, path: Path, display: str, ctx: CompileContext, cache: Path | None, key: str) -> Result:
    """Everything that depends on one topic file's content alone; stored in the cache (by the worker)."""
    types = {nt.key: nt.fields for nt in ctx.notetypes} if ctx.key else None  # no key: deck.yaml is unusable
    topic, problems = parse_topic(data, path, display, types)
    if topic is None:
        result: Result = (None, [], problems)
    else:
        topic = replace(topic, prompt_keys=tuple(prompt_key(card) for card in topic.cards))
        notes, found = compile_cards(topic.cards, ctx, topic.deck)
        result = (topic, notes, problems + found)
    if cache is not None:
        Cache(cache).put(key, result)
    return result


def _unit_args(args: Work) -> Result:
    return _unit(*args)


def _ignore_sigint() -> None:  # workers: the parent alone handles Ctrl-C
    signal.signal(signal.SIGINT, signal.SIG_IGN)


Progress = Callable[[str, int, int], None]  # (stage, done, total)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a deck's objects are built: they form no cycles, and on a
    50,000-card deck its repeated full scans cost about a third of the build (measured: 7.5 s -> 5.3 s).

    On the way out, every object made meanwhile is moved to the oldest generation unscanned (``gc.freeze()``
    then ``gc.unfreeze()``): left in the youngest, the first collection after ``gc.enable()`` would walk all of
    them at once (about 0.3 s at 50,000 cards) to find nothing. They stay collectable: a later full collection
    still sees them, so a long-lived process leaks nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def load_and_compile(
    root: Path,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Compiled:
    """Read, validate and render every card of ``root``; collect every problem."""
    mismatch = version_problem(root)  # a deck made for another deckgen: that alone is the problem
    if mismatch is not None:
        return Compiled(None, (), (mismatch,))
    manifest, problems = read_manifest(root)
    ctx = CompileContext.of(manifest) if manifest else CompileContext("", "", "")
    folder = cache_dir or default_cache_dir()
    cache = Cache(folder) if use_cache and private(folder) else None
    note_widths = widths(ctx)

    results: list[Result | None] = []
    todo: list[tuple[int, Work]] = []
    for path in topic_files(root):
        display = file_display(path)
        data, found = read_file_bytes(root, path, display)
        if data is None:
            results.append((None, [], found))
            continue
        key = cache.key(data, display, ctx) if cache else ""
        hit = cache.get(key, path, note_widths) if cache else None
        results.append(hit)
        if hit is None:
            todo.append((len(results) - 1, (data, path, display, ctx, cache.folder if cache else None, key)))

    for done, ((index, _), result) in enumerate(
        zip(todo, _run([work for _, work in todo], jobs), strict=True), start=1
    ):
        results[index] = result
        if progress:
            progress("reading cards", done, len(todo))

    topics: list[Topic] = []
    notes: list[NoteSpec] = []
    for entry in results:
        assert entry is not None
        topic, topic_notes, found = entry
        problems += found
        if topic is not None:
            topics.append(topic)
            notes += topic_notes
    problems += cross_file_problems(topics)
    if manifest is None:
        return Compiled(None, tuple(notes), tuple(problems))
    deck, found = make_deck(root, manifest, topics)
    problems += found
    if manifest.order:  # notes in deck order: new cards reach learners in this order
        position = {card.id: index for index, card in enumerate(deck.cards)}
        notes.sort(key=lambda note: position[note.card_id])
    problems += missing_media(deck, notes)
    problems += deck_warnings(deck, notes, complete=not any(p.is_error for p in problems))  # for build and check alike
    description_html, found = render_description(deck)
    problems += found
    return Compiled(deck, tuple(notes), tuple(problems), description_html + references_html(deck))


def render_description(deck: Deck) -> tuple[str, list[Problem]]:
    """The deck description's HTML (Markdown, like a card field) and its problems, placed at deck.yaml."""
    result = render_markdown(deck.description)
    problems = [
        Problem(deck.location, p.message, severity=p.severity, context="deck description", rule=p.rule)
        for p in result.problems
    ]
    if result.media:
        problems.append(
            Problem(
                deck.location,
                "the deck description cannot show images or sounds (Anki does not take media "
                "files along with a deck's description); remove them",
                context="deck description",
                rule="media",
            )
        )
    return result.html, problems


def _run(work: Sequence[Work], jobs: int | None) -> Iterator[Result]:
    size = sum(len(args[0]) for args in work)
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(work) < 2 or (jobs is None and size < PARALLEL_MIN_BYTES) or not _can_fork():
        for args in work:
            yield _unit(*args)
        return
    import multiprocessing  # with concurrent.futures, about 40 ms to import: only when workers are started
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_sigint
    )
    try:
        chunk = max(1, len(work) // (workers * 8))
        yield from pool.map(_unit_args, work, chunksize=chunk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
