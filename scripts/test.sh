#!/usr/bin/env bash
# Install what is needed and run every test (unit, pages, browser, exports, a small benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
.venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
