"""Readable, unique slugs for imported things: card ids from the note's text, note type and topic slugs from names."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from deckgen.source.layout import SLUG

MAX_SLUG = 48
_TAGS = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.S)
_OCCLUSION = re.compile(r"\{\{c\d+::image-occlusion:[^}]*\}\}")  # Image Occlusion's shapes: no words in them
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def plain_text(field: str) -> str:
    """What a learner reads in a field: no tags, no sound tags, cloze deletions as their answers, entities decoded."""
    text = _CLOZE.sub(r"\1", _OCCLUSION.sub(" ", field))
    text = _SOUND.sub(" ", _HIDDEN.sub(" ", text))
    text = _TAGS.sub(" ", text)
    return " ".join(html.unescape(text).split())


def slugify(text: str) -> str:
    """ASCII slug: accents dropped (Chén -> chen), anything else that is not a letter or digit becomes '-'; cut at a
    word boundary. "" when nothing usable is left (e.g. only CJK characters)."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[: MAX_SLUG + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut[MAX_SLUG // 2 :] else slug[:MAX_SLUG]
        slug = slug.strip("-")
    return slug if SLUG.match(slug) else ""


class Slugs:
    """Hands out unique slugs: the first candidate text that gives a slug of at least ``min_len`` characters, else
    ``fallback-N``; a taken slug gets ``-2``, ``-3``..."""

    def __init__(self, fallback: str, reserved: Iterable[str] = (), min_len: int = 2):
        self.fallback = fallback
        self.taken = set(reserved)
        self.min_len = min_len
        self.count = 0

    def take(self, candidates: Iterable[str]) -> str:
        self.count += 1
        base = next(
            (s for s in (slugify(c) for c in candidates) if len(s) >= self.min_len), f"{self.fallback}-{self.count}"
        )
        slug = base
        n = 2
        while slug in self.taken:
            slug = f"{base}-{n}"
            n += 1
        self.taken.add(slug)
        return slug
