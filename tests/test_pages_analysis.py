"""The analysis pages (总览, 主题, 省份对比, 词云, 演示模式) driven through AppTest.

One store per module holding the five sample articles; every figure asserted here was
checked against the CLI (`python -m analysis counts --by province --themes
new_quality_productivity`: 广东 21; `--terms 高质量发展`: 171 in all).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from helpers import open_page, pages_on, private_settings
from streamlit.testing.v1 import AppTest

from app_pages import _state as S


@pytest.fixture(scope="module")
def db(tmp_path_factory, sample_db):
    """A private copy of the samples store (and dictionary) that the app runs on."""
    with pages_on(private_settings(tmp_path_factory.mktemp("pages_analysis"), sample_db)) as s:
        yield s.db


def _values(v):
    """A plotly spec array: a plain list, or numpy's {"dtype", "bdata"} base64 form."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        if "shape" in v:
            shape = v["shape"]
            shape = [int(x) for x in shape.split(",")] if isinstance(shape, str) else shape
            arr = arr.reshape(shape)
        return arr.tolist()
    return list(v)


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figures on the page by their title."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    return out


def bars(spec: dict, trace: int = 0) -> dict[str, float]:
    d = spec["data"][trace]
    labels, vals = (d["y"], d["x"]) if d.get("orientation") == "h" else (d["x"], d["y"])
    return dict(zip(_values(labels), _values(vals)))


def frames(at: AppTest, column: str) -> list[pd.DataFrame]:
    """Tables on the page that have this column, in page order (display tables carry no id)."""
    return [df.value for df in at.dataframe if column in df.value.columns]


def frame(at: AppTest, column: str) -> pd.DataFrame:
    found = frames(at, column)
    assert len(found) == 1, f"{len(found)} tables with column {column}"
    return found[0]


# ------------------------------------------------------------------ 总览
def test_overview_figures(db):
    at = open_page("app_pages/overview.py")
    assert at.title[0].value == "总览"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["文章数"] == "5"
    assert metrics["涉及省份"] == "27"
    assert metrics["总字数"] == "66,655"
    assert metrics["日期范围"] == "2023-02-07"
    figs = charts(at)
    top = bars(figs["出现最多的主题（原始次数）"])
    assert list(top)[:3] == ["高质量发展", "科技创新", "营商环境"]
    assert top["高质量发展"] == 171 and top["新质生产力"] == 51
    heat = figs["各省份的主要主题（原始次数）"]["data"][0]
    rows, cols = _values(heat["y"]), _values(heat["x"])
    z = np.array(_values(heat["z"]))
    assert rows[0] == "广东"  # busiest province first
    assert z[rows.index("广东"), cols.index("高质量发展")] == 70
    latest = frame(at, "打开")
    assert len(latest) == 5
    assert latest["日期"].iloc[0] == "2024-03-07"
    assert latest["打开"].iloc[0].startswith("articles?article=")


def test_overview_per_10k_follows_the_url(db):
    at = open_page("app_pages/overview.py", metric="per_10k")
    top = bars(charts(at)["出现最多的主题（每万字频次）"])
    assert top["高质量发展"] == pytest.approx(171 * 10_000 / 66_655, abs=0.001)


# ------------------------------------------------------------------ 主题
def test_theme_ranks_guangdong_first(db):
    at = open_page("app_pages/themes.py")
    assert at.selectbox(key="theme").value == "new_quality_productivity"
    assert at.query_params["theme"] == "new_quality_productivity"
    figs = charts(at)
    rank = bars(figs["“新质生产力”出现次数：各省份排名"])
    assert next(iter(rank)) == "广东" and rank["广东"] == 21
    assert rank["北京"] == 7
    assert "黑龙江 ⚠" in rank  # 34 characters of text: flagged as unreliable
    table = frame(at, "95%区间").set_index("省份")
    assert table.loc["广东", "次数"] == 21
    assert table.loc["广东", "字数"] == 14198
    assert table.loc["全国", "次数"] > 0  # national paragraphs are listed, not charted
    assert table["次数"].sum() == 51
    assert "数字不稳定" in table.loc["黑龙江", "提示"]
    assert table.loc["广东", "提示"] == ""
    lo, hi = (float(x) for x in table.loc["广东", "95%区间"].split("–"))
    assert lo < 14.79 < hi
    trend = figs["“新质生产力”逐月次数"]["data"][0]
    assert sum(_values(trend["y"])) == 51
    co = bars(figs["与“新质生产力”出现在同一段落的主题（段落数）"])
    assert next(iter(co)) == "高质量发展"
    kwic = frame(at, "关键词")
    assert len(kwic) == 51
    assert set(kwic["关键词"]) == {"新质生产力"}
    assert list(kwic.columns[:6]) == ["日期", "省份", "标题", "前文", "关键词", "后文"]


