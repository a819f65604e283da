"""The example deck under examples/ (the showcase of the card format, docs/format/cards.md): it builds with its committed lock,
passes every check, and imports into the real Anki backend with each feature as the docs describe it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, AnkiCollection, run

SHOWCASE = REPO / "examples" / "showcase" / "cards"


def test_the_showcase_builds_with_its_lock_and_passes_every_check(tmp_path: Path, anki: AnkiCollection) -> None:
    checked = run("check", SHOWCASE, "--strict")
    assert checked.exit_code == 0, checked.output
    built = run("build", SHOWCASE, "--locked", "-o", tmp_path / "showcase.apkg")
    assert built.exit_code == 0, built.output
    log = anki.import_package(tmp_path / "showcase.apkg")
    assert len(log.conflicting) == 0 and len(log.new) == 10
    col = anki.col
    fields = {anki.col.get_note(nid).fields[0][:40]: anki.col.get_note(nid) for nid in col.find_notes("")}

    def note(prefix: str):  # type: ignore[no-untyped-def]
        return next(n for first, n in fields.items() if first.startswith(prefix))

    assert note("Which formula")["Back"] == "\\(QT_c = \\dfrac{QT}{\\sqrt{RR}}\\)"  # math reaches Anki as written
    assert "Editor's note — not from the source article" in note("Which formula")["Source"]
    assert note("Normal ECG")["Back"].startswith("<table>")
    assert '<span class="k">def</span>' in note("Bazett's correction")["Back"]  # highlighted, by CSS classes
    assert note("What does a pulse")["Front"].endswith("[sound:beep.wav]")
    vocab = col.models.by_name("deckgen showcase vocabulary")
    assert [f["name"] for f in vocab["flds"]] == ["Hanzi", "Pinyin", "English", "Audio", "Notes"]
    assert [c.ord for c in note("心脏").cards()] == [0]  # no English: no Recall card
    assert note("<ruby>心").fields[2] == "electrocardiogram (<strong>ECG</strong>)"
    decks = {col.decks.name(card.did) for nid in col.find_notes("") for card in col.get_note(nid).cards()}
    assert decks == {"deckgen::Showcase::Cardiology", "deckgen::Showcase::Vocabulary"}
    media = sorted(p.name for p in Path(col.media.dir()).iterdir())
    assert media == ["_paper.png", "beep.wav", "ecg-strip.png", "ni-hao.wav"]  # _paper.png: used by the CSS only
