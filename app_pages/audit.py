"""词典体检: for every dictionary phrase, how often, where and since when it is counted, sample
contexts to catch false hits, and the phrases or themes that never match."""

import pandas as pd
import streamlit as st

from analysis.workspace import CATEGORIES
from app_pages import _state as S
from app_pages._widgets import download_row

EXAMPLES_WIDE = {"例句": st.column_config.TextColumn(width="large")}


def table(df: pd.DataFrame, title: str, key: str, *, height: int = 420, **kw) -> None:
    """One of the page's tables and, under it, its downloads (file name from title)."""
    st.dataframe(df, key=key, hide_index=True, height=height, **kw)
    with st.container(horizontal=True, gap="small", key=f"{key}_dl"):
        download_row(df, title, key)


def table_or_all_clear(title: str, df: pd.DataFrame, all_clear: str, caption: str, key: str) -> None:
    """A finding as a table, or a green line when there is nothing to find."""
    st.subheader(title)
    if df.empty:
        st.success(all_clear)
    else:
        st.caption(caption)
        st.dataframe(df, key=key, hide_index=True)


st.title("词典体检")
st.caption(
    "逐个检查词典里的词语：命中多少次、在多少篇文章和省份出现、最早和最晚日期，并列出原文例句，"
    "方便发现误计（例如“消费”计入了“消费者”）和从未出现的词语。"
)
f = S.filters_with_articles()
cats = tuple(c for c in S.qp_list("au_cat") if c in CATEGORIES)
# the category picker sits further down; its value from the last interaction is known now
v = S.audit_view(f, categories=tuple(st.session_state.get("au_cat", cats)))
with st.container(horizontal=True, key="au_metrics"):
    for label, n in v.metrics.items():
        st.metric(label, n)

st.subheader("需要核对的词语")
st.caption("两个字的词语、常出现在更长词语里的词语，以及包含在其他主题词语中的词语：看例句判断是否误计。")
if v.suspicious.empty:
    st.success("没有发现可疑的词语。")
else:
    table(
        v.suspicious,
        "词典体检_需要核对的词语",
        "au_suspicious",
        height=min(38 + 35 * len(v.suspicious), 420),
        column_config=EXAMPLES_WIDE,
    )

st.subheader("各词语明细")
picked = st.multiselect(
    "只看这些类别", list(CATEGORIES), default=list(cats), key="au_cat", placeholder="全部类别"
)
S.qp_set("au_cat", picked)
table(v.phrases, "词典体检_各词语明细", "au_phrases", column_config=EXAMPLES_WIDE)

st.subheader("各主题")
table(v.themes, "词典体检_各主题", "au_themes")

c1, c2 = st.columns(2)
with c1:
    table_or_all_clear(
        "没有命中的主题",
        v.unused,
        "每个主题都至少命中一次。",
        "当前语料里一次也没出现：可以补充同义写法，或确认语料确实没谈到。",
        "au_unused",
    )
with c2:
    table_or_all_clear(
        "跨主题包含",
        v.nested,
        "没有一个主题的词语包含在另一个主题的词语里。",
        "短词包含在另一个主题的长词里：长词匹配之处只计长词（最左最长）。",
        "au_nested",
    )
