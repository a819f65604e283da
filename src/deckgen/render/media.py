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

# Anki's own patterns (rslib/src/text.rs ``extract_media_refs``): HTML_MEDIA_TAGS finds the src or data of <img>,
# <audio>, <video>, <object> and <source>, AV_TAGS finds [sound:(.+?)]. They are searched here with str.find and
# patterns that cannot backtrack, one tag at a time (Anki's HTML pattern, run by Python's backtracking regex, took
# seconds on 70 characters of quotes, and both took quadratic time on many unclosed tags; deckgen reads fields of
# packages from strangers with this), and attributes are read as attributes ('src=' inside another attribute's
# value is not a reference).
_MEDIA_TAG = re.compile(r"<(img|audio|video|object|source)\b", re.I)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


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


def references(text: str) -> list[tuple[int, str, str]]:
    """(offset, kind, file name) of every media reference Anki finds in a field, in order: kind 'sound' for
    ``[sound:NAME]``, else the tag's name ('img', 'audio', ...). Names are HTML-decoded (``a &amp; b.png`` is the
    file ``a & b.png``); whether a name is a remote URL is the caller's business. The one finder of media
    references: the renderer checks what it finds, ``deckgen import`` copies it, and the note type check takes the
    references of templates from it."""
    found = _tag_references(text) if "<" in text else []
    start = text.find("[sound:")
    while start != -1:
        end = text.find("]", start + 8)  # Anki's '.+?': the name has at least one character
        if end == -1:
            break
        found.append((start, "sound", html.unescape(text[start + 7 : end])))
        start = text.find("[sound:", end + 1)
    return sorted(found)


def _tag_references(text: str) -> list[tuple[int, str, str]]:
    """The first src (or data) of each media tag; a tag ends at its first '>' (Anki writes '&gt;' in attributes)."""
    found: list[tuple[int, str, str]] = []
    pos = 0
    while (tag := _MEDIA_TAG.search(text, pos)) is not None:
        end = text.find(">", tag.end())
        if end == -1:  # no '>': neither this tag nor a later one is complete
            break
        for attribute in _ATTRIBUTE.finditer(text, tag.end(), end):
            if attribute.group(1).lower() in ("src", "data"):
                name = html.unescape(attribute.group(2) or attribute.group(3) or attribute.group(4) or "")
                if name:
                    found.append((tag.start(), tag.group(1).lower(), name))
                break
        pos = end + 1
    return found
