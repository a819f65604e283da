"""Where a field lands, as the browser reads the page (policy.placed), and deckgen's template scanner
(notetypes/placements.py) held to it: a placeholder the scanner takes for text must be text for the browser."""

from __future__ import annotations

import random

import pytest

from deckgen.screen import check, policy
from deckgen.screen.render import marker, render


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        ("<b>{{F}}</b>", "text"),
        ('<a title="x {{F}}">t</a>', "value"),
        ("<a href={{F}}>t</a>", "value"),
        ("<script>var f = '{{F}}';</script>", "raw"),
        ("<style>.x{content:'{{F}}'}</style>", "raw"),
        ("<a {{F}}=1>t</a>", "name"),
        ("<!-- {{F}} -->x", None),  # Anki leaves comments alone
    ],
)
def test_a_marker_lands_where_the_browser_puts_it(template: str, kind: str | None) -> None:
    page = render(template, {"F": marker("F")}, tag_side="q")
    found = policy.placed(page)
    assert found == ({} if kind is None else {("q", template.index("{{F}}")): {kind}})


TOKENS = [
    "<a ", "<b>", "</a>", '"', "'", "=", " ", "{{F}}", ">", "<", "/", "<!--", "-->", "<script>", "</script>",
    "<style>", "</style>", "x", "\t", "<svg>", "</svg>", "<!", "<?", "</p", "&", "\x0b", "\x0c", "\r", "<math>",
    "<table>", "<select>", "<template>", "{{#F}}", "{{/F}}",
]  # fmt: skip


def test_the_template_scanner_agrees_with_the_browser_on_random_templates() -> None:
    """3,000 random templates that the shape checks accept: none has a field the browser reads as markup or code
    where the scanner saw text (60,000 found none when this check was written)."""
    rng = random.Random(16)
    tried = 0
    while tried < 3000:
        template = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 10)))
        if "{{F}}" not in template:
            continue
        nodes, problems = check.side_problems(template, ("F",), is_cloze=False, front=True)
        if nodes is None or problems:
            continue
        tried += 1
        found = check.template_problems(template, "{{F}}", ("F",))
        assert not any("scanner read it as text" in message for _, _, message in found), template
