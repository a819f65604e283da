"""The rules ``deckgen check`` applies, by the name a problem carries in ``--format json`` (``"rule"``).

Listed by ``deckgen check --help``; a test holds this table to every rule name used in the code.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "": "what the loader rejects: YAML, keys, types, duplicate ids, aliases",
    "cloze": "cloze syntax: unclosed deletions, numbering gaps, '::' in answers",
    "duplicate": "the same question twice, or the same words reordered (warning)",
    "html": "HTML that could run script, tags outside the allowlist",
    "tags": "tags that differ only in case (warning)",
    "media": "media files that are missing, or unused (warning)",
    "notetype": "the deck's note types: fields, template syntax, notes with no card (a template with none: warning)",
    "yaml": "text after ' #' in an unquoted value, read as a comment (the rest of the answer would be lost)",
    "source": "with --source: excerpts not found in the documents",
    "lock": "the lock file: out of date (warning), damaged, ids reused",
    "identity": "a changed deck key, note type id or GUID (learners get copies)",
    "schema": "a shipped note type's fields or templates changed (Anki forks it)",
    "requires": "deck.yaml's 'requires' excludes this deckgen version",
    "math": "TeX that MathJax would run as links, styles or macros; unknown commands; Anki's [latex] tags",
    "code": "code blocks in a language Pygments does not know, or too long to colour (warnings)",
    "size": "fields too long to render (over 65,536 characters)",
    "reference": "editor's notes citing a reference deck.yaml does not list; references no card cites (warning)",
    "placeholder": "the description 'deckgen init' wrote, not yet replaced (warning)",
    "import": "deckgen import: what a source package holds that deckgen cannot keep as it is",
}


def help_text() -> str:
    """The rules as lines for a command's help (click keeps a paragraph that starts with '\\b' as written)."""
    lines = [f"  {(name or '(none)'):<9} {text}" for name, text in RULES.items()]
    return "\b\nRules (the 'rule' of each problem in --format json):\n" + "\n".join(lines)
