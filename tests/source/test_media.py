"""media.py: only regular files directly in cards/media/, of allowed types and sizes, named as Anki keeps them,
read once without following links; everywhere media is read or listed (build, check, package, preview)."""

from __future__ import annotations

import dataclasses
import html
import os
import threading
import zipfile
from pathlib import Path

import pytest

from deckgen.build import plan_build, write_package
from deckgen.errors import ContentError
from deckgen.source.media import MAX_MEDIA_BYTES, MediaFile, name_problem
from tests.conftest import TOPIC_YAML, AnkiCollection, run, write_deck

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
SECRET = b'[remote "origin"]\n\turl = https://x-access-token:ghs_SECRET@github.com/o/r\n'


def image_deck(root: Path, name: str = "fig.png") -> Path:
    cards = write_deck(
        root,
        topics={
            "basics.yaml": TOPIC_YAML,
            "img.yaml": (
                "topic: img\ntitle: Images\ncards:\n"
                f'  - id: figure\n    front: "Which cells? ![a figure](media/{name})"\n    back: B cells\n'
            ),
        },
    )
    (cards / "media").mkdir()
    return cards


def secret_file(root: Path) -> Path:
    secret = root / ".git-config"
    secret.write_bytes(SECRET)
    return secret


def assert_refused(cards: Path, line: str) -> None:
    for command in ("build", "check"):
        result = run(command, cards)
        assert result.exit_code == 1, result.output
        assert line in result.output.splitlines(), result.output
        assert "Traceback" not in result.output
    assert not (cards.parent / "output").exists()


SYMLINK = (
    "is a symbolic link; media files must be regular files in the cards folder's media/ (copy the file in instead)"
)


