"""讲话人: the leaders named in section headers, what their speeches dwell on, two side by side."""

import pandas as pd
import streamlit as st

from analysis import charts
from app_pages import _state as S
from app_pages._widgets import chart_block, download_row

st.title("讲话人")
st.caption(
    "小标题中点名的省市领导（按文章日期对照任职表认定）。每人的主题次数只统计其讲话所在的段落；"
    "每万字频次 = 次数 × 10000 ÷ 这些段落的字数。"
)
f = S.filters()
m = S.metric()
unit = S.METRICS[m]
people = S.query("speaker_table", f)
if people.empty:
    S.empty_hint("当前筛选条件下没有识别出讲话人（小标题中需出现省市领导的姓名）")
    st.stop()

table = pd.DataFrame(
    {
        "讲话人": people["speaker"],
        "职务": people["office"],
        "省份": people["province"],
        "段数": people["sections"],
        "文章数": people["articles"],
        "字数": people["chars"],
        "主题词次数": people["count"],
        "每万字频次": people["per_10k"],
        "最常提到的主题": people["top_themes"],
        "最早": people["first_date"].astype(str).str[:10],
        "最晚": people["last_date"].astype(str).str[:10],
        "提示": people["note"],
    }
)
st.caption(f"共 {len(people)} 位讲话人，来自 {people['province'].nunique()} 个省份。")
st.dataframe(
    table,
    key="sp_table",
    hide_index=True,
    height=min(38 + 35 * len(table), 460),
    column_config={
        "每万字频次": st.column_config.NumberColumn(format="%.1f"),
        "最常提到的主题": st.column_config.TextColumn(width="large"),
    },
)
with st.container(horizontal=True, gap="small", key="sp_table_dl"):
    download_row(table, "讲话人一览", "sp_table")

st.subheader("两人对比")
order = (
    people.sort_values(["count", "speaker"], ascending=[False, True])["speaker"].drop_duplicates().tolist()
)
label = dict(zip(people["speaker"], people["province"] + " · " + people["office"] + " " + people["speaker"]))
c1, c2 = st.columns(2)
picks = []
for col, key, default in ((c1, "sp_a", order[0]), (c2, "sp_b", order[1] if len(order) > 1 else order[0])):
    wanted = S.qp_get(key)
    choice = col.selectbox(
        "讲话人" + ("一" if key == "sp_a" else "二"),
        order,
        key=key,
        index=order.index(wanted) if wanted in order else order.index(default),
        format_func=lambda s: label.get(s, s),
    )
    S.qp_set(key, choice)
    picks.append(choice)
if picks[0] == picks[1]:
    st.info("请选择两位不同的讲话人。")
    st.stop()

both = S.query("speaker_themes", f, tuple(picks), 8)
if both.empty:
    st.info("这两位讲话人的段落里没有出现词典中的主题。")
    st.stop()
title = f"{picks[0]}与{picks[1]}讲话中的主要主题（{unit}）"
source = S.source_line(f)
fig = charts.grouped_bars(both, "theme", "speaker", m, title, source, value_label=unit)
data = both.rename(
    columns={"speaker": "讲话人", "theme": "主题", "count": "次数", "chars": "字数", "per_10k": "每万字频次"}
)[["讲话人", "主题", "次数", "字数", "每万字频次"]]
chart_block(
    fig,
    data,
    title,
    "grouped_bar",
    both[["theme", "speaker", m]].set_axis(["group", "series", "value"], axis=1),
    "sp_compare",
    source,
)
cols = st.columns(2)
for col, who in zip(cols, picks):
    mine = both[(both["speaker"] == who) & (both["count"] > 0)]
    col.markdown(f"**{S.md_escape(label.get(who, who))}**")
    col.dataframe(
        mine.rename(columns={"rank": "名次", "theme": "主题", "count": "次数", "per_10k": "每万字频次"})[
            ["名次", "主题", "次数", "每万字频次"]
        ],
        hide_index=True,
        key=f"sp_top_{'a' if who == picks[0] else 'b'}",
    )
