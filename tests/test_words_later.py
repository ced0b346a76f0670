"""Themes first, words later (issue 16 item 2): counts queryable before any word row,
and the word rows filled afterwards equal a normal ingest's exactly."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from helpers import SAMPLE_FILES

from analysis import words_later
from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR, Settings
from analysis.store import Store
from analysis.words_later import fill_words, ingest_themes_first, words_ready
from analysis.workspace import Workspace

WORDS = "SELECT article_id, province, date, source, word, n FROM words ORDER BY ALL"
WORD_ROWS = "SELECT count(*) AS n FROM words"


@pytest.fixture
def hold_fill(monkeypatch) -> Iterator[threading.Event]:
    """Word fills wait (each batch) until the test sets the event, so the state between
    the themes and the words can be looked at; set on teardown so no fill is left waiting."""
    go = threading.Event()
    real = words_later._store_batch

    def held(*args):
        assert go.wait(60), "the test never released the fill"
        return real(*args)

    monkeypatch.setattr(words_later, "_store_batch", held)
    yield go
    go.set()


def _normal_store(tmp_path: Path, *, uploads: bool = False) -> Store:
    """A normal ingest (words at once) of the samples: the folder (with its meta.csv) or the
    five files uploaded (no meta.csv: other dates, so other word rows).

    Made in the same test as the store it is compared with: rjieba's user words are
    process-wide, so a store made earlier in the run may have been cut differently."""
    normal = Engine(Store(tmp_path / "normal.duckdb"), workers=1)
    if uploads:
        normal.ingest_uploads(_sample_uploads())
    else:
        normal.ingest_paths([SAMPLES_DIR])
    return normal.store


def _sample_uploads() -> list[tuple[str, bytes]]:
    return [(name, (SAMPLES_DIR / name).read_bytes()) for name in SAMPLE_FILES]


@contextlib.contextmanager
def _watching(ws: Workspace, *others: Store, **watcher) -> Iterator[Workspace]:
    """ws with the dashboard's watcher running; afterwards it stops, and ws and others close."""
    assert ws.start_watcher(**watcher)
    try:
        yield ws
    finally:
        ws.stop_watcher()
        ws.store.close()
        for other in others:
            other.close()


def _filled_like(ws: Workspace, other: Store, sql: str, timeout: float = 60) -> None:
    """The background fill ends, and ws's word rows (as sql reads them) equal other's."""
    assert ws.wait_for_words(timeout)
    assert ws.words_ready() is True and ws.words_progress() is None
    pd.testing.assert_frame_equal(ws.store.df(sql), other.df(sql))


def test_themes_first_then_words_equal_a_normal_ingest(empty_engine: Engine, tmp_path) -> None:
    # The normal ingest is made here, next to the themes-first one: rjieba's user words are
    # process-wide, so a store made earlier in the run may have been cut differently.
    from analysis.store import Store

    normal = Engine(Store(tmp_path / "normal.duckdb"), workers=1)
    normal.ingest_paths([SAMPLES_DIR])
    store = empty_engine.store
    results = ingest_themes_first(empty_engine, [SAMPLES_DIR])
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    # Themes are counted and queryable now; no word row yet, and the store says so.
    assert store.phrase_totals() == normal.store.phrase_totals()
    assert store.phrase_totals()["营商环境"] == 106
    assert store.df("SELECT count(*) AS n FROM words")["n"][0] == 0
    assert words_ready(store) is False
    steps: list[tuple[int, int]] = []
    assert fill_words(empty_engine, lambda d, t, _: steps.append((d, t)), batch=2) == 5
    assert steps == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert words_ready(store) is True
    pd.testing.assert_frame_equal(store.df(WORDS), normal.store.df(WORDS))
    assert len(store.df(WORDS)) == len(normal.store.df(WORDS)) > 1000
    # A second pass finds nothing left to do.
    assert fill_words(empty_engine) == 0
    normal.store.close()


