"""What the dashboard and the CLI do to the corpus: ingest, rebuild, override, edit.

One Engine per process wraps the store, the dictionary and the matcher. Parsing and
counting are pure (pipeline.py) and run in worker processes for large batches; only
this process writes to the store, one transaction per batch of whole articles.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

import pyarrow as pa

from .counting import Matcher
from .deadline_pool import DeadlinePool, Overrun
from .dictionary_save import restore_file, save_failure
from .imports import Plan, plan_paths, plan_uploads
from .ingest import IngestError, RawDoc, Upload, read_path, read_source
from .models import Meta, Parsed, Theme, dictionary_hash
from .normalize import clean_controls, looks_traditional
from .pipeline import content_hash, derive, parse
from .provinces import gazetteer
from .segment import Segmenter
from .settings import LIMITS, SAMPLES_DIR, current, db_path
from .store import Store, StoreError, open_store
from .store.rows import article_tables, concat, recounted_hits, without
from .tables import ColumnMap
from .themes import ThemeError, load_themes, save_text, save_themes, themes_path, validate

Progress = Callable[[int, int, str], None]  # done, total, current file name

NEW, EXISTS, FAILED = "新增", "已存在", "失败"


@dataclass
class Result:
    name: str
    status: str  # 新增 / 已存在 / 失败
    reason: str = ""
    article_id: str = ""

    def line(self) -> str:
        tail = (
            f"：{self.reason}"
            if self.status == FAILED
            else (f"（{self.article_id}）" if self.article_id else "")
        )
        return f"{self.status}  {self.name}{tail}"


def read_meta(folder: Path) -> dict[str, Meta]:
    """Optional meta.csv in a folder: file,title,date,outlet (what the text cannot tell)."""
    path = folder / "meta.csv"
    if not path.exists():
        return {}
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            try:
                day = dt.date.fromisoformat(row.get("date", "").strip()) if row.get("date") else None
            except ValueError:
                day = None
            out[row["file"].strip()] = Meta(row.get("title", "").strip(), day, row.get("outlet", "").strip())
    return out


@lru_cache(maxsize=4)
def _worker_tools(themes_key: tuple[Theme, ...], with_words: bool):
    matcher = Matcher(themes_key)
    seg = Segmenter([a for t in themes_key for a in t.aliases]) if with_words else None
    return matcher, seg


_LAST_TOOLS: list = []  # [(themes, with_words, tools)]: the dictionary the last document used


def _tools_for(themes: tuple[Theme, ...], with_words: bool):
    """_worker_tools for the same tuple as the last document without hashing it again: the
    lru_cache hashes every Theme on each call, about a tenth of a worker's CPU per
    document (H5's measurement). The tuple itself is kept, so a new tuple that happens to
    get the old one's id is never mistaken for it."""
    if _LAST_TOOLS and _LAST_TOOLS[0][0] is themes and _LAST_TOOLS[0][1] == with_words:
        return _LAST_TOOLS[0][2]
    tools = _worker_tools(themes, with_words)
    _LAST_TOOLS[:] = [(themes, with_words, tools)]
    return tools


@lru_cache(maxsize=1)
def _sample_ids() -> tuple[str, ...]:
    """Article ids the sample files get when ingested (the same hash the pipeline uses)."""
    ids = []
    for path in sorted(SAMPLES_DIR.iterdir()):
        if path.name == "meta.csv" or not path.is_file():
            continue
        try:
            text = clean_controls(read_path(path).text)
        except IngestError:
            continue
        ids.append(content_hash(text, looks_traditional(text))[:16])
    return tuple(ids)


def prepare(
    raw: RawDoc,
    meta: Meta | None,
    overrides: dict[int, str] | None,
    themes: tuple[Theme, ...],
    with_words: bool = True,
) -> Parsed:
    """Parse and count one document (pure; runs in worker processes)."""
    matcher, seg = _tools_for(themes, with_words)
    # gazetteer() re-reads corpus/geo/ when a file there changed (never cached for the
    # process's life), so a rebuild after an edit to the place or leader data uses it.
    return derive(parse(raw, gazetteer(), meta, overrides), matcher, seg)


def _prepare_job(args) -> Parsed | str:
    raw, meta, overrides, themes, with_words = args
    try:
        return prepare(raw, meta, overrides, themes, with_words)
    except Exception as exc:  # a parser bug must cost one file, not the batch
        return f"分析时出错（{type(exc).__name__}: {exc}）"


@dataclass
class _Job:
    """One document for a worker: a path to read there, a decoded RawDoc, or a refusal."""

    name: str
    source: Path | Upload | RawDoc | str
    meta: Meta | None = None
    overrides: dict[int, str] | None = None
    keep_id: str = ""  # rebuild: the stored id and date basis stay
    keep_basis: str = ""
    with_words: bool = True  # False: themes first, words_later.fill_words segments afterwards


def _prepare_chunk(jobs: list[_Job], themes: tuple[Theme, ...]) -> tuple[list[tuple[str, str]], dict]:
    """Read, parse and count a few documents; return per job (article id, refusal) and
    the Arrow tables of the articles parsed (first copy of each id only)."""
    status: list[tuple[str, str]] = []
    parsed: list[Parsed] = []
    fmts: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for job in jobs:
        if isinstance(job.source, str):
            status.append(("", job.source))
            continue
        try:
            raw = read_source(job.source)  # here, in the worker: files and uploads alike
        except IngestError as exc:
            status.append(("", str(exc)))
            continue
        p = _prepare_job((raw, job.meta, job.overrides, themes, job.with_words))
        if isinstance(p, str):
            status.append(("", p))
            continue
        if job.keep_id:
            p.article.id, p.article.date_basis = job.keep_id, job.keep_basis
        status.append((p.article.id, ""))
        if p.article.id not in seen:
            seen.add(p.article.id)
            parsed.append(p)
            fmts.append((raw.fmt, raw.hard_wrapped))
    return status, article_tables(parsed, fmts) if parsed else {}


T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last one shorter), read lazily: a large folder is never all
    in memory (itertools.batched from Python 3.12, which gives tuples)."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


