"""Tables of articles (CSV in any encoding and delimiter, XLSX, JSON Lines): one article per
row, bad rows reported by row number, duplicates adding nothing, exact theme counts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tracemalloc

import pytest
from helpers import T1, T2, T3, csv_bytes, theme_counts

from analysis.ingest import IngestError, RawDoc
from analysis.tables import ColumnMap, open_table, parse_cell_date, read_meta_table, table_rows

HEADER = ["标题", "发布时间", "媒体", "作者", "版面", "正文"]
ROWS = [
    ["湖北全会", "2024-03-07", "《人民日报》", "张三", "要闻", T1],
    ["广东营商", "2024/3/8", "新华网", "李四", "经济", T2],
    ["坏日期", "三月某日", "新华社", "", "", "广东加快发展新质生产力。"],
    ["空正文", "2024-03-09", "新华社", "", "", "  "],
    ["浙江", "2024年3月10日", "浙江日报社", "", "", T3],
    ["湖北全会（重复）", "2024-03-07", "人民日报", "", "", T1],
]
# Row numbers as a spreadsheet shows them: the header is row 1.
EXPECTED = [
    (2, "新增", ""),
    (3, "新增", ""),
    (4, "失败", "日期“三月某日”无法识别（应为 2024-03-07、2024/3/7 或 2024年3月7日）"),
    (5, "失败", "正文为空"),
    (6, "新增", ""),
    (7, "已存在", "内容相同的文章已在库中"),
]
THEMES = {"high_quality_development": 3, "business_environment": 3}  # theme_counts of T1-T3


def check_import(engine, results, name: str, header_row: int = 1) -> None:
    shift = header_row - 1
    assert [(r.name, r.status, r.reason) for r in results] == [
        (f"{name} 第 {row + shift} 行", status, reason) for row, status, reason in EXPECTED
    ]
    assert engine.store.article_count() == 3
    assert theme_counts(engine) == THEMES
    arts = engine.store.df(
        "SELECT source, title, strftime(date, '%Y-%m-%d') AS date, outlet FROM articles ORDER BY 3"
    )
    assert arts["title"].tolist() == ["湖北全会", "广东营商", "浙江"]
    assert arts["date"].tolist() == ["2024-03-07", "2024-03-08", "2024-03-10"]
    assert arts["outlet"].tolist() == ["人民日报", "新华社", "浙江日报"]  # names normalised
    assert arts["source"].tolist() == [f"{name} 第 {n + shift} 行" for n in (2, 3, 6)]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "name"),
    [
        ("utf-8", ",", "稿件.csv"),
        ("gbk", ",", "稿件gbk.csv"),
        ("utf-8-sig", "\t", "稿件.tsv"),
        ("gb18030", "\t", "慧科导出.csv"),
    ],
)
def test_csv_any_encoding_and_delimiter(empty_engine, tmp_path, encoding, delimiter, name):
    path = tmp_path / name
    path.write_bytes(csv_bytes([HEADER, *ROWS], encoding, delimiter))
    check_import(empty_engine, empty_engine.ingest_paths([path]), name)
    # The same table again adds nothing: every good row is already there.
    again = empty_engine.ingest_paths([path])
    assert [r.status for r in again] == ["已存在", "已存在", "失败", "失败", "已存在", "已存在"]
    assert empty_engine.store.article_count() == 3
    assert theme_counts(empty_engine) == THEMES


def test_xlsx_with_date_cells_and_an_explicit_column_map(empty_engine, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["稿件正文", "刊发", "标题", "来源"])  # 稿件正文/刊发 are not names tables know
    for title, day, outlet, _, _, text in ROWS:
        try:
            parsed = parse_cell_date(day)
        except ValueError:
            parsed = None
        # Real Excel date cells where the day is readable, the text as typed where not.
        cell: dt.datetime | str = dt.datetime.combine(parsed, dt.time(9, 30)) if parsed else day
        ws.append([text, cell, title, outlet])
    path = tmp_path / "导出.xlsx"
    wb.save(path)
    results = empty_engine.ingest_paths([path], columns=ColumnMap(text="稿件正文", date="刊发"))
    check_import(empty_engine, results, "导出.xlsx")


def test_jsonl_reports_a_broken_line_and_imports_the_rest(empty_engine, tmp_path):
    lines = [
        json.dumps(
            dict(zip(["title", "date", "source", "author", "section", "content"], r)), ensure_ascii=False
        )
        for r in ROWS
    ]
    lines.insert(2, '{"title": "断行", "content": ')  # line 3: cut off mid-object
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = empty_engine.ingest_paths([path])
    got = [(r.name, r.status) for r in results]
    assert got == [
        ("feed.jsonl 第 1 行", "新增"),
        ("feed.jsonl 第 2 行", "新增"),
        ("feed.jsonl 第 3 行", "失败"),
        ("feed.jsonl 第 4 行", "失败"),
        ("feed.jsonl 第 5 行", "失败"),
        ("feed.jsonl 第 6 行", "新增"),
        ("feed.jsonl 第 7 行", "已存在"),
    ]
    assert results[2].reason.startswith("不是有效的 JSON")
    assert empty_engine.store.article_count() == 3
    assert theme_counts(empty_engine) == THEMES


def test_article_longer_than_csvs_default_field_limit(empty_engine, tmp_path):
    # csv refuses fields over 131,072 characters by default; a long report is longer.
    long = (T3 + "\n") * 6000  # 6000 × 高质量发展, about 160,000 characters
    assert len(long) > 131_072
    path = tmp_path / "长文.csv"
    path.write_bytes(csv_bytes([["标题", "正文"], ["长文", long]]))
    results = empty_engine.ingest_paths([path])
    assert [(r.name, r.status) for r in results] == [("长文.csv 第 2 行", "新增")]
    assert theme_counts(empty_engine) == {"high_quality_development": 6000}


def test_row_numbers_count_records_not_lines(tmp_path):
    # A quoted cell spanning three lines is still one spreadsheet row.
    data = csv_bytes([["标题", "正文"], ["甲", "第一段\n第二段\n第三段"], ["乙", ""], ["丙", T3]])
    table = open_table(data, "多行.csv")
    assert table.total == 3
    got = [(label, doc if isinstance(doc, str) else doc.text) for label, doc, _ in table_rows(table)]
    assert got == [
        ("多行.csv 第 2 行", "第一段\n第二段\n第三段"),
        ("多行.csv 第 3 行", "正文为空"),
        ("多行.csv 第 4 行", T3),
    ]


def test_a_table_without_a_text_column_is_one_clear_failure(empty_engine, tmp_path):
    path = tmp_path / "清单.csv"
    path.write_bytes(csv_bytes([["标题", "日期"], ["甲", "2024-01-01"]]))
    results = empty_engine.ingest_paths([path])
    assert len(results) == 1 and results[0].status == "失败"
    assert results[0].reason == (
        "找不到正文列（可用 --text-col 指定；可识别的列名：正文、内容、全文、text）。现有列：标题、日期"
    )
    results = empty_engine.ingest_paths([path], columns=ColumnMap(text="稿件"))
    assert [(r.status, r.reason) for r in results] == [
        ("失败", "表中没有名为“稿件”的列（现有列：标题、日期）")
    ]
    assert empty_engine.store.article_count() == 0


def test_a_file_that_is_not_a_table_is_refused():
    with pytest.raises(IngestError, match="这是PNG 图片"):
        open_table(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "图.csv")


def test_cms_html_bodies_become_paragraphs(tmp_path):
    data = csv_bytes([["标题", "内容"], ["网页稿", "<p>湖北推动高质量发展。</p><p>优化营商环境。</p>"]])
    ((_, doc, _),) = table_rows(open_table(data, "cms.csv"))
    assert isinstance(doc, RawDoc)
    assert doc.text.split() == ["湖北推动高质量发展。", "优化营商环境。"]


def test_meta_table_in_gbk_with_chinese_headers():
    data = csv_bytes(
        [
            ["# 说明行"],
            ["文件名", "标题", "日期", "来源", "作者"],
            ["a.txt", "甲", "2024-02-01", "人民日报社", "王五"],
        ],
        "gbk",
    )
    meta = read_meta_table(data, "meta.csv")
    assert list(meta) == ["a.txt"]
    assert (meta["a.txt"].title, meta["a.txt"].date, meta["a.txt"].outlet) == (
        "甲",
        dt.date(2024, 2, 1),
        "人民日报",
    )


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-03-07", dt.date(2024, 3, 7)),
        ("2024/3/7 10:22", dt.date(2024, 3, 7)),
        ("2024年3月7日", dt.date(2024, 3, 7)),
        ("20240307", dt.date(2024, 3, 7)),
        (45358, dt.date(2024, 3, 7)),  # an Excel serial day whose date format was lost
        ("", None),
    ],
)
def test_cell_dates(value, day):
    assert parse_cell_date(value) == day


def test_rows_stream_in_bounded_memory(tmp_path):
    # 20,000 rows (about 6 MB) read row by row: Python's own allocations stay far below the file.
    path = tmp_path / "大表.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["标题", "正文"])
        for i in range(20_000):
            w.writerow([f"第{i}篇", f"{T1}编号{i}。" * 3])
    size = path.stat().st_size
    assert size > 5_000_000
    tracemalloc.start()
    table = open_table(path, "大表.csv")  # judges the encoding on the head, counts rows
    opened = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    n = sum(1 for _, doc, _ in table_rows(table) if not isinstance(doc, str))
    streamed = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (table.total, n) == (20_000, 20_000)
    assert opened < 3_000_000, opened  # a fixed head, whatever the file's size
    assert streamed < 500_000, streamed  # one row at a time


def test_author_section_url_are_stored_per_article(empty_engine, tmp_path):
    path = tmp_path / "稿件.csv"
    rows = [
        ["标题", "作者", "版面", "链接", "来源", "正文"],
        ["甲", "张三", "要闻", "https://example.cn/a", "人民网", T1],
    ]
    path.write_bytes(csv_bytes(rows))
    assert [r.status for r in empty_engine.ingest_paths([path])] == ["新增"]
    empty_engine.rebuild()  # re-derivation keeps what the table said
    got = empty_engine.store.df("SELECT outlet, author, section, url FROM articles").values.tolist()
    assert got == [["人民日报", "张三", "要闻", "https://example.cn/a"]]
    assert theme_counts(empty_engine) == {"high_quality_development": 2, "business_environment": 1}


def test_cli_ingest_table_with_column_flags(tmp_path, capsys):
    from analysis import store as store_mod
    from analysis.cli import main

    path = tmp_path / "导出.csv"
    rows = [["稿件正文", "刊发", "题目"], *[[r[5], r[1], r[0]] for r in ROWS]]
    path.write_bytes(csv_bytes(rows))
    db = tmp_path / "cli.duckdb"
    args = [
        "ingest",
        str(path),
        "--db",
        str(db),
        "--no-samples",
        "--text-col",
        "稿件正文",
        "--date-col",
        "刊发",
    ]
    try:
        assert main([*args, "--format", "json"]) == 1  # two rows fail
        out = json.loads(capsys.readouterr().out)
        assert out["summary"] == {"total": 6, "new": 3, "exists": 1, "failed": 2}
        assert [r["status"] for r in out["results"]] == [s for _, s, _ in EXPECTED]
        # Again, quietly: only the failures, one line each, and nothing on stderr.
        assert main([*args, "--quiet"]) == 1
        got = capsys.readouterr()
        assert got.out.splitlines() == [
            f"失败  导出.csv 第 {row} 行：{reason}" for row, s, reason in EXPECTED if s == "失败"
        ]
        assert got.err == ""
    finally:
        for key, st in list(store_mod._OPEN.items()):
            if key[0] == str(db.resolve()):
                st.close()
                del store_mod._OPEN[key]


def frame(at, *columns: str):
    """The first table on the page showing these columns (AppTest keeps no keys on tables)."""
    return next(df.value for df in at.dataframe if all(c in df.value.columns for c in columns))


def test_corpus_page_previews_a_table_and_imports_with_the_picked_columns(tmp_path):
    from helpers import APP
    from streamlit.testing.v1 import AppTest

    from analysis.settings import Settings
    from analysis.store import open_store
    from app_pages import _state as S

    db = tmp_path / "page.duckdb"
    S.use_settings(Settings(db=db, workers=1), strict=True)
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page("app_pages/corpus.py")
        at.run()
        before = int(at.metric[0].value.replace(",", ""))
        rows = [["稿件正文", "刊发", "题目", "媒体"], *[[r[5], r[1], r[0], r[2]] for r in ROWS]]
        at.file_uploader(key="upload").set_value([("导出.csv", csv_bytes(rows, "gbk"), "text/csv")])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = frame(at, "稿件正文", "刊发")
        assert shown.columns.tolist() == ["稿件正文", "刊发", "题目", "媒体"]
        assert shown["题目"].tolist() == [r[0] for r in ROWS][:5]
        # Recognised by name: 题目 and 媒体; 稿件正文 and 刊发 are picked by the editor.
        assert at.selectbox(key="col_title").value == "题目"
        assert at.selectbox(key="col_outlet").value == "媒体"
        assert at.selectbox(key="col_text").value == "（不导入）"
        at.selectbox(key="col_text").select("稿件正文")
        at.selectbox(key="col_date").select("刊发")
        at.run()
        at.button(key="do_ingest").click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        res = frame(at, "结果", "文件")
        assert res["文件"].tolist() == [f"导出.csv 第 {row} 行" for row, _, _ in EXPECTED]
        assert res["结果"].tolist() == ["✅ 新增", "✅ 新增", "❌ 失败", "❌ 失败", "✅ 新增", "ℹ️ 已存在"]
        assert int(at.metric[0].value.replace(",", "")) == before + 3
        assert at.get("download_button")  # 整库导出 is offered on the same page
        store = open_store(db)  # the app's own connection (a second one would be refused)
        got = store.df("SELECT title, outlet FROM articles WHERE source LIKE '导出.csv%' ORDER BY source")
        assert got.values.tolist() == [["湖北全会", "人民日报"], ["广东营商", "新华社"], ["浙江", "浙江日报"]]
    finally:
        S.use_settings(None)


def test_banner_rows_above_the_header_are_skipped(empty_engine, tmp_path):
    from openpyxl import Workbook

    # Clipping services put a title line (and a blank one) above the column names.
    path = tmp_path / "慧科.csv"
    path.write_bytes(csv_bytes([["慧科搜索结果：共 6 条"], [], HEADER, *ROWS], "gb18030"))
    check_import(empty_engine, empty_engine.ingest_paths([path]), "慧科.csv", header_row=3)
    wb = Workbook()
    ws = wb.active
    ws.append(["人民数据导出"])
    ws.append(["检索词：高质量发展", "导出时间：2024-04-01"])
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    wb.save(tmp_path / "人民数据.xlsx")
    table = open_table(tmp_path / "人民数据.xlsx", "人民数据.xlsx")
    assert (table.header, table.total) == (HEADER, 6)
    assert [label for label, _, _ in table_rows(table)][:2] == [
        "人民数据.xlsx 第 4 行",
        "人民数据.xlsx 第 5 行",
    ]
