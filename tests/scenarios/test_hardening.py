"""Hostile input and failures at the worst moment: never a traceback, never a half-written output."""

from __future__ import annotations

import errno
import hashlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from tests.conftest import REPO, TOPIC_YAML, run, write_deck

sys.path.insert(0, str(REPO / "bench"))
from gen import generate  # noqa: E402

from deckgen.build import build
from deckgen.errors import ContentError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(*folders: Path) -> list[str]:
    return sorted(p.name for folder in folders for p in folder.iterdir() if p.name.endswith(".tmp"))


def topic_errors(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> tuple[str, Path]:
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML})
    path = cards / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = run("build", cards)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output, path


# --- YAML attacks ---------------------------------------------------------------------------------------


def test_control_character_has_its_line_and_column(tmp_path: Path) -> None:
    output, path = topic_errors(tmp_path, 'topic: x\ntitle: y\ncards:\n  - id: a\n    front: "\x01q"\n')
    assert (
        f"{path.name}:5:13: error: invalid YAML: control "
        "character U+0001 is not allowed; remove it (inside double quotes it can be written '\\x01')" in output
    )


def test_a_file_name_cannot_start_a_runner_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub Actions reads a log line starting with '::' as a command ('::stop-commands::TOKEN' turns the rest
    of the job's annotations off): a topic file named so is printed with './' before its name."""
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML})
    (cards / "::stop-commands::tok.yaml").write_text("topic: x\ntitle: [\n", encoding="utf-8")
    (cards / "##[error]x.yaml").write_text("topic: y\ntitle: [\n", encoding="utf-8")
    monkeypatch.chdir(cards)
    result = run("check", ".")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("./::stop-commands::tok.yaml:3:1: error: invalid YAML") for line in lines), result.output
    assert any(line.startswith("./##[error]x.yaml:3:1: error: invalid YAML") for line in lines), result.output
    assert not [line for line in lines if line.startswith(("::", "##"))]


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    + ["topic: x", "title: y", "cards: *i"]
)


def test_billion_laughs_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    tracemalloc.start()
    output, path = topic_errors(tmp_path, BILLION_LAUGHS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert f"{path}:2:8: error: YAML alias '*a' is not allowed in card files; write the value out" in output
    assert peak < 50 * 1024 * 1024  # 9^9 expanded items would need many GB


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system", "!!python/name:os.system", "!!binary", "!custom", "!!set"]
)
def test_non_standard_tags_are_refused(tmp_path: Path, tag: str) -> None:
    text = f"topic: x\ntitle: y\ncards:\n  - id: a\n    front: {tag} Q\n    back: A\n"
    output, path = topic_errors(tmp_path, text)
    shown = tag if tag.startswith("!!") else tag
    assert f"{path}:5:12: error: card 'a': unsupported YAML tag '{shown}'; card files use plain YAML only" in output


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML})
    huge = cards / "huge.yaml"
    with open(huge, "wb") as fh:  # sparse: 100 MB on paper, nothing on disk
        fh.truncate(100 * 1024 * 1024)
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        f"{huge}: error: file is 104,857,600 bytes, over the 16,777,216-byte limit; split it into several topic files"
        in result.output
    )


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused(tmp_path: Path, style: str) -> None:
    depth = 50_000
    if style == "flow":
        text = "topic: x\ntitle: y\ncards: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "topic: x\ntitle: y\ncards:\n  " + "- " * depth + "x\n"
    output, path = topic_errors(tmp_path, text)
    assert "nested too deeply (YAML nesting is limited to 1000 levels)" in output
    assert "RecursionError" not in output


# --- files ----------------------------------------------------------------------------------------------


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML, "locked.yaml": "topic: l\ntitle: L\ncards: []\n"})
    import deckgen.fsutil
    import deckgen.source.yamlfile

    real = deckgen.fsutil.read_regular

    def read_regular(path: str | Path, max_bytes: int, **kwargs: object) -> bytes:  # root reads everything: simulated
        if Path(path).name == "locked.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, max_bytes, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(deckgen.source.yamlfile, "read_regular", read_regular)  # where card files are read
    result = run("build", cards)
    assert result.exit_code == 1
    assert (
        f"{cards / 'locked.yaml'}: error: cannot be read (permission denied); check the file's permissions"
        in result.output
    )


def test_dangling_symlink(tmp_path: Path) -> None:
    cards = write_deck(tmp_path, topics={"basics.yaml": TOPIC_YAML})
    (cards / "gone.yaml").symlink_to(cards / "missing-target.yaml")
    result = run("build", cards)
    assert result.exit_code == 1
    assert f"{cards / 'gone.yaml'}: error: cannot be read (No such file or directory); check the file" in result.output


# --- nothing lost -----------------------------------------------------------------------------------------


