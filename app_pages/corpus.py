"""语料管理：导入文件、查看和删除已入库的文章、重建全部统计。"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from analysis.views.corpus import SHOWN, TYPES
from analysis.workspace import EXISTS, FAILED, NEW, Result
from app_pages import _state as S
from app_pages._imports import column_picker, export_section

ICONS = {NEW: "✅", EXISTS: "ℹ️", FAILED: "❌"}


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def progress_text(done: int, total: int, name: str, elapsed: float) -> str:
    """The progress bar's line: which file, n of N, time so far."""
    return f"已分析 {done}/{total} 个文件 · 当前：{name} · 已用 {elapsed:.0f} 秒"


def ingest(files: Sequence[tuple[str, bytes]], bar=None, columns=None) -> list[Result]:
    """What the 开始导入 button does: hand the uploads to the workspace, with a progress bar."""
    import time

    start = time.monotonic()

    def progress(done: int, total: int, name: str) -> None:
        if bar is not None:
            text = progress_text(done, total, S.md_escape(name), time.monotonic() - start)
            bar.progress(done / total if total else 1.0, text=text)

    results = S.ws().ingest_uploads(list(files), key=S.editor_key(), progress=progress, columns=columns)
    S.changed()
    return results


def results_table(results: Sequence[Result]) -> pd.DataFrame:
    """One row per uploaded file, as the page shows it."""
    return pd.DataFrame(
        {
            "结果": [f"{ICONS.get(r.status, '')} {r.status}" for r in results],
            "文件": [r.name for r in results],
            "说明": [r.reason if r.status != NEW else f"文章编号 {r.article_id}" for r in results],
        }
    )


def upload_section(read_only: bool, limits_line: str) -> None:
    st.subheader("导入文章")
    st.caption(limits_line)
    if read_only:  # no uploader at all: a disabled one still invites bodies to the upload endpoint
        st.caption("当前不能导入，所以不显示上传框。")
        return
    uploads = st.file_uploader("选择要导入的文件", type=TYPES, accept_multiple_files=True, key="upload")
    columns = column_picker(uploads or [])
    go = st.button("开始导入", key="do_ingest", type="primary", disabled=read_only or not uploads)
    if go and uploads:
        limit = S.settings().limits.max_file_bytes
        too_big = [u.name for u in uploads if u.size > limit]
        files = [(u.name, u.getvalue()) for u in uploads if u.size <= limit]
        first = S.md_escape(files[0][0]) if files else ""
        bar = st.progress(0.0, text=f"开始导入 {len(files)} 个文件 · 第一个：{first}")
        try:
            results = ingest(files, bar, columns) if files else []
        except S.AccessDenied as exc:
            bar.empty()
            st.warning(str(exc))
            return
        results += [Result(n, FAILED, f"文件超过 {_mb(limit)}") for n in too_big]
        del files, uploads
        S.drop_uploaded_files()
        bar.empty()
        counts = {s: sum(r.status == s for r in results) for s in (NEW, EXISTS, FAILED)}
        summary = f"导入完成：新增 {counts[NEW]} 篇，已存在 {counts[EXISTS]} 篇，失败 {counts[FAILED]} 个。"
        (st.warning if counts[FAILED] else st.success)(summary)
        if counts[NEW] and not S.ws().words_ready():  # themes first, words later (words_later.py)
            st.caption("主题统计已经可以查看；词云和省份对比所用的词语正在后台补充，那两页会显示进度。")
        st.dataframe(results_table(results), hide_index=True, width="stretch", key="ingest_results")


def delete_section(labels: dict[str, str], read_only: bool, samples: int) -> None:
    st.subheader("删除文章")
    if not labels:
        st.caption("库中没有文章。")
        return
    if samples:  # the first run's examples go in one action
        c1, c2 = st.columns([4, 1.4], vertical_alignment="bottom")
        c1.caption(f"库中有 {samples} 篇示例文章（随看板附带，用来演示）。")
        if c2.button("移除全部示例文章", key="do_remove_samples", disabled=read_only):
            try:
                n = S.ws().remove_samples(key=S.editor_key())
            except S.AccessDenied as exc:
                st.warning(str(exc))
                return
            S.changed()
            st.success(f"已移除 {n} 篇示例文章。")
            return
    c1, c2, c3 = st.columns([4, 1.4, 1], vertical_alignment="bottom")
    chosen = c1.multiselect(
        "要删除的文章（可选多篇）",
        list(labels),
        format_func=lambda i: labels.get(i, i),
        key="del_article",
        placeholder="选择文章",
        disabled=read_only,
    )
    sure = c2.checkbox("确认删除", key="del_confirm", disabled=read_only)
    if c3.button("删除", key="do_delete", disabled=read_only or not chosen) and chosen:
        if not sure:
            st.warning("请先勾选“确认删除”。")
            return
        try:
            gone = S.ws().delete_articles(chosen, key=S.editor_key())
        except S.AccessDenied as exc:
            st.warning(str(exc))
            return
        if gone:
            S.changed()
            names = "；".join(S.md_escape(labels[c]) for c in chosen[:3]) + ("等" if len(chosen) > 3 else "")
            st.success(f"已删除 {gone} 篇：{names}（编辑对省份的改正会保留，重新导入同一文件时恢复）")
        else:
            st.warning("所选文章已不在库中。")


def rebuild_section(read_only: bool) -> None:
    st.subheader("重建全部统计")
    st.caption(
        "修改了地名、领导人数据或主题词典文件后，重新读取这些文件，重新分段、判断省份并重新计数"
        "（编辑的改正会保留）。文章多时需要几分钟。"
    )
    if st.button("重建全部统计", key="do_rebuild", disabled=read_only):
        bar = st.progress(0.0, text="正在重建…")

        def progress(done: int, total: int, name: str) -> None:
            bar.progress(done / total if total else 1.0, text=f"正在重建 {done}/{total}")

        try:
            n = S.ws().rebuild(key=S.editor_key(), progress=progress)
        except S.AccessDenied as exc:
            st.warning(str(exc))
            return
        finally:
            bar.empty()
        S.changed()
        st.success(f"已重建 {n} 篇文章的统计。")


st.title("语料管理", anchor=False)
_read_only = not S.edit_guard("导入、删除或重建")
_figures = st.container()
upload_section(_read_only, S.corpus_view().limits_line)
_table = st.container()
delete_section_area = st.container()
rebuild_section(_read_only)
export_section()

# Actions above have run by now (changed() cleared the cache), so the figures, the table
# and the delete list show the store as it is.
with delete_section_area:
    delete_section(S.corpus_view().labels, _read_only, S.corpus_view().samples)
_v = S.corpus_view()  # read again after any delete
with _figures:
    c1, c2, c3 = st.columns(3)
    c1.metric("文章", f"{_v.summary.articles:,}")
    c2.metric("字数（不含空白）", f"{_v.summary.chars:,}")
    c3.metric("来源文件", f"{_v.summary.sources:,}")
with _table:
    st.subheader("已入库的文章")
    if _v.articles.empty:
        st.info("库中还没有文章。用上面的“导入文章”添加。")
    else:
        if _v.truncated:
            st.caption(f"只列出最新的 {SHOWN} 篇；要找某篇文章请到“文章”页搜索。")
        st.dataframe(
            _v.articles,
            hide_index=True,
            width="stretch",
            key="corpus_table",
            column_config={"日期": st.column_config.DateColumn(format="YYYY-MM-DD")},
        )
