"""deckgen push through the real AnkiConnect add-on inside the real Anki desktop (``aqt`` 26.9.3 from PyPI,
offscreen, a seeded profile): push, review every card through AnkiConnect, push an edit; every review and the
scheduling kept, the field updated in place, no copy of a note type. AnkiConnect (GPL-3.0, not shipped with deckgen)
is fetched by scripts/test.sh at a pinned commit into .ci-tools/anki-connect."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.addon.test_desktop import DESKTOP, pytestmark, seed_profile  # noqa: F401 (the Anki-client tier)
from tests.conftest import REPO, run, write_deck

ANKICONNECT = REPO / ".ci-tools" / "anki-connect" / "plugin"
DECK = "Fixture::Immunotherapy"


class Desktop:
    def __init__(self, base: Path):
        assert DESKTOP.exists(), "scripts/test.sh installs aqt into .ci-tools/anki-desktop-26.9.3"
        assert ANKICONNECT.is_dir(), "scripts/test.sh fetches AnkiConnect into .ci-tools/anki-connect"
        seed_profile(base)
        addon = base / "addons21" / "anki_connect"
        shutil.copytree(ANKICONNECT, addon)
        with socket.socket() as s:  # a free port for this Anki's AnkiConnect
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        config = json.loads((addon / "config.json").read_text(encoding="utf-8"))
        (addon / "config.json").write_text(json.dumps({**config, "webBindPort": port}), encoding="utf-8")
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "ANKI_BASE": str(base),
            "QT_QPA_PLATFORM": "offscreen",
            "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu",
            "ANKI_SINGLE_INSTANCE_KEY": base.name,
        }
        self.log = base.parent / "anki.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(DESKTOP), "-b", str(base), "-p", "test"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 120
        while True:
            try:
                assert self.call("version") == 6
                break
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, self.log.read_text()[-3000:]
                time.sleep(0.5)

    def call(self, action: str, **params: Any) -> Any:
        body = json.dumps({"action": action, "version": 6, "params": params}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url, data=body), timeout=60) as response:
            answer = json.loads(response.read())
        assert answer["error"] is None, answer
        return answer["result"]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    anki = Desktop(tmp_path / "anki")
    yield anki
    anki.close()


def test_push_through_the_real_ankiconnect_keeps_reviews(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, desktop: Desktop
) -> None:
    monkeypatch.chdir(tmp_path)
    cards = write_deck(tmp_path)
    first = run("push", "cards", "--ankiconnect", desktop.url)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == f"pushed 4 notes of '{DECK}' into Anki through AnkiConnect at {desktop.url}"
    card_ids = desktop.call("findCards", query=f'"deck:{DECK}"')
    assert len(card_ids) == 6
    assert desktop.call("answerCards", answers=[{"cardId": c, "ease": 3} for c in card_ids]) == [True] * 6

    def state() -> tuple[int, dict[int, tuple[int, int, int]]]:
        reviews = desktop.call("getReviewsOfCards", cards=[str(c) for c in card_ids])
        infos = desktop.call("cardsInfo", cards=card_ids)
        return sum(map(len, reviews.values())), {c["cardId"]: (c["interval"], c["due"], c["reps"]) for c in infos}

    before = state()
    assert before[0] == 6
    topic = cards / "basics.yaml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("bispecific T-cell engager", "bispecific T-cell engager (BiTE)"), encoding="utf-8")
    second = run("push", "cards", "--ankiconnect", desktop.url, env={"SOURCE_DATE_EPOCH": str(int(time.time()) + 60)})
    assert second.exit_code == 0, second.output
    notes = desktop.call("notesInfo", notes=desktop.call("findNotes", query=f'"deck:{DECK}"'))
    assert len(notes) == 4
    (bite,) = [n for n in notes if n["fields"]["Id"]["value"] == "bite-abbreviation"]
    assert bite["fields"]["Back"]["value"] == "bispecific T-cell engager (BiTE)"  # updated in place
    assert state() == before  # every review and the scheduling kept
    assert not [name for name in desktop.call("modelNames") if name.endswith("+")]  # no copy of a note type
