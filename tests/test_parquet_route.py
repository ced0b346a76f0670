"""The Parquet route (issue 16 item 4): the sample corpus through a dask LocalCluster into
hive-partitioned Parquet, opened read-only through DuckDB views, gives exactly the
numbers of the DuckDB store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from helpers import S000, S002, SAMPLE_FILES

from analysis import queries
from analysis.engine import Engine
from analysis.models import Filters
from analysis.settings import SAMPLES_DIR
from analysis.store import open_store
from analysis.store import parquet as pq_store
from analysis.store.parquet import ParquetStore, is_dataset
from analysis.themes import load_themes

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator:
    # Threads in this process keep the test quick (no worker processes to start).
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def dataset(client, tmp_path_factory) -> Iterator[tuple[Path, list]]:
    from analysis.parquet_route import ingest_to_parquet

    out = tmp_path_factory.mktemp("pq") / "samples"
    results = ingest_to_parquet([SAMPLES_DIR], out, client, chunk=2)
    yield out, results


@pytest.fixture(scope="module")
def fresh_engine(dataset, tmp_path_factory) -> Iterator[Engine]:
    """The samples in a DuckDB file made right after the dataset: rjieba's user words are
    process-wide, so a store made earlier in the run (before another test added a phrase)
    could segment differently; this one sees exactly what the Parquet route saw."""
    from analysis.store import Store

    store = Store(tmp_path_factory.mktemp("db") / "samples.duckdb")
    eng = Engine(store, workers=1)
    eng.ingest_paths([SAMPLES_DIR])
    yield eng
    store.close()


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def test_every_sample_is_new_and_every_file_is_whole_and_renamed(dataset) -> None:
    out, results = dataset
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    assert is_dataset(out)
    assert not list(out.rglob("*.tmp"))
    # Hive partitions by year; the five samples fall in these years.
    years = sorted(p.name for p in (out / "articles").iterdir())
    assert years == ["year=2023", "year=2024"]
    store = ParquetStore(out)
    # Whole articles per file: every article's paragraphs sit in the file named like its articles row.
    files = store.df(
        "SELECT a.id, count(DISTINCT p.filename) AS n FROM read_parquet(?, filename = true) p "
        "JOIN articles a ON a.id = p.article_id GROUP BY a.id",
        [str(out / "paragraphs" / "*" / "*.parquet")],
    )
    assert len(files) == 5 and set(files["n"]) == {1}


def test_counts_kwic_sections_equal_the_duckdb_store(dataset, fresh_engine: Engine) -> None:
    out, _ = dataset
    pq = ParquetStore(out)
    db = fresh_engine.store
    for by in ("province", "file", "month", "category"):
        a = _frame(queries.counts_table(pq, Filters(), by))
        b = _frame(queries.counts_table(db, Filters(), by))
        pd.testing.assert_frame_equal(a, b)
    table = queries.counts_table(pq, Filters(), "province")
    row = table[(table["group"] == "上海") & (table["theme"] == "营商环境")].iloc[0]
    assert (row["count"], row["chars"], row["per_10k"]) == (19, 2055, 92.457)
    by_file = queries.counts_table(pq, Filters(), "file", terms=["营商环境"])
    assert by_file.set_index("group").loc[S002, "count"] == 99
    for term in ("营商环境", "新质生产力"):
        a = _frame(queries.passages(pq, Filters(), term=term, limit=1000))
        b = _frame(queries.passages(db, Filters(), term=term, limit=1000))
        pd.testing.assert_frame_equal(a, b)
    assert len(queries.passages(pq, Filters(), term="营商环境", limit=1000)) == len(
        queries.passages(db, Filters(), term="营商环境", limit=1000)
    )
    pd.testing.assert_frame_equal(_frame(pq.sections_df()), _frame(db.sections_df()))
    pd.testing.assert_frame_equal(
        _frame(pq.word_totals(Filters(provinces=("广东",)), 50)),
        _frame(db.word_totals(Filters(provinces=("广东",)), 50)),
    )
    assert pq.article_count() == db.article_count() == 5


def test_engine_opens_the_folder_read_only(dataset, monkeypatch) -> None:
    out, _ = dataset
    store = open_store(out)
    assert isinstance(store, ParquetStore) and store.read_only
    engine = Engine(store)  # a read-only store: no recount, no write on open
    assert engine.dictionary_in_step()
    assert store.existing_ids(["f5f6c6c16fa94df4"]) == {"f5f6c6c16fa94df4"}


def test_duplicates_across_chunks_keep_the_first_copy(client, tmp_path) -> None:
    from analysis.parquet_route import ingest_to_parquet

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES_DIR / S000, src / "a.txt")
    shutil.copy(SAMPLES_DIR / S002, src / "b.txt")
    shutil.copy(SAMPLES_DIR / S000, src / "c.txt")  # same words as a.txt, in another chunk
    out = tmp_path / "out"
    results = ingest_to_parquet([src], out, client, chunk=1)
    assert [r.status for r in results] == ["新增", "新增", "已存在"]
    store = ParquetStore(out)
    assert store.df("SELECT source FROM articles ORDER BY source")["source"].tolist() == ["a.txt", "b.txt"]
    assert store.df("SELECT DISTINCT source FROM paragraphs ORDER BY source")["source"].tolist() == [
        "a.txt",
        "b.txt",
    ]
    # A second run into the same folder adds nothing.
    again = ingest_to_parquet([src], out, client, chunk=1)
    assert [r.status for r in again] == ["已存在", "已存在", "已存在"]
    assert ParquetStore(out).article_count() == 2


def test_a_failed_write_leaves_no_part_of_the_batch(client, tmp_path, monkeypatch) -> None:
    from analysis.engine import _Job, _prepare_chunk

    _, tables = _prepare_chunk([_Job(S000, SAMPLES_DIR / S000)], tuple(load_themes()))
    calls = {"n": 0}
    real = pq_store.write_atomic

    def third_fails(tbl, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("磁盘已满")
        real(tbl, path)

    monkeypatch.setattr(pq_store, "write_atomic", third_fails)
    with pytest.raises(OSError):
        pq_store.write_batch(tmp_path / "ds", tables, "t1")
    assert calls["n"] == 3
    assert not list((tmp_path / "ds").rglob("*.parquet"))


def test_bad_workers_address_is_refused_in_chinese(tmp_path) -> None:
    from analysis.parquet_route import RouteError, ingest_to_parquet

    for bad in ("http://example", "dask://local:0", "dask://local:x"):
        with pytest.raises(RouteError, match="dask://local"):
            ingest_to_parquet([SAMPLES_DIR], tmp_path / "o", bad)
    assert not (tmp_path / "o").exists()  # refused before anything is written


def test_dashboard_pages_run_on_the_dataset_read_only(dataset) -> None:
    """POLICY_DB=DIR: every page runs on the Parquet folder; 主题 ranks 上海 with the store's numbers."""
    from helpers import open_page

    from analysis.settings import Settings
    from app_pages import _state as S

    out, _ = dataset
    S.use_settings(Settings(db=out, workers=1), strict=True)
    try:
        assert S.ws().store.read_only and isinstance(S.ws().store, ParquetStore)
        for page in ("overview", "themes", "compare", "wordcloud", "articles", "corpus"):
            open_page(f"app_pages/{page}.py")
        at = open_page("app_pages/themes.py", theme="business_environment")
        table = next(d.value for d in at.dataframe if "95%区间" in d.value.columns)
        row = table[table["省份"] == "上海"].iloc[0]
        assert (row["次数"], row["字数"]) == (19, 2055)
    finally:
        S.use_settings(None)


