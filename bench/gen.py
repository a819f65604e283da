"""Synthetic decks for the benchmark: realistic card text, a mix of Q/A, reversed and cloze cards."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "blinatumomab CD19 CD3 T-cell engager remission relapse refractory MRD negativity chemotherapy "
    "transplantation bridging tumor burden debulking cytokine release syndrome neurotoxicity regulatory "
    "interferon survival children infants rearrangement lineage switch myeloid lymphoid antigen loss "
    "consolidation tyrosine kinase inhibitor fusion expression profile toxicity pancreatitis mucositis"
).split()

DECK = """\
key: bench-deck
name: "Bench::Synthetic"
description: "A synthetic deck of {n} cards for the benchmark."
source:
  title: Synthetic article
"""


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def card_yaml(rng: random.Random, i: int) -> str:
    kind = i % 10
    lines = [f"  - id: card-{i:06d}"]
    if kind < 6:
        lines.append(f'    front: "What is {sentence(rng, 8)} (#{i})?"')
        lines.append(f'    back: "{sentence(rng, 6)}"')
        if kind == 0:
            lines.append("    reverse: true")
    elif kind < 9:
        lines.append(
            f'    cloze: "The {sentence(rng, 5)} is {{{{c1::{sentence(rng, 2)}}}}} in about {{{{c2::{i % 97}%}}}} (#{i})."'
        )
    else:
        lines.append(f'    front: "Which **{sentence(rng, 3)}** has <5% of {sentence(rng, 4)} (#{i})?"')
        lines.append(f'    back: "- {sentence(rng, 3)}\\n- {sentence(rng, 3)}"')
    lines.append(f'    extra: "{sentence(rng, 5)}"')
    lines.append(f'    source: "{sentence(rng, 12)}"')
    lines.append(f"    tags: [t{i % 7}, bench]")
    return "\n".join(lines) + "\n"


def generate(root: Path, n_cards: int, per_file: int = 100, seed: int = 1) -> Path:
    """Write a cards folder with ``n_cards`` cards, ``per_file`` to a topic file."""
    rng = random.Random(seed)
    cards = root / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    (cards / "deck.yaml").write_text(DECK.format(n=n_cards), encoding="utf-8")
    for f, start in enumerate(range(0, n_cards, per_file)):
        body = "".join(card_yaml(rng, i) for i in range(start, min(start + per_file, n_cards)))
        (cards / f"topic-{f:04d}.yaml").write_text(
            f"topic: topic-{f:04d}\ntitle: Topic {f}\ncards:\n{body}", encoding="utf-8"
        )
    return cards
