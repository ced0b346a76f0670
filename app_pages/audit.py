"""词典体检: for every dictionary phrase, how often, where and since when it is counted, sample
contexts to catch false hits, and the phrases or themes that never match."""

import pandas as pd
import streamlit as st

from analysis.audit import audit
from analysis.models import Filters
from analysis.themes import CATEGORIES
from app_pages import _state as S
from app_pages._widgets import download_row


@st.cache_data(show_spinner="正在检查词典…", max_entries=32, ttl=3600)
def check(f: Filters):
    eng = S.engine()
    return audit(eng.store, f, eng.matcher)


def dl(df: pd.DataFrame, title: str, key: str) -> None:
    with st.container(horizontal=True, gap="small", key=f"{key}_dl"):
        download_row(df, title, key)


st.title("词典体检")
st.caption(
    "逐个检查词典里的词语：命中多少次、在多少篇文章和省份出现、最早和最晚日期，并列出原文例句，"
    "方便发现误计（例如“消费”计入了“消费者”）和从未出现的词语。"
)
f = S.filters()
if not S.read("summary", f)["articles"]:
    S.empty_hint()
    st.stop()
a = check(f)
P = a.phrases
suspicious = P[(P["notes"] != "") & (P["count"] > 0)]
with st.container(horizontal=True, key="au_metrics"):
    st.metric("主题", len(a.themes))
    st.metric("词语", len(P))
    st.metric("未出现的词语", int((P["count"] == 0).sum()))
    st.metric("没有命中的主题", len(a.unused))
    st.metric("需要核对的词语", len(suspicious))


def phrase_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "主题": df["theme"],
            "类别": df["category"],
            "词语": df["phrase"],
            "提示": df["notes"],
            "次数": df["count"],
            "文章数": df["docs"],
            "省份数": df["provinces"],
            "最早": [str(d) if d else "" for d in df["first_seen"]],
            "最晚": [str(d) if d else "" for d in df["last_seen"]],
            "例句": [" ｜ ".join(c) for c in df["contexts"]],
            "所在的更长词语": df["inside"],
        }
    )


st.subheader("需要核对的词语")
st.caption("两个字的词语、常出现在更长词语里的词语，以及包含在其他主题词语中的词语：看例句判断是否误计。")
if suspicious.empty:
    st.success("没有发现可疑的词语。")
else:
    sus = phrase_table(suspicious.sort_values(["count", "phrase"], ascending=[False, True]))
    st.dataframe(
        sus,
        key="au_suspicious",
        hide_index=True,
        height=min(38 + 35 * len(sus), 420),
        column_config={"例句": st.column_config.TextColumn(width="large")},
    )
    dl(sus, "词典体检_需要核对的词语", "au_suspicious")

st.subheader("各词语明细")
cats = st.multiselect(
    "只看这些类别",
    list(CATEGORIES),
    default=[c for c in S.qp_list("au_cat") if c in CATEGORIES],
    key="au_cat",
    placeholder="全部类别",
)
S.qp_set("au_cat", cats)
shown = P[P["category"].isin(cats)] if cats else P
full = phrase_table(shown)
st.dataframe(
    full,
    key="au_phrases",
    hide_index=True,
    height=420,
    column_config={"例句": st.column_config.TextColumn(width="large")},
)
dl(full, "词典体检_各词语明细", "au_phrases")

st.subheader("各主题")
T = a.themes
themes = pd.DataFrame(
    {
        "主题": T["name"],
        "类别": T["category"],
        "词语数": T["phrases"],
        "次数": T["count"],
        "文章数": T["docs"],
        "省份数": T["provinces"],
        "最早": [str(d) if d else "" for d in T["first_seen"]],
        "最晚": [str(d) if d else "" for d in T["last_seen"]],
        "未出现的词语": T["unused_phrases"],
    }
)
st.dataframe(themes, key="au_themes", hide_index=True, height=420)
dl(themes, "词典体检_各主题", "au_themes")


def table_or_all_clear(title: str, df: pd.DataFrame, all_clear: str, caption: str, key: str) -> None:
    """A finding as a table, or a green line when there is nothing to find."""
    st.subheader(title)
    if df.empty:
        st.success(all_clear)
    else:
        st.caption(caption)
        st.dataframe(df, key=key, hide_index=True)


c1, c2 = st.columns(2)
with c1:
    table_or_all_clear(
        "没有命中的主题",
        a.unused.rename(columns={"name": "主题", "category": "类别", "phrases": "词语数"})[
            ["主题", "类别", "词语数"]
        ],
        "每个主题都至少命中一次。",
        "当前语料里一次也没出现：可以补充同义写法，或确认语料确实没谈到。",
        "au_unused",
    )
with c2:
    table_or_all_clear(
        "跨主题包含",
        a.nested.rename(
            columns={
                "short": "短词",
                "short_theme": "短词主题",
                "long": "长词",
                "long_theme": "长词主题",
                "long_count": "长词次数",
            }
        ),
        "没有一个主题的词语包含在另一个主题的词语里。",
        "短词包含在另一个主题的长词里：长词匹配之处只计长词（最左最长）。",
        "au_nested",
    )
