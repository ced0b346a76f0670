"""Whole-store export (Parquet folder, Excel workbook): exact rows and counts of the samples."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from helpers import S002, SAMPLE_FILES

from analysis import store_export
from analysis.cli import main
from analysis.settings import SAMPLES_DIR
from analysis.store_export import CUT_MARK, EXCEL_MAX_CHARS, export_parquet, export_xlsx


def store_facts(engine) -> dict[str, int]:
    one = lambda sql: int(engine.store.df(sql).iloc[0, 0])  # noqa: E731
    return {
        "articles": one("SELECT count(*) FROM articles"),
        "sections": one("SELECT count(*) FROM sections"),
        "paragraphs": one("SELECT count(*) FROM paragraphs"),
        "theme_counts": one("SELECT count(*) FROM (SELECT DISTINCT article_id, par_idx, theme_id FROM hits)"),
        "hits": one("SELECT sum(n) FROM hits"),
    }


def test_parquet_holds_every_article_paragraph_and_count(sample_engine, tmp_path):
    facts = store_facts(sample_engine)
    rows = export_parquet(sample_engine.store, tmp_path / "out")
    assert rows == {k: facts[k] for k in ("articles", "sections", "paragraphs", "theme_counts")}
    arts = pq.read_table(tmp_path / "out" / "articles.parquet").to_pandas()
    assert sorted(arts["source"]) == sorted(SAMPLE_FILES)
    assert {"title", "date", "outlet", "author", "section", "url", "text"} <= set(arts.columns)
    counts = pq.read_table(tmp_path / "out" / "theme_counts.parquet").to_pandas()
    assert int(counts["n"].sum()) == facts["hits"]
    ids = dict(zip(arts["source"], arts["id"]))
    s002 = counts[(counts["article_id"] == ids[S002]) & (counts["theme"] == "高质量发展")]
    assert int(s002["n"].sum()) == 128  # the same figure `counts --by file` gives
    pars = pq.read_table(tmp_path / "out" / "paragraphs.parquet").to_pandas()
    assert pars.groupby("province")["chars"].sum().to_dict() == (
        sample_engine.store.df("SELECT province, sum(chars)::BIGINT AS c FROM paragraphs GROUP BY 1")
        .set_index("province")["c"]
        .to_dict()
    )


def test_xlsx_sheets_rows_long_texts_and_formula_like_cells(empty_engine, tmp_path):
    from openpyxl import load_workbook

    text = '=HYPERLINK("http://x")湖北推动高质量发展。\n' + "湖北推动高质量发展。" * 4000
    assert len(text) > EXCEL_MAX_CHARS
    assert [r.status for r in empty_engine.ingest_uploads([("长.txt", text.encode())])] == ["新增"]
    facts = store_facts(empty_engine)
    out = tmp_path / "库.xlsx"
    rows = export_xlsx(empty_engine.store, out)
    assert rows["articles"] == 1 and rows["theme_counts"] == facts["theme_counts"]
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["文章", "段落组省份", "段落省份", "段落主题次数"]
    art = list(wb["文章"].iter_rows(values_only=True))
    header, row = art[0], art[1]
    cell = row[header.index("全文")]
    assert len(cell) == EXCEL_MAX_CHARS and cell.endswith(CUT_MARK)
    # Text, never a formula (safecells' leading quote), and still within Excel's cell limit.
    assert cell.startswith('\'=HYPERLINK("http://x")')
    counts = list(wb["段落主题次数"].iter_rows(values_only=True))
    n_col = counts[0].index("次数")
    assert sum(r[n_col] for r in counts[1:]) == facts["hits"] == 4001


def test_xlsx_continues_on_a_second_sheet_past_the_row_limit(sample_engine, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr(store_export, "EXCEL_MAX_ROWS", 101)  # header + 100 rows per sheet
    facts = store_facts(sample_engine)
    export_xlsx(sample_engine.store, tmp_path / "x.xlsx")
    wb = load_workbook(tmp_path / "x.xlsx", read_only=True)
    parts = [n for n in wb.sheetnames if n.startswith("段落主题次数")]
    assert len(parts) == -(-facts["theme_counts"] // 100)
    assert sum(wb[n].max_row - 1 for n in parts) == facts["theme_counts"]


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_cli_export_prints_a_json_summary(tmp_path, capsys, fmt):
    from analysis import store as store_mod

    db = tmp_path / "cli.duckdb"
    try:
        assert main(["ingest", str(SAMPLES_DIR), "--db", str(db), "--no-samples", "--quiet"]) == 0
        capsys.readouterr()
        assert main(["export", str(tmp_path / "导出"), "--format", fmt, "--db", str(db), "--quiet"]) == 0
    finally:
        for key, st in list(store_mod._OPEN.items()):
            if key[0] == str(db.resolve()):
                st.close()
                del store_mod._OPEN[key]
    out = json.loads(capsys.readouterr().out)
    target = tmp_path / ("导出.xlsx" if fmt == "xlsx" else "导出")
    assert out["format"] == fmt and out["out"] == str(target) and target.exists()
    assert out["rows"]["articles"] == 5


def test_every_sheet_is_headed_in_chinese(sample_engine, tmp_path):
    from openpyxl import load_workbook

    from analysis.store.dump import DUMPS, HEADERS, dump_schema

    export_xlsx(sample_engine.store, tmp_path / "x.xlsx")
    wb = load_workbook(tmp_path / "x.xlsx", read_only=True)
    for name, (title, _) in DUMPS.items():
        header = next(wb[title].iter_rows(max_row=1, values_only=True))
        assert list(header) == [HEADERS[c] for c in dump_schema(sample_engine.store, name).names]
        assert all(not h.isascii() for h in header), header
    assert next(wb["段落主题次数"].iter_rows(max_row=1, values_only=True))[-2:] == ("主题", "次数")


def _export(tmp_path, *args, quiet=True):
    from analysis import store as store_mod

    db = tmp_path / "cli.duckdb"
    try:
        if not db.exists():
            assert main(["ingest", str(SAMPLES_DIR), "--db", str(db), "--quiet"]) == 0
        return main(["export", *args, "--db", str(db), *(["--quiet"] if quiet else [])])
    finally:
        for key, st in list(store_mod._OPEN.items()):
            if key[0] == str(db.resolve()):
                st.close()
                del store_mod._OPEN[key]


def test_cli_export_takes_the_format_from_the_file_name(tmp_path, capsys):
    assert _export(tmp_path, str(tmp_path / "库.XLSX")) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "xlsx" and (tmp_path / "库.XLSX").is_file()
    assert _export(tmp_path, str(tmp_path / "文件夹")) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "parquet"
    assert (tmp_path / "文件夹" / "articles.parquet").is_file()


def test_cli_export_refuses_a_parquet_folder_named_xlsx(tmp_path, capsys):
    assert _export(tmp_path, str(tmp_path / "x.xlsx"), "--format", "parquet") == 2
    assert ".xlsx" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_export_sums_up_in_chinese(tmp_path, capsys):
    assert _export(tmp_path, str(tmp_path / "库.xlsx"), quiet=False) == 0
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("文章 5 行，段落组省份 69 行，段落省份 492 行，段落主题次数 875 行")
    )
