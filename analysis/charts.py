"""Plotly figures and word clouds from query results, styled for Chinese news editors.

Every figure: the Simplified-Chinese font family (Chromium and browsers otherwise pick
Japanese glyph shapes), a Chinese title, white background, and a source line at the
bottom so a chart copied into an article still says where it came from.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache, partial

import pandas as pd
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from .fonts import CJK_FAMILY, cjk_font_path
from .settings import GEO_DIR

SOURCE_PREFIX = "来源：政策主题看板"
BASE_FONT = 16
TICK_FONT = 14
TITLE_FONT = 22
BAR_COLOR = "#1f5fa8"
NO_DATA_COLOR = "#d9d9d9"
THIN_COLOR = "#b0b0b0"  # provinces with too little text: apart, grey, off the scale (issue 13)
THIN = "thin"  # optional boolean column of bar and map data marking them
# Twelve colours that stay readable on white (no pale yellows), for series and words.
PALETTE = [
    "#1f5fa8",
    "#c0392b",
    "#2e8b57",
    "#d35400",
    "#6c3483",
    "#00838f",
    "#8e6c1f",
    "#ad1457",
    "#37474f",
    "#5b8c00",
    "#283593",
    "#a0522d",
]
# Light blue to navy: the lowest value is still visibly a tile, not white space.
SEQUENTIAL = [[0.0, "#dbe9f6"], [0.5, "#6baed6"], [1.0, "#08306b"]]
HEAT_SCALE = "Blues"
LABELLED_BARS_MAX = 24  # beyond this many bars in a grouped chart, values go to the hover only
# A bar's value written just past its end, never clipped or shrunk to fit inside the bar.
OUTSIDE_LABELS = dict(textposition="outside", cliponaxis=False, constraintext="none")

COLUMN_NAMES = {
    "count": "次数",
    "per_10k": "每万字频次",
    "docs": "出现文章数",
    "articles": "文章数",
    "chars": "字数",
    "group": "分组",
    "theme": "主题",
    "province": "省份",
    "month": "月份",
    "value": "数值",
    "word": "词语",
    "label": "",
    "series": "",
    "x": "",
    "z": "显著性",
}


def display_name(column: str) -> str:
    return COLUMN_NAMES.get(column, column)


def _value_title(value: str, value_label: str | None) -> str:
    """The value axis (or colour bar) title: the label given, else the column's name."""
    return value_label if value_label is not None else display_name(value)


def source_line(source: str = "") -> str:
    return f"{SOURCE_PREFIX} · {source}" if source else SOURCE_PREFIX


def fmt_number(v) -> str:
    """1,234 for whole numbers, 2 decimals below 10, 1 decimal above."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    v = float(v)
    if v.is_integer():
        return f"{int(v):,}"
    return f"{v:.2f}" if abs(v) < 10 else f"{v:,.1f}"


def _all_whole(values: Iterable) -> bool:
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return all(v.is_integer() for v in vals)


def _text_width(label: str, size: int = TICK_FONT) -> float:
    """Rough pixel width: CJK characters are square, Latin/digits about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in str(label))


def _category_axis(labels: Iterable[str], plot_width: float = 1000) -> tuple[int, int]:
    """(tick angle, pixels the labels need below the axis) for a bottom category axis."""
    labels = [str(x) for x in labels]
    if not labels:
        return 0, 24
    widest = max(_text_width(x) for x in labels)
    if widest * len(labels) <= plot_width * 0.9:
        return 0, 26
    return -40, int(widest * math.sin(math.radians(40)) + TICK_FONT + 12)


