"""新词发现: phrases that took off in the latest months (or are typical of one province)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..emerging import default_split
from ..models import NATIONAL, Filters
from ..workspace import Workspace
from ._common import EMPTY, Base, Chart, source_line

BY = {"period": "最近几个月 对 此前", "province": "一个省份 对 其他地方"}


@dataclass(frozen=True)
class EmergingOptions:
    default_split: dt.date | None  # first day of the last three months with articles
    lo: dt.date | None
    hi: dt.date | None
    provinces: list[str]  # by amount of text


@dataclass(frozen=True)
class EmergingView(Base):
    comparison: str  # 比较：A（n 字） 对 B（m 字）…
    table: pd.DataFrame  # 词语, z 值, <A>次数, <B>次数, <A>每万字, <B>每万字, 倍数, 逐月趋势, 例句
    months: list[str]
    chart: Chart | None
    side_a: str
    side_b: str


def emerging_options(ws: Workspace, f: Filters) -> EmergingOptions:
    months = [m for m in ws.chars_by(f, by="month")["group"].dropna()]
    cut = default_split(months)
    s = ws.summary(f)
    text = ws.chars_by(f, by="province")
    text = text[text["group"] != NATIONAL].sort_values(["chars", "group"], ascending=[False, True])
    return EmergingOptions(
        dt.date.fromisoformat(f"{cut}-01") if cut else None, s.date_min, s.date_max, list(text["group"])
    )


def _empty(notice: str) -> EmergingView:
    return EmergingView("", pd.DataFrame(), [], None, "", "", notices=(notice,))


def emerging(
    ws: Workspace,
    f: Filters,
    *,
    by: str = "period",
    split: dt.date | None = None,
    province: str = "",
    top: int = 30,
    min_count: int = 3,
    metric: str = "count",
) -> EmergingView:
    if not ws.summary(f).articles:
        return _empty(EMPTY)
    opts = emerging_options(ws, f)
    if by == "period":
        if opts.default_split is None:
            return _empty(
                "当前筛选范围内的文章只有一个月份，无法比较前后；请放宽日期范围，或改为按省份比较。"
            )
        day = split or opts.default_split
        if opts.lo and opts.hi:
            day = min(max(day, opts.lo), opts.hi)
        r = ws.emerging(f, by="period", split=day.isoformat(), top=top, min_count=min_count)
        side_a, side_b = "最近", "此前"
    else:
        province = province if province in opts.provinces else (opts.provinces[0] if opts.provinces else "")
        r = ws.emerging(f, by="province", province=province, top=top, min_count=min_count)
        side_a, side_b = province, "其他地方"
    if not r.chars_a or not r.chars_b:
        return _empty("要比较的两边有一边没有文本：请调整“最近”的起点或换一个省份。")
    comparison = (
        f"比较：{r.label_a}（{r.chars_a:,} 字） 对 {r.label_b}（{r.chars_b:,} 字）。"
        + (f"语料较大，只抽样统计了 {r.chars_read:,} 字（整篇抽取）。" if r.capped else "")
        + ("另一边文本很少，z 值普遍不高，排名主要看次数。" if min(r.chars_a, r.chars_b) < 10_000 else "")
    )
    t = r.table
    if t.empty:
        return EmergingView(
            comparison,
            pd.DataFrame(),
            list(r.months),
            None,
            side_a,
            side_b,
            notices=("没有找到明显多起来的词语：可以降低“最少出现次数”或放宽筛选。",),
        )
    table = pd.DataFrame(
        {
            "词语": t["phrase"],
            "z 值": t["z"].round(2),
            f"{side_a}次数": t["count_a"],
            f"{side_b}次数": t["count_b"],
            f"{side_a}每万字": t["per_10k_a"].round(2),
            f"{side_b}每万字": t["per_10k_b"].round(2),
            "倍数": t["ratio"].round(1),
            "逐月趋势": t["trend"],
            "例句": [" ｜ ".join(x) for x in t["examples"]],
        }
    )
    first = t.head(20)  # recent/before: the counts the deck's emerging slide shows beside each phrase
    bars = pd.DataFrame(
        {
            "label": first["phrase"],
            "value": first["z"].round(2),
            "recent": first["count_a"],
            "before": first["count_b"],
        }
    )
    chart = Chart(
        "em_chart",
        "emerging",
        f"新词发现：{r.label_a} 对 {r.label_b}（z 值）",
        bars,
        table.drop(columns=["逐月趋势"]),
        "z 值",
        source_line(ws, f, metric),
    )
    return EmergingView(comparison, table, list(r.months), chart, side_a, side_b)
