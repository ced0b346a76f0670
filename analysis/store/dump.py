"""The whole store for analysts: articles with metadata, province attributions and
paragraph × theme counts, streamed as Arrow record batches (never one big DataFrame).

Only reads; writers (Parquet, XLSX) live in analysis/store_export.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from .reads import Reads

# name -> (sheet title for editors, query). Ordered so keys come first in every table.
DUMPS: dict[str, tuple[str, str]] = {
    # Articles in stored order: sorting would hold every text at once.
    "articles": (
        "文章",
        """SELECT id, title, date, date_basis, outlet, author, section, url, source, fmt, chars,
                  ingested_at, text
           FROM articles""",
    ),
    "sections": (
        "段落组省份",
        """SELECT article_id, idx AS section_idx, header, province, reason,
                  auto_province, auto_reason, speaker, office
           FROM sections ORDER BY article_id, idx""",
    ),
    "paragraphs": (
        "段落省份",
        """SELECT article_id, idx AS par_idx, section_idx, province, reason, chars
           FROM paragraphs ORDER BY article_id, idx""",
    ),
    "theme_counts": (
        "段落主题次数",
        """SELECT h.article_id, h.par_idx, h.section_idx, h.province, h.date,
                  h.theme_id, coalesce(t.name, h.theme_id) AS theme, sum(h.n)::INTEGER AS n
           FROM hits h LEFT JOIN themes t ON t.id = h.theme_id
           GROUP BY ALL ORDER BY h.article_id, h.par_idx, h.theme_id""",
    ),
}

# Column headers of the Excel workbook, for editors (Parquet keeps the identifiers above,
# which scripts select by).
HEADERS: dict[str, str] = {
    "id": "文章编号",
    "article_id": "文章编号",
    "title": "标题",
    "date": "日期",
    "date_basis": "日期依据",
    "outlet": "媒体",
    "author": "作者",
    "section": "栏目",
    "url": "网址",
    "source": "文件",
    "fmt": "格式",
    "chars": "字数",
    "ingested_at": "导入时间",
    "text": "全文",
    "section_idx": "段落组序号",
    "header": "小标题",
    "province": "省份",
    "reason": "判断依据",
    "auto_province": "自动判断的省份",
    "auto_reason": "自动判断依据",
    "speaker": "讲话人",
    "office": "职务",
    "par_idx": "段落序号",
    "theme_id": "主题编号",
    "theme": "主题",
    "n": "次数",
}


def dump_rows(store: Reads, name: str) -> int:
    """How many rows a dump has (for progress and sheet splitting)."""
    row = store.cur().execute(f"SELECT count(*) FROM ({DUMPS[name][1]})").fetchone()
    return int(row[0]) if row else 0


def dump_batches(store: Reads, name: str, rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """One dump as record batches of at most `rows` rows (a cursor of its own)."""
    # A relation streams; a DB-API result would copy every row first.
    yield from store.cur().cursor().sql(DUMPS[name][1]).to_arrow_reader(rows)


def dump_schema(store: Reads, name: str) -> pa.Schema:
    """A dump's columns and types, also when it has no rows."""
    return store.cur().cursor().sql(f"SELECT * FROM ({DUMPS[name][1]}) LIMIT 0").to_arrow_table().schema
