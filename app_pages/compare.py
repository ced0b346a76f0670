"""省份对比: two to four provinces (or two periods) side by side — themes, words, what is unique."""

import datetime as dt
from dataclasses import replace

import pandas as pd
import streamlit as st

from analysis import charts, queries
from analysis.models import NATIONAL
from analysis.segment import boilerplate
from app_pages import _state as S
from app_pages._widgets import chart_block, download_row

MODES = {"provinces": "几个省份", "periods": "两个时期"}
TOP_THEMES = 12
WORDS_PER_CLOUD = 120

st.title("省份对比")
f = S.filters()
m = S.metric()
unit = S.METRICS[m]
if not S.read("summary", f)["articles"]:
    S.empty_hint()
    st.stop()

mode = st.radio(
    "对比什么",
    list(MODES),
    format_func=MODES.get,
    horizontal=True,
    key="mode",
    index=list(MODES).index(S.qp_get("mode")) if S.qp_get("mode") in MODES else 0,
)
S.qp_set("mode", "" if mode == "provinces" else mode)


def _period(key: str, default: tuple[dt.date, dt.date], lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date]:
    """A date range from the URL (key=YYYY-MM-DD~YYYY-MM-DD), edited by a date_input, written back."""
    try:
        a, b = (dt.date.fromisoformat(x) for x in S.qp_get(key).split("~"))
        value = (max(lo, a), min(hi, b))
    except ValueError:
        value = default
    label = "时期一" if key == "p1" else "时期二"
    picked = st.date_input(label, value=value, min_value=lo, max_value=hi, key=key, format="YYYY-MM-DD")
    if isinstance(picked, (list, tuple)) and len(picked) == 2:
        value = (picked[0], picked[1])
    S.qp_set(key, f"{value[0]}~{value[1]}")
    return value


if mode == "provinces":
    text = S.read("chars_by", f, "province")
    text = text[text["group"] != NATIONAL].sort_values(["chars", "group"], ascending=[False, True])
    options = list(text["group"])
    default = [p for p in S.qp_list("provs") if p in options][:4] or options[:2]
    provs = st.multiselect(
        "选择 2–4 个省份",
        options,
        default=default,
        max_selections=4,
        key="provs",
        placeholder="选择省份",
        help="按文本量从多到少排列；默认是文本最多的两个省份",
    )
    S.qp_set("provs", provs)
    if len(provs) < 2:
        st.info("请至少选择两个省份进行对比。")
        st.stop()
    sides = [(p, replace(f, provinces=(p,))) for p in provs]
    rest = {p: replace(f, provinces=tuple(q for q in provs if q != p)) for p in provs}
    sizes = text.set_index("group").loc[provs]
    st.caption(
        S.md_escape(
            "；".join(f"{p}：{int(r.articles)} 篇文章中的 {int(r.chars):,} 字" for p, r in sizes.iterrows())
        )
        + ("。各省文本量不同，比较时建议在左侧选“每万字频次”。" if m == "count" else "。")
    )
else:
    lo, hi = S.read("date_span")
    lo, hi = f.date_from or lo, f.date_to or hi
    mid = lo + (hi - lo) / 2
    c1, c2 = st.columns(2)
    with c1:
        a = _period("p1", (lo, mid), lo, hi)
    with c2:
        b = _period("p2", (min(hi, mid + dt.timedelta(days=1)), hi), lo, hi)
    if a[0] > a[1] or b[0] > b[1]:
        st.info("请为每个时期选择开始和结束日期。")
        st.stop()
    names = [f"{a[0]:%Y.%m.%d}–{a[1]:%Y.%m.%d}", f"{b[0]:%Y.%m.%d}–{b[1]:%Y.%m.%d}"]
    fa, fb = replace(f, date_from=a[0], date_to=a[1]), replace(f, date_from=b[0], date_to=b[1])
    sides = [(names[0], fa), (names[1], fb)]
    rest = {names[0]: fb, names[1]: fa}
    st.caption("两个时期的日期取代左侧的日期范围；其他筛选条件照常生效。")

labels = [label for label, _ in sides]
empty = [label for label, sf in sides if not S.read("summary", sf)["articles"]]
if empty:
    S.empty_hint(S.md_escape("、".join(empty)) + " 没有文章")
    st.stop()
source = S.source_line(f)

