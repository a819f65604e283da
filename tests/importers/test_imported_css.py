"""A shared deck's note-type CSS (hostile-import H2): read by the same policy as the deck's own CSS. What would
end the <style> element Anki wraps it in stops the import; what loads from the network or imports other CSS is the
deck's own code (web fonts are common in real decks), imported as it is and listed in the summary, found as a
browser tokenizes CSS (escapes, '/*' inside strings, string URLs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions

from tests.conftest import AnkiCollection, run

HOSTILE_CSS = (
    '.a::after { content: "/*"; }\n'
    ".card { background: u\\72l(https://evil.example/beacon.png); }\n"
    '@\\69mport "https://evil.example/x.css";\n'
    '.b { cursor: image-set("https://evil.example/c.png" 1x); }\n'
    '.c::after { content: "*/"; }\n'
)


def package(folder: Path, css: str) -> Path:
    col = Collection(str(folder / "author.anki2"))
    mm = col.models
    nt = mm.new("Styled")
    for name in ("Front", "Back"):
        mm.add_field(nt, mm.new_field(name))
    tmpl = mm.new_template("Card 1")
    tmpl["qfmt"], tmpl["afmt"] = "{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}"
    mm.add_template(nt, tmpl)
    nt["css"] = css
    mm.add(nt)
    note = col.new_note(mm.by_name("Styled"))
    note["Front"], note["Back"] = "q", "a"
    col.add_note(note, col.decks.id("Styled"))
    out = folder / "styled.apkg"
    col.export_anki_package(out_path=str(out), options=ExportAnkiPackageOptions(), limit=None)
    col.close()
    return out


def test_css_that_loads_is_listed_and_ships_as_the_deck_has_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anki: AnkiCollection
) -> None:
    monkeypatch.chdir(tmp_path)
    source = package(tmp_path, HOSTILE_CSS)
    result = run("import", source, "-o", "cards")
    assert result.exit_code == 0, result.output
    assert (
        "CSS that loads or runs something: note type 'Styled': a CSS @import, an external URL ×3 "
        "(CSS is imported as it is; review it)"
    ) in result.output.splitlines(), result.output
    assert run("build", "cards", "-o", "out.apkg").exit_code == 0
    anki.import_package(tmp_path / "out.apkg")
    card = anki.col.get_card(anki.col.find_cards("")[0])
    assert card.question().startswith(f"<style>{HOSTILE_CSS}</style>")  # what the list is about


def test_plain_css_is_not_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plain = '@font-face { font-family: f; src: url("_f.woff2"); } /* https://fonts.example in a comment */'
    source = package(tmp_path, plain + '\n.card { font-family: f; } .x::after { content: "https://x.example"; }')
    result = run("import", source, "-o", "cards")
    assert result.exit_code == 0, result.output
    assert "CSS that loads" not in result.output


@pytest.mark.parametrize("end", ["</style>", "</STYLE >", "</style class=x>"])
def test_css_that_ends_the_style_element_stops_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    monkeypatch.chdir(tmp_path)
    source = package(tmp_path, f".card {{}}{end}<img src=x onerror=alert(1)><style>")
    result = run("import", source, "-o", "cards")
    assert result.exit_code == 1
    assert "in CSS ends the <style> element Anki wraps the CSS in" in result.output, result.output
    assert not (tmp_path / "cards").exists()
