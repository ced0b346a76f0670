"""Tables of articles (CSV, XLSX, JSON Lines; one article per row) -> rows for the engine.

Clipping services and newsroom systems export spreadsheets, not folders of text. Each
row becomes (label "文件名 第 N 行", RawDoc or a refusal, Meta). Rows stream: a CSV is
read twice from disk (a counting pass that also proves the encoding, then the rows),
never held whole, so a 100,000-row export imports in bounded memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any

from .ingest import IngestError, RawDoc, decode_bytes, html_to_text
from .models import Meta
from .outlets import canonical_outlet
from .settings import LIMITS, Limits

TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".jsonl", ".ndjson"}

# Column names editors' exports use, compared after dropping spaces, case and brackets.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("正文", "内容", "全文", "文章内容", "新闻内容", "text", "content", "body", "fulltext"),
    "title": ("标题", "题目", "文章标题", "新闻标题", "title", "headline"),
    "date": ("日期", "发布时间", "发表时间", "发布日期", "刊发日期", "出版日期", "时间", "date", "pubdate"),
    "outlet": (
        "来源",
        "媒体",
        "媒体名称",
        "报纸",
        "刊物",
        "出处",
        "outlet",
        "source",
        "publication",
        "media",
    ),
    "author": ("作者", "记者", "author", "byline"),
    "section": ("版面", "栏目", "版次", "频道", "section", "page", "column"),
    "url": ("链接", "网址", "原文链接", "url", "link"),
}
FIELD_LABELS = {
    "text": "正文",
    "title": "标题",
    "date": "日期",
    "outlet": "来源",
    "author": "作者",
    "section": "版面",
    "url": "链接",
}


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds what; None means "recognise it by name"."""

    text: str | None = None
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    author: str | None = None
    section: str | None = None
    url: str | None = None


TableRow = tuple[str, RawDoc | str, Meta | None]  # label, document or refusal, metadata


def _key(name: Any) -> str:
    return re.sub(r"[\s_\-()（）【】\[\]:：]", "", str(name or "")).lower()


def resolve_columns(
    header: list[str], wanted: ColumnMap | None = None, require_text: bool = True
) -> dict[str, int]:
    """field -> column index. Explicit names must exist; the rest are recognised by name."""
    wanted = wanted or ColumnMap()
    keys = [_key(h) for h in header]
    out: dict[str, int] = {}
    for f in fields(ColumnMap):
        name = getattr(wanted, f.name)
        if name:
            if name in header:
                out[f.name] = header.index(name)
            elif _key(name) in keys:
                out[f.name] = keys.index(_key(name))
            else:
                shown = "、".join(str(h) for h in header if str(h).strip()) or "（没有表头）"
                raise IngestError(f"表中没有名为“{name}”的列（现有列：{shown[:200]}）")
            continue
        for alias in ALIASES[f.name]:
            if _key(alias) in keys and keys.index(_key(alias)) not in out.values():
                out[f.name] = keys.index(_key(alias))
                break
    if require_text and "text" not in out:
        shown = "、".join(str(h) for h in header if str(h).strip()) or "（没有表头）"
        raise IngestError(
            f"找不到正文列（可用 --text-col 指定；可识别的列名：正文、内容、全文、text）。现有列：{shown[:200]}"
        )
    return out


# ---------------------------------------------------------------- cells -> article

_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_cell_date(value: Any) -> dt.date | None:
    """A date cell as exports write it; None when empty; ValueError when unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number whose format was lost
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value))
    s = str(value).strip()
    if not s:
        return None
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(s)


def _cell(values: list[Any], cols: dict[str, int], name: str) -> str:
    i = cols.get(name)
    if i is None or i >= len(values) or values[i] is None:
        return ""
    return str(values[i]).strip()


def row_to_doc(
    values: list[Any], cols: dict[str, int], label: str, fmt: str, mtime: dt.date, limits: Limits = LIMITS
) -> tuple[RawDoc | str, Meta]:
    """One row's document (or the reason it is refused) and its metadata."""
    i = cols.get("date")
    try:
        day = parse_cell_date(values[i] if i is not None and i < len(values) else None)
    except ValueError as exc:
        meta = Meta(_cell(values, cols, "title"))
        return f"日期“{str(exc)[:30]}”无法识别（应为 2024-03-07、2024/3/7 或 2024年3月7日）", meta
    meta = Meta(
        title=_cell(values, cols, "title")[:300],
        date=day,
        outlet=canonical_outlet(_cell(values, cols, "outlet"))[:100],
        author=_cell(values, cols, "author")[:200],
        section=_cell(values, cols, "section")[:200],
        url=_cell(values, cols, "url")[:2000],
    )
    text = _cell(values, cols, "text").replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"<(p|br|div)\b", text[:5000], re.I):  # CMS exports keep the HTML body
        text = html_to_text(text)[0]
    if not text.strip():
        return "正文为空", meta
    if len(text) > limits.max_text_chars:
        return f"正文超过 {limits.max_text_chars:,} 字的上限", meta
    return RawDoc(label, text, fmt, day or mtime, meta.title), meta


# ---------------------------------------------------------------- readers

