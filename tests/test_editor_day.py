"""Issue 13, an editor's day: the traps and rough edges left after the facade (H9).

Exact numbers on the five sample articles (the shared sample store, read only here).
"""

from __future__ import annotations

import pytest

from analysis import charts, views
from analysis.models import Filters
from analysis.settings import Settings
from analysis.workspace import Workspace

ALL = Filters()
NQP = "new_quality_productivity"


@pytest.fixture(scope="module")
def ws(sample_engine) -> Workspace:
    return Workspace(Settings(db=sample_engine.store.path, workers=1), store=sample_engine.store)


def _ws(sample_engine, **kw) -> Workspace:
    return Workspace(Settings(db=sample_engine.store.path, workers=1, **kw), store=sample_engine.store)


# ---------------------------------------------------------------- trap 4: thin provinces
def test_thin_provinces_go_after_the_others_and_off_the_scale(ws):
    v = views.themes(ws, ALL, theme_id=NQP, metric="per_10k")
    assert v.rank is not None and v.map is not None
    bars = v.rank.data
    # 黑龙江: one hit in 34 characters = 294 per 10,000; it no longer leads the ranking
    assert list(bars["label"][:5]) == ["北京", "广东", "吉林", "江苏", "浙江"]
    assert bars["value"].iloc[0] == pytest.approx(18.475, abs=0.001)
    assert list(bars["label"][5:]) == ["黑龙江 ⚠", "福建 ⚠", "海南 ⚠", "四川 ⚠", "贵州 ⚠", "湖北 ⚠"]
    assert list(bars["thin"]) == [False] * 5 + [True] * 6
    legend = "⚠ 文本不足 3,000 字：每万字频次很不稳定，单列在后、灰色显示，不参与配色"
    assert legend in v.summary_line and v.rank.source.endswith(legend) and v.map.source.endswith(legend)
    assert v.rank_table["省份"].iloc[0] == "北京"  # the detail table leads with reliable rates too

    fig = charts.bar_ranking(bars, "label", "value", v.rank.title, v.rank.source)
    colours = list(fig.data[0].marker.color)
    labels = list(fig.data[0].y)
    assert colours[labels.index("黑龙江 ⚠")] == charts.THIN_COLOR
    assert colours[labels.index("北京")] == charts.BAR_COLOR
    assert max(fig.data[0].x) == pytest.approx(18.475 * 1.1, abs=0.01)  # the 294 bar stops at the scale
    assert fig.data[0].text[labels.index("黑龙江 ⚠")] == "294.1"  # the label keeps the true rate

    m = charts.china_map(v.map.data, "province", "value", v.map.title, v.map.source)
    assert m.data[1].zmax == pytest.approx(18.475, abs=0.001)  # colour scale without 黑龙江
    tiles = dict(zip(m.data[2].customdata, m.data[2].text))
    assert tiles["黑龙江"].startswith("黑龙江 ⚠") and tiles["北京"].startswith("北京<br>")


def test_min_text_setting_moves_the_line(sample_engine):
    v = views.themes(_ws(sample_engine, min_text_chars=1000), ALL, theme_id=NQP, metric="per_10k")
    assert v.rank is not None
    thin = list(v.rank.data.loc[v.rank.data["thin"], "label"])
    assert thin == ["黑龙江 ⚠", "海南 ⚠"]  # 福建 1,989 and 四川 1,204 characters now count
    assert "文本不足 1,000 字" in v.summary_line
    assert Settings.from_env({"POLICY_MIN_TEXT_CHARS": "500"}).min_text_chars == 500
    assert Settings.from_env({"POLICY_MIN_TEXT_CHARS": "abc"}).min_text_chars == 3000


