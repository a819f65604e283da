"""deckgen benchmark: build, rebuild, check and diff next to their baselines, measured in one run.

    python bench/bench.py [--sizes 1000,10000,20000,50000] [--repeat 3]

Baselines, on the same files in the same run: plain genanki writing the same notes (fields already rendered)
and PyYAML's C loader (``yaml.load(..., CSafeLoader)``) parsing the same files. Times are the best of
``--repeat`` rounds; ratios are taken within each round (baselines and build timed back to back) and the
median is reported, so a slow spell of a shared machine hits both sides of a ratio.
Peak memory is the maximum resident set size of a separate ``deckgen build`` process.
"""

from __future__ import annotations

import argparse
import os
import shutil
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

DECKGEN = [sys.executable, "-m", "deckgen"]


def best(fn: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def parse_baseline(cards: Path) -> None:
    for path in sorted(cards.glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def genanki_baseline_factory(cards: Path, out: Path) -> Callable[[], None]:
    """Plain genanki writing the same notes: fields, tags and GUIDs prepared outside the timing."""
    import genanki

    from deckgen.build import plan_build
    from deckgen.notetypes.builtin import CSS, NOTE_TYPES

    plan = plan_build(cards)
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

    def run() -> None:
        deck = genanki.Deck(1234567890, plan.deck.name)
        for model, fields, tags, guid in specs:
            deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=guid))
        genanki.Package(deck).write_to_file(str(out), timestamp=1_700_000_000)

    return run


def run_cli(*args: str, cwd: Path | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one deckgen process.

    The peak is read by /usr/bin/time, whose own small process starts deckgen: measured from here, a forked
    child would count this (large) benchmark process's pages until it execs."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    proc = subprocess.run(
        [*timer, *DECKGEN, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"deckgen {' '.join(args)} failed: {proc.stderr}")
    lines = proc.stderr.strip().splitlines()
    peak = int(lines[-1]) if timer and lines and lines[-1].isdigit() else 0
    return elapsed, peak


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@b",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@b",
        },
    )


def edit_cards(cards: Path, fraction: float) -> int:
    """Change the back/cloze text of ``fraction`` of the cards (spread over the files); returns how many."""
    files = sorted(p for p in cards.glob("topic-*.yaml"))
    total = 0
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        idx = [i for i, line in enumerate(lines) if line.startswith("    extra: ")]
        step = max(1, round(1 / fraction))
        for i in idx[::step]:
            lines[i] = lines[i].replace('extra: "', 'extra: "edited ', 1)
            total += 1
        path.write_text("".join(lines), encoding="utf-8")
    return total


