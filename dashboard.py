"""政策主题看板：入口只做导航和共享的侧栏筛选，每页一个文件（app_pages/；不叫 pages/，以免触发 Streamlit 旧式多页模式）。"""

import logging
from pathlib import Path

import streamlit as st

# The favicon is a file in the repository, served by this server (an emoji or icon name
# would make the browser fetch it from a CDN).
st.set_page_config(
    page_title="政策主题看板", page_icon=str(Path(__file__).parent / "assets" / "favicon.png"), layout="wide"
)

from app_pages import _state as S

log = logging.getLogger("policy.dashboard")
_policy_log = logging.getLogger("policy")  # access attempts, page errors, the inbox watcher
if not _policy_log.handlers:  # once per process: Streamlit reruns this script on every interaction
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _policy_log.addHandler(_handler)
    _policy_log.setLevel(logging.INFO)

PAGES = {
    "分析": [
        st.Page(
            "app_pages/overview.py",
            title="总览",
            icon=":material/dashboard:",
            url_path="start",  # reserved name only: the default page is served at "/"
            default=True,
        ),
        # Streamlit serves the default page at "/" only; this hidden twin answers /overview too,
        # so a typed or bookmarked /overview opens 总览 instead of a "Page not found" dialog.
        st.Page("app_pages/overview.py", title="总览", url_path="overview", visibility="hidden"),
        st.Page("app_pages/themes.py", title="主题", icon=":material/search:", url_path="themes"),
        st.Page(
            "app_pages/compare.py", title="省份对比", icon=":material/compare_arrows:", url_path="compare"
        ),
        st.Page("app_pages/wordcloud.py", title="词云", icon=":material/cloud:", url_path="wordcloud"),
        st.Page("app_pages/articles.py", title="文章", icon=":material/article:", url_path="articles"),
    ],
    "洞察": [
        st.Page(
            "app_pages/emerging.py", title="新词发现", icon=":material/trending_up:", url_path="emerging"
        ),
        st.Page(
            "app_pages/speakers.py", title="讲话人", icon=":material/record_voice_over:", url_path="speakers"
        ),
        st.Page("app_pages/audit.py", title="词典体检", icon=":material/fact_check:", url_path="audit"),
    ],
    "管理": [
        st.Page("app_pages/corpus.py", title="语料管理", icon=":material/upload_file:", url_path="corpus"),
        st.Page(
            "app_pages/dictionary.py", title="主题词典", icon=":material/menu_book:", url_path="dictionary"
        ),
        st.Page("app_pages/leaders.py", title="领导人", icon=":material/badge:", url_path="leaders"),
    ],
    "会议": [
        st.Page("app_pages/present.py", title="演示模式", icon=":material/slideshow:", url_path="present"),
    ],
}

# 总览 and 语料管理 say it their own way; 领导人 and 演示模式 count no articles.
OWN_SAMPLE_NOTICE = ("总览", "语料管理", "领导人", "演示模式")  # titles (总览's url_path is "")
PAGE_ERROR = "这一页出错了，已记录在服务器日志中。可以刷新页面、清除筛选，或换一个页面再试。"

page = st.navigation(PAGES)
# Streamlit has no setting for the uploader's English (“Upload”, “50MB per file • TXT…”):
# the size line goes (语料管理 states the limits in Chinese) and the button is relabelled.
# Static CSS only; no article text ever reaches st.html.
st.html(
    """<style>
    [data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
    [data-testid="stFileUploaderDropzone"] button p { font-size: 0; }
    [data-testid="stFileUploaderDropzone"] button p::after { content: "选择文件"; font-size: 1rem; }
    </style>"""
)
S.begin_run()
top = st.container()
try:
    with st.spinner("正在打开数据库，首次启动会导入示例语料…"):
        S.ws()
    S.sidebar_filters()
    with top:
        S.hidden_line()
        if page.title not in OWN_SAMPLE_NOTICE:
            S.samples_line()
    page.run()
except Exception:  # an editor never sees a traceback (or the server's paths in one)
    log.exception("page %s failed", page.url_path)
    if S.strict():
        raise
    st.error(PAGE_ERROR)
finally:
    notices = S.url_notices()
    if notices:
        top.caption("；".join(notices) + "。")
