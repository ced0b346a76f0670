"""主题: one dictionary theme (or any phrase typed in): where, when, with what, in which words."""

import streamlit as st

from app_pages import _state as S
from app_pages._widgets import passages_table, quote_button, show_chart

ALL_P, ALL_O = "全部省份", "全部媒体"
st.title("主题")
options = S.theme_options()
if not options:
    st.info("主题词典是空的：请先到“主题词典”页添加主题。")
    st.stop()

ids = list(options)
left, right = st.columns([1, 1])
with left:
    wanted = S.qp_choice("theme", ids, ids[0])
    theme_id = (
        st.selectbox(
            "词典主题", ids, index=ids.index(wanted), format_func=lambda i: options.get(i, i), key="theme"
        )
        or ids[0]
    )
    S.qp_set("theme", theme_id)
with right:
    term = st.text_input(
        "或输入任意词语（优先于左侧主题）",
        value=S.qp_get("term"),
        key="term",
        max_chars=30,
        placeholder="例如：高质量发展",
        help="临时词语按原文逐字计数，不影响词典",
    )
    term = (term or "").strip()
    S.qp_set("term", term)

# Up to four more themes or typed phrases on the trend chart (?vs=talent,营商环境).
vs_default = [x for x in S.qp_list("vs") if x][:4]
compare = st.multiselect(
    "趋势图上对比（最多 4 个主题或词语，可直接输入词语）",
    [*ids, *[x for x in vs_default if x not in options]],
    default=vs_default,
    format_func=lambda i: options.get(i, i),
    max_selections=4,
    accept_new_options=True,
    placeholder="选择主题或输入词语",
    key="th_vs",
)
compare = [c.strip()[:30] for c in compare if c and c.strip()]
S.qp_set("vs", compare)
# The passage filters sit above the passages but must be read before the view is made.
pp = st.session_state.get("th_pp", S.qp_get("pp")) or ""
po = st.session_state.get("th_po", S.qp_get("po")) or ""
pp, po = ("" if pp == ALL_P else pp), ("" if po == ALL_O else po)
v = S.themes_view(
    S.filters(),
    theme_id=theme_id,
    term=term,
    metric=S.metric(),
    compare=tuple(compare),
    passage_province=pp,
    passage_outlet=po,
)
if v.spelling:
    st.caption(S.md_escape(v.spelling))
if v.rank is None:  # nothing to show: the reason is the view's notice
    for line in v.notices:
        S.empty_hint(S.md_escape(line))
    st.stop()

show_chart(v.rank)
st.caption(S.md_escape(v.summary_line))
with st.expander("各省份明细（次数、频次及其依据的文章数和字数）"):
    st.dataframe(
        v.rank_table,
        key="th_rank_table",
        hide_index=True,
        column_config={
            "每万字频次": st.column_config.NumberColumn(format="%.2f"),
            "95%区间": st.column_config.TextColumn(help="每万字频次的 95% 置信区间（泊松精确区间）"),
            "提示": st.column_config.TextColumn(width="large"),
        },
    )
show_chart(v.map)
show_chart(v.trend)
st.caption(v.trend_note)
for line in v.notices:
    st.info(S.md_escape(line))
show_chart(v.cooccurring)

st.subheader("原文摘录")
with st.container(horizontal=True, gap="small", key="th_pfilter"):
    p_opts = [ALL_P, *v.passage_provinces, *([pp] if pp and pp not in v.passage_provinces else [])]
    pp = st.selectbox("摘录的省份", p_opts, index=p_opts.index(pp) if pp else 0, key="th_pp") or ALL_P
    o_opts = [ALL_O, *v.passage_outlets, *([po] if po and po not in v.passage_outlets else [])]
    po = st.selectbox("摘录的来源媒体", o_opts, index=o_opts.index(po) if po else 0, key="th_po") or ALL_O
S.qp_set("pp", "" if pp == ALL_P else pp)
S.qp_set("po", "" if po == ALL_O else po)
if v.passages_note:
    st.caption(v.passages_note)
passages_table(v.passages, "th_kwic", f"{v.name}原文摘录".replace("“", "").replace("”", ""))
quote_button(v.passages, "th_quote")
