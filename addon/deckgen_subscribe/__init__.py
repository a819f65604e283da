"""deckgen deck subscriptions, an Anki add-on: learners subscribe to a deck released with ``deckgen release`` and
get every release by themselves, the deck's removed cards leave (or are tagged), their protected fields and own
tags stay, and "Suggest a correction" opens a prefilled issue on the deck's repository. No server, no account: a
deck's release assets are the update channel.

- ``manifest``: the release manifest, read and validated like network input.
- ``fetch``: downloads, HTTPS only, bounded, checked against the manifest.
- ``update``: applying one release to a collection (pure: no GUI, no network).
- ``gui``: the Tools menu, the checks on profile open and after a sync, the editor button.
"""

try:
    from aqt import mw
except ImportError:  # imported outside Anki (the core's tests): no GUI
    mw = None

if mw is not None:
    from .gui import install

    install()
