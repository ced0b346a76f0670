"""主题: one dictionary theme (or any phrase typed in): where, when, with what, in which words."""

import streamlit as st

from app_pages import _state as S
from app_pages._widgets import passages_table, quote_button, show_chart

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

v = S.themes_view(S.filters(), theme_id, term, S.metric())
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
if v.passages_note:
    st.caption(v.passages_note)
passages_table(v.passages, "th_kwic", f"{v.name}原文摘录".replace("“", "").replace("”", ""))
quote_button(v.passages, "th_quote")
