"""dashboard.py in a real browser: every page answers its own URL path (issue 13), the
overview included, which Streamlit otherwise serves only at "/"."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CHROMIUM, chromium, editor_page, sample_store, settle, streamlit_server

pytestmark = pytest.mark.browser


@pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed")
def test_every_page_answers_its_own_path(tmp_path):
    db = sample_store(tmp_path / "paths.duckdb")
    paths = {"/": "总览", "/overview": "总览", "/themes": "主题", "/articles": "文章", "/leaders": "领导人"}
    with streamlit_server(db, tmp_path / "server.log") as base, chromium() as browser:
        page = editor_page(browser)
        for path, heading in paths.items():
            page.goto(base + path)
            page.wait_for_selector(f"h1:has-text('{heading}')", timeout=60_000)
            settle(page)
            body = page.inner_text("body")
            assert "Page not found" not in body, path
            assert page.locator("h1").first.inner_text().strip() == heading, path