def _style(
    fig: go.Figure, title: str, source: str, bottom: int, legend: bool = False, height: int | None = None
) -> go.Figure:
    """Shared look; bottom = pixels the x axis (ticks and title) needs under the plot."""
    # the ⚠ legend a source may end with gets a line of its own (a long footer is cut off)
    footer = source_line(source).replace("；⚠", "<br>⚠")
    fig.update_layout(
        template="plotly_white",
        font=dict(family=CJK_FAMILY, size=BASE_FONT, color="#222222"),
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=TITLE_FONT, family=CJK_FAMILY)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=20, r=30, t=110 if legend else 70, b=bottom + 44 + 18 * footer.count("<br>")),
        showlegend=legend,
        hoverlabel=dict(font_family=CJK_FAMILY),
        meta=dict(bottom=bottom),
    )
    if legend:
        fig.update_layout(
            legend=dict(
                orientation="h",
                x=0,
                xanchor="left",
                y=1.02,
                yanchor="bottom",
                title_text="",
                font=dict(size=TICK_FONT + 1),
            )
        )
    if height:
        fig.update_layout(height=height)
    # Chinese number style: 12,345 (never 12.3k or 1.2M, which read as English)
    fig.update_layout(separators=".,")
    numbers = dict(exponentformat="none", separatethousands=True)
    fig.update_xaxes(tickfont=dict(size=TICK_FONT), title_font=dict(size=TICK_FONT + 1), **numbers)
    fig.update_yaxes(tickfont=dict(size=TICK_FONT), title_font=dict(size=TICK_FONT + 1), **numbers)
    _note(fig, footer, corner=(0, 0, "left", "top"), yshift=-(bottom + 6), align="left", name="source")
    return fig


def _note(fig: go.Figure, text: str, *, corner: tuple[int, int, str, str], yshift: int, **kw) -> None:
    """A small grey line of text outside the plot: corner = (x, y, xanchor, yanchor) on the paper."""
    x, y, xanchor, yanchor = corner
    fig.add_annotation(
        text=text,
        showarrow=False,
        xref="paper",
        yref="paper",
        x=x,
        y=y,
        xanchor=xanchor,
        yanchor=yanchor,
        yshift=yshift,
        font=dict(size=13, color="#666666", family=CJK_FAMILY),
        **kw,
    )


def _colorbar(title: str, **kw) -> dict:
    """A slim colour bar with whole numbers written out (12,345, never 12.3k)."""
    return dict(title=dict(text=title), thickness=14, exponentformat="none", separatethousands=True, **kw)


# ---------------------------------------------------------------- bars and lines
def bar_ranking(
    df: pd.DataFrame,
    label: str,
    value: str,
    title: str,
    source: str = "",
    horizontal: bool = True,
    value_label: str | None = None,
    color: str = BAR_COLOR,
) -> go.Figure:
    """A ranking, largest first (on top when horizontal), each bar labelled with its value.

    A boolean `thin` column (stats.split_thin) puts those rows apart after the others, in
    grey, and keeps them off the value scale: their bars stop at its end, the label keeps
    the true value (one hit in 34 characters would otherwise flatten every other bar)."""
    thin = df["thin"].fillna(False).astype(bool) if THIN in df.columns else pd.Series(False, index=df.index)
    d = df[[label, value]].copy().assign(_thin=thin)
    d[value] = pd.to_numeric(d[value], errors="coerce").fillna(0)
    d = d.sort_values(["_thin", value], ascending=[True, False], kind="stable")
    labels = [str(x) for x in d[label]]
    vals = d[value].tolist()
    greyed = d["_thin"].tolist()
    top = max((v for v, g in zip(vals, greyed) if not g), default=0.0)
    if any(greyed) and top > 0:
        vals = [min(v, top * 1.1) if g else v for v, g in zip(vals, greyed)]
    axis_title = _value_title(value, value_label)
    bar = go.Bar(
        marker_color=[THIN_COLOR if g else color for g in greyed], text=[fmt_number(v) for v in d[value]]
    )
    bar.update(OUTSIDE_LABELS)
    if horizontal:
        bar.update(y=labels, x=vals, orientation="h", hovertemplate="%{y}：%{text}<extra></extra>")
        fig = go.Figure(bar)
        fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], automargin=True)
        fig.update_xaxes(title_text=axis_title, rangemode="tozero", showgrid=True, gridcolor="#eeeeee")
        bottom = 26 + (30 if axis_title else 0)
        height = max(360, 150 + bottom + 30 * len(labels))
    else:
        bar.update(x=labels, y=vals, hovertemplate="%{x}：%{text}<extra></extra>")
        fig = go.Figure(bar)
        angle, bottom = _category_axis(labels)
        fig.update_xaxes(categoryorder="array", categoryarray=labels, tickangle=angle, automargin=True)
        fig.update_yaxes(title_text=axis_title, rangemode="tozero", gridcolor="#eeeeee")
        height = 480 + max(0, bottom - 26)
    return _style(fig, title, source, bottom, height=height)