def test_writes_to_the_dataset_are_refused_in_chinese(dataset, tmp_path, capsys) -> None:
    from analysis.cli import main

    out, _ = dataset
    assert main(["rebuild", "--db", str(out), "-q"]) == 2
    assert "Parquet 数据集，只能读取" in capsys.readouterr().err
    new = tmp_path / "new.txt"
    new.write_text("2024年5月1日\n\n## 广东\n\n广东持续优化营商环境，推动高质量发展。", encoding="utf-8")
    assert main(["ingest", str(new), "--db", str(out), "-q"]) == 2
    assert "--to-parquet" in capsys.readouterr().err
    assert ParquetStore(out).article_count() == 5


@pytest.mark.slow
def test_a_file_that_parses_forever_is_refused_and_the_rest_go_in(client, tmp_path, monkeypatch) -> None:
    """A hostile file must not hold a Dask worker forever: each task parses in a child
    process with the local route's per-file deadline (POLICY_MAX_PARSE_SECONDS), and only
    the file at fault is refused, with the same Chinese reason."""
    import dataclasses
    import time

    import analysis.engine as engine_module
    from analysis import parquet_route
    from analysis.settings import LIMITS

    real_parse = engine_module.parse

    def parse_hanging_on_one_file(raw, *args, **kwargs):
        if "永不结束" in raw.text:
            time.sleep(40)  # a parser stuck on hostile text
        return real_parse(raw, *args, **kwargs)

    # The cluster's workers are threads of this process, so the forked children inherit these.
    monkeypatch.setattr(engine_module, "parse", parse_hanging_on_one_file)
    monkeypatch.setattr(
        parquet_route, "LIMITS", dataclasses.replace(LIMITS, max_parse_seconds=2), raising=False
    )
    src = tmp_path / "in"
    src.mkdir()
    (src / "a甲.txt").write_text("北京市推动高质量发展，营商环境持续优化。", encoding="utf-8")
    (src / "b慢.txt").write_text("一篇永不结束的文章。", encoding="utf-8")
    (src / "c乙.txt").write_text("上海市加快建设国际科技创新中心，营商环境更好。", encoding="utf-8")
    out = tmp_path / "ds"
    start = time.monotonic()
    results = parquet_route.ingest_to_parquet([src], out, client, chunk=3)
    took = time.monotonic() - start
    assert [(r.name, r.status) for r in results] == [
        ("a甲.txt", "新增"),
        ("b慢.txt", "失败"),
        ("c乙.txt", "新增"),
    ]
    assert results[1].reason.startswith("解析超过 2 秒仍未完成，已停止")
    assert took < 20, f"the job waited {took:.1f} s for the stuck file"
    store = ParquetStore(out)
    assert store.article_count() == 2
    assert store.phrase_totals()["营商环境"] == 2


@pytest.mark.slow
def test_local_worker_processes_parse_with_the_deadline(tmp_path) -> None:
    """dask://local:N starts worker processes that may have children (the deadline's);
    Dask's default daemonic workers may not, and such a cluster is refused before any write."""
    from analysis.parquet_route import DAEMON_WORKERS, RouteError, ingest_to_parquet

    results = ingest_to_parquet([SAMPLES_DIR], tmp_path / "ok", "dask://local:1")
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    assert ParquetStore(tmp_path / "ok").article_count() == 5
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as daemonic,
        pytest.raises(RouteError) as refused,
    ):
        ingest_to_parquet([SAMPLES_DIR], tmp_path / "no", daemonic)
    assert str(refused.value) == DAEMON_WORKERS
    assert not (tmp_path / "no").exists()
