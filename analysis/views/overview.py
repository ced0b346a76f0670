"""总览: how much text there is, which themes lead, where, and the latest articles."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..models import Filters
from ..workspace import CorpusSummary, Workspace
from ._common import (
    EMPTY,
    METRICS,
    Base,
    Chart,
    filters_text,
    headed,
    metric_or_count,
    outlet_labels,
    source_line,
)


@dataclass(frozen=True)
class OverviewView(Base):
    summary: CorpusSummary
    filters_text: str  # "" when no filter is set
    top: Chart | None
    heat: Chart | None
    latest: (
        pd.DataFrame
    )  # 日期, 标题, 文章编号, 媒体, 省份 (newest first, 10 rows; file names only in details)
    samples: int = field(default=0, kw_only=True)  # stored sample articles: the first-run welcome


def overview(ws: Workspace, f: Filters, *, metric: str = "count") -> OverviewView:
    m = metric_or_count(metric)
    unit = METRICS[m]
    summary = ws.summary(f)
    if not summary.articles:
        return OverviewView(summary, "", None, None, pd.DataFrame(), notices=(EMPTY,))
    source = source_line(ws, f, m)
    notices = []

    top = ws.top_themes(f, n=15)
    top_chart = None
    if top.empty or not top["count"].sum():
        notices.append("当前筛选条件下没有任何主题词出现")
    else:
        table = headed(top, "name category count per_10k docs")
        top_chart = Chart(
            "ov_top",
            "bar",
            f"出现最多的主题（{unit}）",
            top[["name", m]].set_axis(["label", "value"], axis=1),
            table,
            unit,
            source,
        )

    heat = None
    matrix = ws.province_matrix(f, metric=m, top=15)
    if matrix.empty:
        notices.append(EMPTY)
    else:
        matrix = matrix.loc[
            matrix.sum(axis=1).sort_values(ascending=False, kind="stable").index
        ]  # busiest first
        long = matrix.rename_axis(index="row", columns="col").stack().rename("value").reset_index()
        heat = Chart(
            "ov_heat",
            "heatmap",
            f"各省份的主要主题（{unit}）",
            long,
            matrix.rename_axis(index="省份").reset_index(),
            unit,
            source,
        )

    latest = ws.list_articles(f, limit=10)
    table = pd.DataFrame(
        {
            "日期": pd.to_datetime(latest["date"]).dt.strftime("%Y-%m-%d"),
            "标题": latest["title"],
            "文章编号": latest["id"],
            "媒体": outlet_labels(latest["outlet"]),
            "省份": latest["provinces"],
        }
    )
    return OverviewView(
        summary,
        filters_text(f, m) if f != Filters() else "",
        top_chart,
        heat,
        table,
        notices=tuple(notices),
        samples=len(ws.sample_article_ids()),
    )
