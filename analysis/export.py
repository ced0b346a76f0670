"""Files editors take away: PNG charts, CSV/XLSX tables, a PPTX deck of pinned charts."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .fonts import CJK_FAMILY, cjk_font_path

CHROMIUM = "/usr/bin/chromium"
DEBIAN_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
RENDER_TIMEOUT = 90  # seconds for one image, browser start included


class ExportError(RuntimeError):
    """An export could not be made; the message is for editors (Chinese)."""


# ---------------------------------------------------------------- PNG
_lock = threading.Lock()
_server_started = False


def browser_path() -> str | None:
    """Chromium for kaleido: BROWSER_PATH if it exists, else Debian's, else whatever is on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).is_file():
        return env
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _system_has_cjk_font() -> bool:
    if DEBIAN_CJK.is_file():
        return True
    try:
        out = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10)
        return CJK_FAMILY in out.stdout
    except (OSError, subprocess.SubprocessError):
        return False


def _fontconfig_with_pip_font() -> None:
    """Point Chromium's fontconfig at the folder of the extracted SC font (no system CJK font)."""
    font_dir = cjk_font_path().parent
    conf = font_dir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{font_dir}</dir>\n  <cachedir>{font_dir / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(conf)


def _start() -> None:
    """Start kaleido's sync server once per process: later images take ~0.2 s, not ~3 s."""
    global _server_started
    if _server_started:
        return
    path = browser_path()
    if path is None:
        raise ExportError("无法导出图片：找不到 Chromium 浏览器（请安装 Debian 的 chromium）")
    os.environ.setdefault("BROWSER_PATH", path)
    if not _system_has_cjk_font() and "FONTCONFIG_FILE" not in os.environ:
        _fontconfig_with_pip_font()
    try:
        import kaleido
    except ImportError as e:
        raise ExportError("无法导出图片：缺少 kaleido 组件") from e
    # mathjax=False: no CDN fetch (no internet); the charts use no LaTeX.
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _server_started = True


def _stop() -> None:
    global _server_started
    try:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:
        pass
    _server_started = False


def _render(fig, opts: dict) -> bytes:
    import plotly.io as pio

    result: dict = {}

    def work():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "kopts ignored when using a server"
                result["png"] = pio.to_image(fig, **opts)
        except BaseException as e:
            result["error"] = e

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(RENDER_TIMEOUT)
    if t.is_alive():
        raise TimeoutError("render timed out")
    if "error" in result:
        raise result["error"]
    return result["png"]


def png_bytes(fig, width: int = 1280, height: int | None = 720, scale: float = 2) -> bytes:
    """The figure as a PNG of width×scale by height×scale pixels, Chinese in Noto Sans CJK SC.

    height=None takes the figure's own height (long rankings set one), else 720.
    """
    if height is None:
        height = getattr(getattr(fig, "layout", None), "height", None) or 720
    opts = dict(format="png", width=int(width), height=int(height), scale=scale)
    with _lock:  # the sync server answers one call at a time, in order
        _start()
        try:
            return _render(fig, opts)
        except ExportError:
            raise
        except Exception:
            _stop()  # a crashed or stuck browser: one fresh start, then give up
        try:
            _start()
            return _render(fig, opts)
        except ExportError:
            raise
        except Exception as e:
            _stop()
            raise ExportError(f"导出图片失败：{type(e).__name__} {e}") from e


# ---------------------------------------------------------------- tables
def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows opens Chinese columns correctly."""
    return df.to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str) -> str:
    bad = "[]:*?/\\"
    clean = "".join("_" if ch in bad else ch for ch in (name or "数据")).strip("'")
    return clean[:31] or "数据"


def _display_width(v) -> float:
    s = "" if v is None else str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in s)


def _cell(v):
    """A pandas/numpy value as something openpyxl writes (NaN/NA -> empty cell)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, ensure_ascii=False)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            return str(v)
        return None if isinstance(v, float) and math.isnan(v) else v
    if hasattr(v, "tolist"):  # numpy arrays from list columns
        return json.dumps(v.tolist(), ensure_ascii=False)
    return v


