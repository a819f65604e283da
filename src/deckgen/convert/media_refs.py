"""Which media files notes use, found the way Anki finds them (rslib/src/text.rs ``extract_media_refs``): the
``src``/``data`` of ``<img>``, ``<audio>``, ``<video>``, ``<object>``, ``<source>`` and ``[sound:NAME]``, with HTML
entities decoded (``a &amp; b.png`` is the file ``a & b.png``)."""

from __future__ import annotations

import html
import re

HTML_MEDIA_TAGS = re.compile(
    r"""<\b(?:img|audio|video|object|source)\b(?:[^>]|"[^"]+?"|'[^']+?')+?\b(?:src|data)\b="""
    r"""(?:"([^"]+?)"[^>]*>|'([^']+?)'[^>]*>|([^ >]+?)(?:\x20[^>]*>|>))""",
    re.I | re.S,
)
AV_TAGS = re.compile(r"\[sound:(.+?)\]", re.S)
_REMOTE = re.compile(r"^(?:https?|ftp)://", re.I)


def field_media(text: str) -> list[str]:
    """Local media file names a field refers to, in order (remote URLs left out)."""
    if "<" not in text and "[sound:" not in text:
        return []
    out = []
    for m in HTML_MEDIA_TAGS.finditer(text):
        name = html.unescape(m.group(1) or m.group(2) or m.group(3) or "")
        if name and not _REMOTE.match(name):
            out.append(name)
    for m in AV_TAGS.finditer(text):
        out.append(html.unescape(m.group(1)))
    return out
