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
