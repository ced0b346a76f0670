"""词云: the most frequent words (or themes) of a selection, as an image and as a table."""

import io

import pandas as pd
import streamlit as st

from analysis.models import NATIONAL
from analysis.segment import boilerplate
from app_pages import _state as S
from app_pages._widgets import download_row, file_stem, pin_button

MODES = {"words": "全部词语", "themes": "仅主题词"}

st.title("词云")
base = S.filters()
if not S.read("summary", base)["articles"]:
    S.empty_hint()
    st.stop()

text = S.read("chars_by", base, "province").sort_values(["chars", "group"], ascending=[False, True])
options = list(text["group"])
c1, c2 = st.columns([3, 2])
with c1:
    provs = st.multiselect(
        "省份（不选即全部）",
        options,
        default=[p for p in S.qp_list("wc_provs") if p in options],
        key="wc_provs",
        placeholder="全部省份",
        help=f"“{NATIONAL}”是没有落到具体省份的段落",
    )
    S.qp_set("wc_provs", provs)
with c2:
    mode = st.radio(
        "显示",
        list(MODES),
        format_func=MODES.get,
        horizontal=True,
        key="wc_mode",
        index=list(MODES).index(S.qp_get("wc_mode")) if S.qp_get("wc_mode") in MODES else 0,
        help="仅主题词：词典主题的名称，大小按出现次数",
    )
    S.qp_set("wc_mode", "" if mode == "words" else mode)
c3, c4 = st.columns([3, 2])
with c3:
    try:
        wanted = min(300, max(20, int(S.qp_get("wc_max", "100"))))
    except ValueError:
        wanted = 100
    top_n = st.slider("最多显示多少个词", 20, 300, wanted, step=10, key="wc_max")
    S.qp_set("wc_max", "" if top_n == 100 else str(top_n))
with c4:
    hide = st.toggle(
        "隐藏政治套话（加强、推进、坚持……）",
        value=S.qp_get("wc_boiler") != "show",
        key="wc_boiler",
        disabled=mode == "themes",
        help="套话词表见 corpus/boilerplate.txt",
    )
    S.qp_set("wc_boiler", "" if hide else "show")

f = S.filters(provinces=provs)
where = "、".join(provs) if provs else "全部省份"
if mode == "themes":
    top = S.query("top_themes", f, top_n)
    top = top[top["count"] > 0]
    table = pd.DataFrame(
        {
            "主题": top["name"],
            "类别": top["category"],
            "次数": top["count"],
            "出现文章数": top["docs"],
            "每万字频次": top["per_10k"],
        }
    )
    freqs = dict(zip(top["name"], top["count"].astype(float)))
    title = f"主题词云：{where}"
else:
    exclude = sorted(boilerplate()) if hide else []
    words = S.read("word_totals", f, top_n, exclude)
    table = pd.DataFrame({"词语": words["word"], "次数": words["count"], "出现文章数": words["docs"]})
    freqs = dict(zip(words["word"], words["count"].astype(float)))
    title = f"高频词词云：{where}"

if not freqs:
    S.empty_hint("所选范围内没有可显示的词语")
    st.stop()

st.subheader(S.md_escape(title))
img = S.word_cloud(freqs, 1200, 650, None, max(top_n, len(freqs)))
st.image(img, width="stretch")
st.caption(
    f"{S.corpus_line(f)}；{'已隐藏政治套话；' if hide and mode == 'words' else ''}"
    f"字越大出现越多。词语由分词得到，主题词典中的词保持完整。"
)

with st.container(horizontal=True, gap="small", key="wc_dl"):
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    st.download_button(
        "PNG 图片",
        buf.getvalue(),
        file_name=f"{file_stem(title)}.png",
        mime="image/png",
        key="wc_png",
        icon=":material/download:",
        on_click="ignore",
    )
    download_row(table, title, "wc_table", S.source_line(f))
    label = table.columns[0]
    pin_button(
        f"{'出现最多的主题' if mode == 'themes' else '高频词'}前 20：{where}",
        "bar",
        table.head(20)[[label, "次数"]].set_axis(["label", "value"], axis=1),
        "wc",
    )

st.subheader("词频表")
st.dataframe(
    table,
    key="wc_table_view",
    hide_index=True,
    height=420,
    column_config={"每万字频次": st.column_config.NumberColumn(format="%.2f")},
)
