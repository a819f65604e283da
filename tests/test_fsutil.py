"""Writing a whole folder at once: the old folder stays until the new one is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.fsutil import atomic_dir


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failure_while_writing_leaves_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert snapshot(target) == {"index.html": b"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    with atomic_dir(target) as tmp:
        (tmp / "new.html").write_text("new", encoding="utf-8")
    assert snapshot(target) == {"new.html": b"new"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_new_folder_gets_ordinary_permissions(tmp_path: Path) -> None:
    with atomic_dir(tmp_path / "a" / "site") as tmp:
        (tmp / "index.html").write_text("x", encoding="utf-8")
    assert (tmp_path / "a" / "site").stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0o700
