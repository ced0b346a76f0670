"""`python -m analysis export`: the whole store as Parquet files or one Excel workbook.

Rows stream from the store in record batches into a Parquet writer or xlsxwriter's
constant-memory mode, so a 100,000-article store exports without being loaded whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from .safecells import safe_cell
from .store.dump import DUMPS, HEADERS, dump_batches, dump_rows, dump_schema
from .store.reads import Reads

EXCEL_MAX_ROWS = 1_048_576  # per sheet, header included
EXCEL_MAX_CHARS = 32_767  # per cell: longer article texts are cut, and say so
CUT_MARK = "…（全文过长，已截断；完整文本见 Parquet 导出）"

Progress = Callable[[int, int, str], None]


def export_parquet(store: Reads, out: Path, progress: Progress | None = None) -> dict[str, int]:
    """One .parquet file per table in the folder `out`; returns rows written per table."""
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    total = sum(dump_rows(store, name) for name in DUMPS)
    done = 0
    written: dict[str, int] = {}
    for name in DUMPS:
        writer = None
        n = 0
        try:
            for batch in dump_batches(store, name):
                if writer is None:
                    writer = pq.ParquetWriter(out / f"{name}.parquet", batch.schema, compression="zstd")
                writer.write_batch(batch)
                n += batch.num_rows
                done += batch.num_rows
                if progress:
                    progress(done, total, name)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:  # an empty table still gets its file, with its columns
            pq.write_table(dump_schema(store, name).empty_table(), out / f"{name}.parquet")
        written[name] = n
    return written


def _cell(value: object) -> object:
    if isinstance(value, str) and len(value) > EXCEL_MAX_CHARS:
        return value[: EXCEL_MAX_CHARS - len(CUT_MARK)] + CUT_MARK
    return value


def export_xlsx(store: Reads, out: Path, progress: Progress | None = None) -> dict[str, int]:
    """One workbook, a sheet per table (continued on "…(2)" past Excel's row limit),
    its columns headed in Chinese (dump.HEADERS)."""
    import xlsxwriter

    out.parent.mkdir(parents=True, exist_ok=True)
    total = sum(dump_rows(store, name) for name in DUMPS)
    done = 0
    written: dict[str, int] = {}
    # Strings stay strings: a cell that starts with "=" is text, never a formula or a link.
    wb = xlsxwriter.Workbook(
        str(out), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        time_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for name, (title, _) in DUMPS.items():
            ws, part, row, n = None, 1, 0, 0
            columns: list[str] = []
            for batch in dump_batches(store, name):
                columns = batch.schema.names
                for record in batch.to_pylist():
                    if ws is None or row >= EXCEL_MAX_ROWS:
                        ws = wb.add_worksheet(title if part == 1 else f"{title}({part})")
                        part += 1
                        ws.write_row(0, 0, [HEADERS.get(c, c) for c in columns])
                        row = 1
                    for col, key in enumerate(columns):
                        value = record[key]
                        if isinstance(value, dt.datetime):
                            ws.write_datetime(row, col, value, time_fmt)
                        elif isinstance(value, dt.date):
                            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_fmt)
                        elif value is not None:
                            ws.write(row, col, _cell(safe_cell(value)))  # neutralise, then cut to fit
                    row += 1
                    n += 1
                done += batch.num_rows
                if progress:
                    progress(done, total, name)
            if ws is None:  # empty table: the sheet with its header row
                ws = wb.add_worksheet(title)
                ws.write_row(0, 0, [HEADERS.get(c, c) for c in dump_schema(store, name).names])
            written[name] = n
    finally:
        wb.close()
    return written