def bench_size(n: int, repeat: int, root: Path) -> dict[str, float]:
    work = root / f"deck-{n}"
    cards = generate(work, n)
    out = work / "out.apkg"
    row: dict[str, float] = {"cards": n}
    genanki_run = genanki_baseline_factory(cards, work / "plain.apkg")

    from deckgen.build import build

    cache = root / "cache"
    os.environ["DECKGEN_CACHE_DIR"] = str(cache)  # the benchmark's own cache, emptied for every cold build

    def cold_setup() -> None:
        (cards / "deckgen.lock").unlink(missing_ok=True)
        shutil.rmtree(cache, ignore_errors=True)

    # Interleaved: each round times the baselines and the builds back to back, and the ratio is taken per
    # round (the median is reported), so a slow spell of a shared machine hits both sides of a ratio.
    rounds = []
    for _ in range(repeat):
        parse_t = best(lambda: parse_baseline(cards), 1)
        genanki_t = best(genanki_run, 1)
        build_t = best(lambda: build(cards, out), 1, setup=cold_setup)
        one_t = best(lambda: build(cards, out, jobs=1), 1, setup=cold_setup)
        rounds.append((parse_t, genanki_t, build_t, one_t))
    row["parse"] = min(r[0] for r in rounds)
    row["genanki"] = min(r[1] for r in rounds)
    row["build"] = min(r[2] for r in rounds)
    row["build_1job"] = min(r[3] for r in rounds)
    row["ratio"] = statistics.median(r[2] / (r[0] + r[1]) for r in rounds)
    row["ratio_1job"] = statistics.median(r[3] / (r[0] + r[1]) for r in rounds)
    cold_setup()
    row["build_cli"], rss = run_cli("build", str(cards), "-o", str(out))
    row["rss_mb"] = rss / 1024

    # rebuild after changing one card in one file
    first = sorted(cards.glob("topic-*.yaml"))[0]
    counter = [0]

    def touch_one() -> None:
        counter[0] += 1
        text = first.read_text(encoding="utf-8")
        first.write_text(text.replace('extra: "', f'extra: "v{counter[0]} ', 1), encoding="utf-8")

    build(cards, out)
    rebuilds = []
    for _ in range(repeat):  # interleaved with a cold build, ratio per round
        cold = best(lambda: build(cards, out), 1, setup=cold_setup)
        rebuilds.append((best(lambda: build(cards, out), 1, setup=touch_one), cold))
    row["rebuild"] = min(r[0] for r in rebuilds)
    row["rebuild_ratio"] = statistics.median(r[0] / r[1] for r in rebuilds)
    touch_one()
    row["rebuild_cli"], _ = run_cli("build", str(cards), "-o", str(out))
    row["check_cli"], _ = run_cli("check", str(cards))

    # diff between two revisions that differ in 1% of the cards
    if "diff" in _commands():
        git(work, "init", "-q", "-b", "main")
        git(work, "add", "cards")
        git(work, "commit", "-qm", "base")
        edit_cards(cards, 0.01)
        git(work, "commit", "-qam", "edit 1%")
        row["diff_cli"], _ = run_cli("diff", "HEAD~1", "HEAD", "--cards", "cards", cwd=work)
    return row


def _commands() -> set[str]:
    from deckgen.cli import main

    return set(main.commands)


def help_ratio(repeat: int) -> tuple[float, float]:
    def timed(cmd: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - start

    click_t = min(timed([sys.executable, "-c", "import click"]) for _ in range(max(5, repeat)))
    help_t = min(timed([*DECKGEN, "--help"]) for _ in range(max(5, repeat)))
    return help_t, click_t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,20000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, libyaml={yaml.__with_libyaml__}, best of {args.repeat}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as tmp:
        for n in sizes:
            rows.append(bench_size(n, args.repeat, Path(tmp)))
            print(f"  measured {n} cards", file=sys.stderr)
    header = (
        "| cards | C-loader parse | genanki write | build (cold) | ratio to parse+genanki | build CLI | peak RSS "
        "| rebuild (1 card) | ratio to cold build | rebuild CLI / build CLI | check CLI | diff CLI (1%) | build, 1 process |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in rows:
        diff = f"{r['diff_cli']:.2f} s" if "diff_cli" in r else "n/a"
        print(
            f"| {int(r['cards']):,} | {r['parse']:.2f} s | {r['genanki']:.2f} s | {r['build']:.2f} s | "
            f"{r['ratio']:.2f}× | {r['build_cli']:.2f} s | {r['rss_mb']:.0f} MB | {r['rebuild']:.2f} s | "
            f"{r['rebuild_ratio']:.2f}× | {r['rebuild_cli']:.2f} s ({r['rebuild_cli'] / r['build_cli']:.2f}×) | "
            f"{r['check_cli']:.2f} s | {diff} | {r['build_1job']:.2f} s "
            f"({r['ratio_1job']:.2f}×) |"
        )
    help_t, click_t = help_ratio(args.repeat)
    print(
        f"\n`deckgen --help`: {help_t * 1000:.0f} ms vs `python -c 'import click'`: {click_t * 1000:.0f} ms "
        f"({help_t / click_t:.2f}×)"
    )


if __name__ == "__main__":
    main()