def xlsx_bytes(df: pd.DataFrame, sheet: str = "数据", title: str = "", note: str = "") -> bytes:
    """One sheet: title row, filter note, then the table with a header filter and frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(sheet)
    row = 1
    if title:
        ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=14)
        row += 1
    if note:
        ws.cell(row=row, column=1, value=note).font = Font(italic=True, color="666666")
        row += 1
    if title or note:
        row += 1  # a blank line before the table
    header_row = row
    columns = [str(c) for c in df.columns]
    for j, name in enumerate(columns, start=1):
        c = ws.cell(row=header_row, column=j, value=name)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F2")
        c.alignment = Alignment(horizontal="center")
    for i, values in enumerate(df.itertuples(index=False), start=header_row + 1):
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=_cell(v))
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    last_row = header_row + len(df)
    if columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last_row, header_row)}"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for j, name in enumerate(columns, start=1):
        sample = [name, *df.iloc[:500, j - 1].tolist()]
        width = max(_display_width(v) for v in sample) + 2
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(60, width))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- PPTX
@dataclass
class Pin:
    title: str
    kind: str  # bar, grouped_bar, line, heatmap, map (columns as in charts.figure_from_pin)
    data: pd.DataFrame
    source: str
    filters: str

    @classmethod
    def from_json(cls, title: str, kind: str, data_json: str, source: str, filters: str) -> Pin:
        """A pin from stored JSON (pandas records or split orient)."""
        raw = json.loads(data_json) if data_json else []
        if isinstance(raw, dict) and "columns" in raw and "data" in raw:
            data = pd.DataFrame(raw["data"], columns=raw["columns"])
        else:
            data = pd.DataFrame(raw)
        return cls(title=title, kind=kind, data=data, source=source, filters=filters)


def _zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _numbers(s: pd.Series) -> list[float]:
    return [float(v) for v in pd.to_numeric(s, errors="coerce").fillna(0)]


def _chart_data(pin: Pin):
    """(chart type, CategoryChartData, horizontal ranking?) for a pin, or None for a table."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE

    d = pin.data
    cd = CategoryChartData(number_format="#,##0.##")
    if pin.kind in ("bar", "map"):
        lab, val = ("label", "value") if pin.kind == "bar" else ("province", "value")
        d = d.assign(_v=pd.to_numeric(d[val], errors="coerce")).dropna(subset=["_v"])
        d = d.sort_values("_v", ascending=False, kind="stable")
        cd.categories = [str(x) for x in d[lab]]
        cd.add_series("数值", _numbers(d["_v"]))
        return XL_CHART_TYPE.BAR_CLUSTERED, cd, True
    if pin.kind in ("grouped_bar", "line"):
        cat, ser = ("group", "series") if pin.kind == "grouped_bar" else ("x", "series")
        cats = list(dict.fromkeys(str(x) for x in d[cat]))
        if pin.kind == "line":
            cats = sorted(cats)
        cd.categories = cats
        for name in dict.fromkeys(str(s) for s in d[ser]):
            part = d[d[ser].astype(str) == name]
            by_cat = dict(zip(part[cat].astype(str), _numbers(part["value"])))
            cd.add_series(name, [by_cat.get(c, 0.0) for c in cats])
        kind = XL_CHART_TYPE.COLUMN_CLUSTERED if pin.kind == "grouped_bar" else XL_CHART_TYPE.LINE_MARKERS
        return kind, cd, False
    if pin.kind == "heatmap":
        return None
    raise ExportError(f"未知的图表类型：{pin.kind}")


def _text(frame, text: str, size: int, bold: bool = False, color=None, align=None) -> None:
    from pptx.util import Pt

    frame.clear()
    frame.word_wrap = True
    p = frame.paragraphs[0]
    p.text = text
    if align is not None:
        p.alignment = align
    for r in p.runs:
        r.font.size = Pt(size)
        r.font.bold = bold
        if color is not None:
            r.font.color.rgb = color


def _add_chart(slide, pin: Pin, box) -> None:
    from pptx.enum.chart import XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Pt

    kind, cd, ranking = _chart_data(pin)
    chart = slide.shapes.add_chart(kind, *box, cd).chart
    chart.font.size = Pt(14)
    multi = len(cd) > 1
    chart.has_legend = multi
    if multi:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    if ranking:
        chart.category_axis.reverse_order = True  # largest on top, as on screen
    plot = chart.plots[0]
    if kind != _line_type():
        plot.gap_width = 60
    if not multi or ranking:
        plot.has_data_labels = True
        plot.data_labels.number_format = "#,##0.##"
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(12)
        if kind != _line_type():
            plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.tick_labels.font.size = Pt(12)
    chart.category_axis.tick_labels.font.size = Pt(12 if len(cd.categories) > 12 else 14)


def _line_type():
    from pptx.enum.chart import XL_CHART_TYPE

    return XL_CHART_TYPE.LINE_MARKERS


