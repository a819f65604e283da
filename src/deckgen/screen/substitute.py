"""Anki's raw string passes over a rendered card side, reproduced: what the reviewer does to the text of
``question()``/``answer()`` before the webview parses it (spec: /work/notes/anki_screen.md, sections A-E).

Every pass here is a regex or substring pass with no knowledge of HTML, as in Anki: a ``[sound:...]`` tag inside an
attribute value becomes a play button inside that attribute, and the button's ``"`` ends the attribute. deckgen
therefore refuses these strings anywhere but in text (:data:`RAW_SUBSTITUTED`).
"""

from __future__ import annotations

import re

from deckgen.render.gate import ANKI_REWRITES

RAW_SUBSTITUTED = ANKI_REWRITES  # the text Anki's raw passes rewrite wherever it stands
_SOUND = re.compile(r"\[sound:(.+?)\]", re.S)  # rslib/src/card_rendering/parser.rs
_TTS = re.compile(r"\[anki:tts(?:[^\]]*)\](.*?)\[/anki:tts\]", re.S)
AV_REF = re.compile(r"\[anki:(play:(.):(\d+))\]")  # pylib/anki/sound.py:69
TYPE_ANSWER = re.compile(r"\[\[type:(.+?)\]\]")  # qt/aqt/reviewer.py typeAnsPat

# qt/aqt/sound.py:906-921, byte for byte (double quotes; single quotes inside onclick)
DESKTOP_BUTTON = """
<a class="replay-button soundLink" href=# onclick="pycmd('{ref}'); return false;" draggable="false">
    <svg class="playImage" viewBox="0 0 64 64" version="1.1">
        <circle cx="32" cy="32" r="29" />
        <path d="M56.502,32.301l-37.502,20.101l0.329,-40.804l37.173,20.703Z" />
    </svg>
</a>"""
# AnkiDroid SoundUtils.kt:52-106: href unquoted
ANKIDROID_BUTTON = """<a class="replay-button soundLink" href=playsound:{side}:{n}><span>
                        <svg class="playImage" viewBox="0 0 64 64" version="1.1">
                            <circle cx="32" cy="32" r="29" fill="lightgrey"/>
                            <path d="M56.502,32.301l-37.502,20.101l0.329,-40.804l37.173,20.703Z" fill="black"/>Replay
                        </svg>
                    </span></a>"""
# qt/aqt/reviewer.py:743-751, question side, with the default font
TYPE_INPUT = (
    '\n<center>\n<input type=text id=typeans onkeypress="_typeAnsPress();"\n'
    "   style=\"font-family: 'Arial'; font-size: 20px;\">\n</center>\n"
)


def extract_av_tags(text: str, side: str, start: int = 0) -> tuple[str, int]:
    """``[sound:X]`` and ``[anki:tts ...]...[/anki:tts]`` replaced by ``[anki:play:S:N]`` (Anki's extract_av_tags),
    numbered from ``start``; returns the text and the next number."""
    count = start

    def ref(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"[anki:play:{side}:{count - 1}]"

    pattern = re.compile(f"{_SOUND.pattern}|{_TTS.pattern}", re.S)
    return pattern.sub(ref, text), count


def play_buttons(text: str, *, ankidroid: bool = False) -> str:
    """Each ``[anki:play:S:N]`` replaced by the reviewer's play button (desktop or AnkiDroid)."""
    if ankidroid:
        return AV_REF.sub(lambda m: ANKIDROID_BUTTON.format(side=m.group(2), n=m.group(3)), text)
    return AV_REF.sub(lambda m: DESKTOP_BUTTON.format(ref=m.group(1)), text)


# qt/aqt/reviewer.py typeAnsAnswerFilter: the comparison box, with the default font
COMPARISON = "\n<div style=\"font-family: 'Arial'; font-size: 20px\">{}</div>"
HR_ANSWER = "<hr id=answer>"


def answer_before_type_answer(text: str) -> str:
    """The answer side as the desktop reviewer's typeAnsAnswerFilter reads it when the card has a type-in field:
    every literal ``<hr id=answer>`` removed first (a raw substring pass, attributes included), unless no
    ``[[type:...]]`` is left after the removal. The removal can join ``[[ty`` and ``pe:...]]`` (or ``<`` and
    ``img ...>``) into something the page read with the separator never held."""
    removed = text.replace(HR_ANSWER, "")
    return removed if removed != text and TYPE_ANSWER.search(removed) else text


def type_answer_on_answer(text: str, comparison: str) -> str:
    """Each ``[[type:F]]`` of the answer side replaced by the comparison box (``comparison``: Anki's
    compare_answer output), with the separator removed and put back before each box, as typeAnsAnswerFilter does."""
    joined = answer_before_type_answer(text)
    box = COMPARISON.format(comparison)
    if joined != text:
        box = HR_ANSWER + box
    return TYPE_ANSWER.sub(lambda _: box, joined)


def type_answer(text: str) -> str:
    """Each ``[[type:F]]`` replaced by the desktop reviewer's input box (the question side, field not empty)."""
    return TYPE_ANSWER.sub(lambda _: TYPE_INPUT, text)


def reviewer_passes(text: str, *, ankidroid: bool = False) -> str:
    """What the reviewer makes of a side's text (after av-tag extraction): play buttons, then the type-in box."""
    return type_answer(play_buttons(text, ankidroid=ankidroid))


def with_style(css: str, text: str) -> str:
    """pylib/anki/template.py:289-293: the note type's CSS goes in verbatim."""
    return f"<style>{css}</style>{text}"
