"""Template checks over a corpus of public note types: which are refused, by which check, and what code they hold.

    python bench/templates_corpus.py /work/corpus/templates

Each ``*.json`` under the folder is one note type as a shared deck has it: ``name``, ``type`` (1: cloze), ``fields``,
``css``, ``templates`` (``name``, ``qfmt``, ``afmt``). Every side goes through the checks ``deckgen check`` runs on a
deck's own note types: the template checks of notetypes/ (syntax, fields, placements, shapes), and the screen
model's policy over the rendered page and the CSS (screen/). A refusal by the screen model that notetypes/ did not
already make is "newly refused" (the issue's bar: none). Code the diff would show (script, handlers, external URLs)
is counted: a note type's own code is trusted, not refused. Exit 1 when any note type is newly refused.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from deckgen.diff.code import css_code, template_code
from deckgen.screen import check


def one(nt: dict[str, object]) -> tuple[list[str], list[str], Counter[str]]:
    """(problems of the notetypes/ checks, problems only the screen model finds, code found) for one note type."""
    fields = tuple(str(f) for f in nt["fields"])  # type: ignore[attr-defined]
    cloze = nt.get("type") == 1
    old: list[str] = []
    new: list[str] = []
    code: Counter[str] = css_code(str(nt.get("css") or ""))
    for t in nt["templates"]:  # type: ignore[attr-defined]
        for side, text in (("front", t["qfmt"]), ("back", t["afmt"])):
            _, found = check.side_problems(text, fields, is_cloze=cloze, front=side == "front")
            old += [f"{t['name']} {side}: {m}" for _, m in found if not m.startswith("unknown filter")]  # a warning
            code.update(template_code(text))
        new += [f"{t['name']} {side}: {m}" for side, _, m in check.template_problems(t["qfmt"], t["afmt"], fields)]
    new += [f"css: {m}" for _, m in check.css_problems(str(nt.get("css") or ""))]
    return old, new, code


def main(folder: Path) -> int:
    files = sorted(folder.rglob("*.json"))
    start = time.process_time()
    decks: set[str] = set()
    refused_before = newly_refused = with_code = 0
    kinds: Counter[str] = Counter()
    for path in files:
        nt = json.loads(path.read_text(encoding="utf-8"))
        decks.add(str(nt.get("deck") or path.parent.name))
        old, new, code = one(nt)
        name = f"{path.relative_to(folder)} ({nt.get('name')})"
        if old:
            refused_before += 1
            print(
                f"refused by the notetypes/ checks: {name}: {old[0]}" + (f" (+{len(old) - 1})" if len(old) > 1 else "")
            )
        if new:
            newly_refused += 1
            print(f"REFUSED by the screen model: {name}: {new[0]}" + (f" (+{len(new) - 1})" if len(new) > 1 else ""))
        if code:
            with_code += 1
            kinds.update(set(code))
    seconds = time.process_time() - start
    print(
        f"{len(files)} note types of {len(decks)} decks: {refused_before} refused by the notetypes/ checks, "
        f"{newly_refused} newly refused by the screen model; {with_code} hold code the diff shows "
        f"({', '.join(f'{k}: {v}' for k, v in kinds.most_common())}); {seconds:.2f} s CPU"
    )
    return 1 if newly_refused else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/corpus/templates")))
