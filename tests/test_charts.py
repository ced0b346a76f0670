"""Figures, the tile map, word colours, word clouds and the Simplified-Chinese font."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from analysis import charts
from analysis.fonts import CJK_FAMILY, cjk_font_path, collection_path
from analysis.settings import GEO_DIR

SRC = "示例语料"


# ---------------------------------------------------------------- font
def test_font_file_is_simplified_chinese():
    path = cjk_font_path()
    assert path.suffix == ".otf" and path.is_file()
    assert cjk_font_path() == path  # extracted once, then reused
    names = TTFont(str(path), lazy=True)["name"]
    assert names.getDebugName(1) == "Noto Sans CJK SC"
    # A Windows family-name record in language 0x0804 = Chinese (PRC).
    assert any(r.nameID == 1 and r.platformID == 3 and r.langID == 0x0804 for r in names.names)
    assert ImageFont.truetype(str(path), 20).getname() == ("Noto Sans CJK SC", "Regular")


def glyph(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    img = Image.new("L", (80, 80), 0)
    ImageDraw.Draw(img).text((8, 0), ch, font=font, fill=255)
    return np.asarray(img) > 127


def test_font_draws_chinese_not_boxes_and_sc_shapes():
    font = ImageFont.truetype(str(cjk_font_path()), 60)
    tofu = glyph(font, "\ue000")  # private-use code point: the font's box glyph
    shapes = [glyph(font, ch) for ch in "高质量"]
    for g in shapes:
        assert g.sum() > 100 and (g != tofu).sum() > 100
    assert (shapes[0] != shapes[1]).sum() > 100 and (shapes[1] != shapes[2]).sum() > 100
    # 直 is drawn differently in the Japanese face 0 of the collection: we must not get that one.
    jp = ImageFont.truetype(str(collection_path()), 60, index=0)
    assert (glyph(font, "直") != glyph(jp, "直")).sum() > 30


# ---------------------------------------------------------------- common style
def source_of(fig):
    return [a.text for a in fig.layout.annotations if a.name == "source"]


def check_style(fig, title: str):
    assert fig.layout.font.family == CJK_FAMILY
    assert fig.layout.title.text == title
    assert fig.layout.paper_bgcolor == "white" and fig.layout.plot_bgcolor == "white"
    assert fig.layout.font.size >= 14 and fig.layout.title.font.size >= 20
    assert source_of(fig) == [f"来源：政策主题看板 · {SRC}"]


TOTALS = pd.DataFrame({"group": ["江苏", "广东", "湖北"], "count": [65, 337, 50]})


def test_bar_ranking_largest_on_top_with_labels():
    fig = charts.bar_ranking(TOTALS, "group", "count", "各省提及次数", SRC)
    check_style(fig, "各省提及次数")
    bar = fig.data[0]
    assert list(bar.y) == ["广东", "江苏", "湖北"] and list(bar.x) == [337, 65, 50]
    assert list(fig.layout.yaxis.categoryarray) == ["湖北", "江苏", "广东"]  # drawn bottom-up
    assert list(bar.text) == ["337", "65", "50"]
    assert fig.layout.xaxis.title.text == "次数"
    vert = charts.bar_ranking(
        TOTALS.assign(per_10k=[1.5, 12.25, 0.333]), "group", "per_10k", "每万字", SRC, horizontal=False
    )
    assert list(vert.data[0].x) == ["广东", "江苏", "湖北"] and list(vert.data[0].text) == [
        "12.2",
        "1.50",
        "0.33",
    ]


# Two places and two months, each with a theme missing somewhere and rows out of order.
BY_PLACE = pd.DataFrame(
    {
        "x": ["广东", "广东", "江苏", "江苏"],
        "theme": ["营商环境", "人才", "营商环境", "养老"],
        "count": [7, 34, 0, 20],
    }
)
BY_MONTH = pd.DataFrame(
    {
        "x": ["2024-02", "2024-01", "2024-02", "2024-01"],
        "theme": ["甲", "甲", "乙", "乙"],
        "count": [34, 2, 9, 1],
    }
)


@pytest.mark.parametrize(
    ("draw", "rows", "categories", "want"),
    [
        # bars: places in first-seen order; a theme a place lacks is a bar of 0
        (
            charts.grouped_bars,
            BY_PLACE,
            ["广东", "江苏"],
            {"营商环境": [7, 0], "人才": [34, 0], "养老": [0, 20]},
        ),
        # lines: months sorted, kept as written (not 'Jan 2024')
        (charts.trend_lines, BY_MONTH, ["2024-01", "2024-02"], {"甲": [2, 34], "乙": [1, 9]}),
    ],
)
def test_series_charts_draw_each_series_over_the_same_categories(draw, rows, categories, want):
    fig = draw(rows, "对比", SRC, category="x", series="theme", value="count")
    check_style(fig, "对比")
    assert [t.name for t in fig.data] == list(want)  # series in first-seen order
    assert {t.name: list(t.y) for t in fig.data} == want
    assert all(list(t.x) == categories for t in fig.data)
    assert {t.yaxis or "y" for t in fig.data} == {"y"}  # one shared value axis


def test_grouped_bars_sit_side_by_side_and_label_only_real_bars():
    fig = charts.grouped_bars(BY_PLACE, "对比", SRC, category="x", series="theme", value="count")
    assert fig.layout.barmode == "group"
    assert list(fig.data[0].text) == ["7", ""]  # zero bars carry no label


def test_trend_lines_are_lines_over_month_categories():
    fig = charts.trend_lines(BY_MONTH, "对比", SRC, category="x", series="theme", value="count")
    assert fig.layout.xaxis.type == "category"
    assert all(t.mode == "lines+markers" for t in fig.data)


def test_heatmap_cells_and_rows():
    m = pd.DataFrame({"高质量发展": [70, 3], "营商环境": [7, 0]}, index=["广东", "江苏"])
    fig = charts.heatmap(m, "省份与主题", SRC)
    check_style(fig, "省份与主题")
    h = fig.data[0]
    assert list(h.y) == ["广东", "江苏"] and list(h.x) == ["高质量发展", "营商环境"]
    assert np.asarray(h.z).tolist() == [[70, 7], [3, 0]]
    assert h.texttemplate == "%{z:,.0f}" and fig.layout.yaxis.autorange == "reversed"
    assert h.colorbar.title.text == "次数"


# ---------------------------------------------------------------- map
def test_tile_grid_covers_all_34_units_once():
    grid = pd.read_csv(GEO_DIR / "tile_grid.csv")
    provinces = pd.read_csv(GEO_DIR / "provinces.csv")
    assert len(grid) == 34 and set(grid["short"]) == set(provinces["short"])
    assert not grid.duplicated(["row", "col"]).any()
    pos = grid.set_index("short")
    # Rough geography: 黑龙江 north of 海南, 新疆 west of 上海, 香港 east of 澳门.
    assert pos.loc["黑龙江", "row"] < pos.loc["海南", "row"]
    assert pos.loc["新疆", "col"] < pos.loc["上海", "col"]
    assert pos.loc["香港", "col"] > pos.loc["澳门", "col"]


def test_china_map_tiles_values_and_grey():
    values = pd.DataFrame(
        {"province": ["广东省", "江苏", "全国", "新疆维吾尔自治区"], "count": [337, 65, 76, 0]}
    )
    fig = charts.china_map(values, "province", "count", "各省提及次数", SRC)
    check_style(fig, "各省提及次数")
    tiles = next(t for t in fig.data if t.name == "tiles")
    assert len(tiles.customdata) == 34 and len(set(tiles.customdata)) == 34
    assert {"香港", "澳门", "台湾", "西藏", "内蒙古"} <= set(tiles.customdata)
    text = dict(zip(tiles.customdata, tiles.text))
    assert text["广东"] == "广东<br>337" and text["江苏"] == "江苏<br>65" and text["新疆"] == "新疆<br>0"
    assert text["台湾"] == "台湾" and text["北京"] == "北京"  # no data: name only, on grey
    base = next(t for t in fig.data if t.name == "底图")
    assert sum(v is not None for row in base.z for v in row) == 34
    colour = next(t for t in fig.data if t.name == "数值")
    assert sorted(v for row in colour.z for v in row if v is not None) == [0, 65, 337]


# ---------------------------------------------------------------- word colours and clouds
def test_word_colors_stable_and_from_palette():
    words = ["高质量发展", "营商环境", "新质生产力", "养老"]
    first = charts.word_colors(words)
    assert first == charts.word_colors(list(reversed(words)))
    assert charts.word_colors(["营商环境"])["营商环境"] == first["营商环境"]
    digest = int(hashlib.md5("高质量发展".encode()).hexdigest()[:8], 16)
    assert first["高质量发展"] == charts.PALETTE[digest % 12]
    assert set(first.values()) <= set(charts.PALETTE) and len(charts.PALETTE) == 12


def ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L")) < 200


def test_wordcloud_renders_chinese_deterministically():
    freqs = {"高质量发展": 70, "营商环境": 19, "新质生产力": 12, "养老": 19, "人才": 34}
    img = charts.wordcloud_image(freqs, width=400, height=250)
    assert img.size == (400, 250)
    arr = np.asarray(img.convert("L"), dtype=float)
    assert arr.var() > 500 and arr[0, 0] == 255  # words on a white background
    again = charts.wordcloud_image(freqs, width=400, height=250)
    assert np.array_equal(np.asarray(img), np.asarray(again))
    # The same layout with box glyphs looks different: Chinese glyphs were drawn.
    boxes = charts.wordcloud_image({"\ue000" * len(w): v for w, v in freqs.items()}, width=400, height=250)
    assert (ink(img) != ink(boxes)).mean() > 0.05
    # The fixed colour of a word is used.
    one = charts.wordcloud_image({"营商环境": 5}, width=300, height=150, colors={"营商环境": "#c0392b"})
    px = np.asarray(one.convert("RGB")).reshape(-1, 3)
    assert ((px == [0xC0, 0x39, 0x2B]).all(axis=1)).sum() > 200


def test_wordcloud_empty_shows_message():
    img = charts.wordcloud_image({}, width=300, height=200)
    assert img.size == (300, 200) and ink(img).sum() > 50


# ---------------------------------------------------------------- pins and presentation
PIN_DATA = {
    "bar": pd.DataFrame({"label": ["广东", "江苏"], "value": [337, 65]}),
    "grouped_bar": pd.DataFrame({"group": ["广东", "江苏"], "series": ["人才", "人才"], "value": [34, 8]}),
    "line": pd.DataFrame({"x": ["2024-01", "2024-02"], "series": ["科技创新"] * 2, "value": [2, 89]}),
    "heatmap": pd.DataFrame(
        {"row": ["广东", "广东", "江苏"], "col": ["人才", "养老", "养老"], "value": [34, 0, 20]}
    ),
    "map": pd.DataFrame({"province": ["广东", "江苏"], "value": [337, 65]}),
}


@pytest.mark.parametrize("kind", list(PIN_DATA))
def test_figure_from_pin_every_kind(kind):
    fig = charts.figure_from_pin(kind, PIN_DATA[kind], "固定的图", SRC)
    check_style(fig, "固定的图")
    big = charts.presentation_style(fig)
    assert big.layout.title.font.size >= 32 and big.layout.font.size >= 18
    if kind != "map":
        assert big.layout.xaxis.tickfont.size >= 18 and big.layout.yaxis.tickfont.size >= 18
    assert source_of(big) == source_of(fig) and fig.layout.title.font.size == 22  # original untouched


def test_figure_from_pin_values():
    heat = charts.figure_from_pin("heatmap", PIN_DATA["heatmap"], "t", SRC).data[0]
    assert list(heat.y) == ["广东", "江苏"] and np.asarray(heat.z).tolist() == [[34, 0], [0, 20]]
    with pytest.raises(ValueError, match="未知的图表类型"):
        charts.figure_from_pin("pie", PIN_DATA["bar"], "t", SRC)


def test_source_line_without_source():
    fig = charts.bar_ranking(TOTALS, "group", "count", "t")
    assert [a.text for a in fig.layout.annotations if a.name == "source"] == ["来源：政策主题看板"]
