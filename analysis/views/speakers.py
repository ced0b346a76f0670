"""讲话人: the leaders named in section headers, what their speeches dwell on, two side by side."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models import Filters
from ..workspace import Workspace
from ._common import METRICS, Base, Chart, headed, metric_or_count, source_line


@dataclass(frozen=True)
class SpeakersView(Base):
    table: pd.DataFrame  # one row per speaker (讲话人, 职务, 省份 …)
    count_line: str
    order: list[str]  # speakers by theme hits, most first (the pickers' options)
    labels: dict[str, str]  # speaker -> "省份 · 职务 姓名"
    picks: tuple[str, str]
    chart: Chart | None
    tops: list[pd.DataFrame]  # per pick: 名次, 主题, 次数, 每万字频次 (hits only)


def speakers(ws: Workspace, f: Filters, *, a: str = "", b: str = "", metric: str = "count") -> SpeakersView:
    m = metric_or_count(metric)
    unit = METRICS[m]
    people = ws.speakers(f)
    if people.empty:
        return SpeakersView(
            pd.DataFrame(), "", [], {}, ("", ""), None, [],
            notices=("当前筛选条件下没有识别出讲话人（小标题中需出现省市领导的姓名）",),
        )  # fmt: skip
    table = pd.DataFrame(
        {
            "讲话人": people["speaker"],
            "职务": people["office"],
            "省份": people["province"],
            "段数": people["sections"],
            "文章数": people["articles"],
            "字数": people["chars"],
            "主题词次数": people["count"],
            "每万字频次": people["per_10k"],
            "最常提到的主题": people["top_themes"],
            "最早": people["first_date"].astype(str).str[:10],
            "最晚": people["last_date"].astype(str).str[:10],
            "提示": people["note"],
        }
    )
    count_line = f"共 {len(people)} 位讲话人，来自 {people['province'].nunique()} 个省份。"
    order = (
        people.sort_values(["count", "speaker"], ascending=[False, True])["speaker"]
        .drop_duplicates()
        .tolist()
    )
    labels = dict(
        zip(people["speaker"], people["province"] + " · " + people["office"] + " " + people["speaker"])
    )
    picks = (a if a in order else order[0], b if b in order else (order[1] if len(order) > 1 else order[0]))

    def partial(notice: str) -> SpeakersView:
        return SpeakersView(table, count_line, order, labels, picks, None, [], notices=(notice,))

    if picks[0] == picks[1]:
        return partial("请选择两位不同的讲话人。")
    both = ws.speaker_themes(f, speakers=picks, top=8)
    if both.empty:
        return partial("这两位讲话人的段落里没有出现词典中的主题。")
    chart = Chart(
        "sp_compare",
        "grouped_bar",
        f"{picks[0]}与{picks[1]}讲话中的主要主题（{unit}）",
        both[["theme", "speaker", m]].set_axis(["group", "series", "value"], axis=1),
        headed(both, "speaker theme count chars per_10k"),
        unit,
        source_line(ws, f, m),
    )
    tops = []
    for who in picks:
        mine = both[(both["speaker"] == who) & (both["count"] > 0)]
        tops.append(headed(mine, "rank theme count per_10k").reset_index(drop=True))
    return SpeakersView(table, count_line, order, labels, picks, chart, tops)
