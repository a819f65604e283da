"""A test driver loaded as a second add-on inside the real Anki desktop (tests/addon/test_desktop.py): it plays
the learner of one scenario step, read from $DECKGEN_DRIVER (JSON), then writes what the collection holds to the
step's result file and closes Anki. Standalone: it imports only aqt and the add-on under test."""

import json
import os
import traceback
from pathlib import Path

from aqt import gui_hooks, mw

STEP = json.loads(Path(os.environ["DECKGEN_DRIVER"]).read_text(encoding="utf-8"))


def _gui():  # type: ignore[no-untyped-def]
    import deckgen_subscribe.gui as gui  # the add-on under test, as Anki loaded it

    return gui


def _state(messages):  # type: ignore[no-untyped-def]
    col = mw.col
    notes = []
    for nid in sorted(col.find_notes("")):
        note = col.get_note(nid)
        notes.append({"guid": note.guid, "fields": dict(note.items()), "tags": note.tags})
    return {
        "messages": messages,
        "notes": notes,
        "revlog": col.db.scalar("select count() from revlog"),
        "notetypes": sorted(m["name"] for m in col.models.all()),
        "subscriptions": col.get_config("deckgen_subscriptions", default=[]),
    }


def _learner_acts() -> None:
    col = mw.col
    for action in STEP.get("then", []):
        if action == "review-all":
            col.decks.set_current(col.decks.id_for_name(STEP["deck"]))
            for _ in range(100):
                card = col.sched.getCard()
                if card is None:
                    break
                card.start_timer()
                col.sched.answerCard(card, 4)
        elif action.startswith("protect:"):
            _, card_id, field, value = action.split(":", 3)
            note = col.get_note(col.find_notes(f'"Id:{card_id}"')[0])
            note[field] = value
            note.tags = [*note.tags, f"deckgen::protect::{field}", "mine"]
            col.update_note(note)


def _finish(messages) -> None:  # type: ignore[no-untyped-def]
    try:
        _learner_acts()
        result = _state(messages)
    except Exception:  # noqa: BLE001 (reported to the test)
        result = {"error": traceback.format_exc()}
    Path(STEP["result"]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    mw.progress.timer(200, mw.close, False)


def _opened() -> None:
    gui = _gui()
    try:
        if "subscribe" in STEP:
            gui.subscribe(STEP["subscribe"], STEP.get("removals", "delete-unreviewed"))
            gui.check_all(_finish)
        else:  # the add-on's own check on profile open applies the release
            gui.after_check.append(_finish)
    except Exception:  # noqa: BLE001
        Path(STEP["result"]).write_text(json.dumps({"error": traceback.format_exc()}), encoding="utf-8")
        mw.progress.timer(200, mw.close, False)


gui_hooks.profile_did_open.append(_opened)
