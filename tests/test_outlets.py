"""Outlet names normalised through corpus/outlets.csv."""

from __future__ import annotations

import pytest

from analysis.outlets import OUTLETS_FILE, canonical_outlet, outlets


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("人民日报", "人民日报"),
        ("《人民日报》", "人民日报"),
        ("人民日报社", "人民日报"),
        (" 人民网 ", "人民日报"),
        ("人民日报客户端", "人民日报"),
        ("人民日报 | 2024-03-07 | 第01版", "人民日报"),  # a clipping service's source field
        ("新华网", "新华社"),
        ("新华通讯社", "新华社"),
        ("浙江日报社", "浙江日报"),  # no listed variant: the publishing house of a listed paper
        ("南方+", "南方日报"),
        ("People's Daily", "人民日报"),
        ("“某县融媒”", "某县融媒"),  # unknown outlets keep their name, without the quotes
        ("Some Paper", "Some Paper"),
        ("", ""),
    ],
)
def test_canonical_outlet(written, canonical):
    assert canonical_outlet(written) == canonical


def test_the_list_is_consistent():
    table = outlets()
    assert len(table) >= 30
    assert {"人民日报", "新华社", "光明日报", "经济日报", "湖北日报", "南方日报"} <= set(table)
    assert table["湖北日报"].province == "湖北" and table["人民日报"].level == "中央"
    # No variant may point at two outlets: the first would silently win.
    seen: dict[str, str] = {}
    for line in OUTLETS_FILE.read_text(encoding="utf-8").splitlines()[3:]:
        name, _, _, variants = line.split(",", 3)
        for v in [name, *variants.split("|")]:
            assert seen.setdefault(v, name) == name, (v, seen[v], name)


