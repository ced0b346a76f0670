"""A store kept as hive-partitioned Parquet files, read through DuckDB views.

Layout (written by analysis/parquet_route.py, read here):

    DIR/articles/year=2024/part-<tag>.parquet   (and hits, word_lists, … likewise)
    DIR/themes/part-0.parquet                        (themes, theme_phrases, store_meta)

Every file holds whole articles (an article has one date, so one year; years, not
months, keep a batch to a few files per table: unsorted dates spread a batch over every
partition) with the
store's own schema (schema.TABLES), and is written to a temporary name and renamed, so
a reader never sees half a file and a crash never leaves half an article. Readers open
an in-memory DuckDB with one view per table over read_parquet, so every query of the
read modules (reads.py and its *_reads.py mixins) runs unchanged and gives the numbers the DuckDB file gives. Read-only: tables
with no files (pins, decks, overrides …) are empty in-memory tables.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..settings import current
from . import Store, StoreLocked
from .schema import DERIVED, TABLES, WORDS_VIEW

# Tables written per batch of articles, partitioned by year; the rest are small and whole.
PARTITIONED = ("articles", *DERIVED)
WHOLE = ("themes", "theme_phrases", "store_meta")


def is_dataset(path: str | os.PathLike) -> bool:
    """Does path name a Parquet store (a folder with an articles/ folder of Parquet)?"""
    p = Path(path)
    return p.is_dir() and (p / "articles").is_dir()


def write_atomic(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # never matches *.parquet
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def article_themes(hits: pa.Table) -> pa.Table:
    """hits summed per article × province × theme (what Store keeps in article_themes)."""
    schema = TABLES["article_themes"].arrow_schema()
    if not hits.num_rows:
        return schema.empty_table()
    g = hits.group_by(["article_id", "province", "theme_id"], use_threads=False).aggregate(
        [("date", "min"), ("source", "min"), ("n", "sum")]
    )
    cols = {
        "article_id": g["article_id"],
        "province": g["province"],
        "date": g["date_min"],
        "source": g["source_min"],
        "theme_id": g["theme_id"],
        "n": pc.cast(g["n_sum"], pa.int32()),
    }
    return pa.Table.from_arrays([cols[f.name] for f in schema], schema=schema)


def _years(articles: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(article ids, their years as text): each article's rows go to its year."""
    year = pc.fill_null(pc.strftime(articles.column("date"), format="%Y"), "unknown")
    return articles.column("id").combine_chunks(), year.combine_chunks() if isinstance(
        year, pa.ChunkedArray
    ) else year


def write_batch(root: Path, tables: dict[str, pa.Table], tag: str) -> list[Path]:
    """Write a batch of whole articles (rows.article_tables; article_themes is added from
    hits when missing): one file per table and year. All files or none: a failure
    removes the ones already renamed into place. Returns the files written."""
    tables = dict(tables)
    if "article_themes" not in tables and "hits" in tables:
        tables["article_themes"] = article_themes(tables["hits"])
    ids, years = _years(tables["articles"])
    parts: list[tuple[pa.Table, Path]] = []
    for name in PARTITIONED:
        tbl = tables.get(name)
        if tbl is None or not tbl.num_rows:
            continue
        key = tbl.column("id" if name == "articles" else "article_id")
        of_row = pc.take(years, pc.index_in(key, value_set=ids))
        for year in sorted(set(of_row.to_pylist())):
            parts.append(
                (tbl.filter(pc.equal(of_row, year)), root / name / f"year={year}" / f"part-{tag}.parquet")
            )
    written: list[Path] = []
    try:
        for tbl, path in parts:
            write_atomic(tbl, path)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def write_whole(root: Path, name: str, table: pa.Table) -> None:
    """Replace one of the small unpartitioned tables (the dictionary, store_meta)."""
    write_atomic(table, root / name / "part-0.parquet")


def without_articles(path: Path, article_ids: set[str]) -> None:
    """Rewrite one batch file without the given articles (duplicates found afterwards);
    the file goes when nothing is left."""
    tbl = pq.read_table(path)
    col = tbl.column("id" if path.parent.parent.name == "articles" else "article_id")
    keep = tbl.filter(pc.invert(pc.is_in(col, value_set=pa.array(sorted(article_ids), pa.string()))))
    if keep.num_rows:
        write_atomic(keep, path)
    else:
        path.unlink()


def stored_ids(root: Path) -> set[str]:
    """Article ids already in the dataset."""
    files = sorted((root / "articles").glob("*/*.parquet"))
    return {i for f in files for i in pq.read_table(f, columns=["id"]).column("id").to_pylist()}


def _sql_text(s: str) -> str:
    """A SQL string literal (view DDL takes no bound parameters)."""
    return "'" + s.replace("'", "''") + "'"


class ReadOnlyDataset(StoreLocked):
    """A write was attempted on a Parquet dataset (the CLI prints it as 错误：…)."""


class ParquetStore(Store):
    """Store's reads over a Parquet dataset: an in-memory DuckDB with a view per table."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.read_only = True
        self.word_sums_ready = False  # a dataset has no word_sums: readers scan words
        self.group_sums_ready = False  # nor group_sums: readers scan the rows
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": current().duckdb_memory}
        self._con = duckdb.connect(":memory:", config=config)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        cur = self._con.cursor()
        cur.execute("SET enable_object_cache = true")  # Parquet footers read once, not per query
        for t in TABLES.values():
            folder = self.path / t.name
            if t.name in PARTITIONED:
                pattern = folder / "*" / "*.parquet"
                present = any(folder.glob("*/*.parquet"))
            else:
                pattern = folder / "*.parquet"
                present = any(folder.glob("*.parquet"))
            if not present:
                cur.execute(t.create_sql())
                continue
            cols = ", ".join(t.names)
            cur.execute(
                f"CREATE VIEW {t.name} AS SELECT {cols} FROM read_parquet("
                f"{_sql_text(str(pattern))}, hive_partitioning = true)"
            )
        old_words = self.path / "words"  # a dataset written before word_lists: a row per word
        if not any((self.path / "word_lists").glob("*/*.parquet")) and any(old_words.glob("*/*.parquet")):
            self.words_in_lists = False
            cur.execute(
                "CREATE VIEW words AS SELECT article_id, province, date, source, word, n FROM read_parquet("
                f"{_sql_text(str(old_words / '*' / '*.parquet'))}, hive_partitioning = true)"
            )
        else:
            cur.execute(WORDS_VIEW)
        cur.close()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Every write goes through atomic(): refuse them all, in Chinese, before any SQL."""
        raise ReadOnlyDataset(
            f"{self.path} 是 Parquet 数据集，只能读取；新文件请用 ingest … --to-parquet {self.path} 加入"
        )
        yield self.cur()  # never reached: makes this a generator like Store.atomic
