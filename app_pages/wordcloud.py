"""词云: the most frequent words (or themes) of a selection, as an image and as a table."""

import streamlit as st

from analysis.models import NATIONAL
from analysis.views.wordcloud import MODES
from app_pages import _state as S
from app_pages._widgets import download_row, file_stem, pin_button

st.title("词云")
S.words_pending_notice()
base = S.filters_with_articles()
options = S.provinces_by_text(base)

c1, c2 = st.columns([3, 2])
with c1:
    provs = S.url_multiselect(
        "省份（不选即全部）",
        options,
        "wc_provs",
        placeholder="全部省份",
        help=f"“{NATIONAL}”是没有落到具体省份的段落",
    )
with c2:
    mode = S.url_radio("显示", MODES, "wc_mode", "words", help="仅主题词：词典主题的名称，大小按出现次数")
c3, c4 = st.columns([3, 2])
with c3:
    top_n = S.url_number(st.slider, "最多显示多少个词", "wc_max", 100, 20, 300, step=10)
with c4:
    hide = st.toggle(
        "隐藏政治套话（加强、推进、坚持……）",
        value=S.qp_get("wc_boiler") != "show",
        key="wc_boiler",
        disabled=mode == "themes",
        help="套话词表见 corpus/boilerplate.txt",
    )
    S.qp_set("wc_boiler", "" if hide else "show")

v = S.wordcloud_view(base, provinces=tuple(provs), mode=mode, top=top_n, hide_boilerplate=hide)
if not v.freqs:
    for line in v.notices:
        S.empty_hint(line)
    st.stop()

st.subheader(S.md_escape(v.title))
png = S.word_cloud_png(v.freqs, 1200, 650, None, max(top_n, len(v.freqs)))
st.image(png, width="stretch", output_format="PNG")
st.caption(S.md_escape(v.caption))

with st.container(horizontal=True, gap="small", key="wc_dl"):
    st.download_button(
        "PNG 图片",
        png,
        file_name=f"{file_stem(v.title)}.png",
        mime="image/png",
        key="wc_png",
        icon=":material/download:",
        on_click="ignore",
    )
    download_row(v.table, v.title, "wc_table", S.source_line(S.with_provinces(base, provs)))
    pin_button(v.pin_title, "wordcloud", v.pin, "wc")  # the deck and 演示模式 draw it as a cloud

if mode == "words":  # one click hides a word everywhere (clouds, distinctive words), kept in the store

    def _toggle(widget: str, hide_it: bool) -> None:
        word = st.session_state.get(widget)
        st.session_state[widget] = None
        if not word:
            return
        act = S.ws().hide_word if hide_it else S.ws().unhide_word
        if S.attempt(lambda: act(word, key=S.editor_key())):
            S.changed()
            st.toast(f"已隐藏“{word}”" if hide_it else f"已恢复“{word}”", icon=":material/visibility_off:")

    def word_pills(label: str, words: list[str], widget: str, hide_it: bool, **kw) -> None:
        """Words as pills; a click hides (or brings back) that word."""
        st.pills(
            label,
            words,
            selection_mode="single",
            key=widget,
            on_change=_toggle,
            args=(widget, hide_it),
            disabled=not S.can_edit(),
            **kw,
        )

    word_pills(
        "点一下即隐藏这个词（人名和分词碎片已自动去掉）",
        list(v.table["词语"].head(40)),
        "wc_hide",
        True,
        help="隐藏的词在所有词云和特色词中都不再出现，可在下方恢复",
    )
    hidden = S.ws().hidden_words()
    if hidden:
        with st.expander(f"已隐藏的词语（{len(hidden)} 个，点一下恢复）"):
            word_pills("已隐藏", hidden, "wc_unhide", False, label_visibility="collapsed")

st.subheader("词频表")
st.dataframe(
    v.table,
    key="wc_table_view",
    hide_index=True,
    height=420,
    column_config={"每万字频次": st.column_config.NumberColumn(format="%.2f")},
)
