"""Each page's view function on the five sample articles: the exact numbers the page shows.

Figures were checked against the CLI (`python -m analysis counts …`, `emerging`, `audit`)
and against the AppTest page tests, which render these same views.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analysis import views
from analysis.models import Filters
from analysis.settings import Settings
from analysis.workspace import Workspace

ALL = Filters()


def data(chart: views.Chart | None):
    assert chart is not None
    return chart.data


@pytest.fixture(scope="module")
def ws(sample_engine) -> Workspace:
    """A Workspace over the shared sample store (read only here)."""
    return Workspace(Settings(db=sample_engine.store.path, workers=1), store=sample_engine.store)


def test_overview(ws):
    v = views.overview(ws, ALL)
    assert (v.summary.articles, v.summary.provinces, v.summary.chars) == (5, 27, 66_655)
    assert v.summary.date_min == dt.date(2023, 2, 7) and v.summary.date_max == dt.date(2024, 3, 7)
    assert v.filters_text == "" and v.notices == ()
    top = dict(zip(data(v.top)["label"], data(v.top)["value"]))
    assert list(top)[:3] == ["高质量发展", "科技创新", "营商环境"]
    assert top["高质量发展"] == 171 and top["新质生产力"] == 51
    heat = data(v.heat).set_index(["row", "col"])["value"]
    assert heat[("广东", "高质量发展")] == 70
    assert data(v.heat)["row"].iloc[0] == "广东"  # busiest province first
    assert len(v.latest) == 5 and v.latest["日期"].iloc[0] == "2024-03-07"
    assert v.latest["媒体"].iloc[0] == "人民日报" and "（未注明）" in set(
        v.latest["媒体"]
    )  # outlets, not files


def test_overview_per_10k_and_a_filter(ws):
    v = views.overview(ws, ALL, metric="per_10k")
    top = dict(zip(data(v.top)["label"], data(v.top)["value"]))
    assert top["高质量发展"] == pytest.approx(171 * 10_000 / 66_655, abs=0.001)
    f = Filters(date_from=dt.date(2024, 1, 1))
    v = views.overview(ws, f)
    assert v.filters_text == "日期 2024-01-01 至 最新；原始次数"
    assert v.summary.articles < 5


def test_themes_new_quality_productivity(ws):
    v = views.themes(ws, ALL, theme_id="new_quality_productivity")
    rank = dict(zip(data(v.rank)["label"], data(v.rank)["value"]))
    assert next(iter(rank)) == "广东" and rank["广东"] == 21 and rank["北京"] == 7
    assert "黑龙江 ⚠" in rank
    assert v.total == 51 and v.rank_table["次数"].sum() == 51
    assert v.rank_table.set_index("省份").loc["广东", "字数"] == 14198
    assert v.summary_line.startswith("共 51 次，出现在 ")
    assert data(v.trend)["value"].sum() == 51
    assert data(v.cooccurring)["label"].iloc[0] == "高质量发展"
    assert len(v.passages) == 51 and set(v.passages["match"]) == {"新质生产力"}
    assert v.passages_note == ""


def test_themes_term_and_per_10k(ws):
    v = views.themes(ws, ALL, term="高质量发展")
    assert v.total == 171 and v.rank_table.set_index("省份").loc["广东", "次数"] == 70
    assert v.cooccurring is None and len(v.passages) == 171
    v = views.themes(ws, ALL, theme_id="new_quality_productivity", metric="per_10k")
    first = data(v.rank).iloc[0]  # 黑龙江's 294 (one hit in 34 characters) goes after, greyed
    assert first["label"] == "北京" and first["value"] == pytest.approx(18.475, abs=0.001)
    v = views.themes(ws, ALL, term="不存在的词语")
    assert v.rank is None and v.notices == ("当前筛选条件下没有找到“不存在的词语”",)


def test_theme_names_cannot_carry_markup_into_chart_titles(ws):
    v = views.themes(ws, ALL, term="<a href='x'>点</a>")
    assert "<" not in v.name and ">" not in v.name


def test_compare_provinces_and_periods(ws):
    v = views.compare(ws, ALL)
    assert v.labels == ["广东", "吉林"]
    bars = data(v.bars).set_index(["group", "series"])["value"]
    assert bars[("高质量发展", "广东")] == 70 and bars[("高质量发展", "吉林")] == 5
    for side in v.sides:
        assert len(side.distinctive) and (side.distinctive["z 值"] > 0).all()
        assert side.label not in set(side.distinctive["词语"])
    assert v.overlap.iloc[0]["主题"] == "高质量发展" and v.overlap.iloc[0]["出现于"] == "共有"
    assert "高质量发展" in v.groups["各方共有"]
    periods = ((dt.date(2023, 1, 1), dt.date(2023, 12, 31)), (dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    v = views.compare(ws, ALL, mode="periods", periods=periods)
    assert data(v.bars).loc[data(v.bars)["group"] == "高质量发展", "value"].sum() == 171
    assert views.compare(ws, ALL, provinces=("广东",)).notices == ("请至少选择两个省份进行对比。",)


def test_wordcloud(ws):
    v = views.wordcloud(ws, ALL)
    assert len(v.table) == 100
    assert v.table.iloc[0]["词语"] == "企业" and v.table.iloc[0]["次数"] == 173
    assert "发展" not in v.freqs  # boilerplate hidden by default
    assert "发展" in views.wordcloud(ws, ALL, hide_boilerplate=False).freqs
    t = views.wordcloud(ws, ALL, mode="themes").table
    assert t.iloc[0]["主题"] == "高质量发展" and t.iloc[0]["次数"] == 171
    v = views.wordcloud(ws, ALL, provinces=("广东",), top=30)
    assert len(v.table) == 30 and v.title == "高频词词云：广东"
    assert v.provinces[0] == "广东"  # most text first


def test_articles_search_and_detail(ws, sample_engine):
    v = views.articles(ws, ALL)
    assert len(v.table) == 5 and list(v.table.columns)[:5] == ["日期", "标题", "媒体", "省份", "字数"]
    assert sorted(v.table["媒体"]) == ["人民日报", "人民日报", "极目新闻", "深圳特区报", "（未注明）"]
    v = views.articles(ws, ALL, search="陈吉宁")
    assert list(v.table["标题"]) == ["各省区市新春第一会讲话摘要汇编"]
    aid = v.table["文章编号"].iloc[0]
    d = views.articles(ws, ALL, article_id=aid).detail
    assert d is not None and d.title == "各省区市新春第一会讲话摘要汇编"
    assert d.basis_note == "日期取自元数据" and str(d.date) == "2024-02-19"
    assert any(s.reason == "人名：陈吉宁 → 上海" for s in d.sections)
    assert len(v.province_options) == 1 + 31 + 1
    marked = {p for s in d.sections for par in s.paragraphs for p, tid in par.parts if tid}
    assert "营商环境" in marked
    assert views.articles(ws, ALL, article_id="no-such-id").notices == ("找不到这篇文章，可能已被删除。",)


def test_emerging(ws):
    v = views.emerging(ws, ALL)
    assert list(v.table["词语"])[:3] == ["营商环境", "新质生产力", "中国式现代化"]
    row = v.table.set_index("词语").loc["新质生产力"]
    assert row["最近次数"] == 51 and row["此前次数"] == 0
    v = views.emerging(ws, ALL, by="province", province="广东")
    assert list(v.table["词语"])[:2] == ["高质量发展", "产业科技创新"]
    assert v.table.set_index("词语").loc["产业科技创新", "广东次数"] == 24


def test_speakers(ws):
    v = views.speakers(ws, ALL, a="尹力", b="陈吉宁")
    assert len(v.table) == 23 and v.count_line.startswith("共 23 位讲话人")
    by = v.table.set_index("讲话人")
    assert by.loc["尹力", "省份"] == "北京" and by.loc["尹力", "字数"] == 2463
    assert list(v.tops[0]["主题"])[:2] == ["高质量发展", "新质生产力"]
    assert v.tops[1]["主题"].iloc[0] == "营商环境" and v.tops[1]["次数"].iloc[0] == 19
    assert views.speakers(ws, ALL, a="尹力", b="尹力").notices == ("请选择两位不同的讲话人。",)


def test_audit(ws):
    v = views.audit(ws, ALL)
    assert v.metrics["没有命中的主题"] == 12
    p = v.phrases.set_index("词语")
    assert p.loc["营商环境", "次数"] == 106 and p.loc["营商环境", "省份数"] == 15
    assert p.loc["营商环境", "最早"] == "2023-02-07" and p.loc["营商环境", "最晚"] == "2024-03-07"


def test_corpus(ws):
    v = views.corpus(ws)
    assert v.summary.articles == 5 and v.summary.sources == 5 and len(v.articles) == 5
    assert "单个文件不超过 50 MB" in v.limits_line


def test_dictionary(ws):
    v = views.dictionary(ws, ALL)
    t = v.themes.set_index("主题")
    assert t.loc["高质量发展", "次数"] == 171 and t.loc["新质生产力", "文章数"] == 4
    assert (t["次数"] == 0).sum() == 12  # the themes 词典体检 lists as never hit
    p = v.phrases.set_index("词语")
    assert p.loc["营商环境", "次数"] == 106 and p.loc["营商环境", "省份数"] == 15
    assert v.filters_text == "原始次数"


def test_present(tmp_path, sample_engine):
    import pandas as pd

    ws = Workspace(Settings(db=tmp_path / "p.duckdb", workers=1, import_samples=False))
    v = views.present(ws)
    assert v.decks["name"].tolist() == ["默认演示"] and v.items.empty
    bars = pd.DataFrame({"label": ["广东", "北京"], "value": [21, 7]})
    ws.add_pin("“新质生产力”出现次数", "bar", bars, key=None, source_line="5 篇", filters="原始次数")
    v = views.present(ws, deck_id=12345)  # an unknown deck falls back to the first
    assert v.deck_id == int(v.decks["id"].iloc[0])
    assert v.items["title"].tolist() == ["“新质生产力”出现次数"] and v.notices == ()
    ws.store.close()


def test_every_view_is_json(ws):
    for name in views.NAMES:
        if name == "present":
            continue  # opens the default deck (a write); covered above on its own store
        fn = getattr(views, name)
        v = fn(ws) if name in ("corpus", "leaders") else fn(ws, ALL)
        data = json.loads(json.dumps(views.plain(v), ensure_ascii=False))
        assert isinstance(data, dict) and "notices" in data
