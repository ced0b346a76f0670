"""语料管理 parts for tables and the whole-store export: a preview with a column picker
for an uploaded table, and the Excel download of the whole store."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis.workspace import FIELD_LABELS, TABLE_SUFFIXES, ColumnMap, IngestError, preview
from app_pages import _state as S

NONE = "（不导入）"


def column_picker(uploads: Sequence[Any]) -> ColumnMap | None:
    """For the first uploaded table: its first rows and one select per field, defaulting
    to the columns recognised by name. The choice applies to every table of this upload."""
    tables = [u for u in uploads if Path(u.name).suffix.lower() in TABLE_SUFFIXES]
    if not tables:
        return None
    first = tables[0]
    try:
        header, rows, guessed = preview(first.getvalue(), first.name)
    except IngestError as exc:
        st.warning(f"{first.name}：{exc}")
        return None
    names = [h or f"第 {i + 1} 列" for i, h in enumerate(header)]
    with st.expander(f"表格预览与列对应：{first.name}", expanded=True):
        shown = [
            [("" if v is None else str(v))[:80] for v in (list(r) + [None] * len(names))[: len(names)]]
            for r in rows
        ]
        st.dataframe(pd.DataFrame(shown, columns=names), hide_index=True, key="table_preview")
        st.caption("每行一篇文章。下面各项默认按列名识别，可改选；同一批上传的表格都按这里的对应导入。")
        cols = st.columns(4)
        picked: dict[str, str | None] = {}
        for i, (field, label) in enumerate(FIELD_LABELS.items()):
            options = [NONE, *names]
            default = guessed.get(field)
            chosen = cols[i % 4].selectbox(
                label,
                options,
                index=options.index(default) if default in options else 0,
                key=f"col_{field}",
            )
            picked[field] = None if chosen == NONE else header[names.index(chosen)]
    return ColumnMap(**picked)


def export_section() -> None:
    st.subheader("整库导出")
    st.caption(
        "文章及其元数据（标题、日期、媒体、作者、版面、链接、全文）、各段落的省份判断、段落 × 主题次数，"
        "一个 Excel 文件。Excel 单元格最多 32,767 字，更长的全文会截断；要完整数据请用命令行"
        " `python -m analysis export --format parquet 文件夹`。"
    )

    def workbook() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "export.xlsx"
            S.ws().export_store(out, "xlsx")
            return out.read_bytes()

    st.download_button(
        "下载整库 Excel",
        data=workbook,  # built only when clicked, on its own thread
        file_name="政策主题看板-整库.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="export_store",
    )
