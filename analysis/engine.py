"""What the dashboard and the CLI do to the corpus: ingest, rebuild, override, edit.

One Engine per process wraps the store, the dictionary and the matcher. Parsing and
counting are pure (pipeline.py) and run in worker processes for large batches; only
this process writes to the store, one transaction per batch of whole articles.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .counting import Matcher
from .imports import plan_paths, plan_uploads
from .ingest import IngestError, RawDoc, read_path
from .models import Theme
from .pipeline import Meta, Parsed, derive, parse
from .provinces import gazetteer
from .segment import Segmenter
from .settings import LIMITS, SAMPLES_DIR, db_path
from .store import Store, open_store
from .store.rows import article_tables, concat, without
from .tables import ColumnMap
from .themes import load_themes, save_text, save_themes

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
    return gazetteer(), matcher, seg


def prepare(
    raw: RawDoc,
    meta: Meta | None,
    overrides: dict[int, str] | None,
    themes: tuple[Theme, ...],
    with_words: bool = True,
) -> Parsed:
    """Parse and count one document (pure; runs in worker processes)."""
    gaz, matcher, seg = _worker_tools(themes, with_words)
    return derive(parse(raw, gaz, meta, overrides), matcher, seg)


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
    source: Path | RawDoc | str
    meta: Meta | None = None
    overrides: dict[int, str] | None = None
    keep_id: str = ""  # rebuild: the stored id and date basis stay
    keep_basis: str = ""


def _prepare_chunk(jobs: list[_Job], themes: tuple[Theme, ...]) -> tuple[list[tuple[str, str]], dict]:
    """Read, parse and count a few documents; return per job (article id, refusal) and
    the Arrow tables of the articles parsed (first copy of each id only)."""
    status: list[tuple[str, str]] = []
    parsed: list[Parsed] = []
    fmts: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for job in jobs:
        raw = job.source
        if isinstance(raw, Path):
            try:
                raw = read_path(raw)
            except IngestError as exc:
                status.append(("", str(exc)))
                continue
        if isinstance(raw, str):
            status.append(("", raw))
            continue
        p = _prepare_job((raw, job.meta, job.overrides, themes, True))
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


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _in_order(
    pool: ProcessPoolExecutor | None, chunks: Iterable[list[_Job]], themes: tuple[Theme, ...], depth: int
) -> Iterator[tuple[list[_Job], tuple]]:
    """Chunks and their results in input order, at most `depth` chunks in flight, so a
    large folder is never all in memory and the writer overlaps with the workers."""
    if pool is None:
        for chunk in chunks:
            yield chunk, _prepare_chunk(chunk, themes)
        return
    pending: deque = deque()
    it = iter(chunks)
    for chunk in it:
        pending.append((chunk, pool.submit(_prepare_chunk, chunk, themes)))
        if len(pending) >= depth:
            break
    while pending:
        chunk, fut = pending.popleft()
        nxt = next(it, None)
        if nxt is not None:
            pending.append((nxt, pool.submit(_prepare_chunk, nxt, themes)))
        yield chunk, fut.result()


class Engine:
    def __init__(self, store: Store, themes: list[Theme] | None = None, workers: int | None = None):
        self.store = store
        self.themes = list(themes) if themes is not None else load_themes()
        self.workers = (
            workers if workers is not None else int(os.environ.get("POLICY_WORKERS", os.cpu_count() or 1))
        )
        if not self.store.read_only and self.store.themes_df().empty:
            self.store.set_themes(self.themes)

    @classmethod
    def open(cls, db: str | os.PathLike | None = None, read_only: bool = False) -> Engine:
        return cls(open_store(db_path(db), read_only))

    @property
    def matcher(self) -> Matcher:
        return _worker_tools(tuple(self.themes), False)[1]

    # ------------------------------------------------------------ ingest
    def _pool(self, total: int) -> ProcessPoolExecutor | None:
        return ProcessPoolExecutor(self.workers) if self.workers > 1 and total >= 50 else None

    def ingest_docs(
        self,
        docs: Sequence[tuple[str, RawDoc | str, Meta | None]],
        progress: Progress | None = None,
        batch: int = 500,
    ) -> list[Result]:
        """docs: (name, RawDoc or a refusal reason, meta). One transaction per batch."""
        return self._ingest((_Job(name, raw, meta) for name, raw, meta in docs), len(docs), progress, batch)

    def _ingest(
        self, jobs: Iterable[_Job], total: int, progress: Progress | None, batch: int
    ) -> list[Result]:
        """Workers read, parse, count and build Arrow tables; this process checks for
        duplicates and appends each batch of whole articles in one transaction."""
        themes = tuple(self.themes)
        batch = int(os.environ.get("POLICY_BATCH", batch) or batch)  # articles per transaction
        results: list[Result] = []
        seen: set[str] = set()
        pool = self._pool(total)
        per_chunk = max(1, min(25, batch, total // (4 * max(1, self.workers)) or 1))
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
                            raw = read_path(job.source) if isinstance(job.source, Path) else job.source
                            extra.append(prepare(raw, job.meta, redo[aid], themes))
                            extra_fmts.append((raw.fmt, raw.hard_wrapped))
                        seen.add(aid)
                        results.append(Result(job.name, NEW, "", aid))
            # An id repeated across chunks of this batch: keep the first chunk's rows only.
            parts, first = [], set()
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
            for chunk, (status, tables) in _in_order(pool, _chunked(jobs, per_chunk), themes, depth):
                pending.append((chunk, status, tables))
                in_batch += len(chunk)
                if in_batch >= batch:
                    commit()
                    in_batch = 0
            if pending:
                commit()
        finally:
            if pool:
                pool.shutdown()
        return results

    def ingest_paths(
        self,
        paths: Iterable[str | os.PathLike],
        progress: Progress | None = None,
        columns: ColumnMap | None = None,
    ) -> list[Result]:
        """Files and folders; each file is read in a worker (never the whole corpus at once).
        Tables (csv, xlsx, jsonl) and zip archives stream one entry per row or member."""
        plan = plan_paths([Path(p) for p in paths], columns)
        jobs = (_Job(name, src, meta) for name, src, meta in plan.entries())
        return self._ingest(jobs, plan.total, progress, 500)

    def ingest_uploads(
        self,
        files: Sequence[tuple[str, bytes]],
        progress: Progress | None = None,
        columns: ColumnMap | None = None,
    ) -> list[Result]:
        """Uploaded (name, bytes): names are only labels, nothing is written under them."""
        if len(files) > LIMITS.max_files_per_upload:
            return [Result(n, FAILED, f"一次最多导入 {LIMITS.max_files_per_upload} 个文件") for n, _ in files]
        total = sum(len(b) for _, b in files)
        if total > LIMITS.max_upload_total_bytes:
            reason = (
                f"本次上传共 {total / 2**20:.0f} MB，超过上限 {LIMITS.max_upload_total_bytes // 2**20} MB"
            )
            return [Result(n, FAILED, reason) for n, _ in files]
        plan = plan_uploads([(safe_name(name), data) for name, data in files], columns)
        jobs = (_Job(name, src, meta) for name, src, meta in plan.entries())
        return self._ingest(jobs, plan.total, progress, 500)

    def ensure_samples(self) -> list[Result]:
        """On first start with an empty store, bring in the bundled sample corpus."""
        if self.store.article_count() > 0:
            return []
        return self.ingest_paths([SAMPLES_DIR])

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
                r["title"], r["date"], r["outlet"] or "", r["author"] or "", r["section"] or "", r["url"] or ""
            )
            p = prepare(raw, meta, overrides.get(r["id"]), themes)
            p.article.id, p.article.date_basis = r["id"], r["date_basis"]
            out.append(p)
        return out

    def rebuild(self, progress: Progress | None = None) -> int:
        """Re-derive sections, provinces, counts and words of every stored article."""
        self.store.set_themes(self.themes)
        total = self.store.article_count()
        done = 0
        for rows in self.store.iter_articles():
            self.store.replace_derived(self._rederive(rows))
            done += len(rows)
            if progress:
                progress(done, total, rows[-1]["source"])
        return done

    def recount(self, progress: Progress | None = None) -> int:
        """After a dictionary edit: recount theme hits from stored paragraphs only.

        Paragraphs stream in batches; the new hits replace the old in one transaction."""
        self.store.set_themes(self.themes)
        matcher = self.matcher
        total = self.store.article_count()
        pars = max(1, self.store.paragraph_count())
        seen = 0

        def batches() -> Iterator[dict[str, list]]:
            nonlocal seen
            for rows in self.store.iter_paragraph_rows():
                out: dict[str, list] = {
                    k: []
                    for k in (
                        "article_id",
                        "par_idx",
                        "section_idx",
                        "province",
                        "date",
                        "source",
                        "theme_id",
                        "phrase",
                        "n",
                    )
                }
                for aid, idx, sidx, prov, day, src, norm in zip(*rows.values()):
                    for (tid, phrase), n in matcher.count(norm).items():
                        out["article_id"].append(aid)
                        out["par_idx"].append(idx)
                        out["section_idx"].append(sidx)
                        out["province"].append(prov)
                        out["date"].append(day)
                        out["source"].append(src)
                        out["theme_id"].append(tid)
                        out["phrase"].append(phrase)
                        out["n"].append(n)
                yield out
                seen += len(rows["norm"])
                if progress:
                    progress(min(total, round(total * seen / pars)), total, "")

        self.store.replace_all_hits(batches())
        return total

    def save_dictionary(
        self, themes: list[Theme], progress: Progress | None = None, path=None, text: str | None = None
    ) -> int:
        """Validate and save atomically, then recount; a bad dictionary changes nothing.

        text: the exact file to write (restoring a version), which must read as themes."""
        if text is not None:
            save_text(text, path, expect=themes)
        else:
            save_themes(themes, path)
        self.themes = list(themes)
        return self.recount(progress)

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
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(". ")
    return (base or "未命名文件")[:120]