F = TypeVar("F")


class Window(Generic[T, F]):
    """Items handed to workers ahead of use, at most `depth` in flight, taken back in input
    order: the caller works on one while the next ones are already being prepared, and a
    large folder is never all in memory."""

    def __init__(self, items: Iterable[T], submit: Callable[[T], F], depth: int) -> None:
        self._items = iter(items)
        self._submit = submit
        self._depth = depth
        self._pending: deque[tuple[T, F]] = deque()

    def __iter__(self) -> Iterator[tuple[T, F]]:
        for item in self._items:
            self._pending.append((item, self._submit(item)))
            if len(self._pending) >= self._depth:
                break
        while self._pending:
            item, fut = self._pending.popleft()
            nxt = next(self._items, None)
            if nxt is not None:
                self._pending.append((nxt, self._submit(nxt)))
            yield item, fut

    def resubmit(self) -> None:
        """Submit everything in flight again (after the workers were restarted)."""
        self._pending = deque((item, self._submit(item)) for item, _ in self._pending)


def _in_order(
    pool: DeadlinePool, chunks: Iterable[list[_Job]], themes: tuple[Theme, ...], depth: int
) -> Iterator[tuple[list[_Job], tuple]]:
    """Chunks and their results in input order, at most `depth` chunks in flight, so a
    large folder is never all in memory and the writer overlaps with the workers.

    A chunk that overruns its deadline (or kills its worker) costs only the file at fault:
    every worker is stopped, the chunk's files run one at a time with a deadline each
    (the one that overruns again is refused), and the chunks in flight are resubmitted."""
    window = Window(chunks, lambda c: pool.submit(_prepare_chunk, c, themes), depth)
    for chunk, fut in window:
        try:
            result = pool.result(fut, len(chunk))
        except Overrun:
            pool.restart()
            window.resubmit()
            for job in chunk:
                try:
                    alone = pool.run_alone(_prepare_chunk, [job], themes)
                except Overrun as exc:
                    alone = ([("", str(exc))], {})
                yield [job], alone
            continue
        yield chunk, result


