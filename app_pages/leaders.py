"""领导人: the leader terms attribution reads; an editor adds or ends a term. A section that
names only a governor or secretary is attributed by these terms, after 重建全部统计."""

import datetime as dt

import streamlit as st

from analysis.views import LeadersView, leaders
from app_pages import _state as S


def months(start: int = 2000) -> list[str]:
    """YYYY-MM choices up to next year's December, newest first."""
    today = dt.date.today()
    return [f"{y}-{m:02d}" for y in range(today.year + 1, start - 1, -1) for m in range(12, 0, -1)]


def write(action) -> bool:
    """Run a leaders.csv edit: a refusal or a malformed term is shown, never raised."""
    try:
        return S.attempt(action)
    except ValueError as exc:  # leaders.LeaderError: the file and the reason, in Chinese
        st.error(str(exc))
        return False


def add_form(v: LeadersView, read_only: bool) -> None:
    with st.form("leader_add", border=True):
        st.markdown("**添加任职记录**")
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("姓名", key="ld_name", max_chars=12)
        province = c2.selectbox("省份", v.provinces, index=None, key="ld_province", placeholder="选择省份")
        office = c3.selectbox("职务", v.offices, index=None, key="ld_office", placeholder="选择职务")
        c4, c5 = st.columns(2)
        start = c4.selectbox("起始月份", months(), index=None, key="ld_start", placeholder="年-月")
        end = c5.selectbox("结束月份（在任可不填）", months(), index=None, key="ld_end", placeholder="在任")
        added = st.form_submit_button("添加", key="ld_do_add", disabled=read_only)
    if added:
        if not (name.strip() and province and office and start):
            st.error("请填写姓名、省份、职务和起始月份。")
            return
        add = S.ws().add_leader_term
        if write(lambda: add(name, province, office, start, end or "", key=S.editor_key())):
            st.success(f"已添加：{name.strip()}，{province}{office}，{start} 起。{v.note}")


def end_form(v: LeadersView, read_only: bool) -> None:
    current = v.terms[v.terms["结束"] == ""]
    labels = {
        f"{r.姓名}｜{r.职务}": f"{r.姓名}（{r.省份}{r.职务}，{r.起始} 起）" for r in current.itertuples()
    }
    with st.form("leader_end", border=True):
        st.markdown("**结束任职**")
        c1, c2 = st.columns([2, 1])
        who = c1.selectbox(
            "在任的人",
            list(labels),
            index=None,
            format_func=lambda k: labels.get(k, k),
            key="ld_who",
            placeholder="选择",
        )
        end = c2.selectbox("结束月份", months(), index=None, key="ld_end_month", placeholder="年-月")
        ended = st.form_submit_button("结束任职", key="ld_do_end", disabled=read_only)
    if ended:
        if not (who and end):
            st.error("请选择人员和结束月份。")
            return
        name, office = who.split("｜", 1)
        close = S.ws().end_leader_term
        if write(lambda: close(name, office, end, key=S.editor_key())):
            st.success(f"已记录：{name} 任{office}至 {end}。{v.note}")


def rebuild_button(read_only: bool) -> None:
    if st.button("重建全部统计", key="ld_rebuild", disabled=read_only):
        with st.spinner("正在重建…"):
            done = []
            if S.attempt(lambda: done.append(S.ws().rebuild(key=S.editor_key()))):
                S.changed()
                st.success(f"已重建 {done[0]} 篇文章的统计。")


st.title("领导人", anchor=False)
st.caption(
    "分段只提到省委书记、省长等领导人姓名时，按文章日期查这里的任职记录判断省份。"
    "人事变动后在此添加或结束任职，再重建全部统计。"
)
_read_only = not S.edit_guard("修改领导人数据")
# leaders.csv is read on every run (it is small), never cached: an edit shows at once
_view = leaders(S.ws())
st.info(_view.note)
add_form(_view, _read_only)
end_form(_view, _read_only)
rebuild_button(_read_only)
_view = leaders(S.ws())  # after any edit above
st.subheader(f"任职记录（{len(_view.terms)} 条，在任 {_view.in_office} 人次）")
st.dataframe(_view.terms, hide_index=True, width="stretch", key="ld_terms")
