"""What every view shares: the chart record, metric names, filter and source lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..models import Filters

METRICS = {"count": "原始次数", "per_10k": "每万字频次"}
EMPTY = "当前筛选条件下没有数据"
# The Chinese heading of each result column in the tables editors read and download, spelled
# once; a table whose column means something narrower says so where it calls headed().
HEADINGS = {
    "articles": "文章数",
    "category": "类别",
    "chars": "字数",
    "count": "次数",
    "date": "日期",
    "date_basis": "日期依据",
    "docs": "文章数",
    "first_seen": "最早",
    "id": "编号",
    "inside": "所在的更长词语",
    "last_seen": "最晚",
    "month": "月份",
    "name": "主题",
    "notes": "提示",
    "outlet": "媒体",
    "per_10k": "每万字频次",
    "phrase": "词语",
    "phrases": "词语数",
    "province": "省份",
    "provinces": "省份数",
    "rank": "名次",
    "source": "来源文件",
    "speaker": "讲话人",
    "theme": "主题",
    "title": "标题",
}


@dataclass(frozen=True)
class Chart:
    """A chart as data: the page draws it (charts.py), the deck redraws it from `data`.

    data is in the shape the pin kind takes (bar: label,value; grouped_bar: group,series,
    value; line: x,series,value; heatmap: row,col,value; map: province,value); table is
    the same numbers as an editor wants them in Excel (Chinese column names)."""

    key: str
    kind: str
    title: str
    data: pd.DataFrame
    table: pd.DataFrame
    value_label: str
    source: str
    height: int | None = None


@dataclass(frozen=True)
class Base:
    """Fields every page view carries."""

    notices: tuple[str, ...] = field(default=(), kw_only=True)  # info lines, in page order


def headed(df: pd.DataFrame, columns: str, **headings: str) -> pd.DataFrame:
    """These columns of df (names separated by spaces, as namedtuple takes them), in this
    order, under their Chinese headings (HEADINGS, or the ones given here for this table)."""
    names = columns.split()
    return df[names].rename(columns={c: headings.get(c) or HEADINGS[c] for c in names})


def metric_or_count(metric: str) -> str:
    return metric if metric in METRICS else "count"


def filters_text(f: Filters, metric: str) -> str:
    """The filter state in words, for chart footers and slides."""
    parts = []
    if f.date_from or f.date_to:
        parts.append(f"日期 {f.date_from or '最早'} 至 {f.date_to or '最新'}")
    if f.outlets:
        parts.append("媒体 " + "、".join(f.outlets[:3]) + ("等" if len(f.outlets) > 3 else ""))
    if f.sources:
        parts.append("来源 " + "、".join(f.sources[:3]) + ("等" if len(f.sources) > 3 else ""))
    if f.categories:
        parts.append("类别 " + "、".join(f.categories))
    if f.provinces:
        parts.append("省份 " + "、".join(f.provinces))
    parts.append(METRICS[metric_or_count(metric)])
    return "；".join(parts)


class OneReadEach:
    """The Workspace for the length of one view run: summary and chars_by asked again with
    the same filters are read once. A page's check for articles, its heading and its source
    lines ask for the same summary up to three times, each a scan of every units row (about
    0.2 s at 1M articles); nothing is written during a view, so the answers cannot change."""

    def __init__(self, ws: Any, summary: Any = None) -> None:
        """summary: where to read summaries instead of ws (the pages' cross-session cache,
        which their sidebar has usually filled for the same filters already)."""
        self._ws = ws
        self._summary = summary or ws.summary
        self._seen: dict[tuple, Any] = {}

    def summary(self, f: Filters | None = None) -> Any:
        key = ("summary", f)
        if key not in self._seen:
            self._seen[key] = self._summary(f)
        return self._seen[key]  # a frozen dataclass: safe to hand out again

    def chars_by(self, f: Filters | None, *, by: str = "province") -> pd.DataFrame:
        key = ("chars_by", f, by)
        if key not in self._seen:
            self._seen[key] = self._ws.chars_by(f, by=by)
        return self._seen[key].copy()  # a caller may change its frame

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def corpus_line(ws: Any, f: Filters | None) -> str:
    """What the numbers rest on: articles, characters and their dates under the filters."""
    s = ws.summary(f)
    span = f"，{s.date_min} 至 {s.date_max}" if s.date_min else ""
    return f"{s.articles} 篇报道、{s.chars:,} 字{span}"


def samples_in(ws: Any, f: Filters | None) -> int:
    """How many articles under the filters are the bundled samples (示例). Samples are told by
    their file names (an editor's file of the very same name would be counted with them)."""
    f = f or Filters()
    ids = ws.sample_article_ids()
    if not ids:
        return 0
    names = sorted({a["source"] for a in map(ws.article, ids) if a})
    keep = tuple(n for n in names if not f.sources or n in f.sources)
    return ws.summary(dataclasses.replace(f, sources=keep)).articles if keep else 0


def samples_note(n: int) -> str:
    """The one line a counting page shows while samples are among its articles ("" when none)."""
    if not n:
        return ""
    return f"这里的数字含 {n} 篇示例文章（示例，随看板附带用来演示）；可在“语料管理”页一键移除。"


def source_line(ws: Any, f: Filters, metric: str) -> str:
    """A chart footer: corpus line plus the filters in words (charts prefix 来源：政策主题看板)."""
    return f"{corpus_line(ws, f)}；{filters_text(f, metric)}"


def provinces_by_text(ws: Any, f: Filters | None, *, national: bool = True) -> list[str]:
    """Province names under the filters, most text first (ties by name)."""
    text = ws.chars_by(f, by="province")
    if not national:
        text = text[text["group"] != "全国"]
    return list(text.sort_values(["chars", "group"], ascending=[False, True])["group"])


def own_names(provinces: Sequence[str]) -> list[str]:
    """Every way of writing these provinces (广东, 广东省, 粤 …): left out of their own words."""
    from ..charts import province_aliases

    shorts = {province_aliases().get(p, p) for p in provinces}
    names = {n for n, short in province_aliases().items() if short in shorts}
    return sorted(names | {f"{s}{tail}" for s in shorts for tail in ("", "省", "市")})


def inert(text: str) -> str:
    """A name that goes into a plotly title (which reads a little HTML): no tags possible."""
    return text.replace("<", "＜").replace(">", "＞")


def plain(value: Any) -> Any:
    """A view (or part of one) as JSON-ready data: tables as records, dates as ISO text."""
    if isinstance(value, pd.DataFrame):
        return [{k: plain(v) for k, v in row.items()} for row in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return [plain(v) for v in value.tolist()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) else value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def tables(value: Any, prefix: str = "") -> dict[str, pd.DataFrame]:
    """Every table inside a view, by its field path (for CSV and plain-text output)."""
    out: dict[str, pd.DataFrame] = {}
    if isinstance(value, pd.DataFrame):
        out[prefix or "table"] = value
    elif isinstance(value, Chart):
        out[prefix or value.key] = value.table
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            out.update(tables(getattr(value, f.name), f"{prefix}.{f.name}" if prefix else f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            out.update(tables(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            out.update(tables(v, f"{prefix}[{i}]"))
    return out


NO_OUTLET = "（未注明）"


def outlet_labels(outlets: pd.Series) -> list[str]:
    """What lists show as an article's source: its outlet (人民日报), never its file name; an
    article whose outlet nobody gave says so (the file name is in the article's details)."""
    return [str(o) if isinstance(o, str) and o.strip() else NO_OUTLET for o in outlets]
