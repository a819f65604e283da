"""deckgen push: the build into the author's own Anki, with the real Anki backend on the other side.

--collection: the real importer (``col.import_anki_package``) into a real collection file, reviews kept after the
push of an edit, and a collection that is held open (as Anki desktop holds it) refused. Through AnkiConnect: a
small HTTP server on 127.0.0.1 speaking AnkiConnect's protocol (version 6, ``importPackage``) and importing with
the entry point AnkiConnect's ``importPackage`` calls (anki.importing.AnkiPackageImporter: in anki 26.9.3 a shim
over ``col.import_anki_package`` with merge_notetypes, with_scheduling and with_deck_configs set), into a real
collection. The real AnkiConnect inside the real Anki desktop: tests/addon/test_ankiconnect.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AnkiCollection, run, write_deck

DECK_NAME = "Fixture::Immunotherapy"


def edit_bite(cards: Path) -> None:
    topic = cards / "basics.yaml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("bispecific T-cell engager", "bispecific T-cell engager (BiTE)"), encoding="utf-8")


def later() -> dict[str, str]:
    """A build time after the first push's (a push within the same second would not be newer to Anki)."""
    return {"SOURCE_DATE_EPOCH": str(int(time.time()) + 60)}


def fresh_collection(path: Path) -> Path:
    from anki.collection import Collection

    path.parent.mkdir(parents=True, exist_ok=True)
    Collection(str(path)).close()
    return path


def test_push_into_a_collection_keeps_reviews_and_updates_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cards = write_deck(tmp_path)
    collection = fresh_collection(tmp_path / "Anki2" / "User 1" / "collection.anki2")
    first = run("push", "cards", "--collection", collection)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == (
        f"pushed 4 notes of '{DECK_NAME}' into Anki2/User 1/collection.anki2: 4 new, 0 updated, 0 unchanged notes"
    )
    assert (tmp_path / "output" / "fixture-deck.apkg").is_file()  # the build, as 'deckgen build' writes it
    col = AnkiCollection(collection)
    try:
        assert col.review_all(DECK_NAME) == 6
        reviews, card_states = col.revlog_rows(), col.card_rows()
    finally:
        col.close()
    edit_bite(cards)
    second = run("push", "cards", "--collection", collection, env=later())
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[-1].endswith(": 0 new, 1 updated, 3 unchanged notes")
    col = AnkiCollection(collection)
    try:
        assert len(col.notes()) == 4
        assert col.note_by_id_field("bite-abbreviation")["Back"] == "bispecific T-cell engager (BiTE)"
        assert col.revlog_rows() == reviews  # every review kept
        assert col.card_rows() == card_states  # the same cards, with their scheduling
    finally:
        col.close()


def test_push_refuses_a_collection_that_anki_has_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path)
    collection = fresh_collection(tmp_path / "collection.anki2")
    held = AnkiCollection(collection)  # Anki desktop holds its collection open like this while it runs
    try:
        result = run("push", "cards", "--collection", collection)
        assert result.exit_code == 2
        assert result.output.splitlines()[-1] == (
            "deckgen: error: collection 'collection.anki2' is open in Anki (Anki holds its collection while it "
            "runs); close Anki, or leave it open and push through AnkiConnect (without --collection)"
        )
        assert held.notes() == []
    finally:
        held.close()


def test_push_refuses_what_is_not_a_collection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path)
    (tmp_path / "notes.txt").write_text("not a collection\n", encoding="utf-8")
    result = run("push", "cards", "--collection", "notes.txt")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "deckgen: error: 'notes.txt' is not an Anki collection (not an SQLite database); give collection.anki2"
    )
    missing = run("push", "cards", "--collection", "nowhere/collection.anki2")
    assert missing.exit_code == 2 and "does not exist or is not a file" in missing.output
    assert not (tmp_path / "nowhere").exists()  # no collection created where none was


class FakeAnkiDesktop:
    """AnkiConnect's HTTP protocol on 127.0.0.1, importing as AnkiConnect's importPackage does."""

    def __init__(self, collection: Path):
        from anki.collection import Collection

        self.col = Collection(str(collection))
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append(request)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(owner.answer(request)).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("version") != 6 or request.get("action") != "importPackage":
            return {"result": None, "error": "unsupported action"}
        from anki.importing import AnkiPackageImporter  # what AnkiConnect's importPackage runs

        try:
            AnkiPackageImporter(self.col, request["params"]["path"]).run()
        except Exception:
            return {"result": False, "error": None}
        return {"result": True, "error": None}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.col.close()


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[FakeAnkiDesktop]:
    server = FakeAnkiDesktop(fresh_collection(tmp_path / "desktop" / "collection.anki2"))
    yield server
    server.close()


def test_push_through_ankiconnect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, desktop: FakeAnkiDesktop) -> None:
    monkeypatch.chdir(tmp_path)
    cards = write_deck(tmp_path)
    result = run("push", "cards", "--ankiconnect", desktop.url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"pushed 4 notes of '{DECK_NAME}' into Anki through AnkiConnect at {desktop.url}"
    )
    apkg = str((tmp_path / "output" / "fixture-deck.apkg").resolve())
    assert desktop.requests == [{"action": "importPackage", "version": 6, "params": {"path": apkg}}]
    col = desktop.col
    assert len(col.find_notes("")) == 4
    reviewed = AnkiCollection.__new__(AnkiCollection)
    reviewed.col = col
    assert reviewed.review_all(DECK_NAME) == 6
    reviews = reviewed.revlog_rows()
    edit_bite(cards)
    assert run("push", "cards", "--ankiconnect", desktop.url, env=later()).exit_code == 0
    assert len(col.find_notes("")) == 4  # the legacy importer updates in place too
    assert reviewed.note_by_id_field("bite-abbreviation")["Back"] == "bispecific T-cell engager (BiTE)"
    assert reviewed.revlog_rows() == reviews


def test_push_says_what_to_do_when_nothing_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run("push", "cards", "--ankiconnect", f"http://127.0.0.1:{port}")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"deckgen: error: nothing answers at http://127.0.0.1:{port}: start Anki desktop with the AnkiConnect add-on "
        "(code 2055492159, Tools → Add-ons → Get Add-ons), or close Anki and push straight into its collection with "
        "--collection PATH"
    )


def test_push_refuses_what_ankiconnect_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, desktop: FakeAnkiDesktop
) -> None:
    monkeypatch.chdir(tmp_path)
    write_deck(tmp_path)
    monkeypatch.setattr(FakeAnkiDesktop, "answer", lambda self, request: {"result": None, "error": "collection busy"})
    result = run("push", "cards", "--ankiconnect", desktop.url)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "deckgen: error: AnkiConnect refused the package: collection busy"
