"""政策主题看板：入口只做导航和共享的侧栏筛选，每页一个文件（pages/）。"""
import streamlit as st

st.set_page_config(page_title="政策主题看板", page_icon=":material/dashboard:", layout="wide")

from pages import _state as S  # noqa: E402  (after set_page_config)

PAGES = {
    "分析": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/themes.py", title="主题", icon=":material/search:", url_path="themes"),
        st.Page("pages/compare.py", title="省份对比", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/wordcloud.py", title="词云", icon=":material/cloud:", url_path="wordcloud"),
        st.Page("pages/articles.py", title="文章", icon=":material/article:", url_path="articles"),
    ],
    "洞察": [
        st.Page("pages/emerging.py", title="新词发现", icon=":material/trending_up:", url_path="emerging"),
        st.Page("pages/speakers.py", title="讲话人", icon=":material/record_voice_over:", url_path="speakers"),
        st.Page("pages/audit.py", title="词典体检", icon=":material/fact_check:", url_path="audit"),
    ],
    "管理": [
        st.Page("pages/corpus.py", title="语料管理", icon=":material/upload_file:", url_path="corpus"),
        st.Page("pages/dictionary.py", title="主题词典", icon=":material/menu_book:", url_path="dictionary"),
    ],
    "会议": [
        st.Page("pages/present.py", title="演示模式", icon=":material/slideshow:", url_path="present"),
    ],
}

page = st.navigation(PAGES)
S.sidebar_filters()
page.run()
