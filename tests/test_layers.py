"""The house's floor plan, held: every import in src/deckgen goes to the importer's own layer or one below it, the
top level stays small, and no module imports itself back through others.

Layers, from the bottom (a module of a folder is in its folder's layer):

    kernel: errors, model, fsutil, distribution, rules, progress (and the package's __init__)
    identity, render
    notetypes
    screen
    source
    compile
    lock
    git
    apkg
    build
    check, diff, preview, import (import_deck, importers, convert), release, push
    scaffold
    cli (and __main__)

Imports inside functions count: they run as well, later.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "src" / "deckgen"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "model", "fsutil", "distribution", "rules", "progress"),
    ("identity", "render"),
    ("notetypes",),
    ("screen",),
    ("source",),
    ("compile",),
    ("lock",),
    ("git",),
    ("apkg",),
    ("build",),
    ("check", "diff", "preview", "import_deck", "importers", "convert", "release", "push"),
    ("scaffold",),
    ("cli", "__main__"),
)
LAYER = {part: level for level, parts in enumerate(LAYERS) for part in parts}
MAX_TOP_LEVEL_MODULES = 14


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path) -> list[tuple[str, int]]:
    """(imported deckgen module, line) of every import in the file, at any depth; ``from a import b`` names a.b
    when a.b is a module."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((full if full in known else base, node.lineno))
    return [(target, line) for target, line in out if target == "deckgen" or target.startswith("deckgen.")]


def part(module: str) -> str:
    """The top-level module or folder a module belongs to ('deckgen' itself is its __init__)."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def test_every_module_is_in_a_layer() -> None:
    unknown = sorted({part(name) for name in modules()} - LAYER.keys())
    assert not unknown, f"put {unknown} into a layer of LAYERS (tests/test_layers.py) and the docs' layer list"


def test_imports_only_go_down() -> None:
    wrong = []
    for name, path in modules().items():
        for target, line in imports(name, path):
            if LAYER[part(target)] > LAYER[part(name)]:
                where = path.relative_to(REPO)
                wrong.append(
                    f"{where}:{line}: {name} imports {target}, which is in a higher layer ({part(name)} is in layer "
                    f"{LAYER[part(name)]}, {part(target)} in layer {LAYER[part(target)]}); move the function it needs "
                    "down to the layer of its users"
                )
    assert not wrong, "\n".join(wrong)


def test_the_top_level_is_small() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, f"{len(top)} top-level modules: {top}; put new ones in a folder"


def test_no_import_cycles() -> None:
    graph = {name: {target for target, _ in imports(name, path) if target != name} for name, path in modules().items()}
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            cycles.append([*stack[stack.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*stack, node])
        done.add(node)

    for name in sorted(graph):
        visit(name, [])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)
