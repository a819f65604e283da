"""Media files that a note type's templates or CSS use (a font, a background, Anki's ``_style.css`` convention).

They go into the package like the files fields use, a missing one is an error, and they are not reported as unused.
"""

from __future__ import annotations

import re

from deckgen.model import NoteType
from deckgen.render.media import references

# src="x" / href="x" / src='x' of any tag in templates, url(x) / url("x") in CSS or style attributes; media tags and
# [sound:x] are found as in fields (:func:`deckgen.render.media.references`)
_REFS = re.compile(
    r"""\b(?:src|href)\s*=\s*(?:"([^"{}]*)"|'([^'{}]*)')|\burl\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)"""
)


def notetype_media(nt: NoteType) -> list[str]:
    """File names (in the cards folder's media/) that ``nt``'s templates and CSS refer to, in order of appearance.
    URLs with a scheme, paths with a folder and template substitutions are not files of the deck's."""
    found: list[str] = []
    texts = [nt.css, *(side for _, front, back in nt.templates for side in (front, back))]
    for text in texts:
        refs = [(m.start(), next(group for group in m.groups() if group is not None)) for m in _REFS.finditer(text)]
        refs += [(start, name) for start, _, name in references(text)]
        for _, name in sorted(refs):
            name = name.strip()
            if name and not any(c in name for c in ":/\\{}") and not name.startswith(("#", ".")):
                found.append(name)
    return list(dict.fromkeys(found))
