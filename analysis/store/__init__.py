"""The DuckDB store: the only code that speaks SQL (writes here, reads in reads.py).

One read-write connection per process and a cursor per thread. Every article is
written in one transaction with all its derived rows, so a crash never leaves half an
article. Derived tables (sections, paragraphs, hits, article_themes, units, words) can always be
rebuilt from `articles.text`; editors' overrides live in their own table and the
pipeline applies them whenever it derives an article.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from ..models import Theme
from ..pipeline import Parsed
from . import reads
from .reads import Reads
from .rows import DERIVED as ROW_TABLES
from .rows import article_tables, derived_tables, hits_table

# article_themes sums hits per article × province × theme; it is kept in step with hits
# inside the same transactions, so the province × theme totals read 20× fewer rows.
DERIVED = (*ROW_TABLES, "article_themes")
_SUM_HITS = """INSERT INTO article_themes SELECT article_id, province, any_value(date), any_value(source),
               theme_id, sum(n)::INTEGER FROM {src} GROUP BY article_id, province, theme_id"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, sha VARCHAR, source VARCHAR, title VARCHAR, date DATE,
    date_basis VARCHAR, outlet VARCHAR, fmt VARCHAR, hard_wrapped BOOLEAN, text VARCHAR,
    chars INTEGER, ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS sections (
    article_id VARCHAR, idx INTEGER, header VARCHAR, province VARCHAR, reason VARCHAR,
    auto_province VARCHAR, auto_reason VARCHAR, speaker VARCHAR, office VARCHAR);
CREATE TABLE IF NOT EXISTS paragraphs (
    article_id VARCHAR, idx INTEGER, section_idx INTEGER, province VARCHAR, reason VARCHAR,
    date DATE, source VARCHAR, chars INTEGER, text VARCHAR, norm VARCHAR);
CREATE TABLE IF NOT EXISTS article_themes (
    article_id VARCHAR, province VARCHAR, date DATE, source VARCHAR, theme_id VARCHAR, n INTEGER);
CREATE TABLE IF NOT EXISTS hits (
    article_id VARCHAR, par_idx INTEGER, section_idx INTEGER, province VARCHAR, date DATE,
    source VARCHAR, theme_id VARCHAR, phrase VARCHAR, n INTEGER);
CREATE TABLE IF NOT EXISTS units (
    article_id VARCHAR, section_idx INTEGER, province VARCHAR, date DATE, source VARCHAR,
    chars INTEGER, paragraphs INTEGER);
CREATE TABLE IF NOT EXISTS words (
    article_id VARCHAR, province VARCHAR, date DATE, source VARCHAR, word VARCHAR, n INTEGER);
CREATE TABLE IF NOT EXISTS themes (
    id VARCHAR PRIMARY KEY, name VARCHAR, category VARCHAR, ord INTEGER, note VARCHAR);