def test_png_is_made_only_when_asked(db):
    at = open_page("app_pages/themes.py")
    keys = [b.key for b in at.get("download_button")]
    assert "th_rank_csv" in keys and "th_rank_xlsx" in keys
    assert "th_rank_png_dl" not in keys  # no browser started on a plain page view
    at.button(key="th_rank_png").click().run()
    assert not at.exception
    made = [b for b in at.get("download_button") if b.key == "th_rank_png_dl"]
    reasons = [c.value for c in at.caption if c.value.startswith("未能生成 PNG")]
    assert made or reasons, "neither a PNG nor a reason"
    if made:
        assert made[0].proto.label == "下载 PNG"


def test_adhoc_term_counts_literally(db):
    at = open_page("app_pages/themes.py")
    at.text_input(key="term").input("高质量发展").run()
    assert not at.exception
    assert at.query_params["term"] == "高质量发展"
    table = frame(at, "95%区间")
    assert table["次数"].sum() == 171
    assert table.set_index("省份").loc["广东", "次数"] == 70
    assert len(frame(at, "关键词")) == 171
    assert "“高质量发展”逐月次数" in charts(at)


def test_term_from_a_link_cannot_format_the_page(db):
    at = open_page("app_pages/themes.py", term="[点我](http://example.com)<b>")
    shown = " ".join(c.value for c in at.caption) + " ".join(i.value for i in at.info)
    assert "\\[点我\\]\\(http" in shown  # brackets escaped: no link is made
    assert "<b>" not in shown


def test_theme_view_reopens_from_url(db):
    at = open_page("app_pages/themes.py", theme="talent")
    assert at.selectbox(key="theme").value == "talent"
    rank = bars(charts(at)["“人才”出现次数：各省份排名"])
    assert list(rank)[:2] == ["浙江", "广东"] and rank["浙江"] == 39


def test_theme_per_10k_ranking(db):
    at = open_page("app_pages/themes.py", metric="per_10k")
    rank = bars(charts(at)["“新质生产力”出现频次：各省份排名"])
    first = next(iter(rank))  # 黑龙江 (one hit in 34 characters) is greyed after the others
    assert first == "北京" and rank[first] == pytest.approx(18.475, abs=0.001)
    assert list(rank).index("黑龙江 ⚠") == 5 and rank["黑龙江 ⚠"] == pytest.approx(18.475 * 1.1, abs=0.001)
    assert any("⚠ 文本不足 3,000 字" in c.value for c in at.caption)  # the legend on the page


def test_term_without_hits_explains(db):
    at = open_page("app_pages/themes.py", term="不存在的词语")
    assert any("没有找到" in i.value for i in at.info)


# ------------------------------------------------------------------ 省份对比
def test_compare_two_largest_provinces(db):
    at = open_page("app_pages/compare.py")
    assert at.multiselect(key="provs").value == ["广东", "吉林"]
    spec = charts(at)["主要主题对比（原始次数）：广东 / 吉林"]
    gd, jl = bars(spec, 0), bars(spec, 1)
    assert spec["data"][0]["name"] == "广东" and spec["data"][1]["name"] == "吉林"
    assert gd["高质量发展"] == 70 and jl["高质量发展"] == 5
    assert len(at.get("image")) == 2  # one word cloud per side
    words = frames(at, "z 值")
    assert len(words) == 2
    for w, name in zip(words, ["广东", "吉林"]):
        assert len(w) and (w["z 值"] > 0).all()
        assert name not in set(w["词语"])  # a province's own name is left out
    texts = " ".join(t.value for t in at.text)
    assert "高质量发展" in texts
    overlap = frame(at, "出现于")
    assert set(overlap["出现于"]) <= {"共有", "仅广东", "仅吉林"}
    assert overlap.iloc[0]["主题"] == "高质量发展" and overlap.iloc[0]["出现于"] == "共有"


