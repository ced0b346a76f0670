"""省份对比: two to four provinces (or two periods) side by side — themes, words, what is unique."""

import datetime as dt
from collections.abc import Iterator, Sequence

import pandas as pd
import streamlit as st

from analysis.views.compare import MODES, Side
from analysis.workspace import word_colors
from app_pages import _state as S
from app_pages._widgets import download_row, pin_button, show_chart

st.title("省份对比")
S.words_pending_notice()
f = S.filters_with_articles()
opts = S.compare_options(f)

mode = S.url_radio("对比什么", MODES, "mode", "provinces")


def _period(key: str, default: tuple[dt.date, dt.date], lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date]:
    """A date range from the URL (key=YYYY-MM-DD~YYYY-MM-DD), edited by a date_input, written back."""
    raw = S.qp_get(key)
    value = default
    if raw:
        try:
            a, b = (dt.date.fromisoformat(x) for x in raw.split("~"))
            value = (min(hi, max(lo, a)), max(lo, min(hi, b)))
        except ValueError:
            S._bad(key, f"{default[0]}~{default[1]}")
    label = "时期一" if key == "p1" else "时期二"
    picked = st.date_input(label, value=value, min_value=lo, max_value=hi, key=key, format="YYYY-MM-DD")
    if isinstance(picked, (list, tuple)) and len(picked) == 2:
        value = (picked[0], picked[1])
    S.qp_set(key, f"{value[0]}~{value[1]}")
    return value


provs: list[str] = []
outs: list[str] = []
periods = None
if mode == "outlets":
    outs = S.url_multiselect(
        "选择 2–4 家媒体",
        opts.outlets,
        "outs",
        opts.outlets[:2],
        4,
        placeholder="选择媒体",
        help="按文章数从多到少排列；媒体名来自导入时的来源列或 meta.csv",
    )
    if len(outs) < 2:
        st.info(
            "请至少选择两家媒体进行对比。"
            if len(opts.outlets) >= 2
            else "库中标明媒体的文章不足两家，无法按媒体对比。"
        )
        st.stop()
elif mode == "provinces":
    provs = S.url_multiselect(
        "选择 2–4 个省份",
        opts.provinces,
        "provs",
        opts.default_provinces,
        4,
        placeholder="选择省份",
        help="按文本量从多到少排列；默认是文本最多的两个省份",
    )
    if len(provs) < 2:
        st.info("请至少选择两个省份进行对比。")
        st.stop()
elif opts.lo and opts.hi and opts.default_periods:
    c1, c2 = st.columns(2)
    with c1:
        a = _period("p1", opts.default_periods[0], opts.lo, opts.hi)
    with c2:
        b = _period("p2", opts.default_periods[1], opts.lo, opts.hi)
    periods = (a, b)

hide = st.toggle(
    "隐藏政治套话（加强、推进、坚持……）",
    value=S.qp_get("boiler") != "show",
    key="hide_boiler",
    help="套话词表见 corpus/boilerplate.txt；只影响词云和特色词，不影响主题计数",
)
S.qp_set("boiler", "" if hide else "show")

v = S.compare_view(
    f,
    mode=mode,
    provinces=tuple(provs),
    periods=periods,
    hide_boilerplate=hide,
    metric=S.metric(),
    outlets=tuple(outs),
)
if v.sizes:
    st.caption(S.md_escape(v.sizes))
elif mode == "periods":
    st.caption("两个时期的日期取代左侧的日期范围；其他筛选条件照常生效。")
if v.bars is None:
    for line in v.notices:
        (st.info if line.startswith("请") else S.empty_hint)(S.md_escape(line))
    st.stop()
show_chart(v.bars)

# ------------------------------------------------------------------ word clouds
st.subheader("词云")
colors = word_colors(sorted({w for s in v.sides for w in s.words["word"]}))


def side_by_side(sides: Sequence[Side]) -> Iterator[tuple[int, Side]]:
    """Each side under its label in a column of its own (two a row when there are four):
    yields (where its row starts, the side) while inside that column."""
    per_row = 2 if len(sides) == 4 else len(sides)
    for start in range(0, len(sides), per_row):
        for col, side in zip(st.columns(per_row), sides[start : start + per_row]):
            with col:
                st.markdown(f"**{S.md_escape(side.label)}**")
                yield start, side


for _, side in side_by_side(v.sides):
    if side.words.empty:
        st.info("没有可显示的词语。")
    else:
        freqs = dict(zip(side.words["word"], side.words["count"].astype(float)))
        st.image(S.word_cloud_png(freqs, 700, 440, colors), width="stretch", output_format="PNG")
st.caption("同一个词在各词云中颜色相同，便于对照。")

# ------------------------------------------------------------------ distinctive words
st.subheader("各方的特色词")
st.caption(
    "加权对数几率比（Monroe 等 2008）：与所选其他各方合起来相比，哪些词在这一方明显更常用。"
    "z 值越大越突出；z 大于 2 大致可视为并非偶然。"
    + ("所选省份的名称本身不列入。" if v.own_names_left_out else "")
)
for start, side in side_by_side(v.sides):
    if side.distinctive.empty:
        st.info("文本太少，找不到明显的特色词。")
        continue
    st.dataframe(side.distinctive, key=f"cmp_dw_{start}_{side.label}", hide_index=True, height=300)
dw = [(x.label, w, z) for x in v.sides for w, z in zip(x.distinctive["词语"], x.distinctive["z 值"])]
if dw:  # the deck shows them as a table slide, one column per side (analysis.slides kind "words")
    pin_button(
        "特色词：" + " / ".join(v.labels),
        "words",
        pd.DataFrame(dw, columns=["side", "word", "value"]),
        "cmp_dw",
    )

# ------------------------------------------------------------------ shared and unique themes
st.subheader("共有与独有的主题")
for col, (head, names) in zip(st.columns(len(v.groups)), v.groups.items()):
    with col:
        st.markdown(f"**{S.md_escape(head)}**（{len(names)} 个主题）")
        st.text("、".join(names) if names else "无")
with st.expander("全部主题明细"):
    st.dataframe(v.overlap, key="cmp_overlap", hide_index=True)
    with st.container(horizontal=True, key="cmp_overlap_dl"):
        download_row(v.overlap, "共有与独有的主题", "cmp_overlap", S.source_line(f))
