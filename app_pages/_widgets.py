"""Blocks every page repeats: a chart with its download row, tables with downloads, passages.

The download row is the same everywhere so editors learn it once: PNG (made only when
asked, since drawing one takes a browser a second or two), CSV, Excel, and 📌 加入演示,
which keeps the chart's data for the presentation view and the PPT deck.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from analysis.views import Chart
from analysis.workspace import (
    ExportError,
    bar_ranking,
    china_map,
    csv_bytes,
    default_excerpt,
    grouped_bars,
    heatmap,
    png_bytes,
    trend_lines,
    xlsx_bytes,
)
from app_pages import _state as S

_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def file_stem(title: str) -> str:
    """A download file name from a chart title: no path characters, dated."""
    stem = _UNSAFE.sub("_", title).strip("._") or "图表"
    return f"{stem[:60]}_{dt.date.today():%Y%m%d}"


def download_row(data: pd.DataFrame, title: str, key: str, note: str = "") -> None:
    """CSV and Excel buttons for a table (made when clicked, not on every rerun)."""
    stem = file_stem(title)
    snapshot = data.copy()
    note = note or S.source_line()  # computed here: the download callable runs off the script thread
    st.download_button(
        "CSV",
        lambda: csv_bytes(snapshot),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.download_button(
        "Excel",
        lambda: xlsx_bytes(snapshot, title=title, note=note),
        file_name=f"{stem}.xlsx",
        key=f"{key}_xlsx",
        icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )


def pin_button(title: str, kind: str, pin_data: pd.DataFrame, key: str) -> None:
    """📌 加入演示: store the chart's data so the presentation view and the PPT can redraw it."""
    if st.button(
        "📌 加入演示",
        key=f"{key}_pin",
        disabled=not S.can_edit(),
        help="把这张图加入“演示模式”，并可导出为 PPT",
    ):
        ran = S.attempt(
            lambda: S.ws().add_pin(
                title,
                kind,
                pin_data,
                key=S.editor_key(),
                source_line=S.corpus_line(),
                filters=S.filters_text(),
            )
        )
        if ran:
            S.changed()
            st.toast(f"已加入演示：{title}", icon="📌")


def _figure_key(chart: Chart) -> tuple:
    # What the figure is drawn from; CSV of a chart's few dozen rows is far cheaper than
    # Streamlit's hashing of Arrow-backed string columns (most of a new session's first run).
    return (chart.kind, chart.title, chart.source, chart.value_label, chart.data.to_csv())


@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs={Chart: _figure_key})
def figure(chart: Chart):
    """The plotly figure of a view's chart (drawn here, from the chart's data).

    Shared by every session (issue 16): building a figure was most of a warm rerun, and
    the same chart looks the same for everyone. st.plotly_chart and the PNG export only
    read it (plotly_chart copies it with to_dict), so one object can serve all."""
    d, t, src, unit = chart.data, chart.title, chart.source, chart.value_label
    if chart.kind in ("bar", "emerging"):  # emerging: a ranking of z with counts kept for the deck
        return bar_ranking(d, "label", "value", t, src, value_label=unit)
    if chart.kind == "grouped_bar":
        return grouped_bars(d, t, src, category="group", series="series", value="value", value_label=unit)
    if chart.kind == "line":
        return trend_lines(d, t, src, category="x", series="series", value="value", value_label=unit)
    if chart.kind == "heatmap":
        m = d.pivot_table(index="row", columns="col", values="value", aggfunc="sum", fill_value=0, sort=False)
        m = m.rename_axis(index=None, columns=None)
        return heatmap(m, t, src, value_label=unit)
    if chart.kind == "map":
        return china_map(d, "province", "value", t, src, value_label=unit)
    raise ValueError(chart.kind)


# plotly.js ships its English strings only, so locale alone cannot make the toolbar
# Chinese: the toolbar is hidden (PNG, CSV, Excel and 📌 sit under every chart in Chinese),
# numbers come as 1,234 without k/M (charts._style), and the locale is set for dates.
PLOTLY_CONFIG = {"locale": "zh-CN", "displaylogo": False, "displayModeBar": False}


def plotly_chart(fig, *, key: str, **kwargs) -> None:
    """Every plotly chart on every page, with PLOTLY_CONFIG."""
    st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, **kwargs)


def show_chart(chart: Chart | None) -> None:
    """A view's chart with its download row and 📌 加入演示 (nothing when the view has none)."""
    if chart is not None:
        chart_block(figure(chart), chart.table, chart.title, chart.kind, chart.data, chart.key, chart.source)


