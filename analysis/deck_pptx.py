"""The PPTX deck: a 16:9 slide per part (analysis.slides), native charts and tables, quote slides.

Layout is computed, not hoped for: the title and the footer are sized from their text
(Noto Sans CJK lines are about 1.45 em tall), and the content gets exactly the space
between them, so the footer can never print over a table or a chart.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Pt

from . import slides as sl
from .fonts import CJK_FAMILY
from .safecells import safe_chart

FALLBACK_FAMILY = "微软雅黑"  # what Office on Windows has when Noto Sans CJK SC is missing
SLIDE_W, SLIDE_H = 13.333, 7.5  # inches
MARGIN = 0.5
LINE = 1.45  # Noto Sans CJK line height in em
GREY = RGBColor(0x66, 0x66, 0x66)
INK = RGBColor(0x22, 0x22, 0x22)
BLUE = RGBColor(0x1F, 0x5F, 0xA8)
NO_DATA = RGBColor(0xD9, 0xD9, 0xD9)
_SEQ = [(0.0, (0xDB, 0xE9, 0xF6)), (0.5, (0x6B, 0xAE, 0xD6)), (1.0, (0x08, 0x30, 0x6B))]
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_FONT_AFTER = {f"{{{_A}}}{t}" for t in ("sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")}


def inch(x: float) -> Emu:
    return Emu(round(x * 914400))


# ---------------------------------------------------------------- text measuring
def text_em(text: str) -> float:
    """Width in em: CJK and full-width characters 1, Latin letters and digits about 0.6."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in text)


def line_count(text: str, size: float, width: float) -> int:
    """Lines text takes at size pt in a box width inches wide (wrapping anywhere, as CJK does)."""
    room = width * 72 / size
    total = 0
    for para in str(text).split("\n"):
        n, used = 1, 0.0
        for ch in para:
            w = text_em(ch)
            if used + w > room:
                n, used = n + 1, w
            else:
                used += w
        total += n
    return total


def text_height(lines: int, size: float) -> float:
    return lines * size * LINE / 72 + 0.1  # inches, with the box's top and bottom insets


def _text(
    shape, paras: Sequence[tuple[str, float, bool, RGBColor]], align=PP_ALIGN.LEFT, anchor=None
) -> None:
    tf = shape.text_frame
    tf.clear()
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = inch(0.05)
    tf.margin_top = tf.margin_bottom = inch(0.05)
    if anchor is not None:
        tf.vertical_anchor = anchor
    for i, (text, size, bold, color) in enumerate(paras):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        r = p.add_run()
        r.text = text
        r.font.size = Pt(size)
        r.font.bold = bold
        r.font.color.rgb = color


def _box(slide, x, y, w, h, paras, align=PP_ALIGN.LEFT, anchor=None):
    shape = slide.shapes.add_textbox(inch(x), inch(y), inch(w), inch(h))
    _text(shape, paras, align, anchor)
    return shape


def _fit(text: str, width: float, sizes: Sequence[float], max_lines: int) -> tuple[float, int]:
    """The largest size at which text takes at most max_lines lines (else the smallest size)."""
    for size in sizes:
        n = line_count(text, size, width - 0.1)
        if n <= max_lines:
            return size, n
    return sizes[-1], line_count(text, sizes[-1], width - 0.1)


# ---------------------------------------------------------------- fonts
def set_cjk_fonts(root) -> None:
    """Latin, East Asian and complex-script typefaces on every run and default run property:
    Office otherwise falls back to a Japanese or Latin face for Chinese text."""
    for rpr in root.iter(f"{{{_A}}}rPr", f"{{{_A}}}defRPr", f"{{{_A}}}endParaRPr"):
        for tag in ("latin", "ea", "cs"):
            for old in rpr.findall(f"{{{_A}}}{tag}"):
                rpr.remove(old)
        anchor = next((c for c in rpr if c.tag in _FONT_AFTER), None)
        rpr.set("lang", "zh-CN")
        for tag in ("latin", "ea", "cs"):
            # charset -122 (GB2312) tells Office to substitute a Simplified Chinese face.
            attrs = {"typeface": CJK_FAMILY, **({"charset": "-122"} if tag == "ea" else {})}
            el = rpr.makeelement(f"{{{_A}}}{tag}", attrs)
            if anchor is None:
                rpr.append(el)
            else:
                anchor.addprevious(el)


