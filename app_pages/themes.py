"""主题: one dictionary theme (or any phrase typed in): where, when, with what, in which words."""

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.models import NATIONAL
from app_pages import _state as S
from app_pages._widgets import chart_block, passages_table, quote_button

st.title("主题")
f = S.filters()
m = S.metric()
unit = S.METRICS[m]
options = S.theme_options()
if not options:
    st.info("主题词典是空的：请先到“主题词典”页添加主题。")
    st.stop()

ids = list(options)
left, right = st.columns([1, 1])
with left:
    wanted = S.qp_get("theme")
    theme_id = st.selectbox(
        "词典主题", ids, index=ids.index(wanted) if wanted in ids else 0, format_func=options.get, key="theme"
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

# name goes into chart titles (plotly reads a little HTML) and captions (markdown): made inert.
name = "“" + (term or options[theme_id]).replace("<", "＜").replace(">", "＞") + "”"
md_name = S.md_escape(name)
summary = S.read("summary", f)
if not summary["articles"]:
    S.empty_hint()
    st.stop()
source = S.source_line(f)
if term:
    st.caption(
        f"正在统计临时词语 {md_name}（逐字匹配，去掉空白、繁体转简体后计数）。清空输入框可回到词典主题。"
    )
else:
    phrases = S.read("themes_df").set_index("id").loc[theme_id, "phrases"]
    st.caption(f"{md_name}的词典写法：" + S.md_escape("、".join(phrases if phrases is not None else [])))

# ------------------------------------------------------------------ provinces
rank = S.query("province_ranking", f, None if term else theme_id, term or None)
total = int(rank["count"].sum())
if not total:
    S.empty_hint(f"当前筛选条件下没有找到{md_name}")
    st.stop()

provs = rank[rank["province"] != NATIONAL]
national = rank[rank["province"] == NATIONAL]
shown = provs[provs["count"] > 0].sort_values([m, "count"], ascending=False)
flag = shown["note"].astype(bool)
bars = pd.DataFrame({"label": shown["province"] + flag.map({True: " ⚠", False: ""}), "value": shown[m]})
title = f"{name}出现{'次数' if m == 'count' else '频次'}：各省份排名"
fig = charts.bar_ranking(bars, "label", "value", title, source, value_label=unit)
table = pd.DataFrame(
    {
        "省份": rank["province"],
        "次数": rank["count"],
        "每万字频次": rank["per_10k"],
        "95%区间": [f"{lo:.1f}–{hi:.1f}" for lo, hi in zip(rank["lo"], rank["hi"])],
        "出现的文章数": rank["docs"],
        "文章数": rank["articles"],
        "字数": rank["chars"],
        "提示": rank["note"],
    }
).sort_values(["每万字频次" if m == "per_10k" else "次数", "次数"], ascending=False)
chart_block(fig, table, title, "bar", bars, "th_rank", source)
notes = [f"共 {total} 次，出现在 {int((provs['count'] > 0).sum())} 个省份。"]
if len(national) and national["count"].iloc[0]:
    notes.append(f"另有 {int(national['count'].iloc[0])} 次出现在“全国”层面的段落（未归入省份，不在图中）。")
if flag.any():
    notes.append("⚠ 表示该省份文本太少（不足 3000 字或只有 1 篇文章），每万字频次不稳定，请看下表的区间。")
st.caption(" ".join(notes))
with st.expander("各省份明细（次数、频次及其依据的文章数和字数）"):
    st.dataframe(
        table,
        key="th_rank_table",
        hide_index=True,
        column_config={
            "每万字频次": st.column_config.NumberColumn(format="%.2f"),
            "95%区间": st.column_config.TextColumn(help="每万字频次的 95% 置信区间（泊松精确区间）"),
            "提示": st.column_config.TextColumn(width="large"),
        },
    )

# ------------------------------------------------------------------ map
title = f"{name}的地域分布（{unit}）"
fig = charts.china_map(provs[["province", m]], "province", m, title, source, value_label=unit)
chart_block(
    fig,
    provs[["province", "count", "per_10k", "chars", "articles"]].rename(
        columns={
            "province": "省份",
            "count": "次数",
            "per_10k": "每万字频次",
            "chars": "字数",
            "articles": "文章数",
        }
    ),
    title,
    "map",
    provs[["province", m]].set_axis(["province", "value"], axis=1),
    "th_map",
    source,
)

# ------------------------------------------------------------------ trend
if term:
    trend = S.query("counts_table", f, "month", None, [term]).rename(columns={"group": "month"})
else:
    trend = S.query("monthly_trend", f, [theme_id])
title = f"{name}逐月{'次数' if m == 'count' else '每万字频次'}"
fig = charts.trend_lines(trend, "month", m, "theme", title, source, value_label=unit)
chart_block(
    fig,
    trend[["month", "count", "per_10k", "chars"]].rename(
        columns={"month": "月份", "count": "次数", "per_10k": "每万字频次", "chars": "当月字数"}
    ),
    title,
    "line",
    trend[["month", "theme", m]].set_axis(["x", "series", "value"], axis=1),
    "th_trend",
    source,
)
st.caption(
    "只列出有文章的月份；"
    + ("月份太少，趋势仅供参考。" if len(trend) < 3 else "相邻两点之间可能隔着没有文章的月份。")
)

# ------------------------------------------------------------------ co-occurring themes
if not term:
    co = S.read("cooccurring", f, theme_id, 15)
    if co.empty:
        st.info(f"{md_name}所在的段落里没有出现其他主题。")
    else:
        co = co.assign(name=co["theme_id"].map(options).fillna(co["theme_id"]))
        title = f"与{name}出现在同一段落的主题（段落数）"
        fig = charts.bar_ranking(co, "name", "paragraphs", title, source, value_label="段落数")
        chart_block(
            fig,
            co.rename(columns={"name": "主题", "paragraphs": "共同出现的段落数", "count": "该主题次数"})[
                ["主题", "共同出现的段落数", "该主题次数"]
            ],
            title,
            "bar",
            co[["name", "paragraphs"]].set_axis(["label", "value"], axis=1),
            "th_co",
            source,
        )

# ------------------------------------------------------------------ passages
st.subheader("原文摘录")
p = S.passages(f, None if term else theme_id, term or None)
if len(p) >= 200:
    st.caption("只列出最新的 200 处。")
passages_table(p, "th_kwic", f"{name}原文摘录".replace("“", "").replace("”", ""))
quote_button(p, "th_quote")
