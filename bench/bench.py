"""deckgen benchmark: every speed figure of the README's Speed table, measured side by side in one run.

    python bench/bench.py [--sizes 10000,50000] [--rounds 3] [--peer-size 10000] [--no-peers]

The machine is shared, so every figure is CPU time (user + system: another process's load does not count) and
every ratio is taken within one round, between measurements made back to back, then the median over the rounds is
reported. Measured:

- cold build ÷ baseline, one process: ``build(jobs=1)`` with an empty cache and no lock, against PyYAML's C loader
  parsing the same files plus genanki writing the same notes (fields already rendered), in this process;
- one-file rebuild ÷ cold: one card's text changed in one file, everything else cached;
- peak RSS of a cold ``deckgen build`` process (read by /usr/bin/time);
- ``deckgen --help`` ÷ ``python -c "import click"``, whole processes, bytecode cached;
- peers (bench/peers.py: ankdown, md2anki, a plain genanki script, each in its own venv under bench/.peers) ÷ a
  ``deckgen build`` process, cold, same cards, CPU and wall time.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen import generate  # noqa: E402
from peers import peers  # noqa: E402

import deckgen  # noqa: E402

DECKGEN = [sys.executable, "-m", "deckgen"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # processes as users run them


def cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def process(
    command: list[str], env: dict[str, str] | None = None, timeout: float | None = None
) -> tuple[float, float, int] | None:
    """CPU seconds (the process and its children), wall seconds and peak RSS (KiB; 0 when unknown) of a command;
    None when it ran past ``timeout`` seconds (it is stopped, with its children)."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*timer, *command],
        env=env or ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {stderr[-2000:]}")
    lines = stderr.strip().splitlines()
    peak = int(lines[-1]) if timer and lines and lines[-1].isdigit() else 0
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall, peak


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    measured = process(command, env)
    assert measured is not None
    return measured


def baseline(cards: Path, out: Path) -> Callable[[], None]:
    """PyYAML's C loader parsing the files, then genanki writing the same notes (prepared outside the timing)."""
    import genanki

    from deckgen.build import plan_build
    from deckgen.notetypes.builtin import CSS, NOTE_TYPES

    plan = plan_build(cards, use_cache=False)
    models = {
        key: genanki.Model(
            nt.id,
            nt.name,
            fields=[{"name": f} for f in nt.fields],
            templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in nt.templates],
            css=CSS,
            model_type=genanki.Model.CLOZE if nt.is_cloze else genanki.Model.FRONT_BACK,
        )
        for key, nt in NOTE_TYPES.items()
    }
    specs = [(models[n.notetype], list(n.fields), list(n.tags), n.guid) for n in plan.notes]
    files = sorted(cards.glob("*.yaml"))

    def run() -> None:
        for path in files:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        deck = genanki.Deck(1234567890, plan.deck.name)
        for model, fields, tags, guid in specs:
            deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=guid))
        genanki.Package(deck).write_to_file(str(out), timestamp=1_700_000_000)

    return run


def bench_size(n: int, rounds: int, root: Path) -> dict[str, float]:
    from deckgen.build import build

    work = root / f"deck-{n}"
    cards = generate(work, n)
    out = work / "out.apkg"
    cache = root / "cache"
    os.environ["DECKGEN_CACHE_DIR"] = str(cache)

    def cold() -> None:
        (cards / "deckgen.lock").unlink(missing_ok=True)
        shutil.rmtree(cache, ignore_errors=True)
        build(cards, out, jobs=1)

    first = sorted(cards.glob("topic-*.yaml"))[0]
    edits = [0]

    def rebuild() -> None:
        edits[0] += 1
        text = first.read_text(encoding="utf-8")
        first.write_text(text.replace('extra: "', f'extra: "v{edits[0]} ', 1), encoding="utf-8")
        build(cards, out, jobs=1)

    base = baseline(cards, work / "plain.apkg")
    rows = []
    for _ in range(rounds):  # back to back in each round: a slow spell of the machine hits both sides of a ratio
        b, c = cpu(base), cpu(cold)
        r = cpu(rebuild)
        rows.append((b, c, r))
    shutil.rmtree(cache, ignore_errors=True)
    (cards / "deckgen.lock").unlink(missing_ok=True)
    _, _, peak = run([*DECKGEN, "build", str(cards), "-o", str(out)], env={**ENV, "DECKGEN_CACHE_DIR": str(cache)})
    return {
        "cards": n,
        "baseline": statistics.median(r[0] for r in rows),
        "cold": statistics.median(r[1] for r in rows),
        "cold_ratio": statistics.median(r[1] / r[0] for r in rows),
        "rebuild": statistics.median(r[2] for r in rows),
        "rebuild_ratio": statistics.median(r[2] / r[1] for r in rows),
        "rss_mb": peak / 1024,
    }


