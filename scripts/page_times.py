"""Warm render time of every dashboard page on the sample corpus (AppTest, no browser).

Usage: .venv/bin/python scripts/page_times.py   — prints one line per page in ms.
Uses a temporary store, so data/ is untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from analysis.views import NAMES as PAGES  # noqa: E402  (after the path: run as a script)


def main() -> int:
    os.environ["POLICY_DB"] = str(Path(tempfile.mkdtemp()) / "pages.duckdb")
    from streamlit.testing.v1 import AppTest

    worst = 0.0
    for name in PAGES:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.switch_page(f"app_pages/{name}.py")
        at.run()  # cold: opens the store, imports the samples on first use, fills caches
        start = time.perf_counter()
        at.run()
        warm = (time.perf_counter() - start) * 1000
        worst = max(worst, warm)
        print(f"{name}\t{warm:.0f} ms\t{'异常' if at.exception else 'ok'}")
    print(f"slowest\t{worst:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
