"""新词发现: phrases that took off in the latest months (or are typical of one province), with
their counts on both sides, a monthly trend and example sentences; one click adds one to the dictionary."""

import datetime as dt

import streamlit as st

from analysis.views.emerging import BY
from analysis.workspace import CATEGORIES, ThemeError
from app_pages import _state as S
from app_pages._widgets import show_chart

st.title("新词发现")
st.caption(
    "找出最近明显多起来（或某个省份特别常说）的词语：候选词取自原文中 2–8 个字的片段，去掉套话、停用词、"
    "日常词汇和地名人名；按“每万字出现率之比”的显著性（z 值）排序。"
)
f = S.filters_with_articles()
opts = S.emerging_options(f)

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
with c1:
    by = S.url_radio("比较方式", BY, "em_by", "period")
split: dt.date | None = None
province = ""
with c2:
    if by == "period" and opts.default_split and opts.lo and opts.hi:
        chosen = S.qp_date("em_split", opts.lo, opts.hi) or min(max(opts.default_split, opts.lo), opts.hi)
        picked = st.date_input(
            "“最近”从哪天算起",
            value=chosen,
            min_value=opts.lo,
            max_value=opts.hi,
            key="em_split",
            format="YYYY-MM-DD",
            help="默认：有文章的最后 3 个月；按月份划分",
        )
        split = picked if isinstance(picked, dt.date) else chosen
        S.qp_set("em_split", "" if split == opts.default_split else split.isoformat())
    elif by == "province" and opts.provinces:
        wanted = S.qp_choice("em_prov", opts.provinces, opts.provinces[0])
        province = st.selectbox(
            "省份",
            opts.provinces,
            index=opts.provinces.index(wanted),
            key="em_prov",
            help="按文本量从多到少排列",
        )
        S.qp_set("em_prov", province)
with c3:
    top = S.url_number(st.number_input, "显示前几个", "em_top", 30, 5, 100, step=5)
with c4:
    min_count = S.url_number(
        st.number_input, "最少出现次数", "em_min", 3, 2, 50, help="较新（或该省份）一侧至少出现这么多次才列出"
    )

v = S.emerging_view(f, by=by, split=split, province=province, top=top, min_count=min_count, metric=S.metric())
if v.comparison:
    st.caption(S.md_escape(v.comparison))
if v.chart is None:
    for line in v.notices:
        st.info(line)
    st.stop()

t = v.table
st.dataframe(
    t,
    key="em_table",
    hide_index=True,
    height=min(38 + 35 * len(t), 560),
    column_config={
        "z 值": st.column_config.NumberColumn(help="出现率之比的显著性：越大越确定是“新多起来的”"),
        "倍数": st.column_config.NumberColumn(help=f"{v.side_a}每万字出现率 ÷ {v.side_b}（两边各加 0.5 次）"),
        "逐月趋势": st.column_config.LineChartColumn(
            help=f"每万字频次，{v.months[0]} 至 {v.months[-1]}（只含有文章的月份）", width="small"
        ),
        "例句": st.column_config.TextColumn(width="large"),
    },
)
show_chart(v.chart)

st.subheader("加入词典")
left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
phrase = left.selectbox("词语", list(t["词语"]), key="em_pick")
category = mid.selectbox("类别", list(CATEGORIES), key="em_cat")
if right.button("加入词典", key="em_add", icon=":material/add:", disabled=not S.can_edit(), type="primary"):
    try:
        with st.spinner("正在保存词典并重新统计…"):
            S.ws().add_phrase_as_theme(phrase, category, key=S.editor_key())
    except S.AccessDenied as exc:
        st.warning(str(exc))
    except ValueError as exc:  # ThemeError is a ValueError too
        problems = exc.problems if isinstance(exc, ThemeError) else [str(exc)]
        st.warning("未加入：" + S.md_escape("；".join(problems)))
    else:
        S.changed()
        st.success(
            S.md_escape(
                f"已把“{phrase}”作为新主题（{category}）加入词典，并重新统计。可到“主题词典”页改名或并入其他主题。"
            )
        )
st.caption(
    "加入后它就是一个独立主题（编号以 new_ 开头），各页都能统计它；词典页可以改名、调整类别或并入已有主题。"
)
