"""Peers for the benchmark: other tools that write an .apkg from text files, each installed from PyPI into its own
venv under bench/.peers (made on first use), each given the same cards in its own input format.

A peer that does not install is left out of the table with the reason. Cloze cards go to peers without cloze
support (ankdown) as a front (the cloze text) and a back (the extra text): the same amount of text per note.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PEERS_DIR = HERE / ".peers"
REQUIREMENTS = {"ankdown": ["ankdown==0.7.1"], "md2anki": ["md2anki==3.1.0"], "genanki": ["genanki==0.13.1", "PyYAML"]}
PYTHON = {"md2anki": "3.12"}  # md2anki 3.1.0 declares Python >= 3.9 but uses 3.12's f-string syntax


@dataclass(frozen=True)
class Peer:
    name: str
    command: list[str]  # run in a fresh process; writes the package given as out
    out: Path


def venv(name: str) -> tuple[Path | None, str]:
    """The peer's venv python (made and installed when missing), or None and why it could not be installed."""
    folder = PEERS_DIR / name
    python = folder / "bin" / "python"
    stamp = folder / ".installed"
    wanted = " ".join(REQUIREMENTS[name])
    if stamp.exists() and stamp.read_text() == wanted:
        return python, ""
    base = find_python(PYTHON[name]) if name in PYTHON else sys.executable
    if base is None:
        return None, f"needs Python {PYTHON[name]}"
    made = subprocess.run([base, "-m", "venv", "--clear", str(folder)], capture_output=True, text=True)
    if made.returncode:
        return None, (made.stderr.strip().splitlines() or ["venv failed"])[-1]
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *REQUIREMENTS[name]], capture_output=True, text=True
    )
    if proc.returncode:
        return None, (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
    stamp.write_text(wanted)
    return python, ""


def find_python(version: str) -> str | None:
    """An interpreter of that version that runs (a pyenv shim for a version not selected does not)."""
    candidates = [shutil.which(f"python{version}"), *sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/python"))]
    for candidate in candidates:
        if candidate and subprocess.run([str(candidate), "-c", "pass"], capture_output=True).returncode == 0:
            return str(candidate)
    return None


def read_cards(cards: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted(cards.glob("topic-*.yaml")):
        out += yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["cards"]
    return out


def front_back(card: dict[str, object]) -> tuple[str, str]:
    if "cloze" in card:
        return str(card["cloze"]), str(card.get("extra", ""))
    return str(card["front"]), str(card["back"])


def write_ankdown(cards: list[dict[str, object]], folder: Path, per_file: int = 100) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(cards), per_file):
        parts = []
        for card in cards[start : start + per_file]:
            front, back = front_back(card)
            tags = ", ".join(str(t) for t in card.get("tags", []))  # type: ignore[attr-defined]
            parts.append(f"{front}\n\n%\n\n{back}\n\n%\n\n{tags}\n")
        (folder / f"topic-{start // per_file:04d}.md").write_text("---\n".join(parts), encoding="utf-8")


def write_md2anki(cards: list[dict[str, object]], path: Path) -> None:
    lines = ["# Bench (1700000000)", ""]
    for card in cards:
        front, back = front_back(card)
        lines += [f"## {front} ({card['id']})", "", back, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def peers(cards: Path, work: Path) -> tuple[list[Peer], list[str]]:
    """The peers that installed, with their inputs written into ``work``; and one line for each left out."""
    found: list[Peer] = []
    skipped: list[str] = []
    data = read_cards(cards)
    for name in REQUIREMENTS:
        python, why = venv(name)
        if python is None:
            skipped.append(f"{name}: not installed ({why})")
            continue
        out = work / f"{name}.apkg"
        if name == "ankdown":
            write_ankdown(data, work / "ankdown")
            command = [str(python.parent / "ankdown"), "-r", str(work / "ankdown"), "-p", str(out)]
        elif name == "md2anki":
            write_md2anki(data, work / "md2anki.md")
            command = [str(python.parent / "md2anki"), str(work / "md2anki.md"), "-o-anki", str(out)]
        else:
            command = [str(python), str(HERE / "plain_genanki.py"), str(cards), str(out)]
        found.append(Peer(name, command, out))
    return found, skipped