def _theme_fallback(prs) -> None:
    """The theme's Simplified Chinese face becomes 微软雅黑 (the default template says 宋体)."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    blob = theme.blob.decode("utf-8").replace(
        '<a:font script="Hans" typeface="宋体"/>', f'<a:font script="Hans" typeface="{FALLBACK_FAMILY}"/>'
    )
    theme._blob = blob.encode("utf-8")


# ---------------------------------------------------------------- charts
def _num_format(values) -> str:
    """Whole numbers as 1,234; rates with one decimal above 10 and two below (as the PNGs)."""
    if all(float(v).is_integer() for v in values):
        return "#,##0"
    return "#,##0.0" if max((abs(float(v)) for v in values), default=0) >= 10 else "0.00"


def _chart(slide, box, kind, categories, series, *, ranking=False, vmax=None, labels=True):
    """A native chart with no title (python-pptx's single-series charts get an automatic
    “数值” title otherwise), value labels, Chinese fonts, all category labels shown."""
    x, y, w, h = box
    values = [v for _, vals in series for v in vals]
    fmt = _num_format(values)
    cd = CategoryChartData(number_format=fmt)
    cd.categories = categories
    for name, vals in series:
        cd.add_series(name, vals)
    chart = slide.shapes.add_chart(kind, inch(x), inch(y), inch(w), inch(h), cd).chart
    safe_chart(chart)  # the embedded workbook holds typed terms: no live formulas
    chart.has_title = False
    chart.font.size = Pt(12)
    multi = len(series) > 1
    chart.has_legend = multi
    if multi:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(13)
    cat = chart.category_axis
    if ranking:
        cat.reverse_order = True  # largest on top, as on screen
    cat.tick_labels.font.size = Pt(11 if len(categories) > 14 else 13)
    skip = cat._element.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/chart}tickLblSkip")
    skip.set("val", "1")  # never drop every other province name
    cat._element.find("{http://schemas.openxmlformats.org/drawingml/2006/chart}noMultiLvlLbl").addprevious(
        skip
    )
    val = chart.value_axis
    val.has_major_gridlines = True
    val.tick_labels.font.size = Pt(11)
    val.tick_labels.number_format = "#,##0" if max(values, default=0) >= 10 else "0.0"
    val.tick_labels.number_format_is_linked = False
    if vmax is not None:
        val.maximum_scale = vmax
        val.minimum_scale = 0
    plot = chart.plots[0]
    if kind != XL_CHART_TYPE.LINE_MARKERS:
        plot.gap_width = 60
    if labels:
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format = fmt
        dl.number_format_is_linked = False
        dl.font.size = Pt(11)
        dl.position = (
            XL_LABEL_POSITION.OUTSIDE_END if kind != XL_CHART_TYPE.LINE_MARKERS else XL_LABEL_POSITION.ABOVE
        )
    return chart


def _ranking(slide, part: sl.Part, box) -> None:
    d = part.data
    if part.pin.kind == "emerging" and {"recent", "before"} <= set(d.columns):
        d = d.assign(
            label=[f"{a}（{int(r)}/{int(b)}）" for a, r, b in zip(d["label"], d["recent"], d["before"])]
        )
    halves = sl.ranking_columns(d)
    vmax = sl.nice_max(float(d["value"].max())) if len(halves) > 1 else None
    x, y, w, h = box
    gap = 0.3
    cw = (w - gap * (len(halves) - 1)) / len(halves)
    for k, half in enumerate(halves):
        _chart(
            slide,
            (x + k * (cw + gap), y, cw, h),
            XL_CHART_TYPE.BAR_CLUSTERED,
            [str(v) for v in half["label"]],
            [("", [float(v) for v in half["value"]])],
            ranking=True,
            vmax=vmax,
        )


def _series_chart(slide, part: sl.Part, box) -> None:
    d = part.data
    cat, kind = ("group", XL_CHART_TYPE.COLUMN_CLUSTERED) if part.pin.kind == "grouped_bar" else ("x", None)
    if kind is None:
        kind = XL_CHART_TYPE.LINE_MARKERS
    cats = list(dict.fromkeys(str(v) for v in d[cat]))
    if part.pin.kind == "line":
        cats = sorted(cats)
    series = []
    for name in dict.fromkeys(str(s) for s in d["series"]):
        sub = d[d["series"].astype(str) == name]
        by = dict(zip(sub[cat].astype(str), sub["value"].astype(float)))
        series.append((name, [by.get(c, 0.0) for c in cats]))
    _chart(slide, box, kind, cats, series, labels=len(cats) * len(series) <= 24)


# ---------------------------------------------------------------- tables
def _shade(t: float) -> RGBColor:
    t = min(1.0, max(0.0, t))
    for (a, ca), (b, cb) in itertools.pairwise(_SEQ):
        if t <= b:
            f = (t - a) / (b - a)
            return RGBColor(*(round(p + (q - p) * f) for p, q in zip(ca, cb)))
    return RGBColor(*_SEQ[-1][1])


def _table(slide, box, header: list[str], rows: list[list[str]], shades=None, first_w: float | None = None):
    """A native table sized to fit box: font shrinks until header and rows fit; fills set per cell."""
    x, y, w, h = box
    ncols = len(header)
    first_w = first_w if first_w is not None else w / ncols
    other_w = (w - first_w) / max(1, ncols - 1) if ncols > 1 else w
    widths = [first_w] + [other_w] * (ncols - 1)
    for size in (14, 13, 12, 11, 10, 9):
        head_lines = max(line_count(t, size, cw - 0.12) for t, cw in zip(header, widths))
        body_lines = [max(line_count(t, size, cw - 0.12) for t, cw in zip(r, widths)) for r in rows]
        need = sum(text_height(n, size) - 0.04 for n in [head_lines, *body_lines])
        if need <= h:
            break
    row_h = [text_height(n, size) - 0.04 for n in [head_lines, *body_lines]]
    spare = min(0.15, (h - sum(row_h)) / len(row_h)) if h > sum(row_h) else 0.0
    row_h = [r + spare for r in row_h]
    shape = slide.shapes.add_table(len(rows) + 1, ncols, inch(x), inch(y), inch(w), inch(sum(row_h)))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for j, cw in enumerate(widths):
        table.columns[j].width = inch(cw)
    for i, rh in enumerate(row_h):
        table.rows[i].height = inch(rh)
    for i, values in enumerate([header, *rows]):
        for j, text in enumerate(values):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = inch(0.06)
            cell.margin_top = cell.margin_bottom = inch(0.03)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            shade = shades[i - 1][j] if shades is not None and i > 0 else None
            dark = shade is not None and shade > 0.55
            cell.text = text
            p = cell.text_frame.paragraphs[0]
            p.alignment = PP_ALIGN.CENTER if (j > 0 and shades is not None) or i == 0 else PP_ALIGN.LEFT
            for r in p.runs:
                r.font.size = Pt(size)
                r.font.bold = i == 0 or (j == 0 and shades is not None)
                r.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if dark or i == 0 else INK
            cell.fill.solid()
            if i == 0:
                cell.fill.fore_color.rgb = BLUE
            elif shade is not None:
                cell.fill.fore_color.rgb = _shade(shade)
            else:
                cell.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if i % 2 else RGBColor(0xF2, 0xF5, 0xF9)
    return table


def _heatmap(slide, part: sl.Part, box) -> None:
    m = sl.heatmap_matrix(part.data)
    # Shade against the whole pin's top value, so split slides share one colour scale.
    top = float(pd.to_numeric(part.pin.data["value"], errors="coerce").max() or 0) or 1.0
    whole = all(float(v).is_integer() for v in m.to_numpy().ravel())
    rows = [[str(r)] + [f"{int(v):,}" if whole else f"{v:.2f}" for v in vals] for r, vals in m.iterrows()]
    shades = [[0.0] + [float(v) / top for v in vals] for _, vals in m.iterrows()]
    first_w = min(2.0, max(1.0, max(text_em(str(r)) for r in m.index) * 13 / 72 + 0.3))
    _table(slide, box, ["", *[str(c) for c in m.columns]], rows, shades, first_w=first_w)


def _words(slide, part: sl.Part, box) -> None:
    d = part.data
    sides = list(dict.fromkeys(str(s) for s in d["side"]))
    cols = [d[d["side"].astype(str) == s] for s in sides]
    n = max(len(c) for c in cols)
    rows = [
        [f"{c['word'].iloc[i]}　{float(c['value'].iloc[i]):.1f}" if i < len(c) else "" for c in cols]
        for i in range(n)
    ]
    _table(slide, box, [f"{s} 特色词（z 值）" for s in sides], rows)


def _wordcloud(slide, part: sl.Part, box) -> None:
    from .charts import wordcloud_image

    x, y, w, h = box
    freqs = dict(zip(part.data["label"].astype(str), part.data["value"].astype(float)))
    img = wordcloud_image(freqs, width=int(w * 150), height=int(h * 150), max_words=80)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    slide.shapes.add_picture(buf, inch(x), inch(y), inch(w), inch(h))


def _map(slide, part: sl.Part, box) -> None:
    """The tile map itself: one native square per provincial unit, coloured, named and valued."""
    from .charts import province_aliases, tile_grid

    aliases = province_aliases()
    vals: dict[str, float] = {}
    for name, v in zip(part.data["province"].astype(str), part.data["value"].astype(float)):
        short = aliases.get(name.replace("⚠", "").strip())
        if short:
            vals[short] = vals.get(short, 0.0) + v
    grid = tile_grid()
    n_rows, n_cols = int(grid["row"].max()) + 1, int(grid["col"].max()) + 1
    x, y, w, h = box
    legend_w = 2.0
    s = min(h / n_rows, (w - legend_w - 0.3) / n_cols)
    gx = x + (w - legend_w - 0.3 - s * n_cols) / 2
    top = max(vals.values(), default=0.0) or 1.0
    whole = all(v.is_integer() for v in vals.values())
    fmt = (lambda v: f"{int(v):,}") if whole else (lambda v: f"{v:,.1f}")
    for short, r, c in grid.itertuples(index=False):
        tile = slide.shapes.add_shape(1, inch(gx + c * s), inch(y + r * s), inch(s - 0.05), inch(s - 0.05))
        tile.line.fill.background()
        tile.fill.solid()
        v = vals.get(short)
        tile.fill.fore_color.rgb = NO_DATA if v is None else _shade(v / top)
        colour = RGBColor(0xFF, 0xFF, 0xFF) if v is not None and v / top > 0.55 else INK
        paras = [(short, 11, True, colour)] + ([(fmt(v), 10, False, colour)] if v is not None else [])
        _text(tile, paras, PP_ALIGN.CENTER, MSO_ANCHOR.MIDDLE)
        tile.text_frame.margin_left = tile.text_frame.margin_right = inch(0.01)
    lx = x + w - legend_w
    _box(slide, lx, y, legend_w, 0.4, [("图例", 13, True, INK)])
    steps = [(k / 4, fmt(top * k / 4)) for k in range(4, -1, -1)]
    for i, (t, label) in enumerate([*steps, (None, "无数据（灰色）")]):
        sy = y + 0.5 + i * 0.45
        sw = slide.shapes.add_shape(1, inch(lx), inch(sy), inch(0.35), inch(0.35))
        sw.line.fill.background()
        sw.fill.solid()
        sw.fill.fore_color.rgb = NO_DATA if t is None else _shade(t)
        _box(slide, lx + 0.45, sy - 0.02, legend_w - 0.45, 0.4, [(label, 12, False, INK)])


_DRAW = {
    "bar": _ranking,
    "emerging": _ranking,
    "grouped_bar": _series_chart,
    "line": _series_chart,
    "heatmap": _heatmap,
    "map": _map,
    "wordcloud": _wordcloud,
    "words": _words,
}


# ---------------------------------------------------------------- slides
def _part_slide(prs, part: sl.Part, made_on: dt.date) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank: every box is ours
    width = SLIDE_W - 2 * MARGIN
    size, n = _fit(part.title, width, (28, 24, 20), 1)
    title_h = text_height(n, size)
    _box(slide, MARGIN, 0.3, width, title_h, [(part.title, size, True, INK)])
    foot = [*part.notes, sl.footer_line(part.pin, made_on)]
    foot_lines = sum(line_count(t, 11, width - 0.1) for t in foot)
    foot_h = text_height(foot_lines, 11)
    foot_y = SLIDE_H - 0.25 - foot_h
    _box(slide, MARGIN, foot_y, width, foot_h, [(t, 11, False, GREY) for t in foot])
    top = 0.3 + title_h + 0.12
    box = (MARGIN, top, width, foot_y - 0.12 - top)
    if part.data.empty:
        _box(slide, MARGIN, top, width, 0.8, [("（没有数据）", 24, False, GREY)])
    else:
        _DRAW[part.pin.kind](slide, part, box)


def _quote_slide(prs, q: dict) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    body, attrib = sl.quote_body(q), sl.quote_attribution(q)
    width = SLIDE_W - 2.0
    size, n = _fit(body, width, (32, 28, 24, 20, 18), 8)
    body_h = text_height(n, size)
    a_size, a_n = _fit(attrib, width, (18, 16, 14), 2)
    a_h = text_height(a_n, a_size)
    y = max(0.4, (SLIDE_H - body_h - 0.3 - a_h) / 2)
    _box(slide, 1.0, y, width, body_h, [(body, size, False, INK)])
    _box(slide, 1.0, y + body_h + 0.3, width, a_h, [(attrib, a_size, False, GREY)], PP_ALIGN.RIGHT)


def pptx_bytes(
    pins: list[sl.Pin], made_on: dt.date | None = None, quotes: list[dict] | None = None, name: str = ""
) -> bytes:
    """A 16:9 deck: title slide, the slides of every pin (analysis.slides.parts), quote slides."""
    return deck_bytes([*pins, *(quotes or [])], made_on=made_on, name=name)


def deck_bytes(content: list[sl.Item], *, made_on: dt.date | None = None, name: str = "") -> bytes:
    """A 16:9 deck of charts and quotes in the given order, after a title slide."""
    made_on = made_on or dt.date.today()
    prs = Presentation()
    prs.slide_width, prs.slide_height = inch(SLIDE_W), inch(SLIDE_H)
    _theme_fallback(prs)
    n_pins = sum(isinstance(c, sl.Pin) for c in content)
    n_quotes = len(content) - n_pins
    first = prs.slides.add_slide(prs.slide_layouts[6])
    title = name or "政策主题看板 · 导出"
    size, n = _fit(title, SLIDE_W - 1.6, (40, 32, 28), 2)
    _box(first, 0.8, 2.4, SLIDE_W - 1.6, text_height(n, size), [(title, size, True, INK)], PP_ALIGN.CENTER)
    sub = f"{sl.zh_date(made_on)}　共 {n_pins} 张图表" + (f"、{n_quotes} 段引语" if n_quotes else "")
    _box(
        first, 0.8, 2.6 + text_height(n, size), SLIDE_W - 1.6, 0.7, [(sub, 22, False, GREY)], PP_ALIGN.CENTER
    )
    for slide_item in sl.expand(content):
        if isinstance(slide_item, sl.Part):
            _part_slide(prs, slide_item, made_on)
        else:
            _quote_slide(prs, slide_item)
    for slide in prs.slides:
        set_cjk_fonts(slide.shapes._spTree)
        for shape in slide.shapes:
            if shape.has_chart:
                set_cjk_fonts(shape.chart._chartSpace)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def chart_titles(pptx: bytes) -> list[str]:
    """Every chart title a deck would show (an automatic one reads as its series name, “数值”)."""
    prs = Presentation(io.BytesIO(pptx))
    out = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                ch = shape.chart
                auto_deleted = ch._chartSpace.xpath("./c:chart/c:autoTitleDeleted[@val='1']")
                if ch.has_title:
                    out.append(ch.chart_title.text_frame.text if ch.chart_title.has_text_frame else "")
                elif not auto_deleted and len(ch.plots) and len(ch.series) == 1:
                    out.append(ch.series[0].name)
    return out