@pytest.fixture
def shipped(tmp_path: Path) -> tuple[Path, Path, str, str]:
    """A built deck with one card edited since: a build would rewrite both the package and the lock."""
    cards = write_deck(tmp_path)
    assert run("build", cards).exit_code == 0
    apkg = tmp_path / "output" / "fixture-deck.apkg"
    topic = cards / "safety.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("{{c1::fever}}", "{{c1::a fever}}"), encoding="utf-8")
    return cards, apkg, digest(apkg), digest(cards / "deckgen.lock")


def assert_untouched(shipped: tuple[Path, Path, str, str]) -> None:
    cards, apkg, apkg_digest, lock_digest = shipped
    assert digest(apkg) == apkg_digest
    assert digest(cards / "deckgen.lock") == lock_digest
    assert leftovers(cards, apkg.parent) == []


def test_exception_inside_packaging(shipped: tuple[Path, Path, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import deckgen.apkg

    def failing_write(path: Path, **kwargs: object) -> None:
        path.write_bytes(b"PK\x03\x04 half a package")
        raise RuntimeError("boom inside packaging")

    monkeypatch.setattr(deckgen.apkg, "write_apkg", failing_write)
    with pytest.raises(RuntimeError, match="boom inside packaging"):
        build(shipped[0])
    assert_untouched(shipped)


def test_full_disk(shipped: tuple[Path, Path, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from deckgen.apkg.zipped import Pieces

    real = Pieces.deflate
    calls = []

    def deflate(self: Pieces, data: bytes) -> bytes:
        calls.append(data)
        if len(calls) == 2:  # the first entry is written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Pieces, "deflate", deflate)
    result = run("build", shipped[0])
    assert result.exit_code == 1
    assert result.output.startswith("deckgen: error: cannot write ")
    assert result.output.rstrip().endswith("No space left on device; nothing was changed")
    assert "Traceback" not in result.output
    assert_untouched(shipped)


def test_failed_build_never_touches_the_lock(shipped: tuple[Path, Path, str, str]) -> None:
    cards = shipped[0]
    (cards / "broken.yaml").write_text("topic: b\ntitle: B\ncards:\n  - id: x\n    front: Q\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build(cards)
    assert_untouched(shipped)


# --- interrupting a build, and the progress bar (a big deck, so that the build takes a while) ----------


@pytest.fixture(scope="module")
def big_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("big"), 30_000)


def deckgen_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env["DECKGEN_CACHE_DIR"] = str(tmp_path / "cold-cache")
    env.update(extra)
    return env


def test_sigint_leaves_output_and_lock_intact(big_deck: Path, tmp_path: Path) -> None:
    out = tmp_path / "big.apkg"
    first = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", str(big_deck), "-o", str(out)],
        env=deckgen_env(tmp_path, DECKGEN_CACHE_DIR=str(tmp_path / "c1")),
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    lock = big_deck / "deckgen.lock"
    before = digest(out), digest(lock)
    topic = big_deck / "topic-0000.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace('extra: "', 'extra: "interrupted ', 1), encoding="utf-8")

    proc = subprocess.Popen(
        [sys.executable, "-m", "deckgen", "build", str(big_deck), "-o", str(out)],
        env=deckgen_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Interrupted while it reads 30,000 cards with a cold cache (several seconds): once the first file is cached,
    # start-up is over, however slowly a loaded machine got there (a fixed sleep could land in the imports).
    cache = tmp_path / "cold-cache"
    deadline = time.monotonic() + 60
    while not (cache.is_dir() and any(p.is_file() for p in cache.rglob("*"))):
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended or never started reading"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert stderr == "deckgen: interrupted; nothing was written\n"
    assert stdout == ""
    assert (digest(out), digest(lock)) == before
    assert leftovers(big_deck, tmp_path) == []


def run_in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command with a pseudo-terminal as its stdout and stderr, as a person's shell would."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(sys.executable, [sys.executable, *args], env)
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(big_deck: Path, tmp_path: Path) -> None:
    args = ["-m", "deckgen", "build", str(big_deck), "-o", str(tmp_path / "p.apkg")]
    code, screen = run_in_terminal(args, deckgen_env(tmp_path, DECKGEN_CACHE_DIR=str(tmp_path / "t1")))
    assert code == 0, screen
    assert "reading cards" in screen and "] " in screen and "/300" in screen
    assert "built " in screen

    code, screen = run_in_terminal(args, deckgen_env(tmp_path, CI="true", DECKGEN_CACHE_DIR=str(tmp_path / "t2")))
    assert code == 0
    assert "reading cards" not in screen

    piped = subprocess.run(
        [sys.executable, *args],
        env=deckgen_env(tmp_path, DECKGEN_CACHE_DIR=str(tmp_path / "t3")),
        capture_output=True,
        text=True,
    )
    assert piped.returncode == 0
    assert "reading cards" not in piped.stdout + piped.stderr


def test_quick_build_on_a_terminal_shows_no_bar(tmp_path: Path) -> None:
    cards = write_deck(tmp_path)
    code, screen = run_in_terminal(["-m", "deckgen", "build", str(cards)], deckgen_env(tmp_path))
    assert code == 0
    assert "reading cards" not in screen
    assert screen.startswith("built ")
