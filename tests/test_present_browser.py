"""演示模式 in headless Chromium at 1024×768 and 1920×1080: every slide of a deck holding
every pin kind fits the window (no element of the slide outside the viewport), the app's
sidebar and header are hidden, → and ← turn slides, Esc leaves (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CHROMIUM, chromium, sample_store, settle, streamlit_server

from analysis.slides import expand
from tests.test_export import ALL_KINDS, ALL_QUOTES

SHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
SIZES = [(1024, 768), (1920, 1080)]
N_SLIDES = len(expand([*ALL_KINDS, *ALL_QUOTES]))

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed"),
]

# Every visible element of the stage, as [tag, text, left, top, right, bottom] in CSS pixels.
_BOXES = """() => {
  const s = document.querySelector('.st-key-present_stage');
  if (!s) return null;
  const out = [];
  for (const el of s.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    if (r.width < 1 || r.height < 1 || st.visibility === 'hidden' || st.display === 'none') continue;
    // Hover-only toolbars (fullscreen button over a picture) are not slide content.
    if (el.closest('.modebar-container, .hoverlayer, [data-testid="stElementToolbar"]')) continue;
    out.push([el.tagName, (el.textContent || '').trim().slice(0, 30), r.left, r.top, r.right, r.bottom]);
  }
  return {w: innerWidth, h: innerHeight, boxes: out};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("present")
    db = tmp / "present.duckdb"
    pins = [
        (p.title, p.kind, p.data.to_json(orient="records", force_ascii=False), p.source, p.filters)
        for p in ALL_KINDS
    ]
    quotes = [{**q, "article_id": "x", "par_idx": 0} for q in ALL_QUOTES]
    with streamlit_server(sample_store(db, pins, quotes), tmp / "streamlit.log") as base:
        yield base


def _settle(page) -> None:
    settle(page, timeout_ms=30_000, pause_ms=700)  # the fit script runs every 300 ms


def _slide(page, n: int) -> None:
    page.locator(".st-key-present_nav").get_by_text(f"第 {n} / {N_SLIDES} 张").wait_for(state="visible")
    _settle(page)


def _cut_off(page) -> list:
    got = page.evaluate(_BOXES)
    assert got is not None, "no slide on the page"
    w, h = got["w"], got["h"]
    return [b for b in got["boxes"] if b[2] < -1 or b[3] < -1 or b[4] > w + 1 or b[5] > h + 1]


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_slide_fits_the_window(server, browser, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w, h = size
    page = browser.new_page(viewport={"width": w, "height": h}, locale="zh-CN")
    page.set_default_timeout(30_000)
    problems: list[tuple[int, object]] = []
    try:
        page.goto(f"{server}/present?show=1", wait_until="domcontentloaded")
        _slide(page, 1)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        for n in range(1, N_SLIDES + 1):
            if n > 1:
                page.keyboard.press("ArrowRight" if n % 2 else "PageDown")
                _slide(page, n)
            page.screenshot(path=str(SHOTS / f"present_{w}x{h}_{n:02d}.png"))
            cut = _cut_off(page)
            if cut:
                problems.append((n, cut[:3]))
            if page.locator('[data-testid="stException"]').count():
                problems.append((n, "exception"))
        page.keyboard.press("ArrowLeft")
        _slide(page, N_SLIDES - 1)
        page.keyboard.press("Escape")
        page.locator("h1").filter(has_text="演示模式").first.wait_for(state="visible")
        assert "show=1" not in page.url
    finally:
        page.close()
    assert problems == []


def test_stage_holds_each_kind(server, browser):
    """One picture per chart slide (the heatmap takes two), the quotes as text, notes under them."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page.set_default_timeout(30_000)
    try:
        seen, texts = [], []
        for n in range(1, N_SLIDES + 1):
            page.goto(f"{server}/present?show=1&slide={n}", wait_until="domcontentloaded")
            _slide(page, n)
            stage = page.locator(".st-key-present_stage")
            seen.append(stage.locator('[data-testid="stImage"] img, [data-testid="stPlotlyChart"]').count())
            texts.append(stage.inner_text())
    finally:
        page.close()
    assert seen == [1] * 9 + [0, 0]
    assert "⚠ 文本不足 3,000 字" in texts[0]  # the legend with the default threshold (stats.thin_legend)
    assert "未列出：数字经济、对外开放、民营经济、绿色低碳、城乡融合" in texts[3]
    assert "灰色：所选范围内无数据" in texts[5]
    assert "“要因地制宜发展新质生产力。”" in texts[9]
    assert "—— 陕西省委书记赵一德，陕西日报，《西安：加快建设现代化产业体系》，2024年3月5日" in texts[9]


def test_fullscreen_button_and_esc(server, browser):
    """全屏（F） puts the page in full screen (Fullscreen API); Esc leaves the show and full screen."""
    page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{server}/present?show=1&slide=2", wait_until="domcontentloaded")
        _slide(page, 2)
        page.frame_locator(".st-key-present_nav iframe").locator("#fs").click()
        page.wait_for_function("() => !!document.fullscreenElement", timeout=5_000)
        page.keyboard.press("Escape")
        page.locator("h1").filter(has_text="演示模式").first.wait_for(state="visible")
        page.wait_for_function("() => !document.fullscreenElement", timeout=5_000)
        assert "show=1" not in page.url and "slide=2" in page.url
    finally:
        page.close()
