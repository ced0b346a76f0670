"""What the dashboard and the CLI do to the corpus: ingest, rebuild, override, edit.

One Engine per process wraps the store, the dictionary and the matcher. Parsing and
counting are pure (pipeline.py) and run in worker processes for large batches; only
this process writes to the store, one transaction per batch of whole articles.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .counting import Matcher
from .ingest import IngestError, RawDoc, expand_paths, read_bytes, read_path
from .models import Theme
from .pipeline import Meta, Parsed, derive, parse
from .provinces import gazetteer
from .segment import Segmenter
from .settings import LIMITS, SAMPLES_DIR, db_path
from .store import Store, open_store
from .themes import load_themes, save_themes

Progress = Callable[[int, int, str], None]  # done, total, current file name

NEW, EXISTS, FAILED = "新增", "已存在", "失败"


@dataclass
class Result:
    name: str
    status: str  # 新增 / 已存在 / 失败
    reason: str = ""
    article_id: str = ""

    def line(self) -> str:
        tail = f"：{self.reason}" if self.status == FAILED else (f"（{self.article_id}）" if self.article_id else "")
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


def prepare(raw: RawDoc, meta: Meta | None, overrides: dict[int, str] | None,
            themes: tuple[Theme, ...], with_words: bool = True) -> Parsed:
    """Parse and count one document (pure; runs in worker processes)."""
    gaz, matcher, seg = _worker_tools(themes, with_words)
    return derive(parse(raw, gaz, meta, overrides), matcher, seg)


def _prepare_job(args) -> Parsed | str:
    raw, meta, overrides, themes, with_words = args
    try:
        return prepare(raw, meta, overrides, themes, with_words)
    except Exception as exc:  # a parser bug must cost one file, not the batch
        return f"分析时出错（{type(exc).__name__}: {exc}）"


class Engine:
    def __init__(self, store: Store, themes: list[Theme] | None = None, workers: int | None = None):
        self.store = store
        self.themes = list(themes) if themes is not None else load_themes()
        self.workers = workers if workers is not None else int(os.environ.get("POLICY_WORKERS", os.cpu_count() or 1))
        if not self.store.read_only and self.store.themes_df().empty:
            self.store.set_themes(self.themes)

    @classmethod
    def open(cls, db: str | os.PathLike | None = None, read_only: bool = False) -> "Engine":
        return cls(open_store(db_path(db), read_only))

    @property
    def matcher(self) -> Matcher:
        return _worker_tools(tuple(self.themes), False)[1]

    # ------------------------------------------------------------ ingest
    def ingest_docs(self, docs: Sequence[tuple[str, RawDoc | str, Meta | None]],
                    progress: Progress | None = None, batch: int = 200) -> list[Result]:
        """docs: (name, RawDoc or a refusal reason, meta). One transaction per batch."""
        results: list[Result] = []
        themes = tuple(self.themes)
        total = len(docs)
        pool = ProcessPoolExecutor(self.workers) if self.workers > 1 and total >= 50 else None
        try:
            for start in range(0, total, batch):
                chunk = docs[start:start + batch]
                jobs, names = [], []
                for name, raw, meta in chunk:
                    if isinstance(raw, str):
                        results.append(Result(name, FAILED, raw))
                        continue
                    jobs.append((raw, meta, None, themes, True))
                    names.append(name)
                parsed = list(pool.map(_prepare_job, jobs, chunksize=8) if pool else map(_prepare_job, jobs))
                known = self.store.existing_ids(p.article.id for p in parsed if isinstance(p, Parsed))
                fresh: list[Parsed] = []
                fmts = []
                seen: set[str] = set()
                redo = self.store.overrides_for([p.article.id for p in parsed if isinstance(p, Parsed)])
                for name, (raw, meta, *_), p in zip(names, jobs, parsed):
                    if isinstance(p, str):
                        results.append(Result(name, FAILED, p))
                    elif p.article.id in known or p.article.id in seen:
                        results.append(Result(name, EXISTS, "内容相同的文章已在库中", p.article.id))
                    else:
                        if p.article.id in redo:  # an editor's choice from before a delete
                            p = prepare(raw, meta, redo[p.article.id], themes)
                        fresh.append(p)
                        fmts.append((raw.fmt, raw.hard_wrapped))
                        seen.add(p.article.id)
                        results.append(Result(name, NEW, "", p.article.id))
                self.store.add(fresh, fmts)
                if progress:
                    progress(min(start + batch, total), total, chunk[-1][0])
        finally:
            if pool:
                pool.shutdown()
        return results

    def ingest_paths(self, paths: Iterable[str | os.PathLike], progress: Progress | None = None) -> list[Result]:
        files = expand_paths([Path(p) for p in paths])
        metas: dict[Path, dict[str, Meta]] = {}
        docs = []
        for f in files:
            if f.name == "meta.csv":
                continue
            meta = metas.setdefault(f.parent, read_meta(f.parent)).get(f.name)
            try:
                docs.append((f.name, read_path(f), meta))
            except IngestError as exc:
                docs.append((f.name, str(exc), None))
        return self.ingest_docs(docs, progress)

    def ingest_uploads(self, files: Sequence[tuple[str, bytes]], progress: Progress | None = None) -> list[Result]:
        """Uploaded (name, bytes): names are only labels, nothing is written under them."""
        if len(files) > LIMITS.max_files_per_upload:
            return [Result(n, FAILED, f"一次最多导入 {LIMITS.max_files_per_upload} 个文件") for n, _ in files]
        total = sum(len(b) for _, b in files)
        if total > LIMITS.max_upload_total_bytes:
            reason = f"本次上传共 {total / 2**20:.0f} MB，超过上限 {LIMITS.max_upload_total_bytes // 2**20} MB"
            return [Result(n, FAILED, reason) for n, _ in files]
        docs = []
        for name, data in files:
            safe = safe_name(name)
            try:
                docs.append((safe, read_bytes(data, safe), None))
            except IngestError as exc:
                docs.append((safe, str(exc), None))
        return self.ingest_docs(docs, progress)

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
            raw = RawDoc(r["source"], r["text"], r["fmt"] or "txt", r["date"], hard_wrapped=bool(r["hard_wrapped"]))
            meta = Meta(r["title"], r["date"], r["outlet"] or "")
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
        """After a dictionary edit: recount theme hits from stored paragraphs only."""
        self.store.set_themes(self.themes)
        matcher = self.matcher
        total = self.store.article_count()
        done = 0
        for rows in self.store.iter_articles():
            ids = [r["id"] for r in rows]
            cols: dict[str, list] = {k: [] for k in ("article_id", "par_idx", "section_idx", "province", "date",
                                                     "source", "theme_id", "phrase", "n")}
            for par in self.store.paragraph_norms(ids):
                for (tid, phrase), n in matcher.count(par[6]).items():
                    for k, v in zip(cols, (*par[:6], tid, phrase, n)):
                        cols[k].append(v)
            self.store.replace_hits(cols, ids)
            done += len(rows)
            if progress:
                progress(done, total, rows[-1]["source"])
        return done

    def save_dictionary(self, themes: list[Theme], progress: Progress | None = None, path=None) -> int:
        """Validate and save atomically, then recount; a bad dictionary changes nothing."""
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
        rows = [r for batch in self.store.iter_articles() for r in batch if r["id"] == article_id]
        if rows:
            self.store.replace_derived(self._rederive(rows))


def safe_name(name: str) -> str:
    """A label for an uploaded file: no folders, no control characters, bounded length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(". ")
    return (base or "未命名文件")[:120]
