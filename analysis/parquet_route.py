"""`ingest … --to-parquet DIR --workers dask://local:N | tcp://host:port`: parsing and
counting as a dask.distributed job, written as hive-partitioned Parquet.

Each task reads, parses and counts a chunk of files with the same code the engine's
worker processes run (engine._prepare_chunk builds the store's Arrow tables), in a child
process of the Dask worker with the local route's per-file deadline (deadline_pool: a
file that overruns is refused with the same Chinese reason, its worker killed, the rest
of the chunk parsed), and writes its own files (store/parquet.write_batch: one per table and year, whole
articles, tmp + rename). Only chunk statuses and file names come back to this process.
Duplicates across chunks (the same words in two files) are found here in input order:
the first copy stays and the later chunk's files are rewritten without it, so the
dataset holds what Engine.ingest_paths would have stored. The dashboard and the CLI
then open DIR read-only (POLICY_DB=DIR or --db DIR) through store/parquet.ParquetStore.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .deadline_pool import DeadlinePool
from .engine import EXISTS, FAILED, NEW, Result, Window, _in_order, _Job, _worker_tools, chunked
from .imports import plan_paths
from .models import Theme, dictionary_hash
from .settings import LIMITS
from .store.parquet import stored_ids, without_articles, write_batch, write_whole
from .store.rows import _table, concat, without
from .tables import ColumnMap
from .themes import load_themes

Progress = Callable[[int, int, str], None]


class RouteError(ValueError):
    """The job cannot start (a bad --workers address, a dataset counted with another dictionary)."""


DAEMON_WORKERS = (
    "Dask 工作进程以守护进程方式运行，不能为每个文件单独限时解析（恶意文件可能让它永远卡住）；"
    "请先设置环境变量 DASK_DISTRIBUTED__WORKER__DAEMON=False 再启动 dask worker"
)


def _parse_with_deadline(
    jobs: list[_Job], themes: tuple[Theme, ...], seconds: float
) -> tuple[list[tuple[str, str]], dict]:
    """engine._prepare_chunk in a child process, `seconds` per file, as the local route does:
    on overrun the child is killed and each file runs alone, the one at fault refused."""
    pool = DeadlinePool(1, seconds)
    status: list[tuple[str, str]] = []
    parts: list[dict] = []
    first: set[str] = set()
    try:
        for _, (part_status, tables) in _in_order(pool, [jobs], themes, 1):
            status += part_status
            if tables:  # after an overrun each file comes alone: keep the first copy of an id
                ids = {aid for aid, _ in part_status if aid}
                parts.append(without(tables, ids & first) if ids & first else tables)
                first |= ids
    finally:
        pool.close()
    return status, concat(parts) if parts else {}


def _chunk_task(
    jobs: list[_Job], themes: tuple[Theme, ...], root: str, tag: str, seconds: float
) -> tuple[list, list[str]]:
    """On a dask worker: parse and count (with the per-file deadline), write the batch;
    (statuses, files written)."""
    status, tables = _parse_with_deadline(jobs, themes, seconds)
    files = write_batch(Path(root), tables, tag) if tables else []
    return status, [str(f) for f in files]


def _is_daemon() -> bool:
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)


def check_workers(client: Any) -> None:
    """The deadline needs child processes, which a daemonic process may not start (Dask's
    default): refuse such a cluster before anything is written."""
    if any(client.run(_is_daemon).values()):
        raise RouteError(DAEMON_WORKERS)


@contextmanager
def client_for(workers: str | Any) -> Iterator[Any]:
    """A dask Client: `dask://local:N` starts a LocalCluster of N processes (closed
    afterwards), `tcp://host:port` joins a running scheduler; a Client is used as given."""
    from distributed import Client, LocalCluster

    if not isinstance(workers, str):
        yield workers
        return
    n = local_workers(workers)
    if n:
        import dask

        # Non-daemonic workers, so each task can parse in a child process with a deadline.
        # (Its children die with it: deadline_pool asks the kernel for that.)
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
    else:
        client = Client(workers, timeout=30)
        try:
            yield client
        finally:
            client.close()


def local_workers(workers: str | Any) -> int:
    """N of dask://local:N (0 for tcp:// or a Client); raises RouteError for anything else."""
    if not isinstance(workers, str) or workers.startswith("tcp://"):
        return 0
    n_text = workers.removeprefix("dask://local").lstrip(":") if workers.startswith("dask://local") else ""
    if not n_text.isdigit() or int(n_text) < 1:
        raise RouteError(f"--workers {workers}：应为 dask://local:N（N 为正整数）或 tcp://主机:端口")
    return int(n_text)


