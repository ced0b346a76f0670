"""讲话人: the leaders named in section headers, what their speeches dwell on, two side by side."""

import streamlit as st

from app_pages import _state as S
from app_pages._widgets import download_row, show_chart

st.title("讲话人")
st.caption(
    "小标题中点名的省市领导（按文章日期对照任职表认定）。每人的主题次数只统计其讲话所在的段落；"
    "每万字频次 = 次数 × 10000 ÷ 这些段落的字数。"
)
f = S.filters()
m = S.metric()
first = S.speakers_view(f, a=S.qp_get("sp_a"), b=S.qp_get("sp_b"), metric=m)
if first.table.empty:
    for line in first.notices:
        S.empty_hint(line)
    st.stop()

st.caption(first.count_line)
st.dataframe(
    first.table,
    key="sp_table",
    hide_index=True,
    height=min(38 + 35 * len(first.table), 460),
    column_config={
        "每万字频次": st.column_config.NumberColumn(format="%.1f"),
        "最常提到的主题": st.column_config.TextColumn(width="large"),
    },
)
with st.container(horizontal=True, gap="small", key="sp_table_dl"):
    download_row(first.table, "讲话人一览", "sp_table")

st.subheader("两人对比")
c1, c2 = st.columns(2)
picks = []
for col, key, default in ((c1, "sp_a", first.picks[0]), (c2, "sp_b", first.picks[1])):
    choice = col.selectbox(
        "讲话人" + ("一" if key == "sp_a" else "二"),
        first.order,
        key=key,
        index=first.order.index(default),
        format_func=lambda s: first.labels.get(s, s),
    )
    S.qp_set(key, choice)
    picks.append(choice)
v = S.speakers_view(f, a=picks[0], b=picks[1], metric=m)
if v.chart is None:
    for line in v.notices:
        st.info(line)
    st.stop()
show_chart(v.chart)
for col, who, top, k in zip(st.columns(2), v.picks, v.tops, ("a", "b")):
    col.markdown(f"**{S.md_escape(v.labels.get(who, who))}**")
    col.dataframe(top, hide_index=True, key=f"sp_top_{k}")