_ENCODINGS = ("utf-8", "gb18030", "big5")
_HEAD = 256 * 1024  # enough to judge the encoding; the counting pass proves the rest


def _encoding_of(head: bytes, name: str) -> str:
    """The codec ingest.decode_bytes would choose for this file, judged on its head.

    decode_bytes gives the refusal (binary, NUL, garbage); the codec is then the first
    of its candidates that reads the head to the same text."""
    cut = head if len(head) < _HEAD else head[: head.rfind(b"\n") + 1 or len(head)]
    text = decode_bytes(cut, name)
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if cut.startswith(bom):
            return enc
    for enc in (*_ENCODINGS, "utf-16-le", "utf-16-be"):
        try:
            if codecs.getincrementaldecoder(enc)().decode(cut, final=False) == text:
                return enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(cut[:200_000]).best()
    return best.encoding if best and best.encoding else "utf-8"


def _delimiter(sample: str) -> str:
    """csv.Sniffer on the first lines; when it fails or guesses oddly, the candidate that
    splits the header into the most recognised column names, then the most columns."""
    lines = [ln for ln in sample.split("\n") if ln.strip() and not ln.startswith("#")]
    header = lines[0] if lines else ""
    sample = "\n".join(lines[:50])
    candidates = [",", "\t", ";", "|"]

    def score(d: str) -> tuple[int, int]:
        cols = next(csv.reader([header], delimiter=d), [])
        known = sum(any(_key(c) == _key(a) for a in sum(ALIASES.values(), ())) for c in cols)
        return known, len(cols)

    try:
        guess = csv.Sniffer().sniff(sample[:50_000], delimiters="".join(candidates)).delimiter
    except csv.Error:
        guess = None
    best = max(candidates, key=score)
    if guess and score(guess) >= score(best):
        return guess
    return best


_KNOWN = {_key(a) for names in ALIASES.values() for a in names}


def _header_row(first: list[tuple[int, list[Any]]]) -> tuple[int, list[str]]:
    """The header among the first non-empty rows: clipping services put a banner line or
    two above it ("慧科搜索结果：共 3 条"), so take the first row naming a known column
    in at least two cells, else the first row."""
    for n, values in first:
        cells = ["" if v is None else str(v).strip().lstrip("\ufeff") for v in values]
        if sum(1 for c in cells if c) >= 2 and any(_key(c) in _KNOWN for c in cells):
            return n, cells
    n, values = first[0]
    return n, ["" if v is None else str(v).strip().lstrip("\ufeff") for v in values]


@dataclass
class Table:
    """One table file, opened: its columns, how many rows, and the rows themselves."""

    name: str
    header: list[str]
    total: int
    fmt: str
    _rows: Callable[[], Iterator[tuple[int, list[Any]]]]  # (row number as the editor sees it, values)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        return self._rows()


def _csv_table(opener: Callable[[], IO[bytes]], name: str, limits: Limits) -> Table:
    with opener() as fh:
        head = fh.read(_HEAD)
    encoding = _encoding_of(head, name)
    sample = head[:200_000].decode(encoding, errors="replace").lstrip("\ufeff")
    delim = "\t" if name.lower().endswith(".tsv") else _delimiter(sample)
    # Article bodies exceed csv's default 128 KB field limit; allow the text limit plus slack.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_text_chars * 2))

    def records() -> Iterator[tuple[int, list[str]]]:
        """(row number as a spreadsheet shows it, values): a quoted field may span lines."""
        with opener() as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
            reader = csv.reader(text, delimiter=delim)
            try:
                yield from enumerate(reader, start=1)
            except UnicodeDecodeError:
                raise IngestError(
                    f"第 {reader.line_num + 1} 行附近的文字无法按 {encoding.upper()} 解读（文件中混有别的编码）"
                ) from None
            except csv.Error as exc:
                raise IngestError(f"第 {reader.line_num} 行无法解析（{exc}）") from None

    first: list[tuple[int, list[Any]]] = []
    for n, values in records():
        # Blank lines and comments above the header (meta.csv files carry one) are skipped.
        if any(v.strip() for v in values) and not values[0].lstrip("\ufeff").startswith("#"):
            first.append((n, values))
            if len(first) >= 10:
                break
    if not first:
        raise IngestError("表格为空")
    header_no, header = _header_row(first)
    total = 0
    for n, values in records():  # the counting pass also proves the whole file decodes
        if n > header_no and any(v.strip() for v in values):
            total += 1

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for n, values in records():
            if n > header_no and any(v.strip() for v in values):
                yield n, values

    return Table(name, header, total, "csv", rows)


