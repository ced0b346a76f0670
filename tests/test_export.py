"""PNG (kaleido + Chromium), CSV, XLSX and PPTX exports, read back with their own libraries."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
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
QUOTE = {
    "text": "要因地制宜发展新质生产力。",
    "source": "新华社",
    "date": dt.date(2024, 3, 5),
    "province": "江苏",
    "speaker": "习近平",
}


@pytest.fixture(scope="module")
def deck() -> Presentation:
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
    m = chart_of(deck.slides[5])
    assert m.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert list(m.plots[0].categories) == ["广东", "江苏"] and list(m.series[0].values) == [337.0, 65.0]


def test_pptx_quote_slide(deck):
    t = texts(deck.slides[6])
    assert "“要因地制宜发展新质生产力。”" in t
    assert "—— 习近平，江苏，新华社，2024年3月5日" in t


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