def test_words_cut_by_worker_processes_equal_a_normal_ingest(empty_engine: Engine, tmp_path) -> None:
    """The CLI and bench fill with worker processes (the dashboard in one thread): the same
    rows, batches appended in order, progress per batch."""
    normal = _normal_store(tmp_path)
    ingest_themes_first(empty_engine, [SAMPLES_DIR])
    steps: list[tuple[int, int]] = []
    assert fill_words(empty_engine, lambda d, t, _: steps.append((d, t)), batch=2, workers=2) == 5
    assert steps == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert words_ready(empty_engine.store) is True
    pd.testing.assert_frame_equal(empty_engine.store.df(WORDS), normal.df(WORDS))
    normal.close()


def test_a_date_edited_after_the_text_was_read_is_not_filled_with_the_old_date(
    empty_engine: Engine, monkeypatch
) -> None:
    """Word rows copy their article's date. An editor's new date committed between the
    fill's reading of a batch and its append: the batch is read again, so no word row keeps
    the old date (checking only that the words are still missing let the old date in)."""
    eng = empty_engine
    ingest_themes_first(eng, [SAMPLES_DIR])
    victim = sorted(words_later.articles_without_words(eng.store))[0]
    new_day = dt.date(2020, 2, 2)
    real = words_later._store_batch

    def edited_first(*args):
        eng.store.update_article(victim, date=new_day)
        monkeypatch.setattr(words_later, "_store_batch", real)
        return real(*args)

    monkeypatch.setattr(words_later, "_store_batch", edited_first)
    assert fill_words(eng, batch=10) == 5
    days = eng.store.df("SELECT DISTINCT date FROM words WHERE article_id = ?", [victim])["date"]
    assert [d.date() for d in pd.to_datetime(days)] == [new_day]
    others = eng.store.df(
        "SELECT count(*) AS n FROM words WHERE article_id <> ? AND date = ?", [victim, new_day]
    )
    assert others["n"][0] == 0


def test_a_normal_ingest_is_ready(empty_engine: Engine) -> None:
    empty_engine.ingest_paths([SAMPLES_DIR / SAMPLE_FILES[0]])
    assert words_ready(empty_engine.store) is True
    assert empty_engine.store.df("SELECT count(*) AS n FROM words")["n"][0] > 0


def test_pages_say_words_are_being_prepared_until_filled(tmp_path, hold_fill) -> None:
    from helpers import open_page

    from analysis.settings import Settings
    from analysis.store import Store
    from app_pages import _state as S

    path = tmp_path / "later.duckdb"
    store = Store(path)
    ingest_themes_first(Engine(store, workers=1), [SAMPLES_DIR])
    store.close()
    S.use_settings(Settings(db=path, workers=1), strict=True)
    try:
        notice = "词语仍在准备中"
        # The dashboard's workspace resumes the fill on start; held here so the pages are
        # seen while it runs (once it has listed what is left).
        for _ in range(200):
            if S.ws().words_progress() is not None:
                break
            time.sleep(0.05)
        assert S.ws().words_progress() == (0, 5)
        for page in ("wordcloud", "compare"):
            at = open_page(f"app_pages/{page}.py")
            assert any(i.value.startswith(f"{notice}（已完成 0/5 篇）") for i in at.info), page
        hold_fill.set()
        assert S.ws().wait_for_words(60)
        assert S.ws().words_ready()
        assert S.ws().store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 5
        for page in ("wordcloud", "compare"):
            at = open_page(f"app_pages/{page}.py")
            assert not any(notice in i.value for i in at.info), page
    finally:
        S.use_settings(None)


def test_cli_ingest_words_later(tmp_path, capsys) -> None:
    from analysis.cli import main
    from analysis.store import Store

    db = tmp_path / "cli.duckdb"
    assert main(["ingest", str(SAMPLES_DIR), "--db", str(db), "--words-later", "-q"]) == 0
    from analysis.store import _OPEN

    for key in [k for k in _OPEN if k[0] == str(db.resolve())]:
        _OPEN.pop(key).close()  # the CLI's process-wide connection, closed to reopen here
    store = Store(db, read_only=True)
    assert words_ready(store) is True
    assert store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 5
    store.close()