def chart_block(
    fig, data: pd.DataFrame, title: str, kind: str, pin_data: pd.DataFrame, key: str, source: str = ""
) -> None:
    """A plotly chart and under it: PNG, CSV, Excel downloads and 📌 加入演示.

    data is the table behind the chart as an editor would want it in Excel (Chinese
    column names); pin_data is the same numbers in the shape analysis.charts.figure_from_pin
    takes for kind (bar: label,value; grouped_bar: group,series,value; line: x,series,value;
    heatmap: row,col,value; map: province,value).
    """
    plotly_chart(fig, key=f"{key}_chart")
    with st.container(horizontal=True, gap="small", key=f"{key}_row"):
        if st.button(
            "生成 PNG",
            key=f"{key}_png",
            icon=":material/image:",
            help="生成图片需要一两秒；生成后出现下载按钮",
        ):
            try:
                png = png_bytes(fig, height=int(fig.layout.height or 720))  # tall heatmaps stay readable
            except ExportError as exc:
                st.caption(f"未能生成 PNG：{exc}")
            else:
                st.download_button(
                    "下载 PNG",
                    png,
                    file_name=f"{file_stem(title)}.png",
                    mime="image/png",
                    key=f"{key}_png_dl",
                    type="primary",
                    icon=":material/download:",
                    on_click="ignore",
                )
        download_row(data, title, key, source)
        pin_button(title, kind, pin_data, key)


def article_url(article_id: str, par_idx: int | None = None) -> str:
    """Relative link to the 文章 page showing one article (works under any base path);
    with par_idx, that paragraph is marked and scrolled to (#p<idx>)."""
    if par_idx is None or par_idx < 0:
        return f"articles?article={article_id}"
    return f"articles?article={article_id}&p={int(par_idx)}#p{int(par_idx)}"


def passages_table(p: pd.DataFrame, key: str, title: str = "原文摘录") -> None:
    """Key-word-in-context rows: 日期, 省份, 标题, 前文, 关键词, 后文 and a link to the article."""
    if p.empty:
        st.info("当前筛选条件下没有找到包含这个词语的段落。")
        return
    table = pd.DataFrame(
        {
            "日期": pd.to_datetime(p["date"]).dt.strftime("%Y-%m-%d"),
            "省份": p["province"],
            "标题": p["title"],
            "前文": p["before"],
            "关键词": p["match"],
            "后文": p["after"],
            "原文": [article_url(a, int(i)) for a, i in zip(p["article_id"], p["par_idx"])],
        }
    )
    st.dataframe(
        table,
        key=f"{key}_table",
        hide_index=True,
        height=min(38 + 35 * len(table), 420),
        column_config={
            "前文": st.column_config.TextColumn(alignment="right", width="medium"),
            "关键词": st.column_config.TextColumn(width="small"),
            "后文": st.column_config.TextColumn(width="medium"),
            "标题": st.column_config.TextColumn(width="medium"),
            "原文": st.column_config.LinkColumn(display_text="打开全文", width="small"),
        },
    )
    with st.container(horizontal=True, gap="small", key=f"{key}_dl"):
        download_row(table.drop(columns="原文").assign(文章编号=p["article_id"].to_numpy()), title, key)


# ------------------------------------------------------------------ citable quotes (❝ 引用)
def _quote_labels(rows: pd.DataFrame) -> list[str]:
    """The picker's line per passage: date, province and the match in its context (or the
    text's start). Built a column at a time: row by row (.iloc) it was 16 ms of every 主题 run."""

    def col(name: str) -> list[str]:
        return [str(x) for x in rows[name]] if name in rows else [""] * len(rows)

    if "match" in rows:
        ctx = [f"{b}【{m}】{a}" for b, m, a in zip(col("before"), col("match"), col("after"))]
    else:
        ctx = [t[:40] for t in col("text")]
    return [f"{d[:10]} {p} {c}" for d, p, c in zip(col("date"), col("province"), ctx)]


def quote_button(row, key: str) -> None:
    """❝ 引用: the whole sentence around a passage with speaker, title and date, ready to copy,
    and a button that keeps it for the 演示模式 page and the PPT.

    row is one passage (a Series or a namedtuple with article_id, par_idx and optionally
    match) or a table of them (the 主题 page's passages), from which the editor picks one."""
    rows = (
        row
        if isinstance(row, pd.DataFrame)
        else pd.DataFrame([row._asdict() if hasattr(row, "_asdict") else row])
    )
    if rows.empty:
        return
    rows = rows.head(200).reset_index(drop=True)
    with st.popover("❝ 引用", key=f"{key}_pop", help="把原文整句做成可直接放进幻灯片的引语"):
        k = 0
        if len(rows) > 1:
            k = st.selectbox(  # default_excerpt: a sentence first, never the headline
                "选择一处摘录",
                range(len(rows)),
                index=default_excerpt(rows),
                format_func=_quote_labels(rows).__getitem__,
                key=f"{key}_pick",
            )
        r = rows.iloc[k]
        q = S.quote(str(r["article_id"]), int(r["par_idx"]), r.get("match") if "match" in rows else None)
        if q is None:
            st.caption("找不到这段原文，可能已被删除。")
            return
        st.code(q["formatted"], language=None, wrap_lines=True)
        st.caption("右上角可复制；加入后会出现在“演示模式”页，并随 PPT 导出。")
        add = st.button(
            "加入引语", key=f"{key}_add", icon=":material/format_quote:", disabled=not S.can_edit()
        )
        if add and S.attempt(lambda: S.ws().add_quote(q, key=S.editor_key())):
            S.changed()
            st.toast("已加入引语", icon=":material/format_quote:")
