"""Peak memory and first-load time of the dashboard process on a given store.

Usage: .venv/bin/python scripts/dashboard_memory.py STORE.duckdb
Starts `streamlit run dashboard.py` on 127.0.0.1, opens every page once in headless
Chromium (Debian's chromium), then prints each page's load time, the server's peak
resident memory (VmHWM) and the 1-minute load average before and after. Make a large store with
`POLICY_BENCH_KEEP=1 python -m analysis bench --articles 100000` (it prints the path).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from analysis.launch import PAGE_IDLE_JS  # noqa: E402
from analysis.launch import start as start_dashboard  # noqa: E402  (after the path: run as a script)
from analysis.launch import stop as stop_dashboard  # noqa: E402
from analysis.views import NAMES as PAGES  # noqa: E402


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main(db: str) -> int:
    from playwright.sync_api import sync_playwright

    print(f"load before\t{_load()}")  # first loads on a shared machine mean little without it
    proc, base = start_dashboard(db)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name in PAGES:
                start = time.perf_counter()
                page.goto(f"{base}/{name}", wait_until="domcontentloaded", timeout=120_000)
                page.wait_for_selector("h1", timeout=120_000)
                page.wait_for_function(PAGE_IDLE_JS, timeout=300_000)
                print(f"{name}\t{time.perf_counter() - start:.1f} s (first load)")
            browser.close()
        print(f"dashboard peak RSS\t{_peak_mb(proc.pid):.0f} MB")
        print(f"load after\t{_load()}")
    finally:
        stop_dashboard(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
