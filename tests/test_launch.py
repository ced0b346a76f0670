"""The launcher the browser tests and the measuring scripts share (analysis/launch.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import CHROMIUM, chromium

from analysis.launch import PAGE_IDLE_JS, start, stop

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed")

# A page that draws its title at once and goes on working: the status widget did not yet say
# "Running" when the title showed, so the old idle check returned before the run was over.
SLOW_PAGE = """import time
import streamlit as st
st.title("慢页")
time.sleep(2.5)
st.write("算完了")
"""


def test_idle_waits_until_the_page_run_is_over(tmp_path):
    app = tmp_path / "slow_page.py"
    app.write_text(SLOW_PAGE, encoding="utf-8")
    proc, base = start(tmp_path / "unused.duckdb", tmp_path / "server.log", script=str(app))
    try:
        with chromium() as browser:
            page = browser.new_page()
            for _ in range(2):  # the first load, and a reload in the same browser
                page.goto(base, wait_until="domcontentloaded", timeout=60_000)
                page.wait_for_selector("h1", timeout=60_000)
                titled = time.monotonic()
                page.wait_for_function(PAGE_IDLE_JS, timeout=60_000)
                assert page.get_by_text("算完了").count() == 1
                assert time.monotonic() - titled >= 1.0
    finally:
        stop(proc)