def help_ratio(rounds: int) -> float:
    compileall.compile_dir(Path(deckgen.__file__).parent, quiet=1)  # as an installed package has it
    ratios = []
    for _ in range(max(10, rounds)):
        click_t = run([sys.executable, "-c", "import click"])[0]
        ratios.append(run([*DECKGEN, "--help"])[0] / click_t)
    return statistics.median(ratios)


PEER_TIMEOUT = 120.0  # seconds of wall time; a peer that takes longer is run once and shown as "more than"


def bench_peers(n: int, rounds: int, root: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(peer, CPU ratio, wall ratio) of each peer to a cold ``deckgen build`` process on the same cards; a peer
    stopped at PEER_TIMEOUT shows the lower bound ("> x") and is not run again."""
    work = root / f"peers-{n}"
    cards = generate(work, n)
    found, skipped = peers(cards, work)
    cache = work / "cache"
    env = {**ENV, "DECKGEN_CACHE_DIR": str(cache)}
    results: dict[str, list[tuple[float, float]]] = {p.name: [] for p in found}
    slow: dict[str, tuple[float, float]] = {}
    for _ in range(rounds):
        shutil.rmtree(cache, ignore_errors=True)
        (cards / "deckgen.lock").unlink(missing_ok=True)
        ours_cpu, ours_wall, _ = run([*DECKGEN, "build", str(cards), "-o", str(work / "deckgen.apkg")], env=env)
        for peer in found:
            if peer.name in slow:
                continue
            measured = process(peer.command, timeout=PEER_TIMEOUT)
            if measured is None:
                slow[peer.name] = (ours_cpu, ours_wall)
                continue
            results[peer.name].append((measured[0] / ours_cpu, measured[1] / ours_wall))
    rows = []
    for name, rs in results.items():
        if name in slow:
            rows.append((name, "", f"> {PEER_TIMEOUT / slow[name][1]:.0f} (stopped after {PEER_TIMEOUT:.0f} s)"))
        else:
            rows.append(
                (name, f"{statistics.median(r[0] for r in rs):.2f}", f"{statistics.median(r[1] for r in rs):.2f}")
            )
    return rows, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer-size", type=int, default=10000)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as tmp:
        rows = []
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(bench_size(n, args.rounds, Path(tmp)))
            print(f"  measured {n:,} cards", file=sys.stderr)
        help_x = help_ratio(args.rounds)
        peer_rows, skipped = ([], []) if args.no_peers else bench_peers(args.peer_size, args.rounds, Path(tmp))
    print(
        f"deckgen {deckgen.__version__}, {datetime.date.today().isoformat()}, {platform.machine()}, "
        f"{os.cpu_count()} cores ({platform.processor() or platform.platform()}), Python {platform.python_version()}, "
        f"median of {args.rounds} interleaved rounds, CPU time\n"
    )
    print(
        "| cards | baseline (C-loader parse + genanki) | cold build | cold ÷ baseline | one-file rebuild | rebuild ÷ cold | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {int(r['cards']):,} | {r['baseline']:.2f} s | {r['cold']:.2f} s | {r['cold_ratio']:.2f}× | "
            f"{r['rebuild']:.2f} s | {r['rebuild_ratio']:.2f}× | {r['rss_mb']:.0f} MB |"
        )
    print(f"\n`deckgen --help` ÷ `python -c 'import click'`: {help_x:.2f}×")
    if peer_rows or skipped:
        print(f"\n| peer, {args.peer_size:,} cards, cold | peer ÷ deckgen, CPU | peer ÷ deckgen, wall |\n|---|---|---|")
        for name, cpu_x, wall_x in peer_rows:
            print(f"| {name} | {cpu_x} | {wall_x} |")
        for line in skipped:
            print(f"| {line} | | |")


if __name__ == "__main__":
    main()
