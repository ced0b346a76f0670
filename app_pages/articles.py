"""文章：查找文章，阅读分段与省份判断（附依据），改正省份、标题和日期。"""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from analysis.views import WEAK_FLAG, ArticleDetail, ArticlesView, Paragraph
from app_pages import _state as S
from app_pages._widgets import article_url


def apply_override(article_id: str, section_idx: int) -> None:
    """on_change of a section's province box: runs before the page, so the page shows the result."""
    value = st.session_state.get(f"ovr_{section_idx}") or None
    if S.attempt(lambda: S.ws().override_section(article_id, section_idx, value, key=S.editor_key())):
        S.changed()


def paragraph_md(parts: list[tuple[str, str | None]]) -> str:
    """One paragraph as inert markdown with dictionary phrases marked."""
    return "".join(
        f":orange-background[{S.md_escape(''.join(p.split()))}]" if tid else S.md_escape(p)
        for p, tid in parts
    )


def paragraph_tag(p: Paragraph) -> str:
    """A paragraph whose province differs from its section's: its province, evidence,
    runner-up and the weak flag, as inert markdown."""
    extra = "".join(f"，{S.md_escape(x)}" for x in (p.also, WEAK_FLAG if p.weak else "") if x)
    return f"〔{S.md_escape(p.province)}，依据 {S.md_escape(p.reason)}{extra}〕"


def weak_list(v: ArticlesView) -> None:
    """Every weakly attributed section under the filters; a row opens its article."""
    n = len(v.weak)
    with st.expander(f"依据较弱的分段（{n} 段）", expanded=False, key="weak_list"):
        if v.weak.empty:
            st.success("当前筛选条件下没有依据较弱的分段。")
            return
        st.caption(
            "这些分段的省份只凭较弱的依据判断（如仅标题提及、未指明地方），请优先核对；点“打开”查看原文并改正。"
        )
        table = v.weak.assign(原文=[article_url(a) for a in v.weak["文章编号"]]).drop(columns=["段"])
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="weak_table",
            column_config={"原文": st.column_config.LinkColumn(display_text="打开", width="small")},
        )


def scroll_to(anchor: str) -> None:
    """Bring the marked paragraph into view: Streamlit does not follow #anchor on a first
    load. The script carries only the anchor id (p<number>), never article text."""
    import streamlit.components.v1 as components

    components.html(
        "<script>const go = (n) => { const el = window.parent.document.getElementById("
        + json.dumps(anchor)
        + "); if (el) el.scrollIntoView({block: 'start'}); else if (n) setTimeout(() => go(n - 1), 200); };"
        + " go(15);</script>",
        height=0,
    )


def auto_label(auto: str):
    """The override box's labels: "" reads 自动（the province the evidence gave）."""
    return lambda p: p or f"自动（{auto}）"


def chosen_article() -> str:
    """The article the URL or the picker names (a link from another page wins once)."""
    wanted = S.qp_get("article")
    if wanted != st.session_state.get("_article_url"):
        st.session_state["_article_url"] = wanted
        st.session_state["article"] = wanted or None
    return st.session_state.get("article") or ""


def article_list(v: ArticlesView) -> str | None:
    for line in v.notices:
        if not line.startswith("找不到"):
            S.empty_hint(line)
    ids = list(v.labels)
    if not v.table.empty:
        st.caption(v.total_note + " · 点一行即打开该文章")
        event = st.dataframe(
            v.table.drop(columns=[c for c in ("文章编号", "段落") if c in v.table]),
            hide_index=True,
            width="stretch",
            key="article_table",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                "日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "字数": st.column_config.NumberColumn(format="%d"),
                "摘要": st.column_config.TextColumn(width="large", help="搜索词第一次出现之处"),
            },
        )
        rows = list(event.selection.rows) if event is not None else []
        picked = str(v.table["文章编号"].iloc[rows[0]]) if rows and rows[0] < len(v.table) else ""
        if picked and picked != st.session_state.get("_article_row"):  # a new click opens it
            st.session_state["_article_row"] = st.session_state["_article_url"] = picked
            st.session_state["article"] = picked
            par = int(v.table["段落"].iloc[rows[0]]) if "段落" in v.table else -1
            S.qp_set("article", picked)
            S.qp_set("p", str(par) if par >= 0 else "")
            st.rerun()  # the view above was made for the previous article
        st.session_state["_article_row"] = picked
    if st.session_state.get("article") not in ids:
        st.session_state.pop("article", None)
    chosen = st.selectbox(
        "打开文章",
        ids,
        index=None,
        format_func=lambda i: v.labels.get(i, i),
        key="article",
        placeholder="选择一篇文章",
    )
    if (chosen or "") != S.qp_get("article"):
        S.qp_set("p", "")  # another article: the marked paragraph was the old one's
    S.qp_set("article", chosen or "")
    st.session_state["_article_url"] = chosen or ""
    return chosen


