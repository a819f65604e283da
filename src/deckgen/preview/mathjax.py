"""Math for the preview, drawn by MathJax itself: the TeX Anki's reviewer hands to MathJax 3.2.2, typeset at preview
time by MathJax (``vendor/tex2svg.js``, run with Node.js) configured as Anki configures it (the full TeX input, so
``\\ce{}`` is mhchem's; noerrors and mathtools added, textmacros removed), into SVG with the glyphs inside.

Why SVG made at preview time: the page stays static, with no script and nothing loaded (it is opened from CI
artifacts, zipped, printed), and the drawing is MathJax's own layout, the one Anki shows (Anki uses MathJax's CHTML
output, which lays out as the SVG output does). MathML drawn by the browser was tried first: Chromium's MathML
does not align 'aligned' environments, and it draws mhchem's arrows differently.

MathJax (Apache-2.0, npm ``mathjax@3.2.2``) is vendored in ``vendor/mathjax``: the four files TeX to SVG needs.
Without ``node`` on the PATH the preview falls back to latex2mathml's MathML, and says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parent / "vendor" / "tex2svg.js"
MATHJAX_VERSION = "3.2.2"
TIMEOUT = 300.0  # seconds for every formula of a deck (a few thousand take a few seconds)
_DRAWN: dict[tuple[str, bool], str | None] = {}  # SVG by (TeX, display), kept across rebuilds of preview --watch
_CSS: list[str] = []  # MathJax's stylesheet for its SVG output, once read


class MathJaxUnavailable(Exception):
    """Node.js is not installed, or MathJax failed as a whole; the reason is the message."""


def node() -> str | None:
    return shutil.which("node") or shutil.which("nodejs")


def stylesheet() -> str:
    """The CSS MathJax's SVG output needs on the page (display math centred, error colours); "" before a typeset."""
    return _CSS[0] if _CSS else ""


def typeset(items: list[tuple[str, bool]]) -> dict[tuple[str, bool], str | None]:
    """SVG (in MathJax's ``mjx-container``) for each (TeX, display), or None for a formula MathJax reports as an
    error (it is then not drawn)."""
    wanted = [item for item in dict.fromkeys(items) if item not in _DRAWN]
    if wanted:
        exe = node()
        if exe is None:
            raise MathJaxUnavailable("Node.js ('node') is not installed")
        try:
            proc = subprocess.run(
                [exe, str(SCRIPT)],
                input=json.dumps([[tex, display] for tex, display in wanted]),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise MathJaxUnavailable(f"MathJax did not run ({exc})") from None
        if proc.returncode != 0:
            raise MathJaxUnavailable(f"MathJax failed: {proc.stderr.strip()[-500:]}")
        answer = json.loads(proc.stdout)
        _CSS[:] = [answer["css"]]
        for item, out in zip(wanted, answer["items"], strict=True):
            _DRAWN[item] = out if isinstance(out, str) and "data-mjx-error" not in out else None
    return {item: _DRAWN[item] for item in items}