def test_compare_boilerplate_toggle_and_url(db):
    at = open_page("app_pages/compare.py", provs="北京,广东,浙江")
    assert at.multiselect(key="provs").value == ["北京", "广东", "浙江"]
    on = frames(at, "z 值")[1]["词语"].tolist()
    at.toggle(key="hide_boiler").set_value(False).run()
    assert not at.exception
    assert at.query_params["boiler"] == "show"
    assert len(at.get("image")) == 3
    assert on  # distinctive words still found either way


def test_compare_needs_two_provinces(db):
    at = open_page("app_pages/compare.py", provs="广东")
    assert any("至少选择两个" in i.value for i in at.info)


def test_compare_two_periods(db):
    at = open_page(
        "app_pages/compare.py", mode="periods", p1="2023-01-01~2023-12-31", p2="2024-01-01~2024-03-31"
    )
    assert at.radio(key="mode").value == "periods"
    spec = charts(at)["主要主题对比（原始次数）：2023.02.07–2023.12.31 / 2024.01.01–2024.03.07"]
    a, b = bars(spec, 0), bars(spec, 1)
    assert a["高质量发展"] + b["高质量发展"] == 171
    assert len(at.get("image")) == 2


# ------------------------------------------------------------------ 词云
def test_wordcloud_words_and_themes(db):
    at = open_page("app_pages/wordcloud.py")
    assert len(at.get("image")) == 1
    table = frame(at, "次数")
    assert len(table) == 100
    assert table.iloc[0]["词语"] == "企业" and table.iloc[0]["次数"] == 173
    assert "发展" not in set(table["词语"])  # boilerplate hidden by default
    at.toggle(key="wc_boiler").set_value(False).run()
    assert "发展" in set(frame(at, "次数")["词语"])
    at.radio(key="wc_mode").set_value("themes").run()
    table = frame(at, "次数")
    assert table.iloc[0]["主题"] == "高质量发展" and table.iloc[0]["次数"] == 171
    assert at.query_params["wc_mode"] == "themes"


def test_wordcloud_province_and_size(db):
    at = open_page("app_pages/wordcloud.py", wc_provs="广东", wc_max="30")
    assert at.multiselect(key="wc_provs").value == ["广东"]
    assert at.slider(key="wc_max").value == 30
    table = frame(at, "次数")
    assert len(table) == 30
    assert "广东" in at.subheader[0].value


# ------------------------------------------------------------------ 演示模式
def test_present_empty_then_pins_and_pptx(db):
    at = open_page("app_pages/present.py")
    assert any("加入演示" in i.value for i in at.info)

    at = open_page("app_pages/themes.py")
    at.button(key="th_rank_pin").click().run()
    assert not at.exception
    at.button(key="th_trend_pin").click().run()
    at.switch_page("app_pages/present.py").run()
    assert not at.exception
    assert any("第 1 / 2 页" in md.value for md in at.markdown)
    assert S.ws().pins()["title"].tolist() == ["“新质生产力”出现次数：各省份排名", "“新质生产力”逐月次数"]
    at.button(key="preview_next").click().run()
    assert any("第 2 / 2 页" in md.value for md in at.markdown)

    dl = next(b for b in at.get("download_button") if b.key == "pptx")
    assert dl.proto.label == "导出 PPT"
    deck_id = int(S.ws().decks()["id"].iloc[0])
    pptx = S.ws().deck_pptx(deck_id, made_on=pd.Timestamp("2026-01-02").date())
    with zipfile.ZipFile(io.BytesIO(pptx)) as z:
        slides = [n for n in z.namelist() if n.startswith("ppt/slides/slide")]
        assert len(slides) == 3  # title slide + two charts
        assert "新质生产力" in z.read("ppt/slides/slide2.xml").decode("utf-8")

    # remove the first chart from the deck
    first = int(S.ws().deck_items(deck_id)["item_id"].iloc[0])
    at.button(key=f"rm_pin_{first}").click().run()
    assert not at.exception
    assert any("第 1 / 1 页" in md.value for md in at.markdown)