# ---------------------------------------------------------------- trends and passages on 主题
def test_trend_months_are_continuous_and_several_series_share_the_chart(ws):
    v = views.themes(ws, ALL, theme_id=NQP, compare=["talent", "营商环境"])
    assert v.trend is not None and v.series == ("新质生产力", "人才", "营商环境")
    d = v.trend.data
    months = list(dict.fromkeys(d["x"]))
    assert months[0] == "2023-02" and months[-1] == "2024-03" and len(months) == 14
    nqp = d[d["series"] == "新质生产力"].set_index("x")["value"]
    assert nqp["2023-06"] == 0 and nqp["2024-02"] == 34 and nqp.sum() == 51  # empty months are zeros
    assert d[d["series"] == "人才"]["value"].sum() == 105
    assert d[d["series"] == "营商环境"].set_index("x")["value"]["2024-02"] == 99  # a typed phrase
    assert v.trend.title == "新质生产力、人才、营商环境逐月次数"
    assert v.trend.table["当月字数"].iloc[1] == 0  # 2023-03: no article, no text
    fill = views.themes(ws, ALL, theme_id=NQP, compare=["a", "b", "c", "d", "e", "f"]).series
    assert len(fill) == 5  # the theme and four more at most


def test_passages_by_province_and_outlet(ws):
    v = views.themes(ws, ALL, theme_id=NQP, passage_province="北京")
    assert len(v.passages) == 7 and set(v.passages["province"]) == {"北京"}
    assert v.rank is not None and v.total == 51  # the charts keep the page's filters
    assert v.passage_outlets == ("人民日报", "极目新闻", "深圳特区报")
    assert "黑龙江" in v.passage_provinces and "上海" not in v.passage_provinces
    assert len(views.themes(ws, ALL, theme_id=NQP, passage_outlet="极目新闻").passages) == 12


def test_theme_page_compares_and_filters_passages(page_db):
    from helpers import open_page

    at = open_page("app_pages/themes.py", vs="talent")
    at.multiselect(key="th_vs").select("创新").run()  # a typed phrase
    assert not at.exception
    assert at.query_params["vs"] == "talent,创新"
    spec = _spec(at, "逐月次数")
    assert [t["name"] for t in spec["data"]] == ["新质生产力", "人才", "创新"]
    assert len(spec["data"][0]["x"]) == 14
    at.selectbox(key="th_pp").select("北京").run()
    assert not at.exception and at.query_params["pp"] == "北京"
    kwic = [df.value for df in at.dataframe if "关键词" in df.value.columns]
    assert len(kwic) == 1 and len(kwic[0]) == 7 and set(kwic[0]["省份"]) == {"北京"}
    assert all("&p=" in u and "#p" in u for u in kwic[0]["原文"])  # 打开全文 at that paragraph


def _spec(at, title_part: str) -> dict:
    import json

    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if title_part in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(title_part)


@pytest.fixture(scope="module")
def page_db(tmp_path_factory, sample_db):
    """A private copy of the samples store (and dictionary) the dashboard runs on (AppTest)."""
    from helpers import pages_on, private_settings

    with pages_on(private_settings(tmp_path_factory.mktemp("editor_day"), sample_db)) as s:
        yield s.db


# ---------------------------------------------------------------- words: names, fragments, hidden words
def test_person_names_and_fragments():
    from analysis.segment import is_fragment, person_names

    names = person_names()
    assert {
        "习近平",
        "尹力",
        "易炼红",
        "易炼",
        "坤明",
    } <= names  # leaders and the pieces jieba cuts them into
    assert "全国" not in names and "湘军" not in names  # pieces that are words (王全国) stay words
    assert (
        is_fragment("这是") and is_fragment("的") and not is_fragment("创新") and not is_fragment("这里的人")
    )


def test_clouds_drop_names_fragments_and_the_provinces_own_name(ws):
    everywhere = views.wordcloud(ws, ALL)
    assert list(everywhere.freqs)[:3] == ["企业", "高质量发展", "创新"]
    assert "广东" in everywhere.freqs  # another province's name is fine in a wider cloud
    big = ws.word_totals(ALL, limit=5000)
    assert not {"习近平", "尹力", "林武", "易炼", "这是"} & set(big["word"])
    assert len(big) == 5000
    gd = views.wordcloud(ws, ALL, provinces=("广东",))
    assert not {"广东", "广东省"} & set(gd.freqs)
    assert list(gd.freqs)[:3] == ["高质量发展", "创新", "产业"]
    c = views.compare(ws, ALL)
    own = {s.label: set(s.words["word"]) for s in c.sides}
    assert "广东" not in own["广东"] and "吉林" not in own["吉林"]


