"""Every kind of warning has one message (mypy holds the table complete); each template fills in."""

from __future__ import annotations

from typing import get_args

from deckgen.diff.hazards import MESSAGES, Hazard, HazardKind
from deckgen.diff.report import code, hazard_text, plain_quote


def test_every_kind_of_warning_reads_in_markdown_and_json() -> None:
    kinds = get_args(HazardKind)
    assert sorted(kinds) == sorted(MESSAGES)
    for kind in kinds:
        hazard = Hazard(kind, ids=("card-a", "card-b"), old="qa", new="cloze", similarity=0.5)
        markdown = hazard_text(hazard, code, lambda s: f"**{s}**")
        plain = hazard_text(hazard, plain_quote, str)
        assert markdown.startswith("**") and "{" not in markdown and "{" not in plain, kind
        assert "card-a" in markdown or "cloze" in markdown, kind
