"""``deckgen preview``: a static HTML page showing every card exactly as the real Anki backend renders it.

The deck is planned and packaged like ``deckgen build`` (without touching the lock), the package is imported
into a throwaway Anki collection, and Anki itself renders each card's front and back (templates, cloze
blanks, reverse cards, the note type's CSS); previewside.py then does what Anki's reviewer does with script
(math typeset by MathJax, as SVG) and with its player (audio and video players). The page has no JavaScript and
loads nothing from the network.

The ``anki`` package comes with the ``preview`` extra of ``deckgen-anki``; it is imported only here.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.build import Plan, plan_build, write_package
from deckgen.distribution import needs_package
from deckgen.errors import MissingDependency, UsageError
from deckgen.fsutil import atomic_dir, refuse_linked_output
from deckgen.preview.mathjax import MATHJAX_VERSION, MathJaxUnavailable, stylesheet, typeset
from deckgen.preview.page import GENERATOR, AnkiCard, Rendering, render_page
from deckgen.preview.side import drawing_math, latex2mathml, undrawn
from deckgen.source.media import copy_folder
from deckgen.source.yamlfile import file_display

INDEX = "index.html"

_STYLE = re.compile(r"\A\s*<style>(.*?)</style>", re.S)


@dataclass(frozen=True)
class PreviewResult:
    plan: Plan
    index: Path
    note_count: int
    card_count: int
    math_by: str = ""  # what drew the math ("" when the deck has none)
    undrawn: int = 0  # formulas shown as marked TeX (not drawn)


def default_preview_dir(cards_dir: Path) -> Path:
    return cards_dir.parent / "preview"


def _anki() -> Any:
    """Import the optional ``anki`` and ``latex2mathml`` packages, or explain how to install them."""
    try:
        import anki.buildinfo
        import anki.collection
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == "anki" or exc.name.startswith("anki.")):
            raise MissingDependency(needs_package("anki")) from None
        raise MissingDependency(f"{needs_package('anki')} (importing it failed: {exc})") from exc
    except ImportError as exc:  # installed but broken (e.g. a wheel for another platform)
        raise MissingDependency(f"{needs_package('anki')} (importing it failed: {exc})") from exc
    try:
        import latex2mathml.converter  # noqa: F401
    except ImportError:
        raise MissingDependency(needs_package("latex2mathml")) from None
    return anki


def split_style(rendered: str) -> tuple[str, str]:
    """Anki puts the note type's CSS in a leading ``<style>`` element; return (css, the rest)."""
    match = _STYLE.match(rendered)
    if not match:
        return "", rendered
    return match.group(1), rendered[match.end() :]


def render_with_anki(apkg: Path, media_out: Path) -> Rendering:
    """Import ``apkg`` into a throwaway collection and let Anki render every card; copy its media to ``media_out``."""
    anki = _anki()
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    cards: dict[str, list[AnkiCard]] = {}
    with tempfile.TemporaryDirectory(prefix="deckgen-preview-") as tmpdir:
        col = Collection(str(Path(tmpdir) / "collection.anki2"))
        try:
            request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
            col.import_anki_package(request)
            for cid in col.find_cards(""):
                card = col.get_card(cid)
                note = card.note()
                css, front = split_style(card.question())
                back_css, back = split_style(card.answer())
                cards.setdefault(note.guid, []).append(
                    AnkiCard(
                        ord=card.ord,
                        template=str(card.template()["name"]),
                        front=front,
                        back=back,
                        css=css or back_css,
                        question_files=tuple(str(getattr(t, "filename", "")) for t in card.question_av_tags()),
                        answer_files=tuple(str(getattr(t, "filename", "")) for t in card.answer_av_tags()),
                    )
                )
            copy_folder(Path(col.media.dir()), media_out)
        finally:
            col.close()
    for found in cards.values():
        found.sort(key=lambda c: c.ord)
    return Rendering(cards=cards, anki_version=str(anki.buildinfo.version))