def test_hiding_a_word_is_a_stored_guarded_stopword(tmp_path):
    from analysis.access import AccessDenied

    ws = Workspace.open(Settings(db=tmp_path / "w.duckdb", workers=1))
    assert ws.word_totals(ALL, limit=3)["word"].tolist() == ["发展", "企业", "高质量发展"]
    assert ws.hide_word(" 企 业 ", key=None) == "企业"
    ws.hide_word("企业", key=None)  # twice is once
    assert ws.hidden_words() == ["企业"]
    assert ws.word_totals(ALL, limit=3)["word"].tolist() == ["发展", "高质量发展", "创新"]
    gd, jl = Filters(provinces=("广东",)), Filters(provinces=("吉林",))
    assert "企业" not in set(ws.distinctive_words(jl, gd, top=40)["word"])
    ws.unhide_word("企业", key=None)
    assert ws.hidden_words() == [] and ws.word_totals(ALL, limit=2)["word"].tolist() == ["发展", "企业"]
    ro = Workspace(Settings(db=tmp_path / "w.duckdb", workers=1, read_only=True), store=ws.store)
    with pytest.raises(AccessDenied):
        ro.hide_word("企业", key=None)


def test_wordcloud_page_hides_a_word_in_one_click(page_db):
    from helpers import open_page

    at = open_page("app_pages/wordcloud.py")
    table = next(df.value for df in at.dataframe if "词语" in df.value.columns)
    assert "企业" in set(table["词语"]) and "习近平" not in set(table["词语"])
    at.button_group(key="wc_hide").set_value("企业").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "词语" in df.value.columns)
    assert "企业" not in set(table["词语"])
    assert list(at.button_group(key="wc_unhide").options) == ["企业"]
    at.button_group(key="wc_unhide").set_value("企业").run()  # and back
    table = next(df.value for df in at.dataframe if "词语" in df.value.columns)
    assert "企业" in set(table["词语"])


# ---------------------------------------------------------------- finding and reading
def test_search_hits_show_where_the_words_occur(ws):
    v = views.articles(ws, ALL, search="营商环境")
    t = v.table
    assert len(t) == 4 and list(t.columns[:3]) == ["日期", "标题", "摘要"]
    first = t.iloc[0]
    assert first["摘要"] == (
        "…市市场监督管理局局长郑映微介绍，当地多措并举优化【营商环境】，全面简化商贸企业开办登记流程，实行线上“一网通…"
    )
    assert first["段落"] == 18
    assert all("【营商环境】" in s for s in t["摘要"])
    assert "摘要" not in views.articles(ws, ALL).table.columns


