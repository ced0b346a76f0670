"""A queue folder beside the database, so the command line can add files while the
dashboard runs.

DuckDB lets one process write a file. The dashboard process owns the store while it
runs; a CLI `ingest` that finds the store locked copies the files into
`<db>.inbox/<job>/` instead, and a watcher thread in the dashboard ingests them and
writes `results.json` next to them, which the CLI waits for and prints.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from .ingest import expand_paths

READY = "ready"  # written last: a job is complete only when this marker exists
RESULTS = "results.json"


def inbox_dir(db: Path) -> Path:
    return db.with_name(db.name + ".inbox")


def enqueue(paths: list[Path], db: Path) -> Path:
    """Copy the files into a new job folder (under generated names) and mark it ready."""
    job = inbox_dir(db) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    files = job / "files"
    files.mkdir(parents=True)
    names = {}
    for i, src in enumerate(expand_paths(paths)):
        target = files / f"{i:05d}{src.suffix.lower()}"
        shutil.copyfile(src, target)
        names[target.name] = src.name
    (job / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    (job / READY).touch()
    return job


def wait_for_results(job: Path, timeout: float = 120.0) -> list[dict] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = job / RESULTS
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        time.sleep(0.3)
    return None


def drain(engine, db: Path) -> int:
    """Ingest every ready job; returns how many jobs were processed."""
    from .engine import FAILED, Result
    from .ingest import IngestError, read_path

    root = inbox_dir(db)
    if not root.exists():
        return 0
    done = 0
    for job in sorted(p for p in root.iterdir() if (p / READY).exists() and not (p / RESULTS).exists()):
        names = json.loads((job / "names.json").read_text(encoding="utf-8"))
        docs = []
        for f in sorted((job / "files").iterdir()):
            label = names.get(f.name, f.name)
            try:
                raw = read_path(f)
                raw.name = label
                docs.append((label, raw, None))
            except IngestError as exc:
                docs.append((label, str(exc), None))
        try:
            results = engine.ingest_docs(docs)
        except Exception as exc:  # keep the watcher alive; report the failure to the CLI
            results = [Result(d[0], FAILED, f"看板导入时出错：{exc}") for d in docs]
        tmp = job / (RESULTS + ".tmp")
        tmp.write_text(json.dumps([r.__dict__ for r in results], ensure_ascii=False), encoding="utf-8")
        tmp.replace(job / RESULTS)
        shutil.rmtree(job / "files", ignore_errors=True)
        done += 1
    return done


def start_watcher(
    engine, db: Path, interval: float = 1.0, on_change: Callable[[], None] | None = None
) -> threading.Thread:
    """A daemon thread in the dashboard process that drains the inbox."""

    def loop():
        while True:
            try:
                if drain(engine, db) and on_change:
                    on_change()
            except Exception:  # never let the watcher die; the next round retries
                pass
            time.sleep(interval)

    t = threading.Thread(target=loop, name="policy-inbox", daemon=True)
    t.start()
    return t
