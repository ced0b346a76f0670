"""Zip archives of documents and tables -> rows for the engine.

Members are read into memory one at a time and handed on under a label
("归档.zip/子目录/文件.txt"); nothing is ever written to disk under a member's name, so
hostile names ("../../x", absolute paths) are only text. The same guards as docx apply
first: member count, declared and actually inflated size, and compression ratio.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from .ingest import SUFFIXES, IngestError, RawDoc, Upload
from .models import Meta
from .settings import LIMITS, Limits
from .tables import (
    TABLE_SUFFIXES,
    ColumnMap,
    open_table,
    read_meta_table,
    resolve_columns,
    table_rows,
)

ARCHIVE_SUFFIXES = {".zip"}
MAX_MEMBERS = LIMITS.max_zip_members  # POLICY_MAX_ZIP_MEMBERS
# Text and Office XML compress 3–30×; bombs reach 1000× and more.
MAX_RATIO = 200
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError)

# label, document (a table row's RawDoc, or a member's bytes to read in a worker) or refusal, meta
MemberRow = tuple[str, Upload | RawDoc | str, Meta | None]


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path as its author typed it.

    Windows tools (and 7-Zip on Chinese systems) store names in GBK without the UTF-8 flag
    (bit 11); zipfile then decodes them as cp437, giving mojibake. Undo that and try UTF-8
    (some tools omit the flag) and then GB18030 (a superset of GBK)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _clean(path: str) -> str:
    """A member path as a label: forward slashes, no empty/dot parts, no control characters."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    label = "/".join("".join(ch for ch in p if ch.isprintable()) for p in parts)
    return label[:200] or "未命名"


def check_zip(
    fh: IO[bytes] | str, name: str, limits: Limits = LIMITS, kind: str = "压缩包"
) -> zipfile.ZipFile:
    """Open a zip and refuse bombs: too many members, too large (declared or actually
    inflated; headers can lie) or too compressed. Returns the open ZipFile."""
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except _ZIP_ERRORS:
        raise IngestError(f"不是有效的{kind}（文件已损坏或被改了扩展名）") from None
    if len(infos) > MAX_MEMBERS:
        raise IngestError(f"{kind}内有 {len(infos):,} 个文件，超过上限 {MAX_MEMBERS:,} 个")
    cap = limits.max_unzipped_bytes
    mb = cap // 2**20
    declared = sum(i.file_size for i in infos)
    if declared > cap:
        raise IngestError(f"{kind}解压后达 {declared // 2**20} MB，超过上限 {mb} MB，疑似压缩炸弹")
    budget = cap
    try:
        for info in infos:
            got = 0
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    got += len(chunk)
                    budget -= len(chunk)
                    if budget < 0:
                        raise IngestError(f"{kind}解压后超过上限 {mb} MB，疑似压缩炸弹")
            if got > 1 << 20 and got > MAX_RATIO * max(1, info.compress_size):
                raise IngestError(
                    f"{kind}中的“{_clean(member_name(info))}”压缩比超过 {MAX_RATIO} 倍，疑似压缩炸弹"
                )
    except _ZIP_ERRORS as exc:
        raise IngestError(f"{kind}已损坏，无法解压（{type(exc).__name__}）") from None
    return zf


@dataclass
class Archive:
    """An archive that passed the checks: its rows counted, ready to stream."""

    name: str
    total: int
    _zf: zipfile.ZipFile
    _members: list[tuple[str, zipfile.ZipInfo]]
    _columns: ColumnMap | None
    _limits: Limits
    _metas: dict[str, Meta] = field(default_factory=dict)
    _failures: list[tuple[str, str]] = field(default_factory=list)

    def _read(self, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > self._limits.max_file_bytes:
            raise IngestError(
                f"文件大小 {info.file_size / 2**20:.1f} MB，超过上限 {self._limits.max_file_bytes // 2**20} MB"
            )
        try:
            return self._zf.read(info)
        except _ZIP_ERRORS as exc:
            raise IngestError(f"无法解压（{type(exc).__name__}）") from None

    def rows(self) -> Iterator[MemberRow]:
        try:
            yield from self._rows()
        finally:
            self._zf.close()

    def _rows(self) -> Iterator[MemberRow]:
        yield from ((label, reason, Meta()) for label, reason in self._failures)
        for path, info in self._members:
            label = f"{self.name}/{path}"
            suffix = PurePosixPath(path).suffix.lower()
            mtime = dt.date(*info.date_time[:3]) if info.date_time[0] >= 1980 else dt.date.today()
            try:
                data = self._read(info)
                if suffix in TABLE_SUFFIXES:
                    table = open_table(data, label, self._limits)
                    yield from table_rows(table, self._columns, mtime, self._limits)
                    continue
                # Read in a worker, with a deadline (deadline_pool.py); the label names the member.
                doc: Upload | str = Upload(label, data, mtime, self._limits)
            except IngestError as exc:
                doc = str(exc)
            yield label, doc, self._metas.get(path) or self._metas.get(path.rsplit("/", 1)[-1])


def open_archive(
    source: Path | bytes, name: str, columns: ColumnMap | None = None, limits: Limits = LIMITS
) -> Archive:
    """Check an archive and count what it holds (documents and table rows)."""
    zf = check_zip(str(source) if isinstance(source, Path) else io.BytesIO(source), name, limits)
    members: list[tuple[str, zipfile.ZipInfo]] = []
    metas: dict[str, Meta] = {}
    failures: list[tuple[str, str]] = []
    total = 0
    for info in zf.infolist():
        path = _clean(member_name(info))
        base = path.rsplit("/", 1)[-1]
        if info.is_dir() or base.startswith(".") or path.startswith("__MACOSX/"):
            continue
        suffix = PurePosixPath(path).suffix.lower()
        if base.lower() == "meta.csv":
            try:
                folder = path[: -len(base)]
                for key, meta in read_meta_table(zf.read(info), f"{name}/{path}", limits).items():
                    metas[folder + key] = meta
                    metas.setdefault(key, meta)
            except IngestError as exc:
                failures.append((f"{name}/{path}", str(exc)))
            continue
        if suffix in ARCHIVE_SUFFIXES:
            failures.append((f"{name}/{path}", "压缩包里的压缩包不会展开，请先解压外层"))
            continue
        if suffix in TABLE_SUFFIXES:
            try:
                table = open_table(zf.read(info), f"{name}/{path}", limits)
                resolve_columns(table.header, columns)
            except IngestError as exc:
                failures.append((f"{name}/{path}", str(exc)))
                continue
            total += table.total
        elif suffix in SUFFIXES - {""}:
            total += 1
        else:
            failures.append((f"{name}/{path}", f"不支持的文件类型“{suffix or '无扩展名'}”"))
            continue
        members.append((path, info))
    members.sort(key=lambda m: m[0])
    return Archive(name, total + len(failures), zf, members, columns, limits, metas, failures)
