"""The DuckDB store: the only code that speaks SQL (writes here, reads in reads.py).

One read-write connection per process and a cursor per thread. Every article is
written in one transaction with all its derived rows, so a crash never leaves half an
article. Derived tables (sections, paragraphs, hits, article_themes, units, words) can always be
rebuilt from `articles.text`; editors' overrides live in their own table and the
pipeline applies them whenever it derives an article.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..models import Parsed, Theme
from ..settings import current
from . import group_sums, layout, reads, word_sums
from .deferred import GROUPS, WORDS, DeferredSums
from .reads import Reads
from .rows import _table, article_tables, derived_tables, hits_table
from .schema import DERIVED, TABLES, WORDS_VIEW, copies_of_article
from .versions import DictionaryVersions

StoreError = duckdb.Error  # what a failed write raises (disk full, lock, constraint)
COUNTED_DICTIONARY = "counted_dictionary"  # store_meta key: dictionary_hash of the counts

# article_themes sums hits per article × province × theme; it is kept in step with hits
# inside the same transactions, so the province × theme totals read 20× fewer rows.
_SUM_HITS = """INSERT INTO article_themes (article_id, province, date, source, theme_id, n)
               SELECT article_id, province, any_value(date), any_value(source), theme_id, sum(n)::INTEGER
               FROM {src} GROUP BY article_id, province, theme_id"""


# store_meta: article_themes is hits summed once per article (the version of that rule).
_SUMS_KEY, _SUMS_VERSION = "article_themes_sums", "2"
# store_meta: "1" while word_sums / group_sums are in step with their rows.
_READY = {WORDS: word_sums.READY, GROUPS: group_sums.READY}


def _size(value: str) -> str:
    """A memory size such as 2GB or 488.2 MiB (as DuckDB reports it), checked before SET."""
    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", text):
        raise ValueError(f"not a memory size: {value!r}")
    return text


def _words_as_lists(cur: duckdb.DuckDBPyConnection, have: dict[str, set[str]]) -> None:
    """The view `words` over word_lists; a store whose words table still has a row per word
    (before word_lists) has its rows moved into lists first, once."""
    old = cur.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'words'"
    ).fetchall()
    if old and old[0][0] == "BASE TABLE" and "word" in have.get("words", set()):
        cur.execute(
            """INSERT INTO word_lists
               SELECT article_id, province, any_value(date), any_value(source),
                      list(word ORDER BY word), list(n ORDER BY word)
               FROM words GROUP BY article_id, province"""
        )
        cur.execute("DROP TABLE words")
    cur.execute(WORDS_VIEW)


class StoreLocked(RuntimeError):
    """Another process holds the database for writing."""


class Store(Reads, DictionaryVersions):
    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # DuckDB's buffer pool defaults to 80% of RAM; cap it so the dashboard stays small
            # (it spills to disk beyond the cap). POLICY_DUCKDB_MEMORY (Settings) overrides.
            self._memory = current().duckdb_memory
            config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": self._memory}
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
        # Bumped after every committed write that changes or removes stored articles' word
        # rows or the date/source they copy (rebuild, override, edit, delete): the background
        # word fill compares it instead of re-checking every batch against the words table.
        self.words_epoch = 0
        self.fill_guard = threading.RLock()  # one word fill at a time (words_later.fill_words)
        self._sum_deltas = 0  # word_sums delta rows since the last compaction
        # group_sums delta rows since the last compaction, and the rows it kept then.
        self._group_deltas, self._group_rows = 0, 0
        # During a bulk import: the articles whose rows it appended without their word sums
        # or group_sums, summed at its end (store/deferred.py).
        self._deferred = DeferredSums()
        if not read_only:
            self.migrate()
        # Readers use word_sums only when it is in step (store/word_sums.py).
        self.word_sums_ready = self.meta_value(word_sums.READY) == "1"
        self.group_sums_ready = self.meta_value(group_sums.READY) == "1"

    # ------------------------------------------------------------ plumbing
    def cur(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the one connection."""
        c = getattr(self._local, "cur", None)
        if c is None:
            c = self._local.cur = self._con.cursor()
        return c

    def close(self) -> None:
        self._con.close()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on this thread's cursor: all of the block's writes or none.

        Writers in other threads wait (one writer at a time); a nested atomic() joins the
        outer transaction."""
        with self._write_lock:
            cur = self.cur()
            if getattr(self._local, "in_tx", False):
                yield cur
                return
            cur.execute("BEGIN TRANSACTION")
            self._local.in_tx = True
            try:
                try:
                    yield cur
                except BaseException:
                    self._local.in_tx = False
                    cur.execute("ROLLBACK")
                    raise
                self._local.in_tx = False
                try:
                    cur.execute("COMMIT")
                except BaseException:
                    # A failed commit may leave the transaction open: end it before reporting.
                    with contextlib.suppress(duckdb.Error):
                        cur.execute("ROLLBACK")
                    raise
            finally:
                # After the commit (or rollback), never before: a fill that reads the epoch
                # and then the paragraphs must not see the new epoch with the old rows.
                if self._local.__dict__.pop("words_changed", False):
                    self.words_epoch += 1

    @contextlib.contextmanager
    def bulk(
        self,
        wal: str = "256MB",
        threads: int | None = None,
        every_article: bool = False,
        memory: str | None = None,
    ) -> Iterator[None]:
        """A long import: checkpoint once at the end, not after every batch.

        DuckDB checkpoints (compresses and writes the WAL into the file) whenever the WAL
        passes checkpoint_threshold (16 MB): with a batch of 500 articles that was nearly
        every commit, and half the writer's time (docs/SCALING.md). Each batch is still
        its own committed transaction in the WAL, so a kill loses nothing committed.
        256 MB rather than 1 GB: with row groups no longer merged (max_vacuum_tasks below) a
        checkpoint costs about what it writes, so more of them run while the workers parse
        and less is left for the one at the end (100k articles: 60.7-61.3 s -> 54.2-57.2 s).

        threads: DuckDB's threads meanwhile; the parse workers already take the cores, and
        a second insert thread only competed with them (parent CPU per 10k articles about
        5.5 s -> 4.5 s on 2 cores).
        every_article: the block rewrites every article's derived rows (rebuild), so the
        word sums and group_sums are made anew at its end and no delta is kept meanwhile.
        Either way both are marked stale until its end: a killed import leaves sums the next
        opening makes anew (migrate), never wrong ones.
        memory: DuckDB's memory cap meanwhile (a command-line import: settings.import_memory)."""
        if self.read_only:
            yield
            return
        cur = self.cur()
        outer = not self._deferred.running
        if outer:  # rows of this import are summed at its end; meanwhile the sums are not used
            with self.atomic():
                # Still stale from an import whose end failed (in this process: an opening
                # makes them anew): this one's end makes them all anew, not only its own.
                stale = [k for k, key in _READY.items() if self.meta_value(key) != "1"]
                self.set_meta_value(word_sums.READY, "0")
                self.set_meta_value(group_sums.READY, "0")
                self._deferred.begin(every_article, stale)
            self.word_sums_ready = self.group_sums_ready = False
        old, old_threads, old_vacuum = cur.execute(
            "SELECT current_setting('checkpoint_threshold'), current_setting('threads'), "
            "current_setting('max_vacuum_tasks')"
        ).fetchall()[0]
        cur.execute(f"SET checkpoint_threshold = '{wal}'")
        # No merging of row groups at this import's checkpoints: each one merged the table's
        # last, partly filled row group with the new rows, so it rewrote up to 122,880
        # articles' text every time (a 20k-article checkpoint into a 100k store wrote
        # 287 MB in 6.0 CPU-s, without merging 54 MB in 0.8 s), and the cost grew with the
        # store: 1M articles took 14-16x the time of 100k. Tables keep a few partly filled
        # row groups; later checkpoints merge them as before.
        cur.execute("SET max_vacuum_tasks = 0")
        if threads:
            cur.execute(f"SET threads = {int(threads)}")
        if memory:
            cur.execute(f"SET memory_limit = '{_size(memory)}'")
        try:
            yield
        finally:
            cur.execute(f"SET checkpoint_threshold = '{old}'")
            cur.execute(f"SET threads = {int(old_threads)}")
            try:
                # Under the import's memory cap still: group_sums' one pass over the hits
                # spills less (1M: 28.8 -> 21.5 CPU-s at 2 GB), and so does the sort.
                if outer and self._end_bulk_sums(every_article):
                    self._sort_paragraphs()
            finally:
                if memory:  # back to the cap this store was opened with
                    cur.execute(f"SET memory_limit = '{_size(self._memory)}'")
            # Fails while another thread reads (a dashboard session): the WAL then
            # checkpoints at the next commit past the threshold, or on close.
            with contextlib.suppress(duckdb.Error):
                cur.execute("CHECKPOINT")
            cur.execute(f"SET max_vacuum_tasks = {int(old_vacuum)}")

    def _end_bulk_sums(self, every_article: bool = False) -> bool:
        """Sum the rows a bulk import appended (all anew when it wrote much), then say the
        sums are in step. On failure they stay marked stale; the next open rebuilds them (or
        the next bulk import's end). True when the import wrote the rows of a quarter of the
        store or more, or rewrote every article's (every_article: a rebuild), and its sums
        are in step: then its paragraphs are sorted.
        A recount meanwhile, or sums stale at its start, make group_sums anew too, but move
        no paragraph, so they sort nothing."""
        much = False
        try:
            with contextlib.suppress(duckdb.Error), self.atomic() as cur:
                due = self._deferred.end()
                words, groups = due[WORDS], due[GROUPS]
                if words.anew:
                    word_sums.build(cur)
                elif words.ids:
                    word_sums.catch_up(cur, words.ids)
                # Summed from their stored rows; when they are a large part of the store
                # (the first import), all anew: one pass, no deltas to fold.
                much = every_article or word_sums.most_of_store(cur, len(groups.ids))
                if groups.anew or much:
                    self._group_rows, self._group_deltas = group_sums.build(cur), 0
                else:
                    self._group_deltas += group_sums.add_articles(cur, sorted(groups.ids))
                self._compact_sums(cur, always=bool(words.ids))
                self.set_meta_value(word_sums.READY, "1")
                self.set_meta_value(group_sums.READY, "1")
        finally:
            self._deferred.end()  # over however it went (a failed BEGIN never took them)
        self.word_sums_ready = self.meta_value(word_sums.READY) == "1"
        self.group_sums_ready = self.meta_value(group_sums.READY) == "1"
        return much and self.group_sums_ready

    def _sort_paragraphs(self) -> None:
        """Paragraphs in date order (layout.sort_paragraphs), in one transaction; on failure
        (a memory cap it cannot spill under) the old order stays and nothing is lost."""
        with contextlib.suppress(duckdb.Error), self.atomic() as cur:
            layout.sort_paragraphs(cur)

    def migrate(self) -> list[str]:
        """Create missing tables and add missing columns (older store files keep opening).

        Returns the "table.column" names added to existing tables."""
        added = []
        with self.atomic() as cur:
            have: dict[str, set[str]] = {}
            for table, column in cur.execute(
                "SELECT table_name, column_name FROM duckdb_columns() "
                "WHERE database_name = current_database() AND schema_name = 'main'"
            ).fetchall():
                have.setdefault(table, set()).add(column)
            for t in TABLES.values():
                if t.name not in have:
                    cur.execute(t.create_sql())
                    continue
                for c in t.columns:
                    if c.name not in have[t.name]:
                        cur.execute(f"ALTER TABLE {t.name} ADD COLUMN {c.ddl()}")
                        added.append(f"{t.name}.{c.name}")
            _words_as_lists(cur, have)
            # Stores made before article_themes existed get it filled once from hits; stores
            # recounted before the per-batch sums were fixed (replace_all_hits) get it again.
            if self.meta_value(_SUMS_KEY) != _SUMS_VERSION:
                cur.execute("DELETE FROM article_themes")
                cur.execute(_SUM_HITS.format(src="hits"))
                self.set_meta_value(_SUMS_KEY, _SUMS_VERSION)
            if self.meta_value(word_sums.READY) != "1":
                word_sums.build(cur)
                self.set_meta_value(word_sums.READY, "1")
            if self.meta_value(group_sums.READY) != "1":  # made before them, or a killed import
                self._group_rows = group_sums.build(cur)
                self.set_meta_value(group_sums.READY, "1")
        return added

    def _insert(self, cur: duckdb.DuckDBPyConnection, name: str, tbl: pa.Table, sums: bool = True) -> None:
        """Append an Arrow table (columns named as the store's) to table `name`.

        Hits are summed into article_themes here, so tbl must hold every hit of its
        articles (whole articles); sums=False leaves that to the caller."""
        if not tbl.num_rows:
            return
        cur.register("_incoming", tbl)
        try:
            cur.execute(f"INSERT INTO {name} ({', '.join(tbl.column_names)}) SELECT * FROM _incoming")
            if name == "hits" and sums:
                cur.execute(_SUM_HITS.format(src="_incoming"))
            if (
                sums
                and name in group_sums.OF_TABLE
                and not self._deferred.defer(GROUPS, tbl.column("article_id"))
            ):
                for s in group_sums.OF_TABLE[name]:
                    self._group_deltas += group_sums.add(cur, s, "_incoming")
            if name == "word_lists" and not self._deferred.defer(WORDS, tbl.column("article_id")):
                self._sum_deltas += word_sums.add(cur, word_sums.unnested("_incoming"))
        finally:
            cur.unregister("_incoming")

    def _insert_tables(self, cur: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
        for name, tbl in tables.items():
            self._insert(cur, name, tbl)
        self._compact_sums(cur)

    def _remove_sums(self, cur: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
        """Negated sums of these articles' rows, before they are deleted; not for rows a
        bulk import appended without sums (its end sums what is left of them)."""
        self._group_deltas += group_sums.add_articles(cur, self._deferred.summed(GROUPS, ids), negate=True)
        words = self._deferred.summed(WORDS, ids)
        if words:
            self._sum_deltas += word_sums.remove(cur, "article_id IN (SELECT unnest(?))", [words])

    def _compact_sums(self, cur: duckdb.DuckDBPyConnection, always: bool = False) -> None:
        if always or self._sum_deltas > word_sums.COMPACT_AFTER:
            word_sums.compact(cur)
            self._sum_deltas = 0
        # Folded once the deltas are as many as the sums kept last time: readers never read
        # much more than twice the keys, and each row is folded a few times at most.
        if self._group_deltas > max(group_sums.COMPACT_MIN, self._group_rows):
            self._group_rows = group_sums.compact(cur)
            self._group_deltas = 0

    def _insert_row(self, cur: duckdb.DuckDBPyConnection, name: str, row: dict[str, Any]) -> None:
        self._insert(cur, name, _table(name, {k: [v] for k, v in row.items()}))

    def _next_id(self, cur: duckdb.DuckDBPyConnection, table: str) -> int:
        # fetchall, not fetchone: DuckDB refuses register() while a result is unfinished.
        return int(cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchall()[0][0])

    def sync_article_columns(self, article_ids: Sequence[str]) -> None:
        """Rewrite every copy of an article's date, source and title from the articles table.

        The one place these copies change after they are written; the tables and
        columns come from the schema (schema.copies_of_article)."""
        ids = list(article_ids)
        with self.atomic() as cur:
            self._local.words_changed = True
            # group_sums are per date: out at the old, in at the new
            summed = group_sums.redated(cur, self._deferred.summed(GROUPS, ids))
            self._group_deltas += group_sums.add_articles(cur, summed, negate=True)
            for t in TABLES.values():
                cols = copies_of_article(t)
                if cols:
                    sets = ", ".join(f"{c} = a.{c}" for c in cols)
                    cur.execute(
                        f"""UPDATE {t.name} SET {sets} FROM articles a
                            WHERE a.id = {t.name}.article_id AND a.id IN (SELECT unnest(?))""",
                        [ids],
                    )
            self._group_deltas += group_sums.add_articles(cur, summed)

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

    def add_tables(self, tables: dict[str, pa.Table]) -> None:
        """Insert ready-made Arrow tables (articles and derived rows) in one transaction.

        The ingest workers build these (article_tables), so this process only appends."""
        with self.atomic() as cur:
            self._insert_tables(cur, tables)

    def replace_derived(self, parsed: Sequence[Parsed]) -> None:
        """Swap in freshly derived rows for stored articles (rebuild, override, edit)."""
        if not parsed:
            return
        ids = [p.article.id for p in parsed]
        with self.atomic() as cur:
            self._local.words_changed = True
            self._remove_sums(cur, ids)
            for table in DERIVED:
                cur.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [ids])
            self._insert_tables(cur, derived_tables(parsed))

    def replace_all_hits(self, batches: Iterable[dict[str, list] | pa.Table]) -> None:
        """Recount: every hit row anew, in one transaction (a crash keeps the old counts).

        batches are hits tables (or columns), produced while this runs."""
        with self.atomic() as cur:
            cur.execute("DELETE FROM hits")
            cur.execute("DELETE FROM article_themes")
            for b in batches:
                self._insert(cur, "hits", b if isinstance(b, pa.Table) else hits_table(b), sums=False)
            # Summed once over all of them: the batches are cut by paragraph rows, and an
            # article whose paragraphs straddled a cut got two article_themes rows per theme,
            # so docs (count(*) per province) counted it twice. group_sums likewise (or, during
            # a bulk import, at its end: its articles' hits are among these).
            cur.execute(_SUM_HITS.format(src="hits"))
            if not self._deferred.make_anew(GROUPS):
                group_sums.build(cur, (group_sums.THEMES, group_sums.PHRASES))

    def set_themes(self, themes: Sequence[Theme]) -> None:
        self._themes_cache = None
        try:
            with self.atomic() as cur:
                cur.execute("DELETE FROM theme_phrases")
                cur.execute("DELETE FROM themes")
                cols: dict[str, list] = {
                    "id": [t.id for t in themes],
                    "name": [t.name for t in themes],
                    "category": [t.category for t in themes],
                    "ord": list(range(len(themes))),
                    "note": [t.note for t in themes],
                }
                self._insert(cur, "themes", _table("themes", cols))
                phrases = {
                    "theme_id": [t.id for t in themes for _ in t.aliases],
                    "phrase": [a for t in themes for a in t.aliases],
                }
                self._insert(cur, "theme_phrases", _table("theme_phrases", phrases))
        finally:
            self._themes_cache = None

    def delete_article(self, article_id: str) -> bool:
        with self.atomic() as cur:
            self._local.words_changed = True
            found = cur.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchall()
            self._remove_sums(cur, [article_id])
            for table in DERIVED:
                cur.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
            cur.execute("DELETE FROM articles WHERE id = ?", [article_id])
        return bool(found)

    def set_override(self, article_id: str, section_idx: int, province: str | None) -> None:
        """Record (or with None, remove) an editor's province for a section."""
        with self.atomic() as cur:
            cur.execute(
                "DELETE FROM overrides WHERE article_id = ? AND section_idx = ?", [article_id, section_idx]
            )
            if province:
                row = {
                    "article_id": article_id,
                    "section_idx": section_idx,
                    "province": province,
                    "changed_at": dt.datetime.now(),
                }
                self._insert_row(cur, "overrides", row)

    def update_article(self, article_id: str, title: str | None = None, date: dt.date | None = None) -> None:
        """An editor's title or date: changed in articles, then copied by sync_article_columns."""
        with self.atomic() as cur:
            if title is not None:
                cur.execute("UPDATE articles SET title = ? WHERE id = ?", [title, article_id])
            if date is not None:
                cur.execute(
                    "UPDATE articles SET date = ?, date_basis = '编辑' WHERE id = ?", [date, article_id]
                )
            self.sync_article_columns([article_id])

    def add_numbered(self, table: str, row: dict[str, Any]) -> int:
        """Insert row with the next id (and created_at now, if the table has it); the id."""
        with self.atomic() as cur:
            new_id = self._next_id(cur, table)
            stamp = {"created_at": dt.datetime.now()} if "created_at" in TABLES[table].names else {}
            self._insert_row(cur, table, {"id": new_id, **stamp, **row})
        return new_id

    def add_pin(self, title: str, kind: str, data_json: str, source_line: str, filters: str) -> int:
        """Keep a chart for the presentation view and the PPT deck (data as JSON records)."""
        row = {
            "title": title,
            "kind": kind,
            "data": data_json,
            "source_line": source_line,
            "filters": filters,
        }
        return self.add_numbered("pins", row)

    def delete_pin(self, pin_id: int) -> None:
        with self.atomic() as cur:
            cur.execute("DELETE FROM pins WHERE id = ?", [pin_id])

    def add_quote(self, q: dict) -> int:
        """Keep a citable quote (analysis.quotes.quote_for's dict) for the deck and the 演示模式 page."""
        text_cols = ("text", "source", "province", "speaker", "title", "office", "phrase")
        row = {
            "article_id": q.get("article_id"),
            "par_idx": q.get("par_idx"),
            "date": q.get("date"),
            **{c: q.get(c, "") for c in text_cols},
        }
        return self.add_numbered("quotes", row)

    def delete_quote(self, quote_id: int) -> None:
        with self.atomic() as cur:
            cur.execute("DELETE FROM quotes WHERE id = ?", [quote_id])

    # ------------------------------------------------------------ facts about the store
    def counted_dictionary(self) -> str | None:
        """models.dictionary_hash of the dictionary the stored hits were counted with;
        None when unknown (an older store, or a rebuild under way)."""
        return self.meta_value(COUNTED_DICTIONARY)

    def set_counted_dictionary(self, version: str | None) -> None:
        """Record it; call inside the atomic() that writes the hits, so both change together."""
        self.set_meta_value(COUNTED_DICTIONARY, version)

    def meta_value(self, key: str) -> str | None:
        """A value recorded in store_meta (None when unset or the table is missing)."""
        try:
            rows = self.cur().execute("SELECT value FROM store_meta WHERE key = ?", [key]).fetchall()
        except duckdb.CatalogException:  # an older file opened read-only
            return None
        return rows[0][0] if rows else None

    def set_meta_value(self, key: str, value: str | None) -> None:
        """Record (or with None, remove) a fact; joins the caller's atomic() if any."""
        with self.atomic() as cur:
            cur.execute("DELETE FROM store_meta WHERE key = ?", [key])
            if value is not None:
                self._insert_row(cur, "store_meta", {"key": key, "value": value})


_OPEN: dict[tuple[str, bool], Store] = {}
_OPEN_LOCK = threading.Lock()


def open_store(path: str | Path, read_only: bool = False) -> Store:
    """The process's one connection to path (opened on first use). A folder of Parquet
    written by `ingest --to-parquet` opens read-only through DuckDB views (store/parquet.py)."""
    from .parquet import ParquetStore, is_dataset

    key = (str(Path(path).resolve()), read_only)
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = ParquetStore(path) if is_dataset(path) else Store(path, read_only)
        return _OPEN[key]


__all__ = ["TABLES", "Store", "StoreError", "StoreLocked", "open_store", "reads"]
