#!/usr/bin/env bash
# Install everything the test suite needs into .venv (plus Chromium for the preview tests,
# action-validator for the workflow tests, a venv for the installed-wheel test and one venv per old
# Anki client), then run it.
# Usage: scripts/test.sh [--skip-anki-clients] [pytest args...]
#   --skip-anki-clients (or DECKGEN_SKIP_ANKI_CLIENTS=1): skip the old-client tier locally; never in CI (CI set).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--skip-anki-clients" ]; then
  export DECKGEN_SKIP_ANKI_CLIENTS=1
  shift
fi
if [ -n "${CI:-}" ]; then
  unset DECKGEN_SKIP_ANKI_CLIENTS  # CI runs every tier
fi

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium for the preview tests (apt-get)..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: Chromium is not installed; the browser tests will fail. Install Debian's 'chromium' package." >&2
  fi
fi

# a CJK font, so that the preview screenshots show the Chinese terms instead of boxes
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && command -v fc-list >/dev/null 2>&1 \
   && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null || true
fi

# pdftoppm (poppler-utils): the printable-cards test renders the pages Chromium prints
if ! command -v pdftoppm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  else
    echo "warning: pdftoppm is not installed; the printable-cards test will fail. Install Debian's 'poppler-utils'." >&2
  fi
fi

# jq: the workflow test answers the comment listing with jq, as `gh api --jq` filters it on GitHub
if ! command -v jq >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null
  else
    echo "warning: jq is not installed; the workflow tests will fail. Install Debian's 'jq' package." >&2
  fi
fi

# the GitHub Actions workflow is validated against its schema by action-validator (from the npm registry)
if [ ! -x .ci-tools/node_modules/.bin/action-validator ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  npm install --silent --no-fund --no-audit --prefix .ci-tools @action-validator/cli@0.6.0 @action-validator/core@0.6.0
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if .venv/bin/python -m pip show -q deckgen >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall -q -y deckgen || true  # the distribution was renamed deckgen-anki (0.2.0)
fi
.venv/bin/python -m pip install -q -e '.[dev]'

# A cached venv with deckgen's dependencies (not deckgen): tests/test_wheel.py installs the freshly built wheel
# into it without an index, so a dependency missing from pyproject.toml fails there. Rebuilt when pyproject changes.
stamp="$(sha256sum pyproject.toml | cut -c1-64)"
if [ "$(cat .ci-tools/wheel-venv/.pyproject 2>/dev/null)" != "$stamp" ]; then
  rm -rf .ci-tools/wheel-venv
  python3 -m venv .ci-tools/wheel-venv
  .ci-tools/wheel-venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .ci-tools/wheel-venv/bin/python -m pip install -q '.[preview]'
  .ci-tools/wheel-venv/bin/python -m pip uninstall -q -y deckgen-anki
  echo "$stamp" > .ci-tools/wheel-venv/.pyproject
fi

# Old Anki clients (tests/test_anki_clients.py), each in its own cached venv, on this python3 (their wheels are
# abi3: 2.1.36 was measured to work on Python 3.11, 3.12 and 3.13, 2.1.66 on 3.11); 2.1.36 needs protobuf 3.20.x.
anki_client() {  # version, then the exact requirements
  local folder=".ci-tools/anki-$1" wanted="${*:2}"
  if [ "$(cat "$folder/.requirements" 2>/dev/null)" != "$wanted" ]; then
    rm -rf "$folder"
    python3 -m venv "$folder"
    "$folder/bin/python" -m pip install -q ${wanted}
    echo "$wanted" > "$folder/.requirements"
  fi
}
if [ -z "${DECKGEN_SKIP_ANKI_CLIENTS:-}" ]; then
  anki_client 2.1.36 anki==2.1.36 protobuf==3.20.3
  anki_client 2.1.66 anki==2.1.66 protobuf==7.36.2
  # the real Anki desktop for the subscription add-on's tier (tests/addon/test_desktop.py), offscreen; its Qt
  # libraries need what Chromium's packages bring (installed above) plus these, where missing
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
     && ! dpkg -s libdbus-1-3 libpulse0 libegl1 libgl1 libxkbcommon0 libnss3 >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libdbus-1-3 libpulse0 libegl1 libgl1 libxkbcommon0 libnss3 >/dev/null
  fi
  anki_client desktop-26.9.3 "aqt[qt6]==26.9.3"
fi
.venv/bin/ruff check src tests bench scripts addon
.venv/bin/ruff format --check src tests bench scripts addon  # the formatter owns layout
.venv/bin/mypy
# the docs build as a site with every link and anchor resolved (the pages themselves are plain Markdown)
site="$(mktemp -d)"
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir "$site"  # not --quiet: it hides the warnings strict counts
rm -rf "$site"
exec .venv/bin/python -m pytest "$@"