def test_symlink_to_a_file_outside_the_cards_folder(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").symlink_to(secret_file(tmp_path))
    assert_refused(cards, f"{cards / 'media' / 'fig.png'}: error: {SYMLINK}")


def test_symlink_to_etc_passwd(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").symlink_to("/etc/passwd")
    assert_refused(cards, f"{cards / 'media' / 'fig.png'}: error: {SYMLINK}")


def test_symlink_to_a_file_inside_the_cards_folder_is_refused_too(tmp_path: Path) -> None:
    """Decision: no link is ever followed in media/, wherever it points (the same file can be referenced twice)."""
    cards = image_deck(tmp_path)
    (cards / "media" / "real.png").write_bytes(PNG)
    (cards / "media" / "fig.png").symlink_to("real.png")
    assert_refused(cards, f"{cards / 'media' / 'fig.png'}: error: {SYMLINK}")


def test_media_folder_that_is_a_symlink(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media").rmdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "fig.png").write_bytes(SECRET)
    (cards / "media").symlink_to(outside)
    assert_refused(
        cards,
        f"{cards / 'media'}: error: is a symbolic link; media/ must be a real folder inside the cards folder "
        "(copy the files in instead)",
    )


def test_unused_symlink_in_media_is_an_error_for_check(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").write_bytes(PNG)
    (cards / "media" / "token").symlink_to(secret_file(tmp_path))
    result = run("check", cards)
    assert result.exit_code == 1
    assert f"{cards / 'media' / 'token'}: error: {SYMLINK}" in result.output.splitlines()


@pytest.mark.parametrize("name", ["page.html", "page.htm", "x.js", "tool.exe", "movie.swf", "noext"])
def test_types_that_can_carry_script_are_refused(tmp_path: Path, name: str) -> None:
    cards = image_deck(tmp_path, name)
    (cards / "media" / name).write_bytes(b"<script>alert(1)</script>")
    ext = f"'.{name.rsplit('.', 1)[1]}'" if "." in name else "without an extension"
    message = (
        f"media file 'media/{name}': media type {ext} is not allowed: Anki would not show it, or it could carry "
        "script; use an image (png, jpg, gif, webp, avif), audio (mp3, m4a, ogg, opus, wav, flac), video (mp4, "
        "webm) or font (ttf, otf, woff, woff2) file"
    )
    assert_refused(cards, f"{cards / 'img.yaml'}:4:5: error: card 'figure': {message}")


def test_unused_script_file_in_media_is_an_error_for_check(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").write_bytes(PNG)
    (cards / "media" / "x.html").write_bytes(b"<script>alert(1)</script>")
    (cards / "media" / "unused.PNG").write_bytes(PNG)
    result = run("check", cards)
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert (
        f"{cards / 'media' / 'x.html'}: error: media type '.html' is not allowed: Anki would not show it, or it could "
        "carry script; use an image (png, jpg, gif, webp, avif), audio (mp3, m4a, ogg, opus, wav, flac), video (mp4, "
        "webm) or font (ttf, otf, woff, woff2) file" in lines
    )
    assert f"{cards / 'media' / 'unused.PNG'}: warning: no card uses this file; reference it or delete it" in lines


def test_oversized_media_file(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    with open(cards / "media" / "fig.png", "wb") as fh:  # sparse: nothing on disk
        fh.truncate(MAX_MEDIA_BYTES + 1)
    assert_refused(
        cards,
        f"{cards / 'media' / 'fig.png'}: error: file is 104,857,601 bytes, over the 104,857,600-byte "
        "limit for a media file; make it smaller",
    )


def test_a_fifo_is_refused_without_waiting_on_it(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    os.mkfifo(cards / "media" / "fig.png")
    assert_refused(
        cards,
        f"{cards / 'media' / 'fig.png'}: error: is not a regular file (a FIFO or device); media files "
        "must be regular files",
    )


def test_a_folder_named_like_an_image(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").mkdir()
    assert_refused(
        cards,
        f"{cards / 'media' / 'fig.png'}: error: is a folder; media files must be directly in media/ "
        "(Anki's media folder is flat)",
    )


def test_file_swapped_for_a_symlink_after_the_check_is_never_read(tmp_path: Path) -> None:
    """The time-of-check/time-of-use race: the package reads through O_NOFOLLOW, so the swap is refused."""
    cards = image_deck(tmp_path)
    image = cards / "media" / "fig.png"
    image.write_bytes(PNG)
    plan = plan_build(cards)
    image.unlink()
    image.symlink_to(secret_file(tmp_path))
    out = tmp_path / "out" / "deck.apkg"
    with pytest.raises(ContentError) as caught:
        write_package(plan, out)
    assert [p.text() for p in caught.value.problems] == [f"{image}: error: {SYMLINK}"]
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir()] == []  # the staged temporary file is gone


def test_media_folder_swapped_for_a_symlink_after_the_check(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").write_bytes(PNG)
    plan = plan_build(cards)
    (cards / "media").rename(tmp_path / "moved")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "fig.png").write_bytes(SECRET)
    (cards / "media").symlink_to(elsewhere)
    with pytest.raises(ContentError) as caught:
        write_package(plan, tmp_path / "deck.apkg")
    assert caught.value.problems[0].location.path.endswith("media")
    assert not (tmp_path / "deck.apkg").exists()


def test_the_package_holds_the_bytes_that_were_read(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").write_bytes(PNG)
    assert run("build", cards).exit_code == 0
    with zipfile.ZipFile(tmp_path / "output" / "fixture-deck.apkg") as z:
        assert z.read("media") == b'{"0": "fig.png"}'
        assert z.read("0") == PNG


def test_file_growing_while_it_is_read_is_cut_at_the_bound(tmp_path: Path) -> None:
    from deckgen.fsutil import UnsafeFile, read_regular

    path = tmp_path / "grow.bin"
    path.write_bytes(b"x" * 10)
    assert read_regular(path, 10) == b"x" * 10
    with pytest.raises(UnsafeFile) as caught:
        read_regular(path, 9)
    assert caught.value.reason == "size"


# --- names: what Anki keeps as written ----------------------------------------------------------------------

KEPT = [
    "a b.png",
    "a&b.png",
    "a#b.png",
    "it's.png",
    "基底细胞.png",
    "x⋯y.png",
    "a%20b.png",
    "a+b=c;d,e!@$~`{}()-_.png",
    "_font.ttf",
    "Ünïcödé.mp3",
    "clip.webm",
]
CHANGED = [
    "a?b.png",
    "a:b.png",
    "a*b.png",
    "a|b.png",
    "a?b.png",
    "a[1].png",
    'a"b.png',
    "a<b>.png",
    "e\u0301.png",
    "CON.png",
    "trail.png.",
    "c\u00a0d.png",
    "x" * 117 + ".png",
]


def test_names_anki_would_change_are_refused_with_a_reason() -> None:
    assert all(name_problem(name) is None for name in KEPT)
    rename = "; rename the file and its references"
    assert (
        name_problem("a?b.png") == "the name has characters that Anki does not allow in media file names (?)" + rename
    )
    assert name_problem("a\u00a0b.png") == "the name has a non-breaking space, which Anki turns into a space" + rename
    assert (
        name_problem("e\u0301.png")
        == "the name is not in Unicode NFC form, which Anki renames (re-type its accents)" + rename
    )
    assert name_problem("CON.png") == "the name is a reserved Windows device name, which Anki renames" + rename
    assert name_problem("trail.png.") == "the name ends with a space or a dot, which Anki renames" + rename
    assert name_problem("x" * 117 + ".png") == "the name is longer than 120 bytes, which Anki shortens" + rename
    assert all(name_problem(name) for name in CHANGED)


def test_refused_name_is_reported_at_the_card(tmp_path: Path) -> None:
    cards = image_deck(tmp_path, "a?b.png")
    (cards / "media" / "a?b.png").write_bytes(PNG)
    # the card's field is where it is found (the file itself is not reported twice)
    assert_refused(
        cards,
        f"{cards / 'img.yaml'}:5:12: error: card 'figure': media file name 'a?b.png' has characters that "
        "Anki does not allow in media file names (?); rename the file and its reference",
    )


def test_accepted_names_land_in_ankis_media_folder_exactly_and_refused_ones_would_not(tmp_path: Path) -> None:
    """The real importer is the judge: every name deckgen accepts is stored under that exact name, with its bytes;
    every name it refuses would have been renamed by Anki (so a card pointing at it would show nothing)."""
    cards = write_deck(tmp_path)
    plan = plan_build(
        cards
    )  # before the files: names deckgen refuses would stop the build (it reports them as check does)
    (cards / "media").mkdir()
    names = KEPT + CHANGED
    for i, name in enumerate(names):
        (cards / "media" / name).write_bytes(PNG + bytes([i]))
    refs = "".join(f'<img src="{html.escape(name, quote=True)}">' for name in names)
    first = plan.notes[0]
    note = dataclasses.replace(first, fields=(first.fields[0] + refs, *first.fields[1:]))
    plan = dataclasses.replace(plan, notes=(note, *plan.notes[1:]), media=tuple(MediaFile(cards, n) for n in names))
    apkg = tmp_path / "names.apkg"
    write_package(plan, apkg)
    col = AnkiCollection(tmp_path / "names.anki2")
    try:
        col.import_package(apkg)
        folder = Path(col.col.media.dir())
        stored = set(os.listdir(folder))
        for i, name in enumerate(KEPT):
            assert name in stored, name
            assert (folder / name).read_bytes() == PNG + bytes([i])
        for name in CHANGED:
            assert name not in stored, name
    finally:
        col.close()


# --- preview copies only what the package holds --------------------------------------------------------------


def test_preview_refuses_a_symlinked_image(tmp_path: Path) -> None:
    cards = image_deck(tmp_path)
    (cards / "media" / "fig.png").symlink_to(secret_file(tmp_path))
    result = run("preview", cards)
    assert result.exit_code == 1
    assert f"{cards / 'media' / 'fig.png'}: error: {SYMLINK}" in result.output.splitlines()
    assert not (tmp_path / "preview").exists()


def test_copy_folder_skips_links_and_special_files(tmp_path: Path) -> None:
    from deckgen.source.media import copy_folder

    source, dest = tmp_path / "src", tmp_path / "dest"
    source.mkdir()
    dest.mkdir()
    (source / "a.png").write_bytes(PNG)
    (source / "link.png").symlink_to(secret_file(tmp_path))
    os.mkfifo(source / "fifo.png")
    done = []
    worker = threading.Thread(target=lambda: done.append(copy_folder(source, dest)), daemon=True)
    worker.start()
    worker.join(10)
    assert done == [["a.png"]]
    assert sorted(p.name for p in dest.iterdir()) == ["a.png"]
