"""A queue folder beside the database, so the command line can add files while the
dashboard runs.

DuckDB lets one process write a file. The dashboard process owns the store while it
runs; a CLI `ingest` that finds the store locked copies the files into
`<db>.inbox/<job>/` instead, and a watcher thread in the dashboard ingests them and
writes `results.json` next to them, which the CLI waits for and prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from .imports import expand_inputs, plan_entries
from .ingest import IngestError, Upload
from .models import Meta
from .settings import LIMITS
from .tables import ColumnMap, read_meta_table

READY = "ready"  # written last: a job is complete only when this marker exists
RESULTS = "results.json"
META = "meta.json"  # target name -> title, date, outlet … from the source folder's meta.csv
COLUMNS = "columns.json"  # the CLI's --text-col … for tables


def inbox_dir(db: Path) -> Path:
    return db.with_name(db.name + ".inbox")


def enqueue(paths: list[Path], db: Path, columns: ColumnMap | None = None) -> Path:
    """Copy the files into a new job folder (under generated names, file times kept) and mark
    it ready. Tables and archives go as they are; each folder's meta.csv and the CLI's column
    choices travel as meta.json and columns.json, so the dashboard imports exactly what a
    direct `ingest` would."""
    job = inbox_dir(db) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    files = job / "files"
    files.mkdir(parents=True)
    names: dict[str, str] = {}
    metas: dict[str, dict[str, str]] = {}
    folder_meta: dict[Path, dict[str, Meta]] = {}
    for i, src in enumerate(expand_inputs(paths)):
        target = files / f"{i:05d}{src.suffix.lower()}"
        shutil.copy2(src, target)
        names[target.name] = src.name
        if src.parent not in folder_meta:
            mc = src.parent / "meta.csv"
            try:
                folder_meta[src.parent] = read_meta_table(mc, mc.name) if mc.is_file() else {}
            except IngestError:
                folder_meta[src.parent] = {}  # the direct import reports it; here the files still go
        meta = folder_meta[src.parent].get(src.name)
        if meta is not None:
            metas[target.name] = {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(meta).items()
            }
    (job / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    (job / META).write_text(json.dumps(metas, ensure_ascii=False), encoding="utf-8")
    if columns is not None:
        (job / COLUMNS).write_text(json.dumps(asdict(columns), ensure_ascii=False), encoding="utf-8")
    (job / READY).touch()
    return job


def wait_for_results(job: Path, timeout: float = 120.0) -> list[dict] | None:
    """The job's results once the dashboard wrote them (a quarantined job: its reason)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = job / RESULTS
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        reason = job.parent / BAD / job.name / REASON
        if reason.exists():
            return [{"name": job.name, "status": "失败", "reason": reason.read_text(encoding="utf-8")}]
        time.sleep(0.3)
    return None


BAD = "bad"  # <inbox>/bad/<job>/: jobs that could not be read, each with its reason
REASON = "reason.txt"
READ_ONLY_REFUSAL = "看板处于只读模式（POLICY_READ_ONLY），不接受导入"


class BadJob(Exception):
    """A job folder that cannot be read as a job; str(e) says why (Chinese)."""


def _is(path: Path, kind: Callable[[int], bool]) -> bool:
    """path is of that kind itself (os.lstat: a symbolic link is never followed)."""
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, opened without following links (O_NOFOLLOW) and checked
    again on the open descriptor, so a link swapped in after the check is refused too."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise IngestError("不是普通文件（文件夹、管道或设备），拒绝导入")
        if st.st_size > limit:
            raise IngestError(f"文件大小 {st.st_size / 2**20:.1f} MB，超过上限 {limit // 2**20} MB")
        return fh.read(limit + 1)


def _optional_json(job: Path, name: str) -> dict:
    """An optional small JSON object of the job (meta.json, columns.json): {} when absent."""
    path = job / name
    if not os.path.lexists(path):
        return {}
    if not _is(path, stat.S_ISREG):
        raise BadJob(f"任务的 {name} 不是普通文件")
    try:
        data = json.loads(_read_regular(path, 2**22).decode("utf-8"))
    except (OSError, ValueError, IngestError) as exc:
        raise BadJob(f"任务的 {name} 无法读取（{type(exc).__name__}）") from None
    if not isinstance(data, dict):
        raise BadJob(f"任务的 {name} 格式不对")
    return data


def _job_metas(job: Path) -> dict[str, Meta]:
    out: dict[str, Meta] = {}
    for target, fields in _optional_json(job, META).items():
        try:
            day = fields.get("date")
            out[target] = Meta(
                **{k: str(fields.get(k) or "") for k in ("title", "outlet", "author", "section", "url")},
                date=dt.date.fromisoformat(day) if day else None,
            )
        except (AttributeError, TypeError, ValueError):
            raise BadJob(f"任务的 {META} 中 {target} 的元数据格式不对") from None
    return out