def series_chart(
    df: pd.DataFrame,
    title: str,
    source: str = "",
    *,
    category: str,
    series: str,
    value: str,
    value_label: str | None = None,
    lines: bool = False,
) -> go.Figure:
    """Several series over the same categories, one colour each, on one value axis.

    Bars (grouped_bars): side by side per category, categories in first-seen order, a
    missing value drawn as 0, values written on the bars while there are few. Lines
    (trend_lines): one line with markers per series, categories sorted and kept as
    written (2025-03, not 'Mar 2025'), a missing value left as a gap."""
    d = df[[category, series, value]].copy()
    d[value] = pd.to_numeric(d[value], errors="coerce")
    by_series: dict[str, list] = {}
    if lines:
        d[category] = d[category].astype(str)
        categories = sorted(dict.fromkeys(d[category]))
        for name, part in d.groupby(series, sort=False):
            by_series[str(name)] = part.set_index(category).reindex(categories)[value].tolist()
    else:
        d[value] = d[value].fillna(0)
        categories = list(dict.fromkeys(str(g) for g in d[category]))
        for name in dict.fromkeys(str(s) for s in d[series]):
            part = d[d[series].astype(str) == name]
            known = dict(zip(part[category].astype(str), part[value]))
            by_series[name] = [known.get(c, 0) for c in categories]
    labelled = len(categories) * len(by_series) <= LABELLED_BARS_MAX
    fig = go.Figure()
    for i, (name, vals) in enumerate(by_series.items()):
        colour = PALETTE[i % len(PALETTE)]
        if lines:
            trace = go.Scatter(mode="lines+markers", line=dict(width=3, color=colour), marker=dict(size=8))
        else:
            text = [fmt_number(v) if labelled and v else "" for v in vals]
            trace = go.Bar(
                marker_color=colour, text=text, textfont=dict(size=TICK_FONT - 1), **OUTSIDE_LABELS
            )
        hover = f"{name}<br>%{{x}}：%{{y}}<extra></extra>"
        fig.add_trace(trace.update(name=name, x=categories, y=vals, hovertemplate=hover))
    if lines:
        fig.update_xaxes(type="category")
    else:
        fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    y_title = _value_title(value, value_label)
    return _series_axes(fig, categories, y_title, title, source, base_height=480 if lines else 500)


grouped_bars = partial(series_chart, lines=False)
trend_lines = partial(series_chart, lines=True)


def _series_axes(
    fig: go.Figure, categories: list[str], y_title: str, title: str, source: str, *, base_height: int
) -> go.Figure:
    """Several series over the same categories: x in the given order, y from zero, a legend."""
    angle, bottom = _category_axis(categories)
    fig.update_xaxes(categoryorder="array", categoryarray=categories, tickangle=angle)
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor="#eeeeee")
    return _style(fig, title, source, bottom, legend=True, height=base_height + max(0, bottom - 26))


def heatmap(matrix: pd.DataFrame, title: str, source: str = "", value_label: str = "次数") -> go.Figure:
    """Rows (provinces) × columns (themes), each cell showing its number."""
    m = matrix.apply(pd.to_numeric, errors="coerce")
    rows = [str(r) for r in m.index]
    cols = [str(c) for c in m.columns]
    z = m.to_numpy(dtype=float)
    template = "%{z:,.0f}" if _all_whole(z.ravel()) else "%{z:.2f}"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols,
            y=rows,
            colorscale=HEAT_SCALE,
            zmin=0,
            xgap=2,
            ygap=2,
            texttemplate=template,
            textfont=dict(size=TICK_FONT),
            colorbar=_colorbar(value_label),
            hovertemplate=f"%{{y}} · %{{x}}<br>{value_label}：%{{z}}<extra></extra>",
        )
    )
    angle, bottom = _category_axis(cols, plot_width=max(600, 80 * len(cols)))
    fig.update_xaxes(tickangle=angle, showgrid=False, type="category")
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category", automargin=True)
    height = max(360, 130 + bottom + 34 * len(rows))
    return _style(fig, title, source, bottom, height=height)