class Engine:
    def __init__(
        self,
        store: Store,
        themes: list[Theme] | None = None,
        workers: int | None = None,
        themes_file: Path | None = None,
    ):
        self.store = store
        self.themes_file = themes_file  # the dictionary file (None: themes.themes_path())
        self.themes = list(themes) if themes is not None else load_themes(themes_file)
        self.workers = workers if workers is not None else current().workers
        # True: nothing else queries this store meanwhile (CLI, bench); the dashboard's
        # Workspace sets False so an import never slows the editors' pages.
        self.own_process = True
        # On start the dictionary given (normally the file) and the counts must agree: a kill
        # between writing the file and committing its recount, or a hand-edited file, is
        # found here and recounted.
        if not self.store.read_only and not self.dictionary_in_step():
            if self.store.article_count() == 0:
                with self.store.atomic():
                    self.store.set_themes(self.themes)
                    self.store.set_counted_dictionary(dictionary_hash(self.themes))
            else:
                self.recount()

    @classmethod
    def open(cls, db: str | os.PathLike | None = None, read_only: bool = False) -> Engine:
        return cls(open_store(db_path(db), read_only))

    @property
    def matcher(self) -> Matcher:
        return _worker_tools(tuple(self.themes), False)[0]

    # ------------------------------------------------------------ ingest
    def bulk(self, workers: int) -> contextlib.AbstractContextManager[None]:
        """Store.bulk for an import with `workers` parse processes: one checkpoint at the
        end. A command-line import also keeps DuckDB off the workers' cores and raises its
        memory cap; the dashboard does neither (threads is process-wide, so the editors'
        queries would run on one thread until the import ends)."""
        if not self.own_process:
            return self.store.bulk()
        return self.store.bulk(
            threads=max(1, (os.cpu_count() or 1) - workers), memory=current().import_memory
        )

    def _pool(self, total: int) -> DeadlinePool:
        # Always child processes, even for one upload: a file that parses for minutes in
        # this process would freeze every dashboard session (the GIL), with no way to stop it.
        # The gazetteer, matcher and segmenter are built here once; forked workers inherit them.
        _worker_tools(tuple(self.themes), True)
        return DeadlinePool(min(max(1, self.workers), max(1, total)), LIMITS.max_parse_seconds)

    def ingest_docs(
        self,
        docs: Sequence[tuple[str, RawDoc | Upload | str, Meta | None]],
        progress: Progress | None = None,
        batch: int = 500,
    ) -> list[Result]:
        """docs: (name, RawDoc or a refusal reason, meta). One transaction per batch."""
        return self._ingest((_Job(name, raw, meta) for name, raw, meta in docs), len(docs), progress, batch)

    def _ingest(
        self, jobs: Iterable[_Job], total: int, progress: Progress | None, batch: int
    ) -> list[Result]:
        with self.bulk(self.workers):
            return self._ingest_batches(jobs, total, progress, batch)

    def _ingest_batches(
        self, jobs: Iterable[_Job], total: int, progress: Progress | None, batch: int
    ) -> list[Result]:
        """Workers read, parse, count and build Arrow tables; this process checks for
        duplicates and appends each batch of whole articles in one transaction."""
        self.sync_dictionary()  # never count new articles with an out-of-date dictionary
        themes = tuple(self.themes)
        batch = current().batch if batch == 500 else batch  # articles per transaction (POLICY_BATCH)
        results: list[Result] = []
        seen: set[str] = set()
        pool = self._pool(total)
        # Files per worker task: each task has a fixed cost on both sides (the dictionary sent,
        # eight small Arrow tables built, then concatenated and scanned by DuckDB), so 100
        # instead of 25 took the 100k themes-first pass from 33-34 s to 26-28 s, parent CPU
        # 24-26 -> 20-21 s, workers 37-38 -> 30-32 s (load 2). Small imports still spread
        # over every worker (total // 4 per worker).
        per_chunk = max(1, min(100, batch, total // (4 * max(1, self.workers)) or 1))
        pending: list[tuple[list[_Job], list[tuple[str, str]], dict]] = []
        done = 0

        def commit() -> None:
            nonlocal done
            ids = [aid for _, status, _ in pending for aid, _ in status if aid]
            known = self.store.existing_ids(ids)
            redo = self.store.overrides_for(ids)
            # Rows never written: already stored, parsed again below with an editor's
            # overrides, or seen in an earlier batch of this run.
            drop: set[str] = set(known) | set(redo) | {aid for aid in ids if aid in seen}
            extra: list[Parsed] = []
            extra_fmts: list[tuple[str, bool]] = []
            for chunk, status, _ in pending:
                for job, (aid, reason) in zip(chunk, status):
                    if not aid:
                        results.append(Result(job.name, FAILED, reason))
                    elif aid in known or aid in seen:
                        results.append(Result(job.name, EXISTS, "内容相同的文章已在库中", aid))
                    else:
                        if aid in redo:  # an editor's choice from before a delete
                            src = job.source
                            raw = read_source(src) if not isinstance(src, str) else src
                            assert isinstance(raw, RawDoc)  # a refusal never got an article id
                            extra.append(prepare(raw, job.meta, redo[aid], themes))
                            extra_fmts.append((raw.fmt, raw.hard_wrapped))
                        seen.add(aid)
                        results.append(Result(job.name, NEW, "", aid))
            # An id repeated across chunks of this batch: keep the first chunk's rows only.
            parts: list[dict] = []
            first: set[str] = set()
            for _, status, tables in pending:
                if not tables:
                    continue
                chunk_ids = {aid for aid, _ in status if aid}
                parts.append(without(tables, drop | (chunk_ids & first)))
                first |= chunk_ids
            if extra:
                parts.append(article_tables(extra, extra_fmts))
            if parts:
                self.store.add_tables(concat(parts))
            done += sum(len(c) for c, _, _ in pending)
            if progress:
                progress(done, total, pending[-1][0][-1].name)
            pending.clear()

        try:
            in_batch = 0
            depth = 2 * max(1, batch // per_chunk) + 2 * self.workers
            parsed = 0
            for chunk, (status, tables) in _in_order(pool, chunked(jobs, per_chunk), themes, depth):
                pending.append((chunk, status, tables))
                in_batch += len(chunk)
                parsed += len(chunk)
                if progress and parsed < total:  # each file as it is parsed, not only per batch
                    progress(parsed, total, chunk[-1].name)
                if in_batch >= batch:
                    commit()
                    in_batch = 0
            if pending:
                commit()
        finally:
            pool.close()
        return results

    def ingest_paths(
        self,
        paths: Iterable[str | os.PathLike],
        progress: Progress | None = None,
        columns: ColumnMap | None = None,
        words: bool = True,
    ) -> list[Result]:
        """Files and folders; each file is read in a worker (never the whole corpus at once).
        Tables (csv, xlsx, jsonl) and zip archives stream one entry per row or member.
        words=False: no segmentation now (words_later.ingest_themes_first)."""
        plan = plan_paths([Path(p) for p in paths], columns)
        jobs = (_Job(name, src, meta, with_words=words) for name, src, meta in plan.entries())
        return self._ingest(jobs, plan.total, progress, 500)

    def ingest_uploads(
        self,
        files: Sequence[tuple[str, bytes]],
        progress: Progress | None = None,
        columns: ColumnMap | None = None,
        words: bool = True,
    ) -> list[Result]:
        """Uploaded (name, bytes): names are only labels, nothing is written under them.
        words=False: no segmentation now (the dashboard fills words later, words_later.py)."""
        if len(files) > LIMITS.max_files_per_upload:
            return [Result(n, FAILED, f"一次最多导入 {LIMITS.max_files_per_upload} 个文件") for n, _ in files]
        total = sum(len(b) for _, b in files)
        if total > LIMITS.max_upload_total_bytes:
            reason = (
                f"本次上传共 {total / 2**20:.0f} MB，超过上限 {LIMITS.max_upload_total_bytes // 2**20} MB"
            )
            return [Result(n, FAILED, reason) for n, _ in files]
        return self.ingest_plan(
            plan_uploads([(safe_name(name), data) for name, data in files], columns), progress, words=words
        )

    def ingest_plan(self, plan: Plan, progress: Progress | None = None, words: bool = True) -> list[Result]:
        """A planned import (imports.plan_uploads / plan_entries): one result per document or row."""
        jobs = (_Job(name, src, meta, with_words=words) for name, src, meta in plan.entries())
        return self._ingest(jobs, plan.total, progress, 500)

    def ensure_samples(self) -> list[Result]:
        """On first start with an empty store, bring in the bundled sample corpus.
        Only the dashboard's default store does this; the CLI never adds samples."""
        if self.store.article_count() > 0:
            return []
        return self.ingest_paths([SAMPLES_DIR])

    def sample_article_ids(self) -> list[str]:
        """Ids of stored articles that are the bundled samples (same words as a file in
        corpus/samples/), so pages can mark them 示例 and remove them."""
        return sorted(self.store.existing_ids(_sample_ids()))

    def remove_samples(self) -> int:
        """Delete every stored sample article (an editor's own articles stay); returns how many."""
        return sum(self.store.delete_article(aid) for aid in self.sample_article_ids())

    @staticmethod
    def reload_places() -> None:
        """Read corpus/geo/ (provinces, cities, leaders, organisation words) again."""
        gazetteer.cache_clear()

    # ------------------------------------------------------------ re-derive
    def _rederive(self, rows: list[dict]) -> list[Parsed]:
        overrides = self.store.overrides_for([r["id"] for r in rows])
        themes = tuple(self.themes)
        out = []
        for r in rows:
            raw = RawDoc(
                r["source"], r["text"], r["fmt"] or "txt", r["date"], hard_wrapped=bool(r["hard_wrapped"])
            )
            meta = Meta(
                r["title"],
                r["date"],
                r["outlet"] or "",
                r["author"] or "",
                r["section"] or "",
                r["url"] or "",
            )
            p = prepare(raw, meta, overrides.get(r["id"]), themes)
            p.article.id, p.article.date_basis = r["id"], r["date_basis"]
            out.append(p)
        return out

    def rebuild(self, progress: Progress | None = None) -> int:
        """Re-derive sections, provinces, counts and words of every stored article.

        One transaction per batch, so while it runs (or after a kill) the counts are marked
        as made with no known dictionary and the next start recounts them."""
        self.reload_places()
        with self.store.atomic():
            self.store.set_themes(self.themes)
            self.store.set_counted_dictionary(None)
        total = self.store.article_count()
        done = 0
        with self.store.bulk(every_article=True):  # word sums made once at the end
            for rows in self.store.iter_articles():
                self.store.replace_derived(self._rederive(rows))
                done += len(rows)
                if progress:
                    progress(done, total, rows[-1]["source"])
        self.store.set_counted_dictionary(dictionary_hash(self.themes))
        return done

    def recount(self, progress: Progress | None = None) -> int:
        """After a dictionary edit: recount theme hits from stored paragraphs only."""
        return self._recount(self.themes, progress)

    def _recount(self, themes: Sequence[Theme], progress: Progress | None) -> int:
        """Paragraphs stream in batches; the new hits, the dictionary and its hash replace
        the old in one transaction (joining the caller's atomic(), if any)."""
        matcher = _worker_tools(tuple(themes), False)[0]
        total = self.store.article_count()
        pars = max(1, self.store.paragraph_count())
        seen = 0

        def batches() -> Iterator[pa.Table]:
            nonlocal seen
            for rows in self.store.iter_paragraph_rows():
                yield recounted_hits(rows, matcher.count)
                seen += len(rows["norm"])
                if progress:
                    progress(min(total, round(total * seen / pars)), total, "")

        with self.store.atomic():
            self.store.set_themes(themes)
            self.store.replace_all_hits(batches())
            self.store.set_counted_dictionary(dictionary_hash(themes))
        return total

    # ------------------------------------------------------------ the dictionary and the counts
    def dictionary_in_step(self) -> bool:
        """Were the stored counts made with this engine's dictionary?"""
        return self.store.counted_dictionary() == dictionary_hash(self.themes)

    def sync_dictionary(self) -> str:
        """Before an import: make this engine's dictionary and the stored counts agree.

        The dictionary file decides: if another engine saved it (the counts already match
        the file), this engine takes it up; otherwise the counts are recounted with it.
        Returns what was done, in Chinese ("" when they already agreed). A file that cannot
        be read does not stop imports: the counts are made with this engine's dictionary."""
        if self.store.read_only or self.dictionary_in_step():
            return ""
        try:
            self.themes = load_themes(self.themes_file)
        except ThemeError as exc:
            self.recount()
            return f"词典文件无法读取（{'；'.join(exc.problems)}），已按当前使用的词典重新统计"
        if self.dictionary_in_step():
            return "已改用词典文件中的最新词典"
        self.recount()
        return "词典文件与统计不一致，已按词典文件重新统计"

    def save_dictionary(
        self,
        themes: Sequence[Theme],
        progress: Progress | None = None,
        path: Path | None = None,
        text: str | None = None,
        record: Callable[[Path], object] | None = None,
    ) -> int:
        """Recount with themes and write the dictionary file, together or not at all.

        The file is written inside the recount's transaction, just before it commits: a
        failure on either side rolls back both. A kill between the file write and the
        commit leaves the file ahead of the counts, which the next start (or import)
        finds by the stored hash and recounts. text: the exact file to write (restoring a
        version), which must read as themes. record(path) runs in the same transaction
        after the write (dictionary history). Raises ThemeError with a true account."""
        themes = list(themes)
        report = validate(themes)
        if not report.ok:
            raise ThemeError(report.errors)
        path = themes_path(path or self.themes_file)
        try:
            old_text: str | None = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            old_text = None
        written = False
        try:
            with self.store.atomic():
                n = self._recount(themes, progress)
                if text is not None:
                    save_text(text, path, expect=themes)
                else:
                    save_themes(themes, path)
                written = True
                if record is not None:
                    record(path)
        except (OSError, StoreError) as exc:
            raise ThemeError([save_failure(exc, path, written, old_text)]) from exc
        except ThemeError:
            if written:  # record() refused after the write: put the old file back
                restore_file(path, old_text)
            raise
        self.themes = themes
        return n

    # ------------------------------------------------------------ editor's changes
    def override_section(self, article_id: str, section_idx: int, province: str | None) -> None:
        self.store.set_override(article_id, section_idx, province)
        self._refresh(article_id)

    def edit_article(self, article_id: str, title: str | None = None, date: dt.date | None = None) -> None:
        self.store.update_article(article_id, title=title, date=date)

    def _refresh(self, article_id: str) -> None:
        rows = self.store.article_rows([article_id])
        if rows:
            self.store.replace_derived(self._rederive(rows))


def safe_name(name: str) -> str:
    """A label for an uploaded file: no folders, no control characters, bounded length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(". ") or "未命名文件"
    if len(base) <= 120:
        return base
    # Cut the stem, not the extension: the extension picks the reader (txt, docx, pdf …).
    stem, dot, ext = base.rpartition(".")
    if dot and stem and len(ext) <= 10:
        return stem[: 119 - len(ext)] + "." + ext
    return base[:120]
