"""The add-on inside the real Anki desktop (``aqt`` from PyPI, in its own venv, QT_QPA_PLATFORM=offscreen, a
seeded profile), installed from the .ankiaddon that scripts/build_addon.py builds, the release assets served by
an HTTP server on 127.0.0.1. Each step is one launch of Anki: a driver add-on plays the learner and reports."""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SECOND_TOPIC_YAML, TOPIC_YAML, run, write_deck

DESKTOP = REPO / ".ci-tools" / "anki-desktop-26.9.3" / "bin" / "anki"
DRIVER = Path(__file__).with_name("desktop_driver")
DECK = "Fixture::Immunotherapy"

pytestmark = [
    pytest.mark.anki_clients,
    pytest.mark.skipif(
        bool(os.environ.get("DECKGEN_SKIP_ANKI_CLIENTS")) and not os.environ.get("CI"),
        reason="the Anki-client tier is skipped locally with --skip-anki-clients (never in CI)",
    ),
]


def seed_profile(base: Path) -> None:
    """prefs21.db with a global entry and one profile 'test', so that Anki opens it without asking anything."""
    base.mkdir(parents=True)
    now = int(time.time())
    meta = {
        "ver": 0,
        "updates": False,
        "created": now,
        "id": random.randrange(2**63),
        "lastMsg": 0,
        "suppressUpdate": True,
        "firstRun": False,
        "defaultLang": "en_US",
        "check_for_updates": False,
    }
    profile = {
        "mainWindowGeom": None,
        "mainWindowState": None,
        "numBackups": 0,
        "lastOptimize": now,
        "searchHistory": [],
        "syncKey": None,
        "syncMedia": False,
        "autoSync": False,
    }
    db = sqlite3.connect(base / "prefs21.db")
    db.execute("create table profiles (name text primary key collate nocase, data blob not null)")
    db.execute("insert into profiles values ('_global', ?)", (pickle.dumps(meta, protocol=4),))
    db.execute("insert into profiles values ('test', ?)", (pickle.dumps(profile, protocol=4),))
    db.commit()
    db.close()


def install_addons(base: Path, tmp: Path) -> None:
    ankiaddon = tmp / "deckgen_subscribe.ankiaddon"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_addon.py"), str(ankiaddon)], check=True)
    with zipfile.ZipFile(ankiaddon) as zf:  # what Anki's "Install from file" does with it
        zf.extractall(base / "addons21" / "deckgen_subscribe")
    shutil.copytree(DRIVER, base / "addons21" / "zz_desktop_driver")


def launch(base: Path, step: dict[str, Any], tmp: Path) -> dict[str, Any]:
    script = tmp / f"step-{time.monotonic_ns()}.json"
    result = tmp / f"result-{time.monotonic_ns()}.json"
    script.write_text(json.dumps({**step, "result": str(result), "deck": DECK}), encoding="utf-8")
    env = {
        **os.environ,
        "ANKI_BASE": str(base),
        "QT_QPA_PLATFORM": "offscreen",
        "DECKGEN_DRIVER": str(script),
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu",
        "ANKI_SINGLE_INSTANCE_KEY": base.name,
    }
    proc = subprocess.run([str(DESKTOP), "-b", str(base), "-p", "test"], env=env, capture_output=True, timeout=180)
    assert result.exists(), proc.stdout.decode()[-3000:] + proc.stderr.decode()[-3000:]
    state = json.loads(result.read_text(encoding="utf-8"))
    assert "error" not in state, state.get("error")
    return state


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "site"
    folder.mkdir()

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/deckgen.manifest.json", folder
    finally:
        server.shutdown()
        server.server_close()


def publish(cards: Path, site: Path, tag: str, when: int) -> None:
    env = {"SOURCE_DATE_EPOCH": str(when)}
    assert run("build", cards, "-o", site.parent / "build.apkg", env=env).exit_code == 0
    result = run("release", cards, "--tag", tag, "-o", site, env=env)
    assert result.exit_code == 0, result.output


def by_id(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["fields"]["Id"]: n for n in state["notes"]}


def test_subscribe_update_remove_protect_in_the_real_anki_desktop(tmp_path: Path, site: tuple[str, Path]) -> None:
    assert DESKTOP.exists(), "scripts/test.sh installs aqt into .ci-tools/anki-desktop-26.9.3"
    url, folder = site
    cards = write_deck(tmp_path / "deck")
    publish(cards, folder, "v1", 1_800_000_000)
    base = tmp_path / "anki"
    seed_profile(base)
    install_addons(base, tmp_path)

    # 1. subscribe: the first release arrives; the learner reviews everything and protects one field
    first = launch(
        base, {"subscribe": url, "then": ["review-all", "protect:bite-abbreviation:Back:in my words"]}, tmp_path
    )
    assert sorted(by_id(first)) == ["bite-abbreviation", "crs-fever", "threshold", "two-cloze"]
    assert first["subscriptions"][0]["version"] == "v1" and first["revlog"] > 0

    # 2. the deck edits a card, removes a reviewed card ('threshold') and later one nobody reviewed
    topic = TOPIC_YAML.replace("bispecific T-cell engager", "bispecific T-cell engager (BiTE)")
    topic = topic.replace("Below five percent", "Under five percent")
    topic = topic[: topic.index("  - id: threshold")] + topic[topic.index("  - id: bite-abbreviation") :]
    write_deck(tmp_path / "deck", topics={"basics.yaml": topic, "safety.yaml": SECOND_TOPIC_YAML})
    publish(cards, folder, "v2", 1_800_000_100)

    # 3. the next start of Anki applies it by itself
    second = launch(base, {}, tmp_path)
    notes = by_id(second)
    assert second["subscriptions"][0]["version"] == "v2"
    assert second["revlog"] == first["revlog"]  # every review kept
    assert "deckgen::removed" in notes["threshold"]["tags"]  # reviewed: tagged, not deleted
    assert notes["bite-abbreviation"]["fields"]["Back"] == "in my words"  # protected
    assert {"mine", "deckgen::protect::Back"} <= set(notes["bite-abbreviation"]["tags"])
    assert not any(name.endswith("+") for name in second["notetypes"])  # no forked note type
    assert any("v2" in m for m in second["messages"])
