"""Import measures each row's columns in SQL before reading them: a small package whose collection holds a huge
tags column (a 319 KB .apkg made 'deckgen import' peak at 4 GB while it split the tags) stops with a clear
error, inside a memory limit, in a separate process (resource.RLIMIT_AS)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest

LIMIT = 768 * 1024**2  # address space of the importing process: the unbounded reader needed far more


def hostile_package(folder: Path, column: str, chars: int) -> Path:
    model = genanki.Model(
        1607392319,
        "Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    deck = genanki.Deck(2059400110, "Huge")
    deck.add_note(genanki.Note(model=model, fields=["front", "back"], guid="g1"))
    plain = folder / "plain.apkg"
    genanki.Package(deck).write_to_file(plain)
    with zipfile.ZipFile(plain) as z:
        z.extract("collection.anki2", folder)
    db = folder / "collection.anki2"
    conn = sqlite3.connect(db)
    # 'ab ab ab ...': millions of distinct short strings once split, as the reader splits tags
    value = "replace(hex(zeroblob(?)), '00', 'ab ')" if column == "tags" else "replace(hex(zeroblob(?)), '00', 'ab')"
    conn.execute(f"UPDATE notes SET {column} = {value}", (chars // 3,))
    conn.commit()
    conn.close()
    out = folder / "huge.apkg"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(db, "collection.anki2")
        z.writestr("media", "{}")
    return out


def import_limited(package: Path, target: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))\n"
        "from deckgen.cli import main\n"
        "sys.argv = ['deckgen', 'import', sys.argv[1], '-o', sys.argv[2]]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(package), str(target)], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(("column", "what"), [("tags", "a note whose tags are"), ("flds", "a note whose fields are")])
def test_a_huge_column_stops_the_import_in_bounded_memory(tmp_path: Path, column: str, what: str) -> None:
    chars = 120 * 1024**2
    package = hostile_package(tmp_path, column, chars)
    assert package.stat().st_size < 2 * 1024**2  # a small download
    result = import_limited(package, tmp_path / "cards")
    assert result.returncode == 1, result.stderr[-2000:]
    size = chars // 3 * 3 if column == "tags" else chars // 3 * 2  # the characters SQLite's length() counts
    limit = 1024**2 if column == "tags" else 16 * 1024**2
    assert result.stderr.splitlines()[0] == (
        f"{package}: error: its collection has {what} {size:,} characters long, over deckgen's limit of {limit:,}; "
        "the package is damaged or was not made by Anki"
    ), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cards").exists()