def test_dashboard_uploads_count_themes_first_and_fill_words_in_the_background(tmp_path, hold_fill) -> None:
    normal = _normal_store(tmp_path, uploads=True)
    ws = Workspace(Settings(db=tmp_path / "ws.duckdb", workers=1, import_samples=False))
    changes: list[int] = []
    with _watching(ws, normal, interval=30, on_change=lambda: changes.append(1)):
        results = ws.ingest_uploads(_sample_uploads(), key=None)
        assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
        # Back from the upload: every theme counted, no word row yet, and pages can tell.
        assert ws.store.phrase_totals() == normal.phrase_totals()
        assert ws.store.phrase_totals()["营商环境"] == 106
        assert ws.store.df(WORD_ROWS)["n"][0] == 0
        assert ws.words_ready() is False
        assert changes == []
        hold_fill.set()
        _filled_like(ws, normal, WORDS)
        assert ws.store.df(WORD_ROWS)["n"][0] == normal.df(WORD_ROWS)["n"][0] > 1000
        assert changes == [1]  # the dashboard's caches are cleared once the words are in


def test_inbox_jobs_count_themes_first_and_fill_words_in_the_background(tmp_path, hold_fill) -> None:
    from analysis.inbox import enqueue, wait_for_results

    normal = _normal_store(tmp_path)
    db = tmp_path / "ws.duckdb"
    ws = Workspace(Settings(db=db, workers=1, import_samples=False))
    with _watching(ws, normal, interval=0.1):
        job = enqueue([SAMPLES_DIR], db)
        rows = wait_for_results(job, timeout=60)
        assert rows is not None and [r["status"] for r in rows] == ["新增"] * 5
        assert ws.store.phrase_totals() == normal.phrase_totals()
        assert ws.store.df(WORD_ROWS)["n"][0] == 0
        assert ws.words_ready() is False
        hold_fill.set()
        # Inbox files are stored under their job names (00000.txt …): compare without source.
        _filled_like(ws, normal, "SELECT article_id, province, date, word, n FROM words ORDER BY ALL")


def test_a_fill_cut_short_is_finished_by_the_next_start(tmp_path) -> None:
    normal = _normal_store(tmp_path)
    db = tmp_path / "cut.duckdb"
    eng = Engine(Store(db), workers=1)
    ingest_themes_first(eng, [SAMPLES_DIR])

    class Crash(Exception):
        pass

    def crash_after_first_batch(done: int, total: int, _: str) -> None:
        if done:
            raise Crash  # the process dies here: the first batch is committed, the rest is not

    with pytest.raises(Crash):
        fill_words(eng, crash_after_first_batch, batch=2)
    assert eng.store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 2
    assert words_ready(eng.store) is False
    eng.store.close()

    ws = Workspace(Settings(db=db, workers=1, import_samples=False))
    assert ws.words_ready() is False
    with _watching(ws, normal, interval=30):  # the dashboard's start
        _filled_like(ws, normal, WORDS)


def test_a_workspace_without_watcher_returns_uploads_complete(tmp_path) -> None:
    normal = _normal_store(tmp_path, uploads=True)
    ws = Workspace(Settings(db=tmp_path / "cli.duckdb", workers=1, import_samples=False))
    ws.ingest_uploads(_sample_uploads(), key=None)
    assert ws.words_ready() is True
    pd.testing.assert_frame_equal(ws.store.df(WORDS), normal.df(WORDS))
    ws.store.close()
    normal.close()


