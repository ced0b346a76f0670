"""新词发现: phrases that took off in the latest months (or are typical of one province), with
their counts on both sides, a monthly trend and example sentences; one click adds one to the dictionary."""

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.emerging import add_phrase, default_split, emerging
from analysis.models import NATIONAL, Filters
from analysis.themes import CATEGORIES, ThemeError
from app_pages import _state as S
from app_pages._widgets import chart_block

BY = {"period": "最近几个月 对 此前", "province": "一个省份 对 其他地方"}


@st.cache_data(show_spinner="正在统计词语…", max_entries=64, ttl=3600)
def find(f: Filters, by: str, split: str | None, province: str | None, top: int, min_count: int):
    return emerging(S.engine().store, f, by=by, split=split, province=province, top=top, min_count=min_count)


st.title("新词发现")
st.caption(
    "找出最近明显多起来（或某个省份特别常说）的词语：候选词取自原文中 2–8 个字的片段，去掉套话、停用词、"
    "日常词汇和地名人名；按“每万字出现率之比”的显著性（z 值）排序。"
)
f = S.filters()
summary = S.read("summary", f)
if not summary["articles"]:
    S.empty_hint()
    st.stop()

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
with c1:
    by = st.radio(
        "比较方式",
        list(BY),
        format_func=BY.get,
        key="em_by",
        horizontal=True,
        index=list(BY).index(S.qp_get("em_by")) if S.qp_get("em_by") in BY else 0,
    )
    S.qp_set("em_by", "" if by == "period" else by)
split = province = None
with c2:
    if by == "period":
        months = [m for m in S.read("chars_by", f, "month")["group"].dropna()]
        cut = default_split(months)
        if cut is None:
            st.info("当前筛选范围内的文章只有一个月份，无法比较前后；请放宽日期范围，或改为按省份比较。")
            st.stop()
        lo, hi = summary["date_min"], summary["date_max"]
        try:
            chosen = dt.date.fromisoformat(S.qp_get("em_split"))
        except ValueError:
            chosen = dt.date.fromisoformat(f"{cut}-01")
        chosen = min(max(chosen, lo), hi)
        picked = st.date_input(
            "“最近”从哪天算起",
            value=chosen,
            min_value=lo,
            max_value=hi,
            key="em_split",
            format="YYYY-MM-DD",
            help="默认：有文章的最后 3 个月；按月份划分",
        )
        split = picked.isoformat() if isinstance(picked, dt.date) else chosen.isoformat()
        S.qp_set("em_split", "" if split == f"{cut}-01" else split)
    else:
        text = S.read("chars_by", f, "province")
        text = text[text["group"] != NATIONAL].sort_values(["chars", "group"], ascending=[False, True])
        options = list(text["group"])
        wanted = S.qp_get("em_prov")
        province = st.selectbox(
            "省份",
            options,
            index=options.index(wanted) if wanted in options else 0,
            key="em_prov",
            help="按文本量从多到少排列",
        )
        S.qp_set("em_prov", province)
with c3:
    top = st.number_input("显示前几个", 5, 100, int(S.qp_get("em_top", "30") or 30), step=5, key="em_top")
    S.qp_set("em_top", "" if top == 30 else str(top))
with c4:
    min_count = st.number_input(
        "最少出现次数",
        2,
        50,
        int(S.qp_get("em_min", "3") or 3),
        key="em_min",
        help="较新（或该省份）一侧至少出现这么多次才列出",
    )
    S.qp_set("em_min", "" if min_count == 3 else str(min_count))

r = find(f, by, split, province, int(top), int(min_count))
if not r.chars_a or not r.chars_b:
    st.info("要比较的两边有一边没有文本：请调整“最近”的起点或换一个省份。")
    st.stop()
st.caption(
    S.md_escape(
        f"比较：{r.label_a}（{r.chars_a:,} 字） 对 {r.label_b}（{r.chars_b:,} 字）。"
        + (f"语料较大，只抽样统计了 {r.chars_read:,} 字（整篇抽取）。" if r.capped else "")
        + ("另一边文本很少，z 值普遍不高，排名主要看次数。" if min(r.chars_a, r.chars_b) < 10_000 else "")
    )
)
t = r.table
if t.empty:
    st.info("没有找到明显多起来的词语：可以降低“最少出现次数”或放宽筛选。")
    st.stop()

side_a = "最近" if by == "period" else province
side_b = "此前" if by == "period" else "其他地方"
table = pd.DataFrame(
    {
        "词语": t["phrase"],
        "z 值": t["z"].round(2),
        f"{side_a}次数": t["count_a"],
        f"{side_b}次数": t["count_b"],
        f"{side_a}每万字": t["per_10k_a"].round(2),
        f"{side_b}每万字": t["per_10k_b"].round(2),
        "倍数": t["ratio"].round(1),
        "逐月趋势": t["trend"],
        "例句": [" ｜ ".join(x) for x in t["examples"]],
    }
)
st.dataframe(
    table,
    key="em_table",
    hide_index=True,
    height=min(38 + 35 * len(table), 560),
    column_config={
        "z 值": st.column_config.NumberColumn(help="出现率之比的显著性：越大越确定是“新多起来的”"),
        "倍数": st.column_config.NumberColumn(help=f"{side_a}每万字出现率 ÷ {side_b}（两边各加 0.5 次）"),
        "逐月趋势": st.column_config.LineChartColumn(
            help=f"每万字频次，{r.months[0]} 至 {r.months[-1]}（只含有文章的月份）", width="small"
        ),
        "例句": st.column_config.TextColumn(width="large"),
    },
)

title = f"新词发现：{r.label_a} 对 {r.label_b}（z 值）"
source = S.source_line(f)
bars = pd.DataFrame({"label": t["phrase"].head(20), "value": t["z"].head(20).round(2)})
fig = charts.bar_ranking(bars, "label", "value", title, source, value_label="z 值")
chart_block(fig, table.drop(columns=["逐月趋势"]), title, "bar", bars, "em_chart", source)

st.subheader("加入词典")
left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
phrase = left.selectbox("词语", list(t["phrase"]), key="em_pick")
category = mid.selectbox("类别", list(CATEGORIES), key="em_cat")
if right.button("加入词典", key="em_add", icon=":material/add:", disabled=S.read_only(), type="primary"):  # noqa: SIM102
    if S.edit_guard("修改词典"):
        eng = S.engine()
        try:
            themes = add_phrase(eng.themes, phrase, category)
            with st.spinner("正在保存词典并重新统计…"):
                eng.save_dictionary(themes)
        except ValueError as exc:  # ThemeError is a ValueError too
            problems = exc.problems if isinstance(exc, ThemeError) else [str(exc)]
            st.warning("未加入：" + S.md_escape("；".join(problems)))
        else:
            S.changed()
            st.success(
                S.md_escape(
                    f"已把“{phrase}”作为新主题（{category}）加入词典，并重新统计。"
                    "可到“主题词典”页改名或并入其他主题。"
                )
            )
st.caption(
    "加入后它就是一个独立主题（编号以 new_ 开头），各页都能统计它；词典页可以改名、调整类别或并入已有主题。"
)
