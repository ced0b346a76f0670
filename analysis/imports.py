"""What the paths or uploads given to ingest become: one entry per document, table row
or archive member, counted first so progress has a total, then streamed to the engine.

An entry is (label, source, meta): source is a Path the worker reads, a decoded RawDoc,
or the Chinese reason it was refused. Tables and archives never enter memory whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .archive import ARCHIVE_SUFFIXES, open_archive
from .ingest import SUFFIXES, IngestError, RawDoc, Upload, expand_paths, listed_files, suffix_of
from .models import Meta
from .settings import LIMITS, Limits
from .tables import TABLE_SUFFIXES, ColumnMap, open_table, read_meta_table, resolve_columns, table_rows

Entry = tuple[str, Path | Upload | RawDoc | str, Meta | None]
KNOWN = (SUFFIXES - {""}) | TABLE_SUFFIXES | ARCHIVE_SUFFIXES


@dataclass
class Plan:
    total: int = 0
    _parts: list = field(default_factory=list)  # callables yielding entries, in order

    def entries(self) -> Iterator[Entry]:
        for part in self._parts:
            yield from part()


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files given, plus known files inside given folders, in a stable order (meta.csv is
    read with its folder, not imported)."""
    return expand_paths(paths, KNOWN, skip={"meta.csv"})


def _input_names(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """expand_inputs as (folder, name) strings (ingest.listed_files)."""
    return listed_files(paths, KNOWN, skip={"meta.csv"})


def _mtime(path: Path) -> dt.date:
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return dt.date.today()


def _fail(label: str, reason: str):
    return lambda: iter([(label, reason, None)])


def plan_paths(paths: list[Path], columns: ColumnMap | None = None, limits: Limits = LIMITS) -> Plan:
    """Files and folders: documents go to workers by path; tables and archives stream rows."""
    plan = Plan()
    metas: dict[str, dict[str, Meta]] = {}

    def meta_for(folder: str) -> dict[str, Meta]:
        if folder not in metas:
            metas[folder] = {}
            mc = Path(folder) / "meta.csv"
            if mc.exists():
                try:
                    metas[folder] = read_meta_table(mc, str(mc.name), limits)
                except IngestError as exc:
                    plan.total += 1
                    plan._parts.append(_fail(str(mc), f"元数据表无法使用：{exc}"))
        return metas[folder]

    for folder, base in _input_names(paths):
        suffix = suffix_of(base)
        if suffix in TABLE_SUFFIXES or suffix in ARCHIVE_SUFFIXES:
            f = Path(folder, base)
            try:
                if suffix in TABLE_SUFFIXES:
                    table = open_table(f, f.name, limits)
                    resolve_columns(table.header, columns)
                    plan.total += table.total
                    mtime = _mtime(f)
                    plan._parts.append(lambda t=table, m=mtime: table_rows(t, columns, m, limits))
                else:
                    arc = open_archive(f, f.name, columns, limits)
                    plan.total += arc.total
                    plan._parts.append(arc.rows)
            except IngestError as exc:
                plan.total += 1
                plan._parts.append(_fail(f.name, str(exc)))
            continue
        meta = meta_for(folder).get(base)
        plan.total += 1
        # The Path is made when the file comes up, not for every file before the first one.
        plan._parts.append(lambda d=folder, b=base, meta=meta: iter([(b, Path(d, b), meta)]))
    return plan


def plan_uploads(
    files: list[tuple[str, bytes]], columns: ColumnMap | None = None, limits: Limits = LIMITS
) -> Plan:
    """Uploaded (safe name, bytes): tables and archives expand, documents decode here.
    An uploaded meta.csv gives the other documents their titles, dates and outlets."""
    metas: dict[str, Meta] = {}
    refused: list[Entry] = []
    for name, data in files:
        if name.lower() == "meta.csv":
            try:
                metas.update(read_meta_table(data, name, limits))
            except IngestError as exc:
                refused.append((name, f"元数据表无法使用：{exc}", None))
    entries: list[Entry] = [
        (name, Upload(name, data, limits=limits), metas.get(name))  # read in a worker, with a deadline
        for name, data in files
        if name.lower() != "meta.csv"
    ]
    return plan_entries(refused + entries, columns, limits)


def plan_entries(entries: list[Entry], columns: ColumnMap | None = None, limits: Limits = LIMITS) -> Plan:
    """Named uploads, refusals and their metadata (from the uploader or the CLI's inbox):
    tables and archives expand into their rows and members, documents stay as they are
    (an Upload is read in a worker), a refusal is reported under its name."""
    plan = Plan()
    for name, doc, meta in entries:
        suffix = Path(name).suffix.lower()
        if isinstance(doc, Upload) and (suffix in TABLE_SUFFIXES or suffix in ARCHIVE_SUFFIXES):
            try:
                if suffix in TABLE_SUFFIXES:
                    table = open_table(doc.data, name, limits)
                    resolve_columns(table.header, columns)
                    plan.total += table.total
                    plan._parts.append(lambda t=table: table_rows(t, columns, None, limits))
                else:
                    arc = open_archive(doc.data, name, columns, limits)
                    plan.total += arc.total
                    plan._parts.append(arc.rows)
                continue
            except IngestError as exc:
                doc = str(exc)
        plan.total += 1
        entry: Entry = (name, doc, meta)
        plan._parts.append(lambda entry=entry: iter([entry]))
    return plan
