"""Concurrent editors against a live dashboard: page completion p95 and errors.

Usage: .venv/bin/python scripts/load_test.py [--sessions 5,10] [--loops 3] [--deadline 300] [--db STORE]

Starts `streamlit run dashboard.py` on 127.0.0.1 (a temporary store holding the bundled
samples unless --db is given), then drives N browser sessions at once: one headless
Chromium (Debian's), one browser context and page per session, all driven together by
Playwright's async API. Each session opens 主题 and then 省份对比, `--loops` times. A page
counts as complete when its heading is shown and Streamlit's status widget no longer says
Running; the time is from navigation to that moment, as an editor waits for it. Errors are
pages showing a Streamlit exception box, or not complete within 60 s. Bounded: each round
stops at --deadline seconds. The browsers run on the same cores as the server, so the
figures include their rendering work; print them with the load average (`uptime`).

Not AppTest in threads: AppTest sets up and tears down a process-global test runtime
on every run, so concurrent runs break each other ("Runtime hasn't been created!",
KeyError) and the errors would be the harness's, not the dashboard's (tried, 2026-11-27).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("themes", "compare")  # 主题, 省份对比
sys.path.insert(0, str(ROOT))
from analysis.launch import PAGE_IDLE_JS as IDLE  # noqa: E402
from analysis.launch import start as start_dashboard  # noqa: E402  (after the path: run as a script)
from analysis.launch import stop as stop_dashboard  # noqa: E402

CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")


async def _open(page, url: str) -> float:
    """Seconds until the page's heading is shown and the script has finished."""
    start = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    await page.wait_for_selector("h1", timeout=60_000)
    await page.wait_for_function(IDLE, timeout=60_000)
    return time.perf_counter() - start


async def _session(browser, base: str, loops: int, stop_at: float, times: list, errors: list) -> None:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    try:
        for _ in range(loops):
            for name in PAGES:
                if time.perf_counter() > stop_at:
                    return
                try:
                    times.append(await _open(page, f"{base}/{name}"))
                    if await page.locator('[data-testid="stException"]').count():
                        errors.append(f"{name}: 页面出现异常")
                except Exception as exc:  # a timeout is an error of the run, not of this script
                    errors.append(f"{name}: {type(exc).__name__}")
    finally:
        await ctx.close()


async def round_of(base: str, sessions: int, loops: int, deadline: float) -> dict:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # One warm-up load so the figure is for a running server, not its first import.
        warm = await browser.new_page()
        for name in PAGES:
            await _open(warm, f"{base}/{name}")
        await warm.close()
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        stop_at = t0 + deadline
        await asyncio.gather(
            *(_session(browser, base, loops, stop_at, times, errors) for _ in range(sessions))
        )
        wall = time.perf_counter() - t0
        await browser.close()
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))] if times else None
    return {
        "sessions": sessions,
        "pages_completed": len(times),
        "p50_s": round(statistics.median(times), 2) if times else None,
        "p95_s": round(p95, 2) if p95 is not None else None,
        "max_s": round(times[-1], 2) if times else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "wall_s": round(wall, 1),
        "load_avg_1m_before": round(load, 1),
        "load_avg_1m_after": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", default="5,10", help="逗号分隔的并发会话数，依次各测一轮")
    ap.add_argument("--loops", type=int, default=3, help="每个会话打开 主题 和 省份对比 的轮数")
    ap.add_argument("--deadline", type=float, default=300.0, help="每轮最长秒数")
    ap.add_argument("--db", help="已有的库（默认：临时库，首次启动导入示例语料）")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="policy-load-")
    db = args.db or str(Path(tmp.name) / "load.duckdb")
    proc, base = start_dashboard(db, seconds=60)
    try:
        for n in (int(x) for x in args.sessions.split(",")):
            print(json.dumps(asyncio.run(round_of(base, n, args.loops, args.deadline)), ensure_ascii=False))
            sys.stdout.flush()
    finally:
        stop_dashboard(proc)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
