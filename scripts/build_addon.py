"""Build the subscription add-on into an .ankiaddon file (a zip whose root holds the package's files and Anki's
add-on manifest.json), as the release workflow uploads it: python scripts/build_addon.py [OUTPUT]."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "addon" / "deckgen_subscribe"


def build(output: Path) -> Path:
    manifest = json.loads((ROOT / "addon" / "manifest.json").read_text(encoding="utf-8"))
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(PACKAGE.glob("*.py")):
            info = zipfile.ZipInfo(path.name, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible bytes
            zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("manifest.json", date_time=(1980, 1, 1, 0, 0, 0))
        zf.writestr(info, json.dumps(manifest, indent=2, sort_keys=True) + "\n", zipfile.ZIP_DEFLATED)
    return output


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "deckgen_subscribe.ankiaddon"
    print(build(target))