@pytest.mark.parametrize("meanwhile", ["rebuild", "delete"])
def test_what_changed_after_the_text_was_read_is_not_filled(
    empty_engine: Engine, monkeypatch, meanwhile
) -> None:
    """The fill reads a batch's paragraphs, cuts them, then appends under the
    writers' lock. A rebuild in between writes the words itself (must not be doubled); a
    delete removes the article (no word row may outlive it)."""
    eng = empty_engine
    ingest_themes_first(eng, [SAMPLES_DIR])
    victim = sorted(eng.store.existing_ids(words_later.articles_without_words(eng.store)))[0]
    real = words_later._store_batch

    def changed_first(*args):
        if meanwhile == "rebuild":
            eng.rebuild()
        else:
            assert eng.store.delete_article(victim)
        monkeypatch.setattr(words_later, "_store_batch", real)
        return real(*args)

    monkeypatch.setattr(words_later, "_store_batch", changed_first)
    normal = _normal_store(eng.store.path.parent)
    fill_words(eng, batch=10)  # one batch: the change lands between its reading and its append
    assert words_ready(eng.store) is True
    after = eng.store.df(WORDS)
    assert after.duplicated(["article_id", "province", "word"]).sum() == 0
    expected = normal.df(WORDS)
    if meanwhile == "delete":
        expected = expected[expected["article_id"] != victim].reset_index(drop=True)
        assert set(after["article_id"]) == set(expected["article_id"]) and len(set(after["article_id"])) == 4
    pd.testing.assert_frame_equal(after, expected)
    normal.close()


def test_the_upload_page_says_words_follow(tmp_path, hold_fill, sample_db) -> None:
    """语料管理: after an upload the themes are in and the page says the words follow."""
    from helpers import pages_on, private_settings, rerun, run_page

    from app_pages import _state as S

    with pages_on(private_settings(tmp_path, sample_db)):
        at = run_page("corpus.py")
        name = SAMPLE_FILES[0]
        at.file_uploader(key="upload").set_value(
            [("新文章.txt", (SAMPLES_DIR / name).read_bytes() + "补一句。".encode(), "text/plain")]
        )
        rerun(at)
        at.button(key="do_ingest").click()
        rerun(at)
        assert any("新增 1 篇" in x.value for x in at.success)
        follow = "主题统计已经可以查看；词云和省份对比所用的词语正在后台补充，那两页会显示进度。"
        assert [c.value for c in at.caption if c.value == follow] == [follow]
        ws = S.ws()
        assert ws.words_ready() is False
        assert ws.store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 5  # the samples'
        hold_fill.set()
        assert ws.wait_for_words(60) and ws.words_ready()
        assert ws.store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 6