def _check_dictionary(root: Path, themes: list[Theme]) -> None:
    """A dataset's counts must all be made with one dictionary."""
    meta = root / "store_meta" / "part-0.parquet"
    if not meta.exists():
        return
    import pyarrow.parquet as pq

    rows = dict(zip(*(pq.read_table(meta).column(c).to_pylist() for c in ("key", "value"))))
    if rows.get("counted_dictionary") not in (None, dictionary_hash(themes)):
        raise RouteError(f"{root} 中的统计是用另一版词典做的；请导出到新文件夹，或用同一词典")


def _write_dictionary(root: Path, themes: list[Theme]) -> None:
    write_whole(
        root,
        "themes",
        _table(
            "themes",
            {
                "id": [t.id for t in themes],
                "name": [t.name for t in themes],
                "category": [t.category for t in themes],
                "ord": list(range(len(themes))),
                "note": [t.note for t in themes],
            },
        ),
    )
    phrases = {
        "theme_id": [t.id for t in themes for _ in t.aliases],
        "phrase": [a for t in themes for a in t.aliases],
    }
    write_whole(root, "theme_phrases", _table("theme_phrases", phrases))
    meta = {"key": ["counted_dictionary"], "value": [dictionary_hash(themes)]}
    write_whole(root, "store_meta", _table("store_meta", meta))


def ingest_to_parquet(
    paths: Iterable[str | Path],
    out: str | Path,
    workers: str | Any = "dask://local:2",
    themes: list[Theme] | None = None,
    progress: Progress | None = None,
    chunk: int = 500,
    columns: ColumnMap | None = None,
) -> list[Result]:
    """Files and folders -> a Parquet dataset at out (created or added to). One Result per
    document, as Engine.ingest_paths gives."""
    root = Path(out)
    local_workers(workers)  # a bad address is refused before anything is written
    themes = list(themes) if themes is not None else load_themes()
    _check_dictionary(root, themes)
    plan = plan_paths([Path(p) for p in paths], columns)
    key = tuple(themes)
    _worker_tools(key, True)  # a thread-local cluster shares this process: build once here
    seen = stored_ids(root) if (root / "articles").is_dir() else set()
    run = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    results: list[Result] = []
    done = 0
    seconds = LIMITS.max_parse_seconds  # this process's setting, also on remote workers
    with client_for(workers) as client:
        check_workers(client)
        root.mkdir(parents=True, exist_ok=True)
        _write_dictionary(root, themes)  # first: an open reader sees the dictionary the files use
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        depth = 2 * n_workers
        # Big tasks (few files, little scheduling), but enough of them to keep every worker busy.
        chunk = max(1, min(chunk, -(-plan.total // (2 * n_workers))))
        numbered = enumerate(chunked((_Job(n, s, m) for n, s, m in plan.entries()), chunk))

        def submit(task: tuple[int, list[_Job]]) -> Any:
            i, jobs = task
            return client.submit(_chunk_task, jobs, key, str(root), f"{run}-{i:06d}", seconds, pure=False)

        for (_, jobs), fut in Window(numbered, submit, depth):
            try:
                status, files = fut.result()
            except Exception as exc:  # a lost worker costs its chunk, not the job
                status, files = [("", f"分析时出错（{type(exc).__name__}: {exc}）")] * len(jobs), []
            dup = {aid for aid, _ in status if aid and aid in seen}
            for f in files if dup else ():
                without_articles(Path(f), dup)
            first: set[str] = set()
            for job, (aid, reason) in zip(jobs, status):
                if not aid:
                    results.append(Result(job.name, FAILED, reason))
                elif aid in seen or aid in first:  # stored before, or earlier in this chunk
                    results.append(Result(job.name, EXISTS, "内容相同的文章已在库中", aid))
                else:
                    first.add(aid)
                    results.append(Result(job.name, NEW, "", aid))
            seen |= first
            done += len(jobs)
            if progress:
                progress(done, plan.total, jobs[-1].name)
    return results
