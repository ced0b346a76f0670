"""总览: how much text there is, which themes lead, where, and the latest articles."""

import streamlit as st

from app_pages import _state as S
from app_pages._widgets import article_url, show_chart

st.title("总览")
v = S.overview_view(S.filters(), metric=S.metric())
summary = v.summary
if not summary.articles:
    S.empty_hint()
    st.stop()

if v.samples:  # first run: say what this is and where to go next
    with st.container(border=True, key="ov_welcome"):
        st.markdown(
            f"**这是示例数据**：库里现有 {v.samples} 篇示例文章（示例），用来演示看板的用法。\n\n"
            "本工具统计各地报道中政策主题出现的次数，按省份、月份和媒体汇总；"
            "每个数字都能追溯到原文句子，图表可下载或放进演示文稿。"
        )
        with st.container(horizontal=True, gap="medium"):
            st.page_link("app_pages/corpus.py", label="导入文章", icon=":material/upload_file:")
            st.page_link("app_pages/themes.py", label="看一个主题", icon=":material/insights:")
            st.page_link("app_pages/compare.py", label="比较省份", icon=":material/compare_arrows:")
        st.caption("导入自己的文章后，可在“语料管理”页一键移除全部示例文章。")
if v.filters_text:
    st.caption("当前筛选：" + S.md_escape(v.filters_text))
c1, c2, c3, c4 = st.columns(4)
c1.metric("文章数", f"{summary.articles:,}", border=True)
c2.metric(
    "涉及省份", f"{summary.provinces}", border=True, help="有段落归入该省份的省级行政区数（不含“全国”）"
)
c3.metric("总字数", f"{summary.chars:,}", border=True, help="去掉空白后的字数，是每万字频次的分母")
c4.metric(
    "日期范围",
    f"{summary.date_min:%Y-%m-%d}",
    border=True,
    delta=f"至 {summary.date_max:%Y-%m-%d}",
    delta_color="off",
    delta_arrow="off",
)
for line in v.notices:
    S.empty_hint(line)
show_chart(v.top)
show_chart(v.heat)
if v.heat is not None:
    st.caption("“全国”指没有落到具体省份的段落（如中央会议、全国性综述）。")

st.subheader("最新文章")
latest = v.latest.assign(打开=[article_url(a) for a in v.latest["文章编号"]])[
    ["日期", "标题", "打开", "媒体", "省份"]
]
st.dataframe(
    latest,
    key="ov_latest",
    hide_index=True,
    column_config={
        "打开": st.column_config.LinkColumn(display_text="查看全文", width="small"),
        "省份": st.column_config.TextColumn(width="medium"),
    },
)
st.page_link("app_pages/articles.py", label="到“文章”页浏览和搜索全部文章", icon="📰")
