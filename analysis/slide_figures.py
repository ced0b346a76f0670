"""Plotly figures of one slide part (analysis.slides.Part) for the 演示模式 screen.

The meeting screen draws the same parts as the PPT: a heatmap split over two slides is
split here too, a long ranking stands in two halves on one scale, and the notes that the
deck prints in its footer come back as the slide's notes (the map's grey legend among
them, instead of an annotation that collided with the source line).
"""

from __future__ import annotations

import plotly.graph_objects as go

from . import charts
from . import slides as sl

FIG_HEIGHT = 520  # px on the 1280 × 720 stage, leaving room for the notes and the controls
GREY_NOTE = "灰色：所选范围内无数据"


def _width(text: str, size: float) -> float:
    """Pixels at size px, erring wide: CJK square, Latin and digits 0.62 em (measured in Chromium)."""
    return sum(size if ord(ch) > 0x2E80 else 0.62 * size for ch in text)


def wrap(text: str, width_px: float, size: int = 18) -> list[str]:
    """text in lines no wider than width_px, broken after ；，：/ where possible, else anywhere."""
    lines, line = [], ""
    for ch in "；，：/":
        text = text.replace(ch, ch + "\n")
    for piece in text.split("\n"):
        while piece:
            if _width(line + piece, size) <= width_px:
                line, piece = line + piece, ""
            elif line:
                lines.append(line)
                line = ""
            else:  # one piece wider than the line: cut it
                k = len(piece)
                while k > 1 and _width(piece[:k], size) > width_px:
                    k -= 1
                lines.append(piece[:k])
                piece = piece[k:]
    return [*lines, line] if line else lines


def _meeting(fig: go.Figure, height: int = FIG_HEIGHT) -> go.Figure:
    """Meeting sizes; a source line too long for the slide wraps instead of running off it."""
    fig = charts.presentation_style(fig)
    fig.update_layout(height=height)
    title = fig.layout.title.text or ""
    lines = wrap(title, 1150, int(fig.layout.title.font.size or 34))
    if len(lines) > 1:
        fig.update_layout(
            title_text="<br>".join(lines), margin_t=(fig.layout.margin.t or 90) + 42 * (len(lines) - 1)
        )
    for a in fig.layout.annotations:
        if a.name == "source" and a.text:
            lines = wrap(a.text, 1000, int(a.font.size or 18))  # the plot starts ~80 px in
            if len(lines) > 1:
                a.text = "<br>".join(lines)
                a.align = "left"
                fig.update_layout(margin_b=(fig.layout.margin.b or 0) + 24 * (len(lines) - 1))
    return fig


def _second_column(fig: go.Figure, half, top: float) -> None:
    """The rest of a long ranking as a second column of the same figure, on the same scale
    (one title and one source line for both)."""
    rest = charts.bar_ranking(half, "label", "value", "", "", value_label="")
    trace = rest.data[0]
    trace.update(xaxis="x2", yaxis="y2")
    fig.add_trace(trace)
    fig.update_layout(
        xaxis=dict(domain=[0, 0.44], range=[0, top], autorange=False),
        xaxis2=dict(
            domain=[0.56, 1],
            anchor="y2",
            range=[0, top],
            showgrid=True,
            gridcolor="#eeeeee",
            tickfont_size=14,
        ),
        yaxis2=dict(
            anchor="x2",
            categoryorder="array",
            categoryarray=rest.layout.yaxis.categoryarray,
            tickfont_size=14,
        ),
    )


def _dense_ticks(fig: go.Figure) -> None:
    """Month or theme labels that would touch at the meeting size get a smaller font."""
    labels = [str(x) for t in fig.data for x in (t.x if t.x is not None else [])]
    labels = list(dict.fromkeys(labels))
    if labels and sum(_width(x, 20) for x in labels) > 0.8 * 1200:
        fig.update_xaxes(tickfont_size=15)


def figures(part: sl.Part) -> list[go.Figure]:
    """The slide's figure (a long ranking in two columns of one figure); empty for kinds
    drawn otherwise (word clouds are images)."""
    pin, d = part.pin, part.data
    source = f"{pin.source}；{pin.filters}" if pin.filters else pin.source
    if pin.kind in ("bar", "emerging"):
        if pin.kind == "emerging" and {"recent", "before"} <= set(d.columns):
            d = d.assign(
                label=[f"{a}（{int(r)}/{int(b)}）" for a, r, b in zip(d["label"], d["recent"], d["before"])]
            )
        halves = sl.ranking_columns(d)
        fig = charts.bar_ranking(halves[0], "label", "value", part.title, source, value_label="")
        if len(halves) > 1:
            _second_column(fig, halves[1], sl.nice_max(float(d["value"].max())))
        fig = _meeting(fig)
        if max(len(h) for h in halves) > 10:  # every province named: plotly thins crowded labels
            fig.update_yaxes(tickfont_size=16, dtick=1)
            fig.update_traces(textfont_size=15)
        return [fig]
    if pin.kind == "words":
        sides = list(dict.fromkeys(str(s) for s in d["side"]))
        cols = [d[d["side"].astype(str) == s] for s in sides]
        fig = go.Figure(
            go.Table(
                header=dict(
                    values=[f"{s} 特色词（z 值）" for s in sides],
                    font=dict(size=20, color="white"),
                    fill_color=charts.BAR_COLOR,
                    line_color="white",
                    height=40,
                ),
                cells=dict(
                    values=[[f"{w}　{float(z):.1f}" for w, z in zip(c["word"], c["value"])] for c in cols],
                    font=dict(size=20, color="#222222"),
                    fill_color="white",
                    line_color="#dddddd",
                    height=34,
                    align="left",
                ),
            )
        )
        fig = charts._style(fig, part.title, source, bottom=0)  # the charts' font, title and source line
        return [_meeting(fig)]
    if pin.kind == "wordcloud":
        return []
    fig = charts.figure_from_pin(pin.kind, d, part.title, source)
    if pin.kind == "heatmap":
        fig.update_traces(colorbar_title_text="", selector=dict(type="heatmap"))
    if pin.kind == "map":
        fig.layout.annotations = [a for a in fig.layout.annotations if a.text != GREY_NOTE]
    fig = _meeting(fig, height=600 if pin.kind == "map" else FIG_HEIGHT)
    if pin.kind == "map":
        fig.update_traces(textfont_size=14, selector=dict(type="scatter"))
    if pin.kind in ("line", "grouped_bar"):
        _dense_ticks(fig)
    return [fig]


def notes(part: sl.Part) -> list[str]:
    """The footer notes of the slide (the PPT's footer), plus the map's grey legend."""
    out = list(part.notes)
    if part.pin.kind == "map" and not part.data.empty:
        named = {
            charts.province_aliases().get(str(p).replace("⚠", "").strip()) for p in part.data["province"]
        }
        if len(named - {None}) < len(charts.tile_grid()):
            out.append(GREY_NOTE)
    return out
