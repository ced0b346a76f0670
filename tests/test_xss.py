"""Article text is data, never markup: a browser test with hostile text.

An article full of HTML, javascript: links, LaTeX and markdown is ingested (its file
name carries markup too); every page that shows text, titles or file names is opened
in headless Chromium, and nothing of it may become an element or run.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import CHROMIUM, chromium, streamlit_server

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR
from analysis.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed")

PAYLOAD = """【北京】
<img src=x onerror="window.__xss=1">营商环境在北京持续优化。
[点这里](javascript:window.__xss=2) 北京的营商环境。
公式 $\\frac{1}{2}$ 与营商环境 $x^2$ 并列。
<script>window.__xss=3</script><b>加粗</b>**星号**
<a href="javascript:window.__xss=4">链接</a> :red[红字] 营商环境
"""
FILE_NAME = "恶意<i>名字<b>粗.txt"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xss")
    db = tmp / "xss.duckdb"
    src = tmp / "in"
    src.mkdir()
    (src / FILE_NAME).write_text(PAYLOAD, encoding="utf-8")
    store = Store(db)
    try:
        eng = Engine(store, workers=1)
        eng.ingest_paths([SAMPLES_DIR])
        res = eng.ingest_paths([src / FILE_NAME])
        assert res[0].status == "新增", res[0].reason
        article_id = res[0].article_id
    finally:
        store.close()
    with streamlit_server(db, tmp / "streamlit.log") as base:
        yield base, article_id


def test_hostile_text_stays_text(hostile_server):
    base, article_id = hostile_server

    SHOTS.mkdir(parents=True, exist_ok=True)
    urls = {
        "xss_article": f"/articles?article={article_id}",
        "xss_articles_list": "/articles",
        "xss_theme_term": f"/themes?term={quote('营商环境')}",
        "xss_corpus": "/corpus",
        "xss_overview": "/overview",
    }
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        try:
            dialogs: list[str] = []

            def on_dialog(d) -> None:  # a script that ran would open an alert: record and close it
                dialogs.append(d.message)
                d.dismiss()

            page.on("dialog", on_dialog)
            for name, url in urls.items():
                page.goto(base + url, wait_until="domcontentloaded", timeout=30000)
                page.wait_for_selector("h1", timeout=30000)
                page.wait_for_timeout(2500)  # let every element of the script run render
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
                main = page.locator("section.main, [data-testid='stMain']").first
                assert main.locator("img[src='x']").count() == 0, name
                assert page.locator("a[href^='javascript']").count() == 0, name
                assert main.locator(".katex").count() == 0, name
                assert main.locator("b:text('加粗'), i:text('名字')").count() == 0, name
                assert page.evaluate("window.__xss") is None, name
                assert page.locator("[data-testid='stException']").count() == 0, name
            # The hostile text itself is shown, literally, on the article page.
            page.goto(base + urls["xss_article"], wait_until="domcontentloaded", timeout=30000)
            page.wait_for_selector("h1", timeout=30000)
            page.wait_for_timeout(2500)
            body = page.inner_text("body")
            assert "onerror" in body and "javascript:" in body
            assert not dialogs
        finally:
            page.close()
