"""Media file names as Anki accepts them, and the media references Anki finds in a field.

Anki stores a field's references unencoded (``<img src="my file.png">``, ``[sound:a&amp;b.mp3]``) and encodes
spaces and ``#`` itself when it shows the card. On import it renames any file whose name it would not keep
(rslib/src/media/files.rs ``normalize_filename``: ``q?.png`` becomes ``q.png``, ``CON.png`` ``CON_.png``) and
rewrites the notes to match (measured), so the learner's note is no longer the one deckgen built and the file
no longer has its name in ``cards/media/``. deckgen refuses such names instead: a referenced name must be one
that Anki keeps as it is.
"""

from __future__ import annotations

import html
import re
import unicodedata

_ANKI_FORBIDDEN = frozenset('[]<>:"/?*^\\|')
_WINDOWS_DEVICE = re.compile(r"(?i)^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\.|$)")
MAX_NAME_BYTES = 120  # Anki's MAX_MEDIA_FILENAME_LENGTH

# Anki's own patterns (rslib/src/text.rs): HTML_MEDIA_TAGS finds <img src>, AV_TAGS finds [sound:(.+?)]
# (searched with str.find here: Python's backtracking regex would be quadratic on many unclosed tags).
# in nh3's output every attribute is name="value"
IMG_SRC = re.compile(r'<img(?:\s+[^\s="/>]+="[^"]*")*?\s+src="([^"]*)"')


def name_problem(name: str) -> str | None:
    """Why Anki would not keep a media file of this name, or None when the name is fine."""
    bad = sorted({c for c in name if c in _ANKI_FORBIDDEN or ord(c) < 32 or ord(c) == 127})
    if bad:
        shown = " ".join(repr(c)[1:-1] if ord(c) < 32 or ord(c) == 127 else c for c in bad)
        return f"has characters that Anki does not allow in media file names ({shown})"
    if any(unicodedata.category(c) == "Cn" for c in name):
        return "has characters that Unicode does not assign, which Anki removes from media file names"
    if "\u00a0" in name:
        return "has a non-breaking space, which Anki turns into a space"
    if unicodedata.normalize("NFC", name) != name:
        return "is not in Unicode NFC form, which Anki renames (re-type its accents)"
    if _WINDOWS_DEVICE.match(name):
        return "is a reserved Windows device name, which Anki renames"
    if name.endswith((" ", ".")):
        return "ends with a space or a dot, which Anki renames"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes, which Anki shortens"
    return None


def references(field_html: str) -> list[tuple[str, str]]:
    """(kind, file name) of every media reference Anki would find in the field, in order: kind 'image' or 'sound'."""
    found: list[tuple[int, str, str]] = []
    if "<img" in field_html:
        found += [(m.start(), "image", html.unescape(m.group(1))) for m in IMG_SRC.finditer(field_html)]
    start = field_html.find("[sound:")
    while start != -1:
        end = field_html.find("]", start + 8)  # Anki's '.+?': the name has at least one character
        if end == -1:
            break
        found.append((start, "sound", html.unescape(field_html[start + 7 : end])))
        start = field_html.find("[sound:", end + 1)
    return [(kind, name) for _, kind, name in sorted(found)]
