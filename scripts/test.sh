#!/usr/bin/env bash
# Install everything the test suite needs into .venv (plus Chromium for the preview tests and
# action-validator for the workflow test), then run it.
# Usage: scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

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
.venv/bin/python -m pip install -q -e '.[dev]'
.venv/bin/ruff check src tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