CREATE TABLE IF NOT EXISTS theme_phrases (theme_id VARCHAR, phrase VARCHAR);
CREATE TABLE IF NOT EXISTS pins (
    id INTEGER PRIMARY KEY, title VARCHAR, kind VARCHAR, data VARCHAR, source_line VARCHAR,
    filters VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS overrides (
    article_id VARCHAR, section_idx INTEGER, province VARCHAR, changed_at TIMESTAMP,
    PRIMARY KEY (article_id, section_idx));
CREATE TABLE IF NOT EXISTS quotes (
    id INTEGER PRIMARY KEY, article_id VARCHAR, par_idx INTEGER, text VARCHAR, source VARCHAR, date DATE,
    province VARCHAR, speaker VARCHAR, created_at TIMESTAMP, title VARCHAR, office VARCHAR, phrase VARCHAR);
"""


class StoreLocked(RuntimeError):
    """Another process holds the database for writing."""


class Store(Reads):
    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # DuckDB's buffer pool defaults to 80% of RAM; cap it so the dashboard stays small
            # (it spills to disk beyond the cap). POLICY_DUCKDB_MEMORY overrides.
            config = {"memory_limit": os.environ.get("POLICY_DUCKDB_MEMORY", "512MB")}
            self._con = duckdb.connect(str(self.path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(
                    f"数据库 {self.path.name} 正被另一个程序（多半是正在运行的看板）占用写入；"
                    "请在看板的“语料管理”页导入，或先关闭看板再用命令行"
                ) from None
            raise
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if not read_only:
            self._con.execute(SCHEMA)
            self._backfill_article_themes()

    # ------------------------------------------------------------ plumbing
    def cur(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the one connection."""
        c = getattr(self._local, "cur", None)
        if c is None:
            c = self._local.cur = self._con.cursor()
        return c

    def close(self) -> None:
        self._con.close()

    def _append(self, cur, table: str, columns: dict[str, list]) -> None:
        if not columns or not next(iter(columns.values())):
            return
        tbl = pa.table(columns)
        cur.register("_incoming", tbl)
        try:
            cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM _incoming")
        finally:
            cur.unregister("_incoming")

    # ------------------------------------------------------------ writes
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        rows = self.cur().execute("SELECT id FROM articles WHERE id IN (SELECT unnest(?))", [ids]).fetchall()
        return {r[0] for r in rows}

    def add(self, parsed: Sequence[Parsed], fmts: Sequence[tuple[str, bool]] | None = None) -> None:
        """Insert articles with all their rows in one transaction (all or nothing)."""
        if parsed:
            self.add_tables(article_tables(parsed, fmts))

    def _backfill_article_themes(self) -> None:
        """Stores made before article_themes existed get it filled once from hits."""
        cur = self.cur()
        empty = cur.execute("SELECT NOT EXISTS (SELECT 1 FROM article_themes)").fetchone()[0]
        if empty and cur.execute("SELECT EXISTS (SELECT 1 FROM hits)").fetchone()[0]:
            cur.execute(_SUM_HITS.format(src="hits"))

    def _insert_derived(self, cur, parsed: Sequence[Parsed]) -> None:
        self._insert_tables(cur, derived_tables(parsed))

    def _insert_tables(self, cur, tables: dict[str, pa.Table]) -> None:
        for name, tbl in tables.items():
            if tbl.num_rows:
                cur.register("_incoming", tbl)
                try:
                    cur.execute(f"INSERT INTO {name} ({', '.join(tbl.column_names)}) SELECT * FROM _incoming")
                    if name == "hits":
                        cur.execute(_SUM_HITS.format(src="_incoming"))
                finally:
                    cur.unregister("_incoming")

    def add_tables(self, tables: dict[str, pa.Table]) -> None:
        """Insert ready-made Arrow tables (articles and derived rows) in one transaction.

        The ingest workers build these (article_tables), so this process only appends."""
        with self._write_lock:
            cur = self.cur()
            cur.execute("BEGIN TRANSACTION")
            try:
                self._insert_tables(cur, tables)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def replace_derived(self, parsed: Sequence[Parsed]) -> None:
        """Swap in freshly derived rows for stored articles (rebuild, override, edit)."""
        if not parsed:
            return
        ids = [p.article.id for p in parsed]
        with self._write_lock:
            cur = self.cur()
            cur.execute("BEGIN TRANSACTION")
            try:
                for table in DERIVED:
                    cur.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [ids])
                self._insert_derived(cur, parsed)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def replace_all_hits(self, batches: Iterable[dict[str, list]]) -> None:
        """Recount: every hit row anew, in one transaction (a crash keeps the old counts).

        batches are hits columns, produced while this runs (from iter_paragraph_rows)."""
        with self._write_lock:
            cur = self.cur()
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute("DELETE FROM hits")
                cur.execute("DELETE FROM article_themes")
                for cols in batches:
                    self._insert_tables(cur, {"hits": hits_table(cols)})
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def set_themes(self, themes: Sequence[Theme]) -> None:
        self._themes_cache = None
        with self._write_lock:
            cur = self.cur()
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute("DELETE FROM theme_phrases")
                cur.execute("DELETE FROM themes")
                self._append(
                    cur,
                    "themes",
                    {
                        "id": [t.id for t in themes],
                        "name": [t.name for t in themes],
                        "category": [t.category for t in themes],
                        "ord": list(range(len(themes))),
                        "note": [t.note for t in themes],
                    },
                )
                self._append(
                    cur,
                    "theme_phrases",
                    {
                        "theme_id": [t.id for t in themes for _ in t.aliases],
                        "phrase": [a for t in themes for a in t.aliases],
                    },
                )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                self._themes_cache = None

    def delete_article(self, article_id: str) -> bool:
        with self._write_lock:
            cur = self.cur()
            cur.execute("BEGIN TRANSACTION")
            try:
                found = cur.execute("SELECT count(*) FROM articles WHERE id = ?", [article_id]).fetchone()[0]
                for table in DERIVED:
                    cur.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
                cur.execute("DELETE FROM articles WHERE id = ?", [article_id])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return bool(found)

    def set_override(self, article_id: str, section_idx: int, province: str | None) -> None:
        """Record (or with None, remove) an editor's province for a section."""
        with self._write_lock:
            cur = self.cur()
            cur.execute(
                "DELETE FROM overrides WHERE article_id = ? AND section_idx = ?", [article_id, section_idx]
            )
            if province:
                cur.execute(
                    "INSERT INTO overrides VALUES (?, ?, ?, ?)",
                    [article_id, section_idx, province, dt.datetime.now()],
                )

    def update_article(self, article_id: str, title: str | None = None, date: dt.date | None = None) -> None:
        with self._write_lock:
            cur = self.cur()
            if title is not None:
                cur.execute("UPDATE articles SET title = ? WHERE id = ?", [title, article_id])
            if date is not None:
                cur.execute(
                    "UPDATE articles SET date = ?, date_basis = '编辑' WHERE id = ?", [date, article_id]
                )
                for table in ("paragraphs", "hits", "units", "words", "article_themes"):
                    cur.execute(f"UPDATE {table} SET date = ? WHERE article_id = ?", [date, article_id])

    def add_pin(self, title: str, kind: str, data_json: str, source_line: str, filters: str) -> int:
        """Keep a chart for the presentation view and the PPT deck (data as JSON records)."""
        with self._write_lock:
            cur = self.cur()
            new_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM pins").fetchone()[0]
            cur.execute(
                "INSERT INTO pins VALUES (?, ?, ?, ?, ?, ?, ?)",
                [new_id, title, kind, data_json, source_line, filters, dt.datetime.now()],
            )
        return int(new_id)

    def delete_pin(self, pin_id: int) -> None:
        with self._write_lock:
            self.cur().execute("DELETE FROM pins WHERE id = ?", [pin_id])

    def add_quote(self, q: dict) -> int:
        """Keep a citable quote (analysis.quotes.quote_for's dict) for the deck and the 演示模式 page."""
        with self._write_lock:
            cur = self.cur()
            new_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM quotes").fetchone()[0]
            cur.execute(
                """INSERT INTO quotes (id, article_id, par_idx, text, source, date, province, speaker,
                                               created_at, title, office, phrase)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    new_id,
                    q.get("article_id"),
                    q.get("par_idx"),
                    q.get("text", ""),
                    q.get("source", ""),
                    q.get("date"),
                    q.get("province", ""),
                    q.get("speaker", ""),
                    dt.datetime.now(),
                    q.get("title", ""),
                    q.get("office", ""),
                    q.get("phrase", ""),
                ],
            )
        return int(new_id)

    def delete_quote(self, quote_id: int) -> None:
        with self._write_lock:
            self.cur().execute("DELETE FROM quotes WHERE id = ?", [quote_id])


_OPEN: dict[tuple[str, bool], Store] = {}
_OPEN_LOCK = threading.Lock()


def open_store(path: str | Path, read_only: bool = False) -> Store:
    """The process's one connection to path (opened on first use)."""
    key = (str(Path(path).resolve()), read_only)
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = Store(path, read_only)
        return _OPEN[key]


def close_all() -> None:
    with _OPEN_LOCK:
        for s in _OPEN.values():
            s.close()
        _OPEN.clear()


__all__ = ["Store", "StoreLocked", "close_all", "open_store", "reads"]