def _xlsx_table(opener: Callable[[], IO[bytes]], name: str, limits: Limits) -> Table:
    from openpyxl import load_workbook

    from .archive import check_zip

    with opener() as fh:
        check_zip(fh, name, limits, kind="Excel 文件")

    def sheet_rows() -> Iterator[tuple[int, list[Any]]]:
        fh = opener()
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on damaged workbooks
            fh.close()
            raise IngestError(f"Excel 文件已损坏，无法打开（{type(exc).__name__}）") from None
        try:
            ws = wb.worksheets[0]
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(v is not None and str(v).strip() for v in values):
                    yield n, list(values)
        finally:
            wb.close()
            fh.close()

    first: list[tuple[int, list[Any]]] = []
    total = 0
    for row in sheet_rows():
        if len(first) < 10:
            first.append(row)
        total += 1
    if not first:
        raise IngestError("表格为空")
    header_no, header = _header_row(first)
    total -= sum(1 for n, _ in first if n <= header_no)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        return ((n, values) for n, values in sheet_rows() if n > header_no)

    return Table(name, header, total, "xlsx", rows)


def _jsonl_table(opener: Callable[[], IO[bytes]], name: str, limits: Limits) -> Table:
    with opener() as fh:
        head = fh.read(_HEAD)
    encoding = _encoding_of(head, name)
    keys: list[str] = []
    total = 0

    def lines() -> Iterator[tuple[int, str]]:
        with opener() as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
            n = 0
            try:
                for n, line in enumerate(text, start=1):
                    if line.strip():
                        yield n, line
            except UnicodeDecodeError:
                raise IngestError(f"第 {n + 1} 行附近的文字无法按 {encoding.upper()} 解读") from None

    for _, line in lines():
        total += 1
        if total <= 200:  # the columns: keys of the first objects, in order of appearance
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.extend(k for k in obj if k not in keys)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for n, line in lines():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, [ValueError(f"不是有效的 JSON（{exc.msg}）")]
                continue
            if not isinstance(obj, dict):
                yield n, [ValueError("不是 JSON 对象（应为一行一个 {…}）")]
                continue
            yield n, [obj.get(k) for k in keys]

    return Table(name, keys, total, "jsonl", rows)


def open_table(source: Path | bytes, name: str, limits: Limits = LIMITS) -> Table:
    """Open a table file (from disk, or bytes from an upload or an archive)."""

    def opener() -> IO[bytes]:
        return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)

    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".xlsx":
            return _xlsx_table(opener, name, limits)
        if suffix in {".jsonl", ".ndjson"}:
            return _jsonl_table(opener, name, limits)
        if suffix in {".csv", ".tsv"}:
            return _csv_table(opener, name, limits)
    except OSError as exc:
        raise IngestError(f"无法读取文件（{exc.strerror or type(exc).__name__}）") from None
    raise IngestError(f"不支持的表格类型“{suffix}”（支持 csv、tsv、xlsx、jsonl）")


def table_rows(
    table: Table, columns: ColumnMap | None = None, mtime: dt.date | None = None, limits: Limits = LIMITS
) -> Iterator[TableRow]:
    """Every data row as (label, RawDoc or refusal, Meta); a bad row costs only itself.

    Raises IngestError before the first row when the columns cannot be matched."""
    cols = resolve_columns(table.header, columns)
    mtime = mtime or dt.date.today()
    base = table.name
    try:
        for n, values in table.rows():
            label = f"{base} 第 {n} 行"
            if values and isinstance(values[0], ValueError):
                yield label, str(values[0]), Meta()
                continue
            doc, meta = row_to_doc(values, cols, label, table.fmt, mtime, limits)
            yield label, doc, meta
    except IngestError as exc:  # the rest of the file cannot be read: say where it stopped
        yield f"{base}（其余各行）", f"读取中断：{exc}", Meta()


def preview(source: Path | bytes, name: str, n: int = 5) -> tuple[list[str], list[list[Any]], dict[str, str]]:
    """Columns, the first n rows and the recognised field -> column, for a column picker."""
    table = open_table(source, name)
    first = []
    for _, values in table.rows():
        first.append(values)
        if len(first) >= n:
            break
    cols = resolve_columns(table.header, require_text=False)  # the picker asks for the rest
    return table.header, first, {f: table.header[i] for f, i in cols.items()}


FILE_ALIASES = ("file", "文件", "文件名", "filename", "name")


def read_meta_table(source: Path | bytes, name: str, limits: Limits = LIMITS) -> dict[str, Meta]:
    """A meta.csv (any encoding and delimiter): file name -> what the text cannot tell.

    Columns: file (文件名) plus any of title, date, outlet, author, section, url by the
    names tables recognise. A date that cannot be read is left to the text."""
    table = open_table(source, name, limits)
    keys = [_key(h) for h in table.header]
    fi = next((keys.index(_key(a)) for a in FILE_ALIASES if _key(a) in keys), None)
    if fi is None:
        raise IngestError("meta.csv 缺少文件名列（file 或 文件名）")
    cols = resolve_columns(table.header, require_text=False)
    out: dict[str, Meta] = {}
    for _, values in table.rows():
        key = str(values[fi] or "").strip() if fi < len(values) else ""
        if not key:
            continue
        try:
            day = parse_cell_date(
                values[cols["date"]] if "date" in cols and cols["date"] < len(values) else None
            )
        except ValueError:
            day = None
        out[key] = Meta(
            _cell(values, cols, "title"),
            day,
            canonical_outlet(_cell(values, cols, "outlet")),
            _cell(values, cols, "author"),
            _cell(values, cols, "section"),
            _cell(values, cols, "url"),
        )
    return out