def job_columns(job: Path) -> ColumnMap | None:
    """The CLI's column choices for the job's tables (None: recognise columns by name)."""
    raw = _optional_json(job, COLUMNS)
    if not raw:
        return None
    try:
        return ColumnMap(**{k: (str(v) if v else None) for k, v in raw.items()})
    except TypeError:
        raise BadJob(f"任务的 {COLUMNS} 格式不对") from None


def _job_docs(job: Path) -> list[tuple[str, Upload | str, Meta | None]]:
    """(label, bytes to read in a worker or a refusal) for each file of a job; BadJob when
    the job itself is malformed."""
    from .engine import safe_name

    if not _is(job, stat.S_ISDIR):
        raise BadJob("任务不是普通文件夹（可能是符号链接），拒绝导入")
    names_file, files = job / "names.json", job / "files"
    if not _is(names_file, stat.S_ISREG):
        raise BadJob("任务缺少 names.json（或它不是普通文件）")
    try:
        names = json.loads(_read_regular(names_file, 2**20).decode("utf-8"))
    except (OSError, ValueError, IngestError) as exc:
        raise BadJob(f"任务的 names.json 无法读取（{type(exc).__name__}）") from None
    if not isinstance(names, dict):
        raise BadJob("任务的 names.json 格式不对（应为文件名对照表）")
    if not _is(files, stat.S_ISDIR):
        raise BadJob("任务缺少 files 文件夹（或它是符号链接）")
    metas = _job_metas(job)
    docs: list[tuple[str, Upload | str, Meta | None]] = []
    for f in sorted(files.iterdir()):
        label = safe_name(str(names.get(f.name, f.name)))
        if _is(f, stat.S_ISLNK):
            docs.append((label, "这是符号链接，不是普通文件，拒绝导入", None))
            continue
        if not _is(f, stat.S_ISREG):
            docs.append((label, "不是普通文件（文件夹、管道或设备），拒绝导入", None))
            continue
        try:
            data = _read_regular(f, LIMITS.max_file_bytes)
        except IngestError as exc:
            docs.append((label, str(exc), None))
            continue
        except OSError as exc:
            docs.append((label, f"无法读取文件（{exc.strerror or type(exc).__name__}），拒绝导入", None))
            continue
        mtime = dt.date.fromtimestamp(os.lstat(f).st_mtime)
        docs.append((label, Upload(label, data, mtime), metas.get(f.name)))
    return docs


def quarantine(job: Path, reason: str) -> Path:
    """Move a malformed job to <inbox>/bad/ with its reason, so later jobs go on."""
    bad = job.parent / BAD
    bad.mkdir(exist_ok=True)
    target = bad / job.name
    if target.exists():
        target = bad / f"{job.name}-{uuid.uuid4().hex[:6]}"
    job.rename(target)  # a link is moved as a link, never followed
    if _is(target, stat.S_ISDIR):
        (target / REASON).write_text(reason, encoding="utf-8")
    else:
        (bad / f"{target.name}.{REASON}").write_text(reason, encoding="utf-8")
    return target


def _write_results(job: Path, results: list) -> None:
    tmp = job / (RESULTS + ".tmp")
    tmp.write_text(json.dumps([r.__dict__ for r in results], ensure_ascii=False), encoding="utf-8")
    tmp.replace(job / RESULTS)
    shutil.rmtree(job / "files", ignore_errors=True)


def _ready_jobs(root: Path) -> list[Path]:
    if not _is(root, stat.S_ISDIR):  # a link in place of the inbox is never followed
        return []
    return sorted(
        p for p in root.iterdir() if p.name != BAD and (p / READY).exists() and not (p / RESULTS).exists()
    )


def drain(engine, db: Path, words: bool = True) -> int:
    """Ingest every ready job; returns how many jobs were processed (quarantined ones too).
    words=False: themes first, as the dashboard imports (its WordFiller adds the words)."""
    from .engine import FAILED, Result
    from .words_later import mark_words_pending

    done = 0
    for job in _ready_jobs(inbox_dir(db)):
        try:
            docs = _job_docs(job)
            columns = job_columns(job)
        except BadJob as exc:
            quarantine(job, str(exc))
            done += 1
            continue
        try:  # tables and archives expand into rows and members, as in a direct import
            if not words:
                mark_words_pending(engine.store)
            results = engine.ingest_plan(plan_entries(list(docs), columns), words=words)
        except Exception as exc:  # keep the watcher alive; report the failure to the CLI
            results = [Result(d[0], FAILED, f"看板导入时出错：{exc}") for d in docs]
        _write_results(job, results)
        done += 1
    return done


def refuse_all(db: Path, reason: str = READ_ONLY_REFUSAL) -> int:
    """Answer every ready job with a refusal (a read-only dashboard imports nothing, and says so)."""
    from .engine import FAILED, Result

    done = 0
    for job in _ready_jobs(inbox_dir(db)):
        try:
            labels = [label for label, _, _ in _job_docs(job)]
        except BadJob as exc:
            quarantine(job, str(exc))
        else:
            _write_results(job, [Result(label, FAILED, reason) for label in labels])
        done += 1
    return done
