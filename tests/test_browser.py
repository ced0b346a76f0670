"""The running dashboard in headless Chromium: every page opens, shows its heading, no error box.

Starts `streamlit run dashboard.py` on a free port with POLICY_DB at a fresh temporary
store (samples plus one pinned chart, so the presentation page has something to show),
opens all eleven pages and saves a screenshot of each to tests/artifacts/screenshots/.
Every wait is bounded; the whole test takes well under 90 seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import CHROMIUM, chromium, editor_page, sample_store, settle, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PAGES = {  # url path -> heading the page must show
    "overview": "总览",
    "themes": "主题",
    "compare": "省份对比",
    "wordcloud": "词云",
    "articles": "文章",
    "emerging": "新词发现",
    "speakers": "讲话人",
    "audit": "词典体检",
    "corpus": "语料管理",
    "dictionary": "主题词典",
    "present": "演示模式",
}
CHART_PAGES = {"overview", "themes", "compare", "present"}  # must draw at least one plotly chart
IMAGE_PAGES = {"compare", "wordcloud"}  # must draw a word cloud image

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed")


PIN = (  # one pinned chart, so the presentation page has something to show
    "新质生产力：各省份排名",
    "bar",
    '[{"label":"广东","value":21},{"label":"北京","value":7},{"label":"吉林","value":4}]',
    "5 篇报道",
    "原始次数",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "browser.duckdb"
    with streamlit_server(sample_store(db, pins=[PIN]), tmp / "streamlit.log") as base:
        yield base


def _screenshot_whole_page(page, path: Path) -> None:
    """Streamlit scrolls inside its main block, so grow the viewport to the content first."""
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                      return m ? m.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": 1440, "height": max(1000, min(int(height) + 40, 7000))})
    page.wait_for_timeout(500)  # plotly redraws at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})


def test_every_page_opens_without_errors(server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    problems = []
    with chromium() as browser:
        page = editor_page(browser)
        try:
            for path, heading in PAGES.items():
                page.goto(f"{server}/{path}", wait_until="domcontentloaded")
                page.locator("h1").filter(has_text=heading).first.wait_for(state="visible")
                settle(page)
                if path in CHART_PAGES:
                    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(state="visible")
                if path in IMAGE_PAGES:
                    page.locator('[data-testid="stImage"] img').first.wait_for(state="visible")
                settle(page)
                _screenshot_whole_page(page, SHOTS / f"{path}.png")
                errors = page.locator('[data-testid="stException"]')
                if errors.count():
                    problems.append(f"{path}: {errors.first.inner_text()[:500]}")
                body = page.locator("body").inner_text()
                if "Traceback" in body:
                    problems.append(f"{path}: Traceback shown")
                if heading not in page.locator("h1").all_inner_texts()[0]:
                    problems.append(f"{path}: first heading is not {heading}")
        finally:
            page.close()
    assert not problems, "\n".join(problems)
    assert time.monotonic() - started < 80
    for path in PAGES:
        assert (SHOTS / f"{path}.png").stat().st_size > 10_000