def test_an_edited_list_is_used(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_text("canonical,level,province,variants\n荆州日报,地市,湖北,荆州新闻网\n", encoding="utf-8")
    assert canonical_outlet("《荆州新闻网》", path) == "荆州日报"
    assert canonical_outlet("新华网", path) == "新华网"


# ---------------------------------------------------------------- outlets as a filter
@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The samples (meta.csv names outlets for four of them) plus one 新华社 table row."""
    from analysis.engine import Engine
    from analysis.settings import SAMPLES_DIR, Settings
    from analysis.store import Store
    from app_pages import _state as S

    folder = tmp_path_factory.mktemp("outlets")
    path = folder / "outlets.duckdb"
    (folder / "稿.csv").write_text(
        "来源,正文\n新华网,广东加快发展新质生产力，推动高质量发展。\n", encoding="utf-8"
    )
    store = Store(path)
    Engine(store, workers=1).ingest_paths([SAMPLES_DIR, folder / "稿.csv"])
    store.close()
    S.use_settings(Settings(db=path, workers=1), strict=True)
    yield path
    S.use_settings(None)


def test_store_filters_by_outlet(db):
    from analysis.models import Filters
    from analysis.store import Store

    store = Store(db, read_only=True)
    try:
        # meta.csv: 人民日报 ×2, 深圳特区报, 极目新闻; the table row: 新华网 -> 新华社
        assert store.outlets() == [("人民日报", 2), ("新华社", 1), ("极目新闻", 1), ("深圳特区报", 1)]
        people = Filters(outlets=("人民日报",))
        assert store.summary(people)["articles"] == 2
        # Theme totals under the filter equal the sum over that outlet's articles, read apart.
        want = store.scalar(
            """SELECT sum(n) FROM hits WHERE theme_id = 'high_quality_development'
               AND article_id IN (SELECT id FROM articles WHERE outlet = '人民日报')"""
        )
        got = store.theme_counts(people, by="all", theme_ids=["high_quality_development"])
        assert int(got["count"].sum()) == int(want) > 0
        assert store.summary(Filters(outlets=("新华社",)))["articles"] == 1
    finally:
        store.close()


def test_sidebar_outlet_filter_and_url(db):
    from helpers import open_page

    at = open_page("app_pages/overview.py")
    box = at.multiselect(key="f_outlets")
    assert box.label == "来源媒体" and box.options == ["人民日报", "新华社", "极目新闻", "深圳特区报"]
    assert {m.label: m.value for m in at.metric}["文章数"] == "6"
    at = box.select("人民日报").run()
    assert not at.exception
    assert at.query_params["outlet"] == "人民日报"
    assert {m.label: m.value for m in at.metric}["文章数"] == "2"
    # A shared link opens the same view.
    at = open_page("app_pages/overview.py", outlet="新华社")
    assert {m.label: m.value for m in at.metric}["文章数"] == "1"
    assert at.multiselect(key="f_outlets").value == ["新华社"]


def test_compare_outlets_view_and_page(db):
    from helpers import open_page

    from analysis import views
    from analysis.models import Filters
    from app_pages import _state as S

    ws = S.ws()
    opts = views.compare_options(ws, Filters())
    assert opts.outlets == ["人民日报", "新华社", "极目新闻", "深圳特区报"]
    v = views.compare(ws, Filters(), mode="outlets", outlets=("人民日报", "深圳特区报"))
    assert v.labels == ["人民日报", "深圳特区报"]
    # Each side's bars equal that outlet's own theme totals, read straight from the store.
    for side in v.labels:
        want = ws.store.df(
            """SELECT t.name AS theme, sum(h.n)::BIGINT AS n FROM hits h JOIN themes t ON t.id = h.theme_id
               WHERE h.article_id IN (SELECT id FROM articles WHERE outlet = ?) GROUP BY 1""",
            [side],
        ).set_index("theme")["n"]
        assert v.bars is not None
        bars = v.bars.data[v.bars.data["series"] == side].set_index("group")["value"]
        assert len(bars) > 0 and all(bars[t] == want.get(t, 0) for t in bars.index), side
    assert v.sizes.startswith("人民日报：2 篇文章中的 ")
    assert v.bars is not None and v.bars.source.startswith("3 篇报道")
    assert "媒体 人民日报、深圳特区报" in v.bars.source
    assert not v.own_names_left_out  # outlet names are not province names
    assert views.compare(ws, Filters(), mode="outlets", outlets=("人民日报",)).notices == (
        "请至少选择两家媒体进行对比。",
    )
    at = open_page("app_pages/compare.py", mode="outlets", outs="人民日报,深圳特区报")
    assert at.multiselect(key="outs").value == ["人民日报", "深圳特区报"]
    assert "人民日报：2 篇文章中的" in " ".join(c.value for c in at.caption)


@pytest.mark.browser
def test_outlet_filter_and_comparison_in_chromium(tmp_path):
    """The live dashboard: picking an outlet in the sidebar narrows 总览 and the URL; the
    outlet comparison draws its chart."""
    from pathlib import Path

    pytest.importorskip("playwright.sync_api")
    from helpers import CHROMIUM, chromium, editor_page, sample_store, settle, streamlit_server

    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian chromium is not installed")
    db = sample_store(tmp_path / "live.duckdb")
    shots = Path(__file__).resolve().parent / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    def articles(page) -> str:
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="文章数").first
        return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()

    with streamlit_server(db, tmp_path / "streamlit.log") as base, chromium() as browser:
        page = editor_page(browser)
        try:
            page.goto(f"{base}/", wait_until="domcontentloaded")  # 总览 is the default page
            page.locator("h1").filter(has_text="总览").first.wait_for(state="visible")
            settle(page)
            assert articles(page) == "5"
            box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
                has_text="来源媒体"
            )
            box.locator("input").click()
            page.get_by_role("option", name="深圳特区报").click()
            page.keyboard.press("Escape")
            settle(page)
            page.wait_for_function("() => location.search.includes('outlet=')")
            assert "outlet=%E6%B7%B1%E5%9C%B3%E7%89%B9%E5%8C%BA%E6%8A%A5" in page.url  # 深圳特区报
            assert articles(page) == "1"
            page.goto(f"{base}/compare?mode=outlets&outs=人民日报,深圳特区报", wait_until="domcontentloaded")
            page.locator("h1").filter(has_text="省份对比").first.wait_for(state="visible")
            settle(page)
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(state="visible")
            assert "人民日报：2 篇文章中的" in page.locator("body").inner_text()
            assert not page.locator('[data-testid="stException"]').count()
            page.screenshot(path=str(shots / "compare_outlets.png"), full_page=True)
        finally:
            page.close()


def test_view_command_takes_outlets(tmp_path, capsys):
    import json

    from analysis import store as store_mod
    from analysis.cli import main
    from analysis.settings import SAMPLES_DIR

    db = tmp_path / "v.duckdb"
    try:
        assert main(["ingest", str(SAMPLES_DIR), "--db", str(db), "--no-samples", "-q"]) == 0
        capsys.readouterr()
        assert main(["view", "overview", "--outlets", "人民日报", "--format", "json", "--db", str(db)]) == 0
        ov = json.loads(capsys.readouterr().out)
        assert (ov["summary"]["articles"], ov["filters_text"]) == (2, "媒体 人民日报；原始次数")
        args = [
            "view",
            "compare",
            "--mode",
            "outlets",
            "--outlets",
            "人民日报,深圳特区报",
            "--format",
            "json",
        ]
        assert main([*args, "--db", str(db)]) == 0
        cmp = json.loads(capsys.readouterr().out)
        assert cmp["labels"] == ["人民日报", "深圳特区报"]
        hq = {r["series"]: r["value"] for r in cmp["bars"]["data"] if r["group"] == "高质量发展"}
        want = store_mod.open_store(db).df(
            """SELECT a.outlet, sum(h.n)::BIGINT AS n FROM hits h JOIN articles a ON a.id = h.article_id
               WHERE h.theme_id = 'high_quality_development' GROUP BY 1"""
        )
        assert hq == {o: want.set_index("outlet")["n"][o] for o in ("人民日报", "深圳特区报")}
    finally:
        for key, st in list(store_mod._OPEN.items()):
            if key[0] == str(db.resolve()):
                st.close()
                del store_mod._OPEN[key]
