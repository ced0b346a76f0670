#!/usr/bin/env bash
# Install what is needed, check the code and run the tests.
#   bash scripts/test.sh          everything: ruff (lint + format), mypy, every test
#                                 (unit, pages, browser, office rendering, kills, fuzzing, benchmark)
#   bash scripts/test.sh --fast   the everyday lane: ruff and mypy, then the tests not marked
#                                 browser or slow (tests/helpers.py lists them) on every core,
#                                 in under a minute on an idle machine
# Further arguments go to pytest. Every step runs; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
fast=0
if [ "${1:-}" = "--fast" ]; then
  fast=1
  shift
fi
bash scripts/setup.sh || exit 1
failed=0
step() {
  echo "== $*" >&2
  "$@" || failed=1
}
step .venv/bin/ruff check .
step .venv/bin/ruff format --check .
step .venv/bin/mypy
if [ "$fast" = 1 ]; then
  # one worker per core (pytest-xdist); the full run stays serial, as timing tests need the machine
  step .venv/bin/python -m pytest -q -p no:cacheprovider -n auto -m "not browser and not slow" tests "$@"
else
  bash scripts/system-deps.sh || exit 1
  step .venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
fi
exit "$failed"
