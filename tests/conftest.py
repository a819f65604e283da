from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from deckgen import __version__
from deckgen.cli import main

REPO = Path(__file__).resolve().parent.parent
DOCS = f"https://github.com/deckgen-anki/deckgen/blob/v{__version__}/docs"  # the docs as in the user's release
MATH_DOCS = f"{DOCS}/format/math-code-media.md#math"
HTML_DOCS = f"{DOCS}/format/math-code-media.md#html-in-fields"


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have ended (git, deckgen, workers): what a
    time bound measures. Another process on a loaded machine does not count, as it would in wall time."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


CHILD_CPU_SECONDS = 60  # limits of a deckgen child process on hostile input: generous, the machine is shared
CHILD_MEMORY_BYTES = 2 * 1024**3
CHILD_WALL_SECONDS = 120


def _limited() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))


def limited_deckgen(
    tmp_path: Path, *args: str, timeout: float = CHILD_WALL_SECONDS
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``deckgen ARGS`` run in ``tmp_path`` as a child under a CPU-time and address-space limit, with a cache of
    its own: the finished process, and the CPU time it took (the wall-clock ``timeout`` only stops a hang)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env["DECKGEN_CACHE_DIR"] = str(tmp_path / "cache")
    start = cpu_seconds()
    proc = subprocess.run(
        [sys.executable, "-m", "deckgen", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        preexec_fn=_limited,
        timeout=timeout,
    )
    return proc, cpu_seconds() - start


DECK_YAML = """\
key: fixture-deck
name: "Fixture::Immunotherapy"
tag: fx
description: |
  A *fixture* deck for tests. Not medical advice.
source:
  title: A fixture article
  publisher: Test Press
"""

TOPIC_YAML = """\
topic: basics
title: The basics
cards:
  - id: threshold
    front: "Which blast fraction is meant by <5%?"
    back: "**Below five percent** of BCR::ABL1 cells"
    extra: "Chinese term: 基底原始细胞"
    source: "基底原始细胞比例<5%的患儿"
    tags: [numbers]
  - id: bite-abbreviation
    front: BiTE
    back: bispecific T-cell engager
    reverse: true
  - id: two-cloze
    cloze: "Blinatumomab binds {{c1::CD19}} on B cells and {{c2::CD3}} on T cells."
"""

SECOND_TOPIC_YAML = """\
topic: safety
title: Safety
cards:
  - id: crs-fever
    cloze: "Mild CRS shows only {{c1::fever}}."
"""


def write_deck(root: Path, *, deck: str = DECK_YAML, topics: dict[str, str] | None = None) -> Path:
    cards = root / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    (cards / "deck.yaml").write_text(deck, encoding="utf-8")
    for name, text in (
        topics if topics is not None else {"basics.yaml": TOPIC_YAML, "safety.yaml": SECOND_TOPIC_YAML}
    ).items():
        (cards / name).write_text(text, encoding="utf-8")
    return cards


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    """A cards folder with the fixture deck; the package goes to tmp_path/output."""
    return write_deck(tmp_path)


def run(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run


class AnkiCollection:
    """A throwaway collection driven through the real Anki backend."""

    def __init__(self, path: Path):
        from anki.collection import Collection

        self.col = Collection(str(path))

    def import_package(self, apkg: Path) -> Any:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
        return self.col.import_anki_package(request).log

    def notes(self) -> list[Any]:
        return [self.col.get_note(nid) for nid in sorted(self.col.find_notes(""))]

    def add_note(
        self,
        front: str,
        back: str = "{{FrontSide}}",
        values: dict[str, str] | None = None,
        fields: tuple[str, ...] = ("Front", "Back"),
        css: str | None = None,
    ) -> Any:
        """A note of a new note type with one template (``front``/``back``) and ``fields``, filled with
        ``values``, in the Default deck: the backend's ``question()``/``answer()`` of its card show a shape."""
        mm = self.col.models
        model = mm.new(f"M{len(mm.all_names_and_ids())}")
        for name in fields:
            mm.add_field(model, mm.new_field(name))
        template = mm.new_template("Card 1")
        template["qfmt"], template["afmt"] = front, back
        mm.add_template(model, template)
        if css is not None:
            model["css"] = css
        mm.add(model)
        note = self.col.new_note(mm.by_name(model["name"]))
        for name, value in (values or {}).items():
            note[name] = value
        self.col.add_note(note, self.col.decks.id_for_name("Default") or 1)
        return note

    def note_by_id_field(self, card_id: str) -> Any:
        (nid,) = self.col.find_notes(f'"Id:{card_id}"')
        return self.col.get_note(nid)

    def notetype_names(self) -> list[str]:
        return sorted(m["name"] for m in self.col.models.all())

    def card_rows(self) -> list[tuple[Any, ...]]:
        return self.col.db.all(
            "select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, odue from cards order by id"
        )

    def note_rows(self) -> list[tuple[Any, ...]]:
        return self.col.db.all("select id, guid, mid, mod, tags, flds from notes order by id")

    def revlog_rows(self) -> list[tuple[Any, ...]]:
        return self.col.db.all("select * from revlog order by id")

    def review_all(self, deck_name: str) -> int:
        """Answer every due card 'Easy' through the scheduler; returns how many answers were given."""
        did = self.col.decks.id_for_name(deck_name)
        assert did, deck_name
        self.col.decks.set_current(did)
        answered = 0
        for _ in range(100):
            card = self.col.sched.getCard()
            if card is None:
                break
            card.start_timer()
            self.col.sched.answerCard(card, 4)
            answered += 1
        return answered

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiCollection]:
    collection = AnkiCollection(tmp_path / "collection.anki2")
    yield collection
    collection.close()


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[..., str]:
    """A throwaway git repository in tmp_path/repo; returns a function running git there."""
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.com",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com",
                "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": str(tmp_path),
            },
        ).stdout

    git("init", "-q", "-b", "main")
    return git


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty deckgen cache (never the user's)."""
    folder = tmp_path_factory.mktemp("deckgen-cache")
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(folder))
    return folder


# Property tests: 100 examples each while developing, 1000 in CI (`CI=true`), no per-example deadline
# (shared machines are noisy).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
_hypothesis_settings.register_profile("ci", max_examples=1000, deadline=None)
_hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def anki_source(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An existing deck made with the real Anki backend and exported in every format (see tests/anki_source.py);
    made once per test session. Tests must not change its files (copy them first)."""
    from tests.anki_source import make_source

    return make_source(tmp_path_factory.mktemp("anki-source"))
