"""总览: how much text there is, which themes lead, where, and the latest articles."""

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.models import Filters
from app_pages import _state as S
from app_pages._widgets import article_url, chart_block

st.title("总览")
f = S.filters()
m = S.metric()
unit = S.METRICS[m]
summary = S.read("summary", f)

if not summary["articles"]:
    S.empty_hint()
    st.stop()

if f != Filters():
    st.caption("当前筛选：" + S.filters_text(f))
c1, c2, c3, c4 = st.columns(4)
c1.metric("文章数", f"{summary['articles']:,}", border=True)
c2.metric(
    "涉及省份", f"{summary['provinces']}", border=True, help="有段落归入该省份的省级行政区数（不含“全国”）"
)
c3.metric("总字数", f"{summary['chars']:,}", border=True, help="去掉空白后的字数，是每万字频次的分母")
c4.metric(
    "日期范围",
    f"{summary['date_min']:%Y-%m-%d}",
    border=True,
    delta=f"至 {summary['date_max']:%Y-%m-%d}",
    delta_color="off",
    delta_arrow="off",
)

source = S.source_line(f)

# ------------------------------------------------------------------ top themes
top = S.query("top_themes", f, 15)
title = f"出现最多的主题（{unit}）"
if top.empty or not top["count"].sum():
    S.empty_hint("当前筛选条件下没有任何主题词出现")
else:
    fig = charts.bar_ranking(top, "name", m, title, source, value_label=unit)
    table = top.rename(
        columns={
            "name": "主题",
            "category": "类别",
            "count": "次数",
            "per_10k": "每万字频次",
            "docs": "文章数",
        }
    )[["主题", "类别", "次数", "每万字频次", "文章数"]]
    chart_block(
        fig, table, title, "bar", top[["name", m]].set_axis(["label", "value"], axis=1), "ov_top", source
    )

# ------------------------------------------------------------------ province × theme
title = f"各省份的主要主题（{unit}）"
matrix = S.query("province_matrix", f, m, 15)
if matrix.empty:
    S.empty_hint()
else:
    matrix = matrix.loc[matrix.sum(axis=1).sort_values(ascending=False, kind="stable").index]  # busiest first
    fig = charts.heatmap(matrix, title, source, value_label=unit)
    long = matrix.rename_axis(index="row", columns="col").stack().rename("value").reset_index()
    chart_block(
        fig, matrix.rename_axis(index="省份").reset_index(), title, "heatmap", long, "ov_heat", source
    )
    st.caption("“全国”指没有落到具体省份的段落（如中央会议、全国性综述）。")

# ------------------------------------------------------------------ latest articles
st.subheader("最新文章")
latest = S.read("list_articles", f, "", 10)
table = pd.DataFrame(
    {
        "日期": pd.to_datetime(latest["date"]).dt.strftime("%Y-%m-%d"),
        "标题": latest["title"],
        "打开": [article_url(a) for a in latest["id"]],
        "来源": latest["source"],
        "省份": latest["provinces"],
    }
)
st.dataframe(
    table,
    key="ov_latest",
    hide_index=True,
    column_config={
        "打开": st.column_config.LinkColumn(display_text="查看全文", width="small"),
        "省份": st.column_config.TextColumn(width="medium"),
    },
)
st.page_link("app_pages/articles.py", label="到“文章”页浏览和搜索全部文章", icon="📰")