def _is_preview_dir(path: Path) -> bool:
    """An empty folder, or one holding an index.html that deckgen preview wrote (safe to replace)."""
    if not any(path.iterdir()):
        return True
    try:
        head = (path / INDEX).read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">' in head


def check_output(cards_dir: Path, output: Path) -> None:
    """Refuse outputs that replacing as a whole could destroy: the cards, their parents, other folders, files."""
    refuse_linked_output(output, cards_dir)
    shown = file_display(output)
    if output.exists() and not output.is_dir():
        raise UsageError(f"output '{shown}' is a file; give a folder for the preview site (default: preview/)")
    real_out, real_cards = output.resolve(), cards_dir.resolve()
    if real_out == real_cards or real_out in real_cards.parents:
        raise UsageError(
            f"output '{shown}' holds the cards folder; the preview replaces its folder as a whole, "
            "choose another folder with -o"
        )
    if real_cards in real_out.parents:
        raise UsageError("the preview must not be written into the cards folder; choose another folder with -o")
    if output.is_dir() and not _is_preview_dir(output):
        raise UsageError(
            f"output '{shown}' is a folder that deckgen preview did not write (it would be replaced as a "
            "whole); choose another folder with -o, or empty it first"
        )


def preview(cards_dir: Path, output: Path | None = None) -> PreviewResult:
    """Write the preview site to ``output`` (default: preview/ beside the cards folder), replacing it as a whole.

    Nothing is written unless the deck has no errors; on any failure the old site is left as it was.
    """
    _anki()  # fail before any work when the optional dependency is missing
    plan = plan_build(cards_dir)
    output = default_preview_dir(cards_dir) if output is None else output
    check_output(cards_dir, output)
    with atomic_dir(output.resolve()) as site:
        with tempfile.TemporaryDirectory(prefix="deckgen-preview-") as tmpdir:
            apkg = Path(tmpdir) / f"{plan.deck.key}.apkg"
            write_package(plan, apkg)
            rendering = render_with_anki(apkg, site)
        page, math_by, undrawn = page_with_math(plan, rendering, cards_dir)
        (site / INDEX).write_text(page, encoding="utf-8")
    card_count = sum(len(rendering.cards.get(note.guid, ())) for note in plan.notes)
    return PreviewResult(
        plan=plan,
        index=output / INDEX,
        note_count=len(plan.notes),
        card_count=card_count,
        math_by=math_by,
        undrawn=undrawn,
    )


def page_with_math(plan: Plan, rendering: Rendering, cards_dir: Path) -> tuple[str, str, int]:
    """The page, with its math drawn by MathJax (every formula of the page in one run of it), or by latex2mathml
    when Node.js is missing: (page, what drew the math, how many formulas could not be drawn)."""
    wanted: list[tuple[str, bool]] = []

    def collect(tex: str, display: bool, source: str) -> str:
        wanted.append((tex, display))
        return ""

    with drawing_math(collect):
        render_page(plan, rendering, cards_dir)  # a first pass only finds the formulas, as the page finds them
    failed: list[str] = []
    try:
        drawn = typeset(wanted) if wanted else {}
        math_by = f"MathJax {MATHJAX_VERSION}"

        def draw(tex: str, display: bool, source: str) -> str:
            mathml = drawn.get((tex, display))
            if mathml is None:
                failed.append(source)
                return undrawn(source)
            return mathml
    except MathJaxUnavailable as exc:
        math_by = f"latex2mathml, not MathJax: {exc}"

        def draw(tex: str, display: bool, source: str) -> str:
            out = latex2mathml(tex, display, source)
            if 'class="dgp-tex"' in out:
                failed.append(source)
            return out

    with drawing_math(draw):
        page = render_page(plan, rendering, cards_dir, math_by=math_by if wanted else "")
    if wanted and stylesheet():
        page = page.replace("</head>", f'<style class="dgp-mathjax">{stylesheet()}</style>\n</head>', 1)
    return page, math_by if wanted else "", len(set(failed))  # each side is on the page twice (screen, print)