# ---------------------------------------------------------------- map
@lru_cache(maxsize=1)
def tile_grid() -> pd.DataFrame:
    """short, row, col for the 34 provincial-level units (corpus/geo/tile_grid.csv)."""
    return pd.read_csv(GEO_DIR / "tile_grid.csv", dtype={"short": str, "row": int, "col": int})


@lru_cache(maxsize=1)
def province_aliases() -> dict[str, str]:
    """Any full name or alias in provinces.csv -> the short name used on the tiles."""
    p = pd.read_csv(GEO_DIR / "provinces.csv", dtype=str).fillna("")
    out: dict[str, str] = {}
    for short, full, aliases in zip(p["short"], p["full"], p["aliases"]):
        for name in [short, full, *aliases.split("|")]:
            if name:
                out[name.strip()] = short
    return out


def china_map(
    values: pd.DataFrame,
    province: str,
    value: str,
    title: str,
    source: str = "",
    value_label: str | None = None,
) -> go.Figure:
    """Tile-grid map: every provincial-level unit a square at its rough place, coloured by value.

    All 34 units (31 mainland, 香港, 澳门, 台湾) are always drawn; those without data are
    grey with their name only. Tiles avoid drawing borders, so no boundary can be wrong.
    """
    label = _value_title(value, value_label)
    aliases = province_aliases()
    vals: dict[str, float] = {}
    thin_flags = values[THIN].fillna(False).astype(bool) if THIN in values.columns else [False] * len(values)
    thin: set[str] = set()  # too little text: drawn grey with ⚠, kept off the colour scale
    for name, v, t in zip(
        values[province].astype(str), pd.to_numeric(values[value], errors="coerce"), thin_flags
    ):
        short = aliases.get(name.strip())
        if short and not pd.isna(v):
            vals[short] = vals.get(short, 0.0) + float(v)
            if t:
                thin.add(short)
    grid = tile_grid()
    n_rows, n_cols = int(grid["row"].max()) + 1, int(grid["col"].max()) + 1
    base = [[None] * n_cols for _ in range(n_rows)]
    colour = [[None] * n_cols for _ in range(n_rows)]
    for short, r, c in grid.itertuples(index=False):
        base[r][c] = 1
        if short in vals and short not in thin:
            colour[r][c] = vals[short]
    top = max((v for k, v in vals.items() if k not in thin), default=0) or 1
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=base,
            colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]],
            showscale=False,
            xgap=4,
            ygap=4,
            hoverinfo="skip",
            name="底图",
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=colour,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=top,
            xgap=4,
            ygap=4,
            colorbar=_colorbar(label, len=0.7),
            hoverinfo="skip",
            name="数值",
        )
    )
    texts, colors, hovers = [], [], []
    for short, _r, _c in grid.itertuples(index=False):
        if short in thin:
            texts.append(f"{short} ⚠<br>{fmt_number(vals[short])}")
            colors.append("#555555")
            hovers.append(f"{short}：{fmt_number(vals[short])}（文本太少，不参与配色）")
        elif short in vals:
            texts.append(f"{short}<br>{fmt_number(vals[short])}")
            colors.append("white" if vals[short] / top > 0.55 else "#1a1a1a")
            hovers.append(f"{short}：{fmt_number(vals[short])}")
        else:
            texts.append(short)
            colors.append("#555555")
            hovers.append(f"{short}：无数据")
    fig.add_trace(
        go.Scatter(
            x=grid["col"].tolist(),
            y=grid["row"].tolist(),
            mode="text",
            text=texts,
            textfont=dict(size=13, color=colors, family=CJK_FAMILY),
            customdata=grid["short"].tolist(),
            hovertext=hovers,
            hoverinfo="text",
            name="tiles",
        )
    )
    fig.update_xaxes(visible=False, range=[-0.5, n_cols - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[n_rows - 0.5, -0.5], scaleanchor="x", scaleratio=1)
    missing = [s for s in grid["short"] if s not in vals]
    fig = _style(fig, title, source, bottom=8, height=620)
    if (missing or thin) and vals:
        # above the tiles, right: the source line below may run the whole width
        _note(
            fig,
            "灰色：所选范围内无数据" + ("；⚠ 文本太少，不参与配色" if thin else ""),
            corner=(1, 1, "right", "bottom"),
            yshift=4,
        )
    return fig


# ---------------------------------------------------------------- word clouds
def word_colors(words: Iterable[str]) -> dict[str, str]:
    """A colour per word from its MD5 hash (stable across runs, unlike hash())."""
    return {
        w: PALETTE[int(hashlib.md5(str(w).encode("utf-8")).hexdigest()[:8], 16) % len(PALETTE)] for w in words
    }


def _message_image(text: str, width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(cjk_font_path()), max(14, min(width, height) // 14))
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(
        ((width - (box[2] - box[0])) / 2, (height - (box[3] - box[1])) / 2), text, fill="#888888", font=font
    )
    return img


def wordcloud_image(
    freqs: Mapping[str, float],
    width: int = 800,
    height: int = 500,
    colors: dict[str, str] | None = None,
    max_words: int = 150,
    random_state: int = 7,
) -> Image.Image:
    """A horizontal-only Chinese word cloud; the same word gets the same colour everywhere."""
    from wordcloud import WordCloud

    weights = {str(w): float(v) for w, v in freqs.items() if w and v and float(v) > 0}
    if not weights:
        return _message_image("没有可显示的词语", width, height)
    palette = dict(colors or {})
    missing = [w for w in weights if w not in palette]
    palette.update(word_colors(missing))

    def colour(word, *args, **kwargs):
        return palette.get(word, PALETTE[0])

    wc = WordCloud(
        font_path=str(cjk_font_path()),
        width=width,
        height=height,
        background_color="white",
        prefer_horizontal=1.0,
        random_state=random_state,
        color_func=colour,
        max_words=max_words,
        margin=4,
        relative_scaling=0.5,
        collocations=False,
    )
    wc.generate_from_frequencies(weights)
    return wc.to_image()


# ---------------------------------------------------------------- presentation view
PIN_KINDS = ("bar", "grouped_bar", "line", "heatmap", "map")


def figure_from_pin(kind: str, data: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Redraw a pinned chart from its stored data (columns by convention, see PIN_KINDS)."""
    if kind == "bar":
        return bar_ranking(data, "label", "value", title, source, value_label="")
    if kind == "grouped_bar":
        return grouped_bars(
            data, title, source, category="group", series="series", value="value", value_label=""
        )
    if kind == "line":
        return trend_lines(data, title, source, category="x", series="series", value="value", value_label="")
    if kind == "heatmap":
        m = data.pivot_table(
            index="row", columns="col", values="value", aggfunc="sum", fill_value=0, sort=False
        )
        return heatmap(m, title, source, value_label="数值")
    if kind == "map":
        return china_map(data, "province", "value", title, source, value_label="")
    raise ValueError(f"未知的图表类型：{kind}（可用：{'、'.join(PIN_KINDS)}）")


def presentation_style(fig: go.Figure) -> go.Figure:
    """A copy with meeting-screen sizes: title 34, ticks 20, labels 18."""
    fig = go.Figure(fig)
    scale = 20 / TICK_FONT
    fig.update_layout(
        font_size=20, title_font_size=34, legend_font_size=20, margin_t=(fig.layout.margin.t or 70) + 20
    )
    fig.update_xaxes(tickfont_size=20, title_font_size=20)
    fig.update_yaxes(tickfont_size=20, title_font_size=20)
    for trace in fig.data:
        if trace.type in ("bar", "heatmap") or (trace.type == "scatter" and trace.mode == "text"):
            trace.update(textfont_size=18)
    bottom = int(((fig.layout.meta or {}).get("bottom", 26)) * scale)
    fig.update_layout(margin_b=bottom + 54, meta=dict(bottom=bottom))
    for a in fig.layout.annotations:
        a.font.size = 18
        if a.name == "source":
            a.yshift = -(bottom + 6)
    return fig