def _add_table(slide, pin: Pin, box) -> None:
    """A heatmap as a native table, cells shaded from white to blue by value."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    m = pin.data.pivot_table(
        index="row", columns="col", values="value", aggfunc="sum", fill_value=0, sort=False
    )
    m = m.iloc[:30, :12]  # what fits on a slide; the XLSX export has the rest
    rows, cols = m.shape
    x, y, w, h = box
    table = slide.shapes.add_table(rows + 1, cols + 1, x, y, w, min(h, int(h * (rows + 1) / 14) or h)).table
    size = 14 if rows <= 10 and cols <= 6 else 11 if rows <= 20 else 9
    top = float(m.to_numpy().max()) if m.size else 0.0
    whole = all(float(v).is_integer() for v in m.to_numpy().ravel())

    def put(cell, text, bold=False, shade=None):
        cell.text = text
        for p in cell.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(size)
                r.font.bold = bold
                if shade is not None and shade > 0.55:
                    r.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        if shade is not None:
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor(
                int(255 - 224 * shade), int(255 - 160 * shade), int(255 - 87 * shade)
            )

    put(table.cell(0, 0), "", bold=True)
    for j, c in enumerate(m.columns, start=1):
        put(table.cell(0, j), str(c), bold=True)
    for i, (r, vals) in enumerate(m.iterrows(), start=1):
        put(table.cell(i, 0), str(r), bold=True)
        for j, v in enumerate(vals, start=1):
            text = f"{int(v):,}" if whole else f"{v:.2f}"
            put(table.cell(i, j), text, shade=(float(v) / top) if top else 0.0)


def pptx_bytes(pins: list[Pin], made_on: dt.date | None = None, quotes: list[dict] | None = None) -> bytes:
    """A 16:9 deck: title slide, one slide per pin with a native editable chart, quote slides."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches

    made_on = made_on or dt.date.today()
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    W, H = prs.slide_width, prs.slide_height
    grey = RGBColor(0x66, 0x66, 0x66)

    s = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = s.shapes.title, s.placeholders[1]
    # The default template is 4:3; re-centre its placeholders on the wide slide.
    title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.3), W - Inches(1.6), Inches(1.5)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(0.8),
        Inches(4.0),
        W - Inches(1.6),
        Inches(1.0),
    )
    _text(title.text_frame, "政策主题看板 · 导出", 40, bold=True, align=PP_ALIGN.CENTER)
    sub = f"{_zh_date(made_on)}　共 {len(pins)} 张图表" + (f"、{len(quotes)} 段引语" if quotes else "")
    _text(subtitle.text_frame, sub, 22, color=grey, align=PP_ALIGN.CENTER)

    margin = Inches(0.5)
    for pin in pins:
        s = prs.slides.add_slide(prs.slide_layouts[5])  # title only
        title = s.shapes.title
        title.left, title.top, title.width, title.height = margin, Inches(0.3), W - 2 * margin, Inches(0.9)
        _text(title.text_frame, pin.title, 30, bold=True, align=PP_ALIGN.LEFT)
        box = (margin, Inches(1.3), W - 2 * margin, H - Inches(1.3) - Inches(1.0))
        if pin.data is None or pin.data.empty:
            tb = s.shapes.add_textbox(*box)
            _text(tb.text_frame, "（没有数据）", 24, color=grey)
        elif pin.kind == "heatmap":
            _add_table(s, pin, box)
        else:
            _add_chart(s, pin, box)
        footer = s.shapes.add_textbox(margin, H - Inches(0.8), W - 2 * margin, Inches(0.6))
        parts = [
            f"筛选：{pin.filters}" if pin.filters else "筛选：全部",
            f"来源：政策主题看板 · {pin.source}" if pin.source else "来源：政策主题看板",
            f"导出日期：{_zh_date(made_on)}",
        ]
        _text(footer.text_frame, "　｜　".join(parts), 12, color=grey)

    for q in quotes or []:
        s = prs.slides.add_slide(prs.slide_layouts[6])  # blank
        body = s.shapes.add_textbox(Inches(1), Inches(1.2), W - Inches(2), Inches(4))
        _text(body.text_frame, f"“{q.get('text', '')}”", 28)
        where = (
            f"《{q['title']}》" if q.get("title") else str(q.get("source") or "")
        )  # an article beats a file name
        who = [str(q.get("speaker") or ""), str(q.get("province") or ""), where]
        d = q.get("date")
        who.append(_zh_date(d) if isinstance(d, dt.date) else str(d or ""))
        line = "—— " + "，".join(w for w in who if w)
        attrib = s.shapes.add_textbox(Inches(1), Inches(5.5), W - Inches(2), Emu(Inches(0.8)))
        _text(attrib.text_frame, line, 18, color=grey, align=PP_ALIGN.RIGHT)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
