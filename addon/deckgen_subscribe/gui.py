"""The add-on inside Anki: the Tools menu, checks on profile open and after a sync, and "Suggest a correction" in
the editor. Network work runs in the background; the collection is changed on the main thread, by
:func:`.update.apply_release` only. Subscriptions are kept in the profile's collection config."""

from __future__ import annotations

import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aqt import gui_hooks, mw
from aqt.qt import QAction, QMenu
from aqt.utils import askUser, getText, openLink, showWarning, tooltip

from .fetch import FetchError, fetch_manifest, fetch_package, manifest_url
from .manifest import Manifest, ManifestError
from .update import Outcome, Subscription, UpdateRefused, apply_release

CONFIG_KEY = "deckgen_subscriptions"
Done = Callable[[list[str]], None]
after_check: list[Done] = []  # called on the main thread after every check, with its messages (one per deck)


def subscriptions() -> list[Subscription]:
    return [Subscription.from_json(d) for d in mw.col.get_config(CONFIG_KEY, default=[]) or []]


def save(subs: list[Subscription]) -> None:
    mw.col.set_config(CONFIG_KEY, [s.to_json() for s in subs])


def subscribe(text: str, removals: str = "delete-unreviewed") -> Subscription:
    """Subscribe to the deck whose manifest ``text`` names (a manifest URL or a GitHub repository URL); the
    first release is applied by the next check."""
    url = manifest_url(text)
    manifest = fetch_manifest(url)
    subs = [s for s in subscriptions() if s.deck_key != manifest.deck_key]
    sub = Subscription(manifest.deck_key, url, removals=removals)
    save([*subs, sub])
    return sub


def check_all(done: Done | None = None, *, ask: Callable[[str], bool] = askUser) -> None:
    """Fetch every subscription's manifest and new package in the background, then apply them on the main thread."""
    subs = subscriptions()
    if not subs:
        _finish([], done)
        return
    folder = Path(tempfile.mkdtemp(prefix="deckgen-subscribe-"))

    def download() -> list[tuple[Subscription, Manifest | None, Path | None, str]]:
        found: list[tuple[Subscription, Manifest | None, Path | None, str]] = []
        for sub in subs:
            try:
                manifest = fetch_manifest(sub.manifest_url)
                if manifest.version == sub.version:
                    continue
                found.append((sub, manifest, fetch_package(sub.manifest_url, manifest, folder), ""))
            except (FetchError, ManifestError) as exc:
                found.append((sub, None, None, f"{sub.deck_key}: {exc}"))
        return found

    def apply(future: Any) -> None:
        messages: list[str] = []
        for sub, manifest, package, error in future.result():
            if manifest is None or package is None:
                messages.append(error)
                continue
            messages.append(_apply_one(sub, manifest, package, ask))
        save(subs)
        mw.reset()
        _finish(messages, done)

    mw.taskman.run_in_background(download, apply)


def _finish(messages: list[str], done: Done | None) -> None:
    if done:
        done(messages)
    elif messages:
        tooltip("<br>".join(messages), period=6000)
    for hook in after_check:
        hook(messages)


def _apply_one(sub: Subscription, manifest: Manifest, package: Path, ask: Callable[[str], bool]) -> str:
    try:
        outcome = apply_release(mw.col, manifest, package, sub)
    except UpdateRefused as exc:
        if exc.kind != "schema" or not ask(f"{manifest.deck_name} {manifest.version}: {exc}\n\nApply it now?"):
            return f"{sub.deck_key} {manifest.version} not applied: {exc}"
        outcome = apply_release(mw.col, manifest, package, sub, allow_schema_change=True)
    return _summary(manifest, outcome)


def _summary(manifest: Manifest, o: Outcome) -> str:
    parts = [f"{o.new} new", f"{o.updated} updated"]
    if o.deleted or o.tagged_removed:
        parts.append(f"{o.deleted} removed, {o.tagged_removed} tagged deckgen::removed")
    if o.kept_fields:
        parts.append(f"{o.kept_fields} of your protected fields kept")
    return f"{manifest.deck_name} {manifest.version}: " + ", ".join(parts + o.messages)


# --- the learner's side of the GUI -------------------------------------------------------------------------------


def _on_subscribe() -> None:
    text, ok = getText("Paste the deck's repository URL or its release manifest URL:", title="Subscribe to a deck")
    if not ok or not text.strip():
        return
    removals = "delete-unreviewed"
    if not askUser("When the deck removes a card you never reviewed, delete it? (No: only tag it deckgen::removed)"):
        removals = "tag"
    try:
        sub = subscribe(text, removals)
    except (FetchError, ManifestError) as exc:
        showWarning(str(exc))
        return
    tooltip(f"Subscribed to {sub.deck_key}; fetching its release")
    check_all()


def _on_unsubscribe() -> None:
    subs = subscriptions()
    if not subs:
        tooltip("No deck subscriptions")
        return
    keys = ", ".join(s.deck_key for s in subs)
    key, ok = getText(f"Unsubscribe from which deck? ({keys})", title="Unsubscribe")
    if ok:
        save([s for s in subs if s.deck_key != key.strip()])


def suggest_correction(note: Any) -> str | None:
    """A prefilled issue on the deck's repository for ``note`` (its card id and its fields as YAML), or None when
    the note is not of a subscribed deck with a repository."""
    repo = _repository_of(note)
    if repo is None:
        return None
    fields = note.keys()
    card_id = note["Id"] if "Id" in fields else note.guid
    body = "\n".join([f"Card `{card_id}` (suggested from Anki):", "", "```yaml", f"- id: {card_id}"])
    for name in fields:
        if name != "Id":
            value = note[name].replace("\n", "\n      ")
            body += f"\n  {name}: |\n      {value}"
    body += "\n```\n"
    query = urllib.parse.urlencode({"title": f"Correction: {card_id}", "body": body[:6000]})
    return f"{repo}/issues/new?{query}"


def _repository_of(note: Any) -> str | None:
    url = next((s.manifest_url for s in subscriptions() if note.guid in s.shipped_tags), None)
    if url is None:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.netloc != "github.com":
        return None
    owner_repo = "/".join(parts.path.strip("/").split("/")[:2])
    return f"https://github.com/{owner_repo}"


def _editor_buttons(buttons: list[str], editor: Any) -> None:
    def clicked(ed: Any) -> None:
        link = suggest_correction(ed.note) if ed.note else None
        if link is None:
            tooltip("This note is not from a subscribed deck on GitHub")
        else:
            openLink(link)

    buttons.append(
        editor.addButton(None, "deckgen_suggest", clicked, tip="Suggest a correction to the deck", label="✎?")
    )


def install() -> None:
    menu = QMenu("deckgen subscriptions", mw)
    for label, slot in (
        ("Subscribe to a deck…", _on_subscribe),
        ("Check for updates now", lambda: check_all()),
        ("Unsubscribe…", _on_unsubscribe),
    ):
        action = QAction(label, mw)
        action.triggered.connect(slot)
        menu.addAction(action)
    mw.form.menuTools.addMenu(menu)
    gui_hooks.profile_did_open.append(lambda: check_all())
    gui_hooks.sync_did_finish.append(lambda: check_all())
    gui_hooks.editor_did_init_buttons.append(_editor_buttons)