@pytest.mark.slow
def test_a_fill_killed_by_sigkill_leaves_whole_articles_and_is_finished_on_start(tmp_path) -> None:
    """`ingest --words-later` SIGKILLed while it adds the words: each article has all its
    word rows or none, and the dashboard's start finishes the fill to a normal ingest's rows."""
    import os
    import shutil
    import signal
    import subprocess
    import sys

    from analysis.bench import build_corpus, free_phrases
    from analysis.themes import load_themes

    n = 2000
    root = Path(__file__).resolve().parents[1]
    corpus, empty = tmp_path / "in", tmp_path / "empty"
    empty.mkdir()
    build_corpus(n, 11, corpus, free_phrases(load_themes()))
    clean = Engine(Store(tmp_path / "clean.duckdb"), workers=1)
    clean.ingest_paths([corpus])
    base = Engine(Store(tmp_path / "base.duckdb"), workers=1)
    ingest_themes_first(base, [corpus])
    base.store.close()
    # The CLI with no new file only fills what is pending: each try kills it after `delay`.
    env = {**os.environ, "PYTHONPATH": str(root)}
    fill = [
        sys.executable,
        "-m",
        "analysis",
        "ingest",
        str(empty),
        "--words-later",
        "--no-samples",
        "--no-queue",
    ]
    killed = tmp_path / "killed.duckdb"
    delay, filled, tries = 0.4, 0, []
    for _ in range(10):
        shutil.copy(tmp_path / "base.duckdb", killed)
        # the last try's WAL belongs to the file just replaced (the fill now checkpoints once, at its end)
        Path(f"{killed}.wal").unlink(missing_ok=True)
        proc = subprocess.Popen(
            [*fill, "--db", str(killed)],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        for line in proc.stderr:  # the fill starts now
            if "正在补充词语" in line:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        store = Store(killed, read_only=True)
        filled = store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0]
        store.close()
        tries.append((delay, int(filled)))
        if 0 < filled < n:
            break
        delay = delay * 2 if filled == 0 else delay / 2
    print(f"\n杀掉时已补充词语的文章（等待秒数, 篇数）：{tries}")
    assert 0 < filled < n, tries
    b = Store(killed)
    try:
        assert b.article_count() == n and words_ready(b) is False
        per_article = (
            "SELECT article_id, province, date, source, word, n FROM words "
            "WHERE article_id IN (SELECT unnest(?)) ORDER BY ALL"
        )
        ids = sorted(b.df("SELECT DISTINCT article_id FROM words")["article_id"])
        pd.testing.assert_frame_equal(b.df(per_article, [ids]), clean.store.df(per_article, [ids]))
    finally:
        b.close()
    ws = Workspace(Settings(db=killed, workers=1, import_samples=False))
    # the killed fill left the word sums marked stale: opening summed them anew
    assert ws.store.word_sums_ready
    with _watching(ws, clean.store, interval=30):
        _filled_like(ws, clean.store, WORDS, timeout=120)
        ws.wait_for_words(60)
        sums = "SELECT province, word, sum(n)::BIGINT AS n, sum(rows)::BIGINT AS r FROM word_sums GROUP BY ALL HAVING r <> 0 ORDER BY ALL"
        truth = "SELECT province, word, sum(n)::BIGINT AS n, count(*)::BIGINT AS r FROM words GROUP BY ALL ORDER BY ALL"
        pd.testing.assert_frame_equal(ws.store.df(sums), ws.store.df(truth))


def test_a_paragraph_read_whose_rowids_moved_is_made_again_without_them(tmp_path, monkeypatch):
    """Each read of a fill scans only the rowids its articles' paragraphs had when the fill
    listed them (paragraph_spans); a checkpoint that compacts deleted rows moves them. A
    read missing rows is made again over the whole table: the rows are all there."""
    eng = Engine(Store(tmp_path / "s.duckdb"), workers=1)
    ingest_themes_first(eng, [SAMPLES_DIR])
    store = eng.store
    todo = words_later.articles_without_words(store)
    spans = words_later.paragraph_spans(store, todo)
    assert sorted(s[0] for s in spans) == sorted(todo) and len(todo) == len(SAMPLE_FILES)
    assert sum(s[3] for s in spans) == store.paragraph_count()
    whole = {aid: words_later.paragraphs_of(store, [aid]).to_pylist() for aid in todo}

    def read(moved: int) -> dict[str, list]:
        shifted = [(aid, lo + moved, hi + moved, n) for aid, lo, hi, n in spans]
        monkeypatch.setattr(words_later, "paragraph_spans", lambda *_: shifted)
        got: dict[str, list] = {}
        for ids, _, rows in words_later._batches(store, todo, 2, 3):
            for aid in ids:
                got[aid] = [r for r in rows.to_pylist() if r["article_id"] == aid]
        return got

    assert read(0) == whole
    assert read(7) == whole  # every span off by seven rows: each read made again
    # The check itself: a span that misses an article's last row is seen as short.
    short = [(aid, lo, hi - 1, n) for aid, lo, hi, n in spans]
    rows = words_later.paragraphs_of(store, todo, (min(s[1] for s in short), max(s[2] for s in short)))
    assert not words_later._complete(rows, short)
    assert words_later._complete(words_later.paragraphs_of(store, todo), spans)