# ------------------------------------------------------------------ themes on one scale
table = S.query("compare_themes", tuple(sides))
lead = table.groupby("theme")["count"].sum().sort_values(ascending=False).head(TOP_THEMES).index
bars = table[table["theme"].isin(lead)].copy()
bars["order"] = bars["theme"].map({t: i for i, t in enumerate(lead)}) * 10 + bars["side"].map(labels.index)
bars = bars.sort_values("order").drop(columns="order")
title = f"主要主题对比（{unit}）：" + " / ".join(labels)
fig = charts.grouped_bars(bars, "theme", "side", m, title, source, value_label=unit)
wide = bars.pivot_table(index="theme", columns="side", values=m, sort=False)[labels].reset_index()
chart_block(
    fig,
    wide.rename(columns={"theme": "主题"}),
    title,
    "grouped_bar",
    bars[["theme", "side", m]].set_axis(["group", "series", "value"], axis=1),
    "cmp_bars",
    source,
)

# ------------------------------------------------------------------ word clouds
st.subheader("词云")
hide = st.toggle(
    "隐藏政治套话（加强、推进、坚持……）",
    value=S.qp_get("boiler") != "show",
    key="hide_boiler",
    help="套话词表见 corpus/boilerplate.txt；只影响词云和特色词，不影响主题计数",
)
S.qp_set("boiler", "" if hide else "show")
exclude = sorted(boilerplate()) if hide else []
words = {label: S.read("word_totals", sf, WORDS_PER_CLOUD, exclude) for label, sf in sides}
colors = charts.word_colors(sorted({w for t in words.values() for w in t["word"]}))
per_row = 2 if len(sides) == 4 else len(sides)
for start in range(0, len(sides), per_row):
    for col, label in zip(st.columns(per_row), labels[start : start + per_row]):
        with col:
            t = words[label]
            st.markdown(f"**{S.md_escape(label)}**")
            if t.empty:
                st.info("没有可显示的词语。")
            else:
                img = S.word_cloud(dict(zip(t["word"], t["count"].astype(float))), 700, 440, colors)
                st.image(img, width="stretch")
st.caption("同一个词在各词云中颜色相同，便于对照。")

# ------------------------------------------------------------------ distinctive words
# A province's own name is trivially "distinctive" of it; leave the names out.
own_names = tuple(f"{p}{tail}" for p in labels for tail in ("", "省", "市")) if mode == "provinces" else ()
st.subheader("各方的特色词")
st.caption(
    "加权对数几率比（Monroe 等 2008）：与所选其他各方合起来相比，哪些词在这一方明显更常用。"
    "z 值越大越突出；z 大于 2 大致可视为并非偶然。" + ("所选省份的名称本身不列入。" if own_names else "")
)
for start in range(0, len(sides), per_row):
    for col, (label, sf) in zip(st.columns(per_row), sides[start : start + per_row]):
        with col:
            d = S.stat("distinctive_words", sf, rest[label], 15, tuple(exclude) + own_names, 3)
            d = d[d["side"] == "a"]
            st.markdown(f"**{S.md_escape(label)}**")
            if d.empty:
                st.info("文本太少，找不到明显的特色词。")
                continue
            out = pd.DataFrame(
                {
                    "词语": d["word"],
                    "本方次数": d["count_a"],
                    "对方次数": d["count_b"],
                    "z 值": d["z"].round(2),
                }
            )
            st.dataframe(out, key=f"cmp_dw_{start}_{label}", hide_index=True, height=300)

# ------------------------------------------------------------------ shared and unique themes
st.subheader("共有与独有的主题")
overlap = queries.theme_overlap(table)
groups = {"各方共有": overlap[overlap["where"] == "共有"]}
for label in labels:
    groups[f"仅{label}"] = overlap[overlap["where"] == f"仅{label}"]
for col, (head, g) in zip(st.columns(len(groups)), groups.items()):
    with col:
        st.markdown(f"**{S.md_escape(head)}**（{len(g)} 个主题）")
        st.text("、".join(g["theme"]) if len(g) else "无")
with st.expander("全部主题明细"):
    shown = overlap.rename(columns={"theme": "主题", "where": "出现于", "sides": "出现的方数"})
    st.dataframe(shown, key="cmp_overlap", hide_index=True)
    with st.container(horizontal=True, key="cmp_overlap_dl"):
        download_row(shown, "共有与独有的主题", "cmp_overlap", source)
