"""The plain genanki peer: a card folder's YAML read with PyYAML's C loader, written with genanki as it comes (no
validation, no rendering, no lock). Runs in its own venv (bench/.peers/genanki): python plain_genanki.py CARDS OUT"""

from __future__ import annotations

import sys
from pathlib import Path

import genanki
import yaml

QA = genanki.Model(
    1607392319,
    "QA",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
)
CLOZE = genanki.Model(1607392320, "Cloze", fields=[{"name": "Text"}, {"name": "Extra"}], model_type=genanki.Model.CLOZE,
                      templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Extra}}"}])  # fmt: skip


def main(cards: Path, out: Path) -> None:
    deck = genanki.Deck(2059400110, "Bench")
    for path in sorted(cards.glob("topic-*.yaml")):
        for card in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["cards"]:
            tags = [str(t) for t in card.get("tags", [])]
            if "cloze" in card:
                fields = [card["cloze"], card.get("extra", "")]
                deck.add_note(genanki.Note(model=CLOZE, fields=fields, tags=tags, guid=card["id"]))
            else:
                fields = [card["front"], card["back"]]
                deck.add_note(genanki.Note(model=QA, fields=fields, tags=tags, guid=card["id"]))
    genanki.Package(deck).write_to_file(str(out), timestamp=1_700_000_000)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
