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


def _spec(at, title_part: str) -> dict:
    import json

    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if title_part in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(title_part)


@pytest.fixture(scope="module")
def page_db(tmp_path_factory):
    """A fresh sample store the dashboard runs on (AppTest)."""
    from analysis.engine import Engine
    from analysis.settings import SAMPLES_DIR
    from analysis.store import Store
    from app_pages import _state as S

    path = tmp_path_factory.mktemp("editor_day") / "pages.duckdb"
    store = Store(path)
    Engine(store, workers=1).ingest_paths([SAMPLES_DIR])
    store.close()
    S.use_settings(Settings(db=path, workers=1), strict=True)
    yield path
    S.use_settings(None)
