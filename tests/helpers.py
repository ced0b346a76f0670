"""Helpers shared by several test files (fixtures stay in conftest.py).

Import them with `from helpers import …`; pytest puts tests/ on the path.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR

# ---------------------------------------------------------------- the bundled samples
S000 = "000_5b1d72ed28b85adc.txt"
S001 = "001_f52397519f269920.txt"
S002 = "002_97a22416d0fa03dc.txt"
S003 = "003_e2fcacf149f9e963.txt"
S004 = "004_3ba7f582877c7687.txt"
SAMPLE_FILES = (S000, S001, S002, S003, S004)
# One quote as the ❝ 引用 picker keeps it (test_export draws it, test_decks stores it).
QUOTE = {
    "text": "要因地制宜发展新质生产力。",
    "source": "新华社",
    "date": dt.date(2024, 3, 5),
    "province": "江苏",
    "speaker": "习近平",
}
# The bracketed 【…】 section headers of sample 004 after its editor's note, in order
# (read off the file by hand; test_sections and test_provinces both check against them).
S004_PROVINCES = ["湖北", "广东", "四川", "重庆", "浙江", "江苏", "贵州", "江西"]


def sample_text(name: str) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """The text with all whitespace removed, computed here independently of analysis/."""
    return re.sub(r"\s+", "", text)


def article_id(engine: Engine, source: str) -> str:
    ids = engine.store.df("SELECT id FROM articles WHERE source = ?", [source])["id"].tolist()
    assert len(ids) == 1, (source, ids)
    return ids[0]


# ---------------------------------------------------------------- documents and reference counts
def traditional(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("s2tw").convert(text)  # Taiwan forms, all encodable in Big5


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = "各地营商环境观察"
    d.add_heading("各地营商环境观察", level=1)
    d.add_paragraph("今年以来，北京、上海持续优化营商环境。")
    d.add_heading("广东", level=2)
    d.add_paragraph("广东坚持高质量发展，营商环境持续改善，新质生产力加快形成。")
    d.add_paragraph("深圳推动高质量\n发展。")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "营商环境"
    table.rows[0].cells[1].text = "第一"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A real PDF with a built-in CJK CID font, one drawn line per entry (reportlab)."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setTitle("湖北讲话摘要")
    c.setFont("STSong-Light", 12)
    y = 800
    for line in lines:
        c.drawString(50, y, line)
        y -= 16
    c.save()
    return buf.getvalue()


def leftmost_longest(norm: str, phrases: dict[str, str]) -> dict[str, int]:
    """A slow, obviously correct reference matcher: at each position take the longest phrase."""
    longest = max(map(len, phrases))
    out: dict[str, int] = {}
    i = 0
    while i < len(norm):
        for n in range(min(longest, len(norm) - i), 1, -1):
            if norm[i : i + n] in phrases:
                tid = phrases[norm[i : i + n]]
                out[tid] = out.get(tid, 0) + 1
                i += n
                break
        else:
            i += 1
    return out


# ---------------------------------------------------------------- tables of articles (csv, xlsx, zip)
T1 = "湖北省委召开全会，强调推动高质量发展。会议指出，优化营商环境是高质量发展的重要保障。"
T2 = "广东省政府常务会议研究部署优化营商环境工作，要求持续打造一流营商环境。"
T3 = "浙江坚持以高质量发展为主题，加快建设现代化产业体系。"


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue().encode(encoding)


def theme_counts(engine) -> dict[str, int]:
    """Hits of 高质量发展 and 营商环境 over the whole store, by theme id."""
    df = engine.store.df(
        "SELECT theme_id, sum(n)::INTEGER AS n FROM hits WHERE theme_id IN (SELECT unnest(?)) GROUP BY 1",
        [["high_quality_development", "business_environment"]],
    )
    return dict(zip(df["theme_id"], df["n"]))


# ---------------------------------------------------------------- the app, in AppTest and live
ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")  # the one definition of the app path


def open_page(page: str, **params: str):
    """Run dashboard.py in AppTest with URL parameters, switched to page; no exception allowed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_page(page: str, **params: str):
    """Run one page (app_pages/<page>) of dashboard.py in AppTest with URL parameters, straight
    away (not after 总览, as open_page does); no exception allowed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"app_pages/{page}")
    for k, v in params.items():
        at.query_params[k] = v
    return rerun(at)


def rerun(at):
    """Run the AppTest again (after a widget change); no exception allowed."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def private_settings(tmp_path: Path, template: Path):
    """Settings on copies, in tmp_path, of a template store and of the shipped dictionary
    (writable), so a page test may write; one import worker."""
    import shutil

    from analysis.settings import THEMES_FILE, Settings

    db = tmp_path / "policy.duckdb"
    shutil.copy(template, db)
    themes = tmp_path / "themes.yaml"
    shutil.copy(THEMES_FILE, themes)
    themes.chmod(0o644)
    return Settings(db=db, themes_file=themes, workers=1)


