"""PNG (kaleido + Chromium), CSV, XLSX and PPTX exports, read back with their own libraries."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import QUOTE
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu

from analysis import charts, export
from analysis.export import ExportError, Pin, csv_bytes, png_bytes, pptx_bytes, xlsx_bytes

HAS_CHROMIUM = Path("/usr/bin/chromium").is_file()
needs_chromium = pytest.mark.skipif(
    not HAS_CHROMIUM, reason="没有 /usr/bin/chromium：PNG 导出需要 Debian 的 chromium"
)

TABLE = pd.DataFrame(
    {
        "省份": ["广东", "江苏", "湖北"],
        "主题": ["高质量发展", "养老", "中国式现代化"],
        "次数": [70, 19, 24],
        "每万字频次": [6.872, 19.19, 2.5],
    }
)


# ---------------------------------------------------------------- PNG
@pytest.fixture(scope="module")
def bar_png() -> bytes:
    fig = charts.bar_ranking(
        pd.DataFrame({"g": ["广东", "江苏"], "n": [337, 65]}), "g", "n", "高质量发展", "示例"
    )
    return png_bytes(fig, width=640, height=360, scale=2)


@needs_chromium
def test_png_size_and_format(bar_png):
    img = Image.open(io.BytesIO(bar_png))
    assert img.format == "PNG" and img.size == (1280, 720)
    arr = np.asarray(img.convert("L"), dtype=float)
    assert arr[5, 5] == 255 and arr.var() > 100  # white background, something drawn


def title_strip(title: str) -> np.ndarray:
    fig = charts.bar_ranking(pd.DataFrame({"g": ["甲"], "n": [1]}), "g", "n", title, "示例")
    img = Image.open(io.BytesIO(png_bytes(fig, width=640, height=360, scale=1))).convert("L")
    return np.asarray(img)[:50, :300] < 128


@needs_chromium
def test_png_draws_distinct_chinese_glyphs(bar_png):
    # Missing glyphs all come out as the same box; real glyphs differ between titles.
    a, b = title_strip("高质量发展"), title_strip("新质生产力")
    assert a.sum() > 150 and b.sum() > 150
    assert (a != b).sum() > 150


@needs_chromium
def test_png_height_from_figure(bar_png):
    fig = charts.bar_ranking(
        pd.DataFrame({"g": [f"省{i}" for i in range(20)], "n": range(20)}), "g", "n", "长榜单"
    )
    img = Image.open(io.BytesIO(png_bytes(fig, width=800, height=None, scale=1)))
    assert img.size == (800, fig.layout.height)


def test_png_without_browser_raises_chinese_error(monkeypatch):
    monkeypatch.setattr(export, "_server_started", False)
    monkeypatch.setattr(export, "browser_path", lambda: None)
    with pytest.raises(ExportError, match="找不到 Chromium"):
        png_bytes(charts.bar_ranking(TABLE, "省份", "次数", "t"))


# ---------------------------------------------------------------- CSV / XLSX
def test_csv_has_bom_and_round_trips():
    data = csv_bytes(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.columns.tolist() == ["省份", "主题", "次数", "每万字频次"]
    assert back["主题"].tolist() == ["高质量发展", "养老", "中国式现代化"] and back["次数"].tolist() == [
        70,
        19,
        24,
    ]


def test_xlsx_round_trip():
    data = xlsx_bytes(
        TABLE, sheet="省份统计", title="各省主题次数", note="筛选：2024-01-01 至 2024-03-31；省份：全部"
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["省份统计"]
    ws = wb["省份统计"]
    assert ws["A1"].value == "各省主题次数" and ws["A1"].font.bold
    assert ws["A2"].value == "筛选：2024-01-01 至 2024-03-31；省份：全部"
    assert [c.value for c in ws[4]] == ["省份", "主题", "次数", "每万字频次"]
    assert [c.value for c in ws[5]] == ["广东", "高质量发展", 70, 6.872]
    assert [c.value for c in ws[7]] == ["湖北", "中国式现代化", 24, 2.5]
    assert ws.max_row == 7 and ws.auto_filter.ref == "A4:D7" and ws.freeze_panes == "A5"
    assert ws.column_dimensions["B"].width >= 12  # 中国式现代化 = 6 wide characters


def test_xlsx_plain_and_awkward_values():
    df = pd.DataFrame(
        {"日期": [dt.date(2024, 3, 1), None], "n": [1.0, float("nan")], "词": [["a", "b"], "营商"]}
    )
    ws = load_workbook(io.BytesIO(xlsx_bytes(df, sheet="a/b:c")))["a_b_c"]
    assert [c.value for c in ws[1]] == ["日期", "n", "词"]
    assert ws["A2"].value == dt.datetime(2024, 3, 1) and ws["A3"].value is None
    assert ws["B3"].value is None and ws["C2"].value == '["a", "b"]'


# ---------------------------------------------------------------- PPTX
PINS = [
    Pin(
        "各省提及次数",
        "bar",
        pd.DataFrame({"label": ["江苏", "广东", "湖北"], "value": [65, 337, 50]}),
        "示例语料",
        "2024 年；全部省份",
    ),
    Pin(
        "两省主题对比",
        "grouped_bar",
        pd.DataFrame(
            {
                "group": ["广东", "江苏", "广东", "江苏"],
                "series": ["人才", "人才", "养老", "养老"],
                "value": [34, 8, 0, 20],
            }
        ),
        "示例语料",
        "广东、江苏",
    ),
    Pin(
        "科技创新月度趋势",
        "line",
        pd.DataFrame({"x": ["2024-02", "2024-01"], "series": ["科技创新", "科技创新"], "value": [89, 2]}),
        "示例语料",
        "全部",
    ),
    Pin(
        "省份与主题",
        "heatmap",
        pd.DataFrame(
            {"row": ["广东", "广东", "江苏"], "col": ["人才", "养老", "养老"], "value": [34, 0, 20]}
        ),
        "示例语料",
        "全部",
    ),
    Pin(
        "各省地图",
        "map",
        pd.DataFrame({"province": ["广东", "江苏"], "value": [337, 65]}),
        "示例语料",
        "全部",
    ),
]


@pytest.fixture(scope="module")
def deck() -> PresentationType:
    return Presentation(io.BytesIO(pptx_bytes(PINS, made_on=dt.date(2024, 3, 31), quotes=[QUOTE])))


def texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def chart_of(slide):
    return next(s.chart for s in slide.shapes if s.has_chart)


def test_pptx_slides_and_title(deck):
    assert deck.slide_width == Emu(12192000) or abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01
    assert len(deck.slides) == 1 + len(PINS) + 1
    first = texts(deck.slides[0])
    assert "政策主题看板 · 导出" in first and any("2024年3月31日" in t for t in first)


def test_pptx_bar_chart_native(deck):
    s = deck.slides[1]
    assert "各省提及次数" in texts(s)
    ch = chart_of(s)
    assert ch.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert list(ch.plots[0].categories) == ["广东", "江苏", "湖北"]
    assert list(ch.series[0].values) == [337.0, 65.0, 50.0]
    assert ch.category_axis.reverse_order  # 广东 on top
    footer = [t for t in texts(s) if t.startswith("筛选")]
    assert footer == [
        "筛选：2024 年；全部省份　｜　来源：政策主题看板 · 示例语料　｜　导出日期：2024年3月31日"
    ]


def test_pptx_grouped_and_line(deck):
    g = chart_of(deck.slides[2])
    assert g.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(g.plots[0].categories) == ["广东", "江苏"]
    assert [(s.name, list(s.values)) for s in g.series] == [("人才", [34.0, 8.0]), ("养老", [0.0, 20.0])]
    assert g.has_legend
    line = chart_of(deck.slides[3])
    assert line.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert list(line.plots[0].categories) == ["2024-01", "2024-02"]
    assert list(line.series[0].values) == [2.0, 89.0] and line.series[0].name == "科技创新"


def test_pptx_heatmap_table_and_map(deck):
    table = next(s.table for s in deck.slides[4].shapes if s.has_table)
    cells = [[table.cell(r, c).text for c in range(3)] for r in range(3)]
    assert cells == [["", "人才", "养老"], ["广东", "34", "0"], ["江苏", "0", "20"]]
    # The map slide is the tile map itself (34 native squares), not a bar chart.
    shapes = deck.slides[5].shapes
    assert not any(s.has_chart for s in shapes)
    tiles = {
        s.text_frame.text for s in shapes if s.shape_type == 1 and s.has_text_frame and s.text_frame.text
    }
    assert {"广东\n337", "江苏\n65", "西藏", "台湾", "香港", "澳门"} <= tiles and len(tiles) == 34
    assert "无数据（灰色）" in texts(deck.slides[5]) and "337" in texts(deck.slides[5])


def test_pptx_quote_slide(deck):
    t = texts(deck.slides[6])
    assert "“要因地制宜发展新质生产力。”" in t
    assert "—— 江苏 · 习近平，新华社，2024年3月5日" in t


def test_pin_from_json_records_and_split():
    df = PINS[0].data
    for orient in ("records", "split"):
        raw = df.to_json(orient=orient, force_ascii=False)
        if orient == "split":
            raw = json.dumps({k: v for k, v in json.loads(raw).items() if k != "index"}, ensure_ascii=False)
        pin = Pin.from_json("t", "bar", raw, "s", "f")
        assert pin.data["label"].tolist() == ["江苏", "广东", "湖北"] and pin.data["value"].tolist() == [
            65,
            337,
            50,
        ]


def test_pptx_empty_pin_and_no_quotes():
    deck = Presentation(io.BytesIO(pptx_bytes([Pin("空", "bar", pd.DataFrame(), "s", "")])))
    assert len(deck.slides) == 2
    assert "（没有数据）" in texts(deck.slides[1])


# ---------------------------------------------------------------- every slide form (issue 14)
PROVINCES = [
    "广东",
    "江苏",
    "浙江",
    "山东",
    "河南",
    "四川",
    "湖北",
    "湖南",
    "河北",
    "福建",
    "上海",
    "北京",
    "安徽",
    "辽宁",
    "陕西",
    "江西",
    "重庆",
    "广西",
    "云南",
    "山西",
    "内蒙古",
    "贵州",
    "新疆",
    "天津",
    "黑龙江",
    "吉林",
    "甘肃",
]
THEMES = [
    "高质量发展",
    "新质生产力",
    "营商环境",
    "乡村振兴",
    "科技创新",
    "中国式现代化",
    "共同富裕",
    "人才",
    "养老",
    "生态文明",
    "数字经济",
    "对外开放",
    "民营经济",
    "绿色低碳",
    "城乡融合",
]
# 27 × 15, cell = 100 - 3 × row index - column index: rows and columns both fall off evenly.
BIG_HEAT = pd.DataFrame(
    [(p, t, 100 - 3 * i - j) for i, p in enumerate(PROVINCES) for j, t in enumerate(THEMES)],
    columns=["row", "col", "value"],
)
ALL_KINDS = [
    Pin(
        "高质量发展出现频次：各省份排名",
        "bar",
        pd.DataFrame({"label": [*PROVINCES[:-1], "甘肃 ⚠"], "value": [300 - 10 * i for i in range(27)]}),
        "120 篇报道、345,678 字，2024-01-01 至 2024-06-30",
        "日期 2024-01-01 至 2024-06-30；每万字频次",
    ),
    Pin(
        "主要主题对比（次数）：2024.01.01–2024.03.31 / 2024.04.01–2024.06.30",
        "grouped_bar",
        pd.DataFrame(
            {
                "group": [t for t in THEMES[:6] for _ in (0, 1)],
                "series": ["一季度", "二季度"] * 6,
                "value": [3 * i + k for i in range(6) for k in (5, 9)],
            }
        ),
        "示例语料",
        "全部",
    ),
    Pin(
        "科技创新月度趋势",
        "line",
        pd.DataFrame(
            {"x": [f"2024-{m:02d}" for m in range(1, 13)], "series": ["科技创新"] * 12, "value": range(3, 15)}
        ),
        "示例语料",
        "全部",
    ),
    Pin("省份 × 主题（次数）", "heatmap", BIG_HEAT, "示例语料", "全部；原始次数"),
    Pin(
        "新质生产力：各省地图",
        "map",
        pd.DataFrame({"province": PROVINCES, "value": [10 * (i + 1) for i in range(27)]}),
        "示例语料",
        "全部",
    ),
    Pin(
        "高频词：全部",
        "wordcloud",
        pd.DataFrame({"label": THEMES, "value": [100 - 5 * i for i in range(15)]}),
        "示例语料",
        "全部",
    ),
    Pin(
        "特色词：广东 对 江苏",
        "words",
        pd.DataFrame(
            {
                "side": ["广东"] * 3 + ["江苏"] * 2,
                "word": ["湾区", "制造", "外贸", "苏南", "园区"],
                "value": [9.2, 5, 3.14, 7, 2],
            }
        ),
        "示例语料",
        "全部",
    ),
    Pin(
        "新词发现：最近 3 个月 对 此前",
        "emerging",
        pd.DataFrame(
            {"label": ["低空经济", "两新"], "value": [8.2, 4.4], "recent": [40, 21], "before": [2, 1]}
        ),
        "示例语料",
        "全部",
    ),
]
ALL_QUOTES = [
    {
        "text": "要因地制宜发展新质生产力。",
        "speaker": "赵一德",
        "office": "省委书记",
        "province": "陕西",
        "source": "陕西日报",
        "title": "西安：加快建设现代化产业体系",
        "date": dt.date(2024, 3, 5),
    },
    {
        "text": "营商环境只有更好，没有最好。",
        "speaker": "",
        "office": "",
        "province": "陕西",
        "source": "003_abc.txt",
        "title": "陕西优化营商环境",
        "date": dt.date(2024, 4, 1),
    },
]


@lru_cache(maxsize=1)
def all_kinds_deck() -> bytes:
    """Built once (several seconds) and shared by the tests that read it; bytes cannot change."""
    return pptx_bytes(ALL_KINDS, made_on=dt.date(2024, 7, 1), quotes=ALL_QUOTES)


@pytest.fixture(scope="module")
def full() -> PresentationType:
    return Presentation(io.BytesIO(all_kinds_deck()))


def slide_titled(deck, title: str):
    return next(s for s in deck.slides if title in texts(s))


def test_every_kind_has_slides(full):
    # title + ranking + comparison + trend + heatmap (2 slides) + map + cloud + words + emerging + 2 quotes
    assert len(full.slides) == 1 + 9 + 2


def test_no_chart_has_a_title(full):
    from analysis.deck_pptx import chart_titles

    assert chart_titles(all_kinds_deck()) == []
    for slide in full.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                assert shape.chart._chartSpace.xpath("./c:chart/c:autoTitleDeleted/@val") == ["1"]


def test_long_ranking_in_two_columns_on_one_scale(full):
    s = slide_titled(full, "高质量发展出现频次：各省份排名")
    charts_ = [sh.chart for sh in s.shapes if sh.has_chart]
    cats = [list(c.plots[0].categories) for c in charts_]
    assert [len(c) for c in cats] == [14, 13]
    assert cats[0][0] == "广东" and cats[1][-1] == "甘肃 ⚠"
    assert {c.value_axis.maximum_scale for c in charts_} == {400.0}  # 300 × 1.12 = 336 -> the next round step
    foot = [t for t in texts(s) if "⚠" in t and "筛选" in t]
    assert foot and foot[0].startswith("⚠ 文本不足 3,000 字")  # the threshold in force (Settings)


def test_big_heatmap_split_and_cut_with_note(full):
    tables = [
        next(sh.table for sh in s.shapes if sh.has_table)
        for s in full.slides
        if any(t.startswith("省份 × 主题（次数）（") for t in texts(s))
    ]
    assert [(len(t.rows), len(t.columns)) for t in tables] == [(15, 11), (14, 11)]  # 14 + 13 rows, 10 themes
    rows = [t.cell(i, 0).text for t in tables for i in range(1, len(t.rows))]
    assert rows == PROVINCES
    assert [tables[0].cell(0, j).text for j in range(1, 11)] == THEMES[:10]
    assert tables[1].cell(13, 1).text == str(100 - 3 * 26)  # 甘肃 × 高质量发展
    # Columns 11-15 add up to sum over rows of (5 × (100 - 3i) - (10+11+12+13+14)) = 5 × (2700 - 1053) - 27 × 60
    note = next(t for t in texts(slide_titled(full, "省份 × 主题（次数）（2/2）")) if t.startswith("只列出"))
    assert note.startswith(
        "只列出合计最多的 10 列；未列出：数字经济、对外开放、民营经济、绿色低碳、城乡融合（合计 6,615，见 Excel 导出）"
    )


def test_words_emerging_and_cloud(full):
    t = next(sh.table for sh in slide_titled(full, "特色词：广东 对 江苏").shapes if sh.has_table)
    assert [[t.cell(r, c).text for c in range(2)] for r in range(4)] == [
        ["广东 特色词（z 值）", "江苏 特色词（z 值）"],
        ["湾区　9.2", "苏南　7.0"],
        ["制造　5.0", "园区　2.0"],
        ["外贸　3.1", ""],
    ]
    em = chart_of(slide_titled(full, "新词发现：最近 3 个月 对 此前"))
    assert list(em.plots[0].categories) == ["低空经济（40/2）", "两新（21/1）"]
    cloud = slide_titled(full, "高频词：全部")
    assert [sh.shape_type for sh in cloud.shapes if sh.shape_type == 13] == [13]  # one picture


def test_quote_names_province_once_and_keeps_outlet(full):
    a, b = (texts(full.slides[k]) for k in (-2, -1))
    assert "—— 陕西省委书记赵一德，陕西日报，《西安：加快建设现代化产业体系》，2024年3月5日" in a
    assert "—— 陕西，《陕西优化营商环境》，2024年4月1日" in b  # no file name posing as an outlet


def test_every_run_has_chinese_east_asian_font(full):
    from analysis.fonts import CJK_FAMILY

    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    roots = [s.shapes._spTree for s in full.slides]
    roots += [sh.chart._chartSpace for s in full.slides for sh in s.shapes if sh.has_chart]
    runs = [r for root in roots for r in root.iter(f"{a}rPr", f"{a}defRPr")]
    assert len(runs) > 400
    assert {r.find(f"{a}ea").get("typeface") for r in runs} == {CJK_FAMILY}


def test_no_shape_overlaps_or_leaves_the_slide(full):
    """Boxes as laid out (EMU): footers, titles and content never overlap; all inside the slide."""
    W, H = full.slide_width, full.slide_height
    for n, slide in enumerate(full.slides, start=1):
        boxes = [
            (sh.left, sh.top, sh.left + sh.width, sh.top + sh.height, sh.name)
            for sh in slide.shapes
            if sh.shape_type != 1  # map tiles and legend swatches sit in their own grid
        ]
        for x0, y0, x1, y1, name in boxes:
            assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H, (n, name)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
                assert not overlap, (n, a[4], b[4])


def test_pdf_handout_without_libreoffice_says_so(monkeypatch):
    monkeypatch.setattr(export, "soffice_path", lambda: None)
    with pytest.raises(ExportError, match="没有安装 LibreOffice"):
        export.pdf_from_pptx(all_kinds_deck())


def test_words_keep_the_sides_in_stored_order():
    """The side with the larger z values is not moved first (吉林 came before 广东 once)."""
    from analysis.slides import parts

    d = pd.DataFrame(
        {"side": ["广东", "广东", "吉林"], "word": ["湾区", "外贸", "长春"], "value": [2.0, 1.5, 3.9]}
    )
    part = parts(Pin("特色词", "words", d, "s", "f"))[0]
    assert part.data[["side", "word"]].values.tolist() == [
        ["广东", "湾区"],
        ["广东", "外贸"],
        ["吉林", "长春"],
    ]
