"""Cells that spreadsheets show as text, never run as formulas (CSV/formula injection).

Article titles and text are written by outsiders: a title `=HYPERLINK("http://…","点此")`
exported as is becomes a live formula in Excel or WPS. Following OWASP's advice, every
text cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets
skip before reading a formula) gets a leading apostrophe; numbers stay numbers. Control
characters are dropped from text as well: one BEL (\\x07) makes openpyxl refuse the whole
workbook.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these in a workbook; tab, newline and carriage return are allowed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_text(text: str) -> str:
    """text without control characters, with a leading `'` when a spreadsheet would read a formula."""
    text = _CONTROL.sub("", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_cell(value: Any) -> Any:
    """A cell value made safe: strings neutralised, everything else (numbers, dates) unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df whose text cells and column names are safe; numeric columns untouched."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def safe_xlsx(blob: bytes) -> bytes:
    """An .xlsx with every text and formula cell made safe (python-pptx writes a chart's
    embedded workbook with xlsxwriter, which turns a category `=…` into a live formula)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(blob))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and safe_text(cell.value) != cell.value:
                    cell.value = safe_text(cell.value)  # a leading ' makes openpyxl store text
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def safe_chart(chart: Any) -> None:
    """Neutralise the workbook embedded in a python-pptx chart (labels on the slide unchanged)."""
    workbook = chart.part.chart_workbook
    if workbook.xlsx_part is not None:
        workbook.update_from_xlsx_blob(safe_xlsx(workbook.xlsx_part.blob))
