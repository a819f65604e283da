"""deckgen import benchmark: a 10,000-note package with 5,000 media files, imported into a cards folder.

    python bench/bench_import.py [--notes 10000] [--media 5000] [--repeat 3]

The package is written with genanki (a Legacy-1 .apkg, as genanki and Anki 2.0 write it): a four-field note type
(Hanzi, Pinyin, English, Audio), half the notes with a ``[sound:]`` reference to one of the media files, which are
4 KB each (20 MB), plus 100 media files no note uses. Baseline, on the same package in the same run: extracting
the whole zip archive with Python's zipfile (what any importer must at least read). Times are the best of
``--repeat`` rounds of the ``deckgen import`` command (Python start-up included).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def make_package(path: Path, notes: int, media: int, folder: Path) -> None:
    import genanki

    model = genanki.Model(
        1_607_392_319,
        "Chinese vocabulary",
        fields=[{"name": "Hanzi"}, {"name": "Pinyin"}, {"name": "English"}, {"name": "Audio"}],
        templates=[
            {
                "name": "Recognise",
                "qfmt": "{{Hanzi}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Pinyin}}<br>{{English}}<br>{{Audio}}",
            },
            {"name": "Listen", "qfmt": "{{#Audio}}{{Audio}}{{/Audio}}", "afmt": "{{FrontSide}}<hr id=answer>{{Hanzi}}"},
        ],
        css=".card { font-size: 24px; }",
    )
    deck = genanki.Deck(2_059_400_110, "Benchmark::Vocabulary")
    files = []
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(media + 100):
        name = f"詞 {i:05d}.mp3"
        (folder / name).write_bytes(b"ID3\x03" + i.to_bytes(4, "big") * 1023)
        files.append(str(folder / name))
    for i in range(notes):
        audio = f"[sound:詞 {(i // 2) % media:05d}.mp3]" if i % 2 == 0 else ""
        deck.add_note(
            genanki.Note(
                model=model,
                guid=f"bench{i:06d}",
                tags=[f"lesson-{i % 40:02d}"],
                fields=[f"詞{i}", f"cí {i}", f"word <b>{i}</b> &amp; more", audio],
            )
        )
    package = genanki.Package(deck, media_files=files)
    package.write_to_file(str(path), timestamp=1_700_000_000)


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--media", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="deckgen-bench-import-"))
    try:
        apkg = root / "bench.apkg"
        make_package(apkg, args.notes, args.media, root / "media-src")
        size = apkg.stat().st_size

        def extract() -> None:
            out = root / "unzipped"
            shutil.rmtree(out, ignore_errors=True)
            with zipfile.ZipFile(apkg) as z:
                z.extractall(out)

        def run_import() -> None:
            out = root / "cards"
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run(
                [sys.executable, "-m", "deckgen", "import", str(apkg), "-o", str(out)],
                check=True,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
            )

        baseline = best(extract, args.repeat)
        command = best(run_import, args.repeat)
        topics = len(list((root / "cards").glob("*.yaml"))) - 1
        copied = len(list((root / "cards" / "media").iterdir()))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, best of {args.repeat}")
        print(f"package: {args.notes:,} notes, {args.media + 100:,} media files, {size / 1e6:.1f} MB")
        print("| step | time |")
        print("|---|---|")
        print(f"| unzip the package (zipfile.extractall, baseline) | {baseline:.2f} s |")
        print(
            f"| deckgen import (CLI: read, check, build-check, write {topics} topic files, {copied:,} media files) "
            f"| {command:.2f} s ({command / baseline:.1f}x) |"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
