"""Themes first, words later (issue 16 item 2): an ingest that counts themes and writes
every article without segmenting it, then a pass that adds the word rows.

Word segmentation and its rows are most of an ingest (10k articles: 6.2 s without words,
16.0 s with, docs/SCALING.md), so counts become queryable much sooner. The second pass
cuts each article's stored paragraphs per province in paragraph order, joined by
newlines: the text pipeline.derive cuts, so the rows equal those of a normal ingest.
While it runs, store_meta words_ready is "0" and pages can say 词语仍在准备中.

The dashboard imports this way (uploads and inbox jobs) and fills in a background
thread (WordFiller). Which articles still lack words is read from the store, not kept in
memory, so a fill cut short by a crash is finished by the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager

import pyarrow as pa
import pyarrow.compute as pc

from .deadline_pool import DeadlinePool, Overrun
from .engine import Engine, Result, Window, _worker_tools
from .models import Theme
from .settings import LIMITS
from .store.rows import words_table
from .store.words_fill import WORDS_READY, articles_without_words, paragraph_spans, paragraphs_of

Progress = Callable[[int, int, str], None]
log = logging.getLogger("policy.words")


def words_ready(store) -> bool:
    return store.meta_value(WORDS_READY) != "0"


def mark_words_pending(store) -> None:
    """Say, before an import without words, that word rows are still to come."""
    store.set_meta_value(WORDS_READY, "0")


def ingest_themes_first(
    engine: Engine, paths: Iterable[str | os.PathLike], progress: Progress | None = None
) -> list[Result]:
    """Import without word rows (themes counted and queryable); words_ready becomes "0"."""
    mark_words_pending(engine.store)
    return engine.ingest_paths(paths, progress, words=False)


def word_table(rows: pa.Table, themes_key: tuple[Theme, ...]) -> pa.Table:
    """The word rows of these paragraphs (article_id, province, date, source, norm; each
    article's in paragraph order): each article's text per province, newline-joined, cut
    as pipeline.derive cuts it."""
    seg = _worker_tools(themes_key, True)[1]
    assert seg is not None
    texts: dict[tuple[str, str], list[str]] = {}
    meta: dict[str, tuple] = {}
    cols = [rows.column(c).to_pylist() for c in ("article_id", "province", "date", "source", "norm")]
    for aid, prov, day, src, norm in zip(*cols):
        texts.setdefault((aid, prov), []).append(norm)
        meta[aid] = (day, src)
    return words_table(
        (aid, prov, *meta[aid], seg.counts("\n".join(norms))) for (aid, prov), norms in texts.items()
    )


def _store_batch(engine: Engine, ids: list[str], epoch: int, table: pa.Table) -> bool:
    """Append a batch's word rows (call under the writers' lock); False, writing nothing,
    when a rebuild, override, edit or delete committed since its paragraphs were read
    (it may have written these words itself, changed their dates or removed an article)."""
    if engine.store.words_epoch != epoch:
        return False
    engine.store.add_tables({"word_lists": table})
    return True


def _batches(store, todo: list[str], batch: int, read: int) -> Iterator[tuple[list[str], int, pa.Table]]:
    """(ids, words_epoch when read, their paragraph rows) per batch of `batch` articles.
    Paragraphs are read `read` articles at a time (one read per 200 articles was 7-10 s
    of a 100k fill), in stored order, each read scanning only the rowids its articles'
    paragraphs lie between (paragraph_spans), as Arrow: the worker processes get a few
    buffers, not a million pickled tuples. A checkpoint that compacts deleted rows moves
    rowids: a read missing rows counted with the spans is made again without them."""
    spans = paragraph_spans(store, todo)
    for start in range(0, len(spans), read):
        part = spans[start : start + read]
        ids_read = [s[0] for s in part]
        epoch = store.words_epoch  # before the read: an edit committed after it is noticed
        rows = paragraphs_of(store, ids_read, (min(s[1] for s in part), max(s[2] for s in part)))
        if not _complete(rows, part):
            rows = paragraphs_of(store, ids_read)
        for i in range(0, len(ids_read), batch):
            ids = ids_read[i : i + batch]
            yield (
                ids,
                epoch,
                rows.filter(pc.is_in(rows.column("article_id"), value_set=pa.array(ids, pa.string()))),
            )


def _complete(rows: pa.Table, spans: list[tuple[str, int, int, int]]) -> bool:
    """Does every article have as many paragraph rows as counted with its span? (An article
    rebuilt meanwhile with as many rows, all inside the span, is complete as well.)"""
    got = {v["values"]: v["counts"] for v in rows.column("article_id").value_counts().to_pylist()}
    return all(got.get(aid) == n for aid, _, _, n in spans)


def _cut(store, todo: list[str], batch: int, key: tuple[Theme, ...], workers: int):
    """(ids, epoch, words table) per batch, in order: cut here, or by `workers` processes
    with this process reading ahead (the CLI and bench; the dashboard fills in one thread
    so its sessions keep a core)."""
    batches = _batches(store, todo, batch, read=max(batch, 2000))
    if workers <= 0:
        for ids, epoch, rows in batches:
            yield ids, epoch, word_table(rows, key)
        return
    _worker_tools(key, True)  # built once here; forked workers inherit it
    pool = DeadlinePool(workers, LIMITS.max_parse_seconds)
    try:
        window = Window(batches, lambda b: pool.submit(word_table, b[2], key), 2 * workers + 1)
        for (ids, epoch, rows), fut in window:
            try:
                table = pool.result(fut, len(ids))
            except Overrun:  # a worker died: cut this batch here, start fresh workers
                pool.restart()
                window.resubmit()
                table = word_table(rows, key)
            yield ids, epoch, table
    finally:
        pool.close()


def fill_words(
    engine: Engine,
    progress: Progress | None = None,
    batch: int = 200,
    *,
    lock: AbstractContextManager | None = None,
    stop: threading.Event | None = None,
    workers: int = 0,
) -> int:
    """Add the word rows of every article that has none, one transaction per batch of
    whole articles; then words_ready. Returns the number of articles filled.

    lock: the writers' lock of a shared store (the dashboard's), held only to check and
    append a batch, so an upload, delete or rebuild never sees half of one.
    stop: set to end after the current batch (words_ready stays "0").
    workers: processes that cut the text (0: this thread). At 100k articles one thread
    takes about 85 s; the dashboard still fills in one thread, so that a fill never takes
    both cores from the editors' sessions.

    A batch is written only if no rebuild, override, edit or delete committed since its
    paragraphs were read (Store.words_epoch); otherwise the list is read again."""
    store = engine.store
    lock = lock if lock is not None else threading.RLock()
    key = tuple(engine.themes)
    tried: set[str] = set()  # an article whose text gives no word at all is tried once
    # A command-line fill checkpoints once at the end (at DuckDB's 16 MB default it
    # checkpointed every few batches); the dashboard's keeps the defaults (Engine.own_process).
    bulk = engine.bulk(workers) if engine.own_process else contextlib.nullcontext()
    with store.fill_guard, bulk:  # a second fill waits, then finds nothing left to do
        while True:
            with lock:
                # Listed under the lock, so an import committed meanwhile is found here and
                # words_ready is never cleared with articles still waiting.
                todo = [a for a in articles_without_words(store) if a not in tried]
                if not todo:
                    store.set_meta_value(WORDS_READY, None)
                    return len(tried)
            total = len(tried) + len(todo)
            if progress:  # pages can say how far the fill is from the start
                progress(len(tried), total, "")
            for ids, epoch, table in _cut(store, todo, batch, key, workers):
                if stop is not None and stop.is_set():
                    return len(tried)
                with lock:
                    if not _store_batch(engine, ids, epoch, table):
                        break  # stored articles changed meanwhile: list again
                tried.update(ids)
                if progress:
                    progress(len(tried), total, "")


class WordFiller:
    """One background thread that fills word rows after a themes-first import.

    start() after every such import (and once on opening a store that says words are
    pending); a start while a fill runs makes it look again when done."""

    def __init__(
        self, engine: Engine, lock: AbstractContextManager, on_done: Callable[[], None] | None = None
    ) -> None:
        self._engine = engine
        self._lock = lock
        self.on_done = on_done  # called after a fill completes (e.g. clear cached word clouds)
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._stop = threading.Event()
        self._progress: tuple[int, int] | None = None

    def start(self) -> bool:
        """Fill in the background; False when a fill already runs (it will look again)."""
        with self._guard:
            if self._thread is not None:
                self._again = True
                return False
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="policy-words", daemon=True)
            self._thread.start()
            return True

    def _step(self, done: int, total: int, _name: str) -> None:
        self._progress = (done, total)

    def _run(self) -> None:
        while True:
            try:
                fill_words(self._engine, self._step, lock=self._lock, stop=self._stop)
            except Exception:  # a closed or broken store: the next start (or open) resumes
                log.exception("filling words failed")
                self._stop.set()
            with self._guard:  # decided under the guard, so a start() now is never lost
                if self._stop.is_set() or not self._again:
                    self._thread = None
                    self._progress = None
                    break
                self._again = False
        if not self._stop.is_set() and self.on_done is not None:
            try:
                self.on_done()
            except Exception:
                log.exception("after filling words")

    def progress(self) -> tuple[int, int] | None:
        """(articles done, articles to do) of the fill running now; None when none runs."""
        return self._progress

    def running(self) -> bool:
        return self._thread is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running fill (if any) to end; False on timeout."""
        t = self._thread
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """End after the current batch (words_ready stays "0"; the next start resumes)."""
        self._stop.set()
        self.wait(timeout)
