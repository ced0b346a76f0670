"""文章：查找文章，阅读分段与省份判断（附依据），改正省份、标题和日期。"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analysis.models import NATIONAL
from analysis.provinces import gazetteer
from analysis.queries import highlight_parts
from app_pages import _state as S

BASIS_NOTE = {
    "正文": "日期取自正文",
    "元数据": "日期取自元数据",
    "文件时间": "日期取自文件时间（正文未写明，请核对）",
    "编辑": "日期由编辑指定",
}
AUTO = ""  # the override selectbox's first option: follow the evidence


def province_options() -> list[str]:
    return [AUTO, *gazetteer().mainland, NATIONAL]


def apply_override(article_id: str, section_idx: int) -> None:
    """on_change of a section's province box: runs before the page, so the page shows the result."""
    value = st.session_state.get(f"ovr_{section_idx}") or None
    S.engine().override_section(article_id, section_idx, value)
    S.changed()


def highlighted(text: str, norm: str) -> str:
    """One paragraph as escaped markdown with dictionary phrases marked."""
    spans = S.engine().matcher.spans(norm)
    parts = highlight_parts(text, norm, spans)
    return "".join(
        f":orange-background[{S.md_escape(''.join(p.split()))}]" if tid else S.md_escape(p)
        for p, tid in parts
    )


def article_list(read_only: bool) -> str | None:
    q = st.text_input(
        "搜索标题、文件名或正文", value=S.qp_get("q"), key="q", placeholder="例如：营商环境、深圳、002"
    )
    S.qp_set("q", q.strip())
    arts = S.read("list_articles", S.filters(), q.strip())
    if arts.empty:
        S.empty_hint("没有符合条件的文章" if q.strip() else "当前筛选条件下没有文章")
    else:
        table = arts.rename(
            columns={"date": "日期", "title": "标题", "source": "来源", "provinces": "省份", "chars": "字数"}
        )[["日期", "标题", "来源", "省份", "字数"]]
        st.caption(f"共 {len(arts)} 篇" + ("（最多显示 500 篇，请缩小搜索范围）" if len(arts) >= 500 else ""))
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="article_table",
            column_config={
                "日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "字数": st.column_config.NumberColumn(format="%d"),
            },
        )
    ids = list(arts["id"]) if not arts.empty else []
    labels = {r.id: f"{str(r.date)[:10]} · {r.title} · {r.source}" for r in arts.itertuples()}
    wanted = S.qp_get("article")
    if wanted and wanted not in labels:
        art = S.read("article", wanted)
        if art is not None:  # opened by a link from another page, outside the current list
            ids.insert(0, wanted)
            labels[wanted] = f"{art['date']} · {art['title']} · {art['source']}"
    if wanted != st.session_state.get("_article_url"):  # a link (or a fresh URL) names an article
        st.session_state["_article_url"] = wanted
        if wanted in ids:
            st.session_state["article"] = wanted
    if st.session_state.get("article") not in ids:
        st.session_state.pop("article", None)
    chosen = st.selectbox(
        "打开文章",
        ids,
        index=None,
        format_func=lambda i: labels.get(i, i),
        key="article",
        placeholder="选择一篇文章",
    )
    S.qp_set("article", chosen or "")
    st.session_state["_article_url"] = chosen or ""
    return chosen


def meta_form(art: dict, read_only: bool) -> None:
    # The form's keys are fixed, so its fields are reset whenever another article (or a
    # newly saved title/date) is shown; otherwise they would keep the previous values.
    shown = (art["id"], art["title"], str(art["date"]))
    if st.session_state.get("_meta_form_for") != shown:
        st.session_state["_meta_form_for"] = shown
        st.session_state["edit_title"] = art["title"]
        st.session_state["edit_date"] = art["date"]
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
        S.engine().edit_article(
            art["id"],
            title=title if title != art["title"] else None,
            date=day if day != art["date"] else None,
        )
        S.changed()
        st.rerun()


def sections_view(article_id: str, read_only: bool) -> None:
    sections = S.read("sections_df", article_id)
    paras = S.read("paragraphs_df", article_id)
    overrides = S.read("overrides", article_id)
    options = province_options()
    st.subheader(f"分段与省份（{len(sections)} 段）")
    st.caption(
        "每段的省份由标题、领导人姓名、地名或正文提及推断，括号里是依据。判断不对时可在右侧改正，"
        "所有统计随即更新；选“自动”恢复推断结果。"
    )
    open_all = len(sections) <= 5
    for sec in sections.itertuples():
        idx = int(sec.idx)
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{S.md_escape(sec.header) or '（无小标题）'}**")
            if idx in overrides:
                left.caption(
                    f"省份：{S.md_escape(sec.province)}（编辑指定；自动判断为 {S.md_escape(sec.auto_province)}，"
                    f"依据 {S.md_escape(sec.auto_reason)}）"
                )
            else:
                left.caption(f"省份：{S.md_escape(sec.province)}（依据 {S.md_escape(sec.reason)}）")
            current = overrides.get(idx, AUTO)
            # the store is the truth (the on_change callback has already written any choice)
            st.session_state[f"ovr_{idx}"] = current if current in options else AUTO
            right.selectbox(
                "改正省份",
                options,
                format_func=lambda p, a=sec.auto_province: p or f"自动（{a}）",
                key=f"ovr_{idx}",
                on_change=apply_override,
                args=(article_id, idx),
                disabled=read_only,
                label_visibility="collapsed",
            )
            mine = paras[paras["section_idx"] == idx]
            with st.expander(f"正文 {len(mine)} 段", expanded=open_all):
                blocks = []
                for p in mine.itertuples():
                    tag = ""
                    if p.province != sec.province:
                        tag = f"〔{S.md_escape(p.province)}，依据 {S.md_escape(p.reason)}〕"
                    blocks.append(tag + highlighted(p.text, p.norm))
                st.markdown("\n\n".join(blocks) if blocks else "（本段没有正文）")


def article_view(article_id: str, read_only: bool) -> None:
    art = S.read("article", article_id)
    if art is None:
        st.warning("找不到这篇文章，可能已被删除。")
        return
    st.divider()
    st.header(S.md_escape(art["title"]), anchor=False)
    basis = BASIS_NOTE.get(art["date_basis"], art["date_basis"] or "")
    outlet = f" · 刊发：{S.md_escape(art['outlet'])}" if art.get("outlet") else ""
    st.caption(
        f"日期：{art['date']}（{S.md_escape(basis)}） · 来源文件：{S.md_escape(art['source'])}{outlet} · "
        f"{int(art['chars'] or 0):,} 字 · 编号 {S.md_escape(art['id'])}"
    )
    meta_form(art, read_only)
    counts = S.query("article_theme_counts", article_id)
    st.subheader("本文主题词次数")
    if counts.empty:
        st.info("这篇文章没有出现词典中的主题词语。")
    else:
        st.dataframe(
            counts.rename(
                columns={"theme": "主题", "category": "类别", "count": "次数", "per_10k": "每万字频次"}
            )[["主题", "类别", "次数", "每万字频次"]],
            hide_index=True,
            width="stretch",
            key="article_counts",
        )
    sections_view(article_id, read_only)


st.title("文章", anchor=False)
_read_only = not S.edit_guard("修改标题、日期或省份")
_chosen = article_list(_read_only)
if _chosen:
    article_view(_chosen, _read_only)