def meta_form(art: ArticleDetail, read_only: bool) -> None:
    # The form's keys are fixed, so its fields are reset whenever another article (or a
    # newly saved title/date) is shown; otherwise they would keep the previous values.
    shown = (art.id, art.title, str(art.date))
    if st.session_state.get("_meta_form_for") != shown:
        st.session_state["_meta_form_for"] = shown
        st.session_state["edit_title"] = art.title
        st.session_state["edit_date"] = art.date
    with st.form("meta_form", border=True):
        st.markdown("**修改标题和日期**")
        c1, c2 = st.columns([3, 1])
        title = c1.text_input("标题", key="edit_title", max_chars=300)
        day = c2.date_input(
            "日期",
            key="edit_date",
            format="YYYY-MM-DD",
            min_value=dt.date(1949, 1, 1),
            max_value=dt.date(2100, 12, 31),
        )
        saved = st.form_submit_button("保存", key="save_meta", disabled=read_only)
    if saved:
        title = title.strip()
        if not title:
            st.error("标题不能为空。")
            return
        edit = S.ws().edit_article
        new_title = title if title != art.title else None
        new_date = day if day != art.date else None
        if S.attempt(lambda: edit(art.id, key=S.editor_key(), title=new_title, date=new_date)):
            S.changed()
            st.rerun()


def sections_view(art: ArticleDetail, options: list[str], read_only: bool) -> None:
    st.subheader(f"分段与省份（{len(art.sections)} 段）")
    st.caption(
        "每段的省份由标题、领导人姓名、地名或正文提及推断，括号里是依据。判断不对时可在右侧改正，"
        "所有统计随即更新；选“自动”恢复推断结果。"
    )
    open_all = len(art.sections) <= 5
    mark = S.qp_int("p", -1, -1, 1_000_000)  # ?p=: the paragraph a KWIC row or search hit opened
    for sec in art.sections:
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{S.md_escape(sec.header) or '（无小标题）'}**")
            also = f" · {S.md_escape(sec.also)}" if sec.also else ""
            if sec.override:
                left.caption(
                    f"省份：{S.md_escape(sec.province)}（编辑指定；自动判断为 {S.md_escape(sec.auto_province)}，"
                    f"依据 {S.md_escape(sec.auto_reason)}）{also}"
                )
            else:
                left.caption(f"省份：{S.md_escape(sec.province)}（依据 {S.md_escape(sec.reason)}）{also}")
            if sec.weak:  # an editor checks these first
                left.markdown(f":orange[**{WEAK_FLAG}**]")
            # the store is the truth (the on_change callback has already written any choice)
            st.session_state[f"ovr_{sec.idx}"] = sec.override if sec.override in options else ""
            right.selectbox(
                "改正省份",
                options,
                format_func=auto_label(sec.auto_province),
                key=f"ovr_{sec.idx}",
                on_change=apply_override,
                args=(art.id, sec.idx),
                disabled=read_only,
                label_visibility="collapsed",
            )
            here = any(p.idx == mark for p in sec.paragraphs)
            with st.expander(f"正文 {len(sec.paragraphs)} 段", expanded=open_all or here):
                blocks: list[str] = []
                for p in sec.paragraphs:
                    tag = "" if p.own_province else paragraph_tag(p)
                    if p.idx == mark:  # the paragraph opened from a KWIC row: its own marked block
                        if blocks:
                            st.markdown("\n\n".join(blocks))
                        blocks = []
                        st.subheader(f"摘录所在段落（第 {p.idx + 1} 段）", anchor=f"p{p.idx}", divider="blue")
                        with st.container(border=True, key="marked_paragraph"):
                            st.markdown(tag + paragraph_md(p.parts))
                        scroll_to(f"p{p.idx}")
                        continue
                    blocks.append(tag + paragraph_md(p.parts))
                if blocks or not here:
                    st.markdown("\n\n".join(blocks) if blocks else "（本段没有正文）")


def article_view(art: ArticleDetail, options: list[str], read_only: bool) -> None:
    st.divider()
    st.header(S.md_escape(art.title), anchor=False)
    outlet = f" · 刊发：{S.md_escape(art.outlet)}" if art.outlet else ""
    st.caption(
        f"日期：{art.date}（{S.md_escape(art.basis_note)}） · 来源文件：{S.md_escape(art.source)}{outlet} · "
        f"{art.chars:,} 字 · 编号 {S.md_escape(art.id)}"
    )
    meta_form(art, read_only)
    st.subheader("本文主题词次数")
    if art.counts.empty:
        st.info("这篇文章没有出现词典中的主题词语。")
    else:
        st.dataframe(art.counts, hide_index=True, width="stretch", key="article_counts")
    sections_view(art, options, read_only)


st.title("文章", anchor=False)
_read_only = not S.edit_guard("修改标题、日期或省份")
_q = st.text_input(
    "搜索标题、文件名或正文", value=S.qp_get("q"), key="q", placeholder="例如：营商环境、深圳、002"
)
S.qp_set("q", _q.strip())
_view = S.articles_view(S.filters(), search=_q.strip(), article_id=chosen_article())
_chosen = article_list(_view)
weak_list(_view)
if _chosen and _view.detail is not None and _view.detail.id == _chosen:
    article_view(_view.detail, _view.province_options, _read_only)
elif _chosen:
    st.warning("找不到这篇文章，可能已被删除。")