def test_a_click_on_a_search_hit_opens_the_article_at_that_paragraph(page_db):
    from helpers import open_page

    at = open_page("app_pages/articles.py", q="营商环境")
    at.session_state["article_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.query_params["article"] == "a50528cdb1dbcf87" and at.query_params["p"] == "17"
    assert [h.value for h in at.header] == ["新质生产力 跃动看中国"]
    assert "摘录所在段落（第 18 段）" in [h.value for h in at.subheader]


def test_kwic_rows_link_to_their_paragraph():
    from app_pages._widgets import article_url

    assert article_url("abc", 17) == "articles?article=abc&p=17#p17"
    assert article_url("abc") == "articles?article=abc"


# ---------------------------------------------------------------- first run
def test_overview_on_the_samples_welcomes_and_links_the_next_steps(page_db):
    from helpers import open_page

    at = open_page("app_pages/overview.py")
    welcome = " ".join(m.value for m in at.markdown)
    assert "这是示例数据" in welcome and "5 篇示例文章（示例）" in welcome
    links = [(e.proto.label, e.proto.page) for e in at.get("page_link")]
    labels = [label for label, _ in links]
    assert labels[:3] == ["导入文章", "看一个主题", "比较省份"]


def test_samples_go_in_one_action_and_several_articles_at_once(tmp_path):
    ws = Workspace.open(Settings(db=tmp_path / "s.duckdb", workers=1))
    assert len(ws.sample_article_ids()) == 5 and views.overview(ws, ALL).samples == 5
    ids = list(ws.list_articles(ALL)["id"])
    assert ws.delete_articles(ids[:2] + ids[:1], key=None) == 2  # a repeated id counts once
    assert ws.summary().articles == 3
    assert ws.remove_samples(key=None) == 3
    assert ws.summary().articles == 0 and views.corpus(ws).samples == 0
    ro = Workspace(Settings(db=tmp_path / "s.duckdb", workers=1, read_only=True), store=ws.store)
    from analysis.access import AccessDenied

    with pytest.raises(AccessDenied):
        ro.remove_samples(key=None)


def test_upload_progress_names_each_file(tmp_path):
    from app_pages.corpus import progress_text

    ws = Workspace(Settings(db=tmp_path / "u.duckdb", workers=1, import_samples=False))
    calls: list[tuple[int, int, str]] = []
    files = [(f"第{i}篇.txt", f"广东省推进高质量发展第{i}次会议。".encode()) for i in range(3)]
    ws.ingest_uploads(files, key=None, progress=lambda d, t, n: calls.append((d, t, n)))
    assert [(d, t) for d, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]  # was one call at the end
    assert [n for _, _, n in calls] == ["第0篇.txt", "第1篇.txt", "第2篇.txt"]
    assert progress_text(2, 3, "第1篇.txt", 4.2) == "已分析 2/3 个文件 · 当前：第1篇.txt · 已用 4 秒"


# ---------------------------------------------------------------- no English an editor can see
@pytest.mark.parametrize("page", ["overview", "themes", "compare"])
def test_every_chart_is_configured_in_chinese(page_db, page):
    import json

    from helpers import open_page

    at = open_page(f"app_pages/{page}.py")
    found = at.get("plotly_chart")
    assert found
    for el in found:
        config = json.loads(el.proto.config)
        assert config["locale"] == "zh-CN" and config["displayModeBar"] is False  # toolbar is English-only
        layout = json.loads(el.proto.spec)["layout"]
        assert layout["separators"] == ".,"
        for axis in ("xaxis", "yaxis"):
            assert layout[axis]["exponentformat"] == "none"  # 12,345, never 12.3k


def test_the_favicon_is_a_local_file():
    import ast
    from pathlib import Path

    from PIL import Image

    from analysis.settings import ROOT

    icon = ROOT / "assets" / "favicon.png"
    assert Image.open(icon).size == (64, 64)
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "set_page_config"
    ]
    icon_arg = next(k.value for k in calls[0].keywords if k.arg == "page_icon")
    assert "favicon.png" in ast.unparse(icon_arg) and Path(icon).is_file()


@pytest.mark.browser
def test_in_chromium_a_kwic_link_scrolls_to_its_paragraph_and_chrome_is_chinese(tmp_path):
    from pathlib import Path

    from helpers import CHROMIUM, CHROMIUM_ARGS, sample_store, streamlit_server
    from playwright.sync_api import sync_playwright

    db = sample_store(tmp_path / "live.duckdb")  # its own file: the server process needs the write lock
    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian chromium is not installed")
    with streamlit_server(db, tmp_path / "server.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/articles?article=a50528cdb1dbcf87&p=17#p17")
            page.wait_for_selector("text=摘录所在段落（第 18 段）", timeout=40_000)
            page.wait_for_function(
                "() => { const e = document.getElementById('p17');"
                " return e && e.getBoundingClientRect().top < 300; }",
                timeout=10_000,
            )
            icons = page.evaluate("() => [...document.querySelectorAll('link[rel*=icon]')].map(l => l.href)")
            assert icons and all(i.startswith(base) for i in icons)  # served by our server
            page.goto(base + "/corpus")
            button = page.locator('[data-testid="stFileUploaderDropzone"] button p')
            button.wait_for(timeout=40_000)
            after = button.evaluate("e => getComputedStyle(e, '::after').content")
            assert after == '"选择文件"' and button.evaluate("e => getComputedStyle(e).fontSize") == "0px"
            assert not page.locator('[data-testid="stFileUploaderDropzoneInstructions"]').is_visible()
        finally:
            browser.close()