@contextlib.contextmanager
def pages_on(settings):
    """The dashboard's pages (AppTest) run on `settings` inside the block, with fresh caches;
    afterwards the shipped corpus/themes.yaml must be as it was (tests write to copies)."""
    from analysis.settings import THEMES_FILE
    from app_pages import _state as S

    original = THEMES_FILE.read_bytes()
    S.use_settings(settings, strict=True)
    try:
        yield settings
    finally:
        S.use_settings(None)
    assert THEMES_FILE.read_bytes() == original, "a test wrote to corpus/themes.yaml"


CHROMIUM = "/usr/bin/chromium"  # Debian's; the browser tests skip without it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextlib.contextmanager
def chromium():
    """Headless Debian Chromium driven by Playwright; yields the browser and closes it after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def editor_page(browser, width: int = 1440, height: int = 1000):
    """A page as an editor's desktop browser opens the dashboard: Chinese locale, 20 s waits."""
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(20_000)
    return page


def sample_store(path: Path, pins: Sequence[tuple[str, str, str, str, str]] = (), quotes=()) -> Path:
    """A store file holding the bundled samples (plus pins as Store.add_pin's arguments, and
    quotes), written and closed before a server opens it (the server needs the write lock)."""
    from analysis.store import Store

    store = Store(path)
    try:
        Engine(store, workers=1).ingest_paths([SAMPLES_DIR])
        for pin in pins:
            store.add_pin(*pin)
        for q in quotes:
            store.add_quote(q)
    finally:
        store.close()
    return path


def settle(page, timeout_ms: int = 20_000, pause_ms: int = 400) -> None:
    """Wait until the page's script run is over, then `pause_ms` for the browser to draw."""
    from analysis.launch import PAGE_IDLE_JS

    page.wait_for_function(PAGE_IDLE_JS, timeout=timeout_ms)
    page.wait_for_timeout(pause_ms)


def streamlit_server(db: Path, log_path: Path, **env_extra: str):
    """`streamlit run dashboard.py` on 127.0.0.1 with POLICY_DB=db and one import worker, as a
    context manager yielding the base URL (analysis.launch, shared with the scripts)."""
    from analysis.launch import dashboard

    return dashboard(db, log_path, POLICY_WORKERS="1", **env_extra)


# ---------------------------------------------------------------- test lanes
# `scripts/test.sh --fast` runs `-m "not browser and not slow"`; `scripts/test.sh` runs all.
# browser: starts headless Chromium against a live dashboard. slow: more than a few seconds
# (kills, fuzzing with time limits, Chromium for PNGs, LibreOffice, network, benchmarks).
# Listed here in one place (conftest.py applies them) by file name, or file::test with any
# parameters; a test file may also mark itself. tests/test_lanes.py checks every name exists.
BROWSER = ("test_browser.py", "test_xss.py", "test_present_browser.py", "test_launch.py")
SLOW = (
    "test_redos.py::test_parsers_are_linear_on_hostile_shapes",
    "test_deck_render.py",
    "test_bench.py::test_bench_json_small",
    "test_bench.py::test_bench_parquet_route_small",
    "test_bench.py::test_bench_words_later_small",
    "test_cli.py::test_counts_subprocess_on_a_fresh_db",
    "test_dependencies.py::test_no_known_vulnerabilities",
    "test_dictionary_counts.py::test_a_kill_during_a_save_is_in_step_or_fixed_on_next_open",
    "test_export.py::test_png_size_and_format",
    "test_export.py::test_png_draws_distinct_chinese_glyphs",
    "test_export.py::test_png_height_from_figure",
    "test_hardening.py::test_hostile_file_refused_store_unchanged",
    "test_hardening.py::test_a_file_that_parses_forever_is_refused_and_the_rest_go_in",
    "test_hardening.py::test_sigkill_during_ingest_leaves_only_whole_articles",
    "test_hardening.py::test_readers_never_see_half_an_article",
    "test_hardening.py::test_second_process_gets_a_clear_message",
    "test_hardening.py::test_cli_ingests_through_the_running_dashboard",
    "test_pages_analysis.py::test_compare_boilerplate_toggle_and_url",
    "test_pages_analysis.py::test_wordcloud_words_and_themes",
    "test_pages_analysis.py::test_compare_two_largest_provinces",
    "test_pages_analysis.py::test_compare_two_periods",
    "test_pages_analysis.py::test_png_is_made_only_when_asked",
    "test_pages_traps.py::test_clearing_the_caches_builds_no_second_engine_or_watcher",
    "test_tables.py::test_rows_stream_in_bounded_memory",
    "test_views.py::test_emerging",
    "test_views.py::test_every_view_is_json",
)


def listed(item: pytest.Item, names: tuple[str, ...]) -> bool:
    """Is a collected test named in names (by file, or file::test with any parameters)?"""
    module = item.path.name
    test = f"{module}::{item.originalname}" if hasattr(item, "originalname") else ""
    return module in names or test in names
