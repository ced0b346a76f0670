"""省份对比: two to four provinces (or two periods) side by side — themes, words, what is unique."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from ..models import NATIONAL, Filters
from ..queries import theme_overlap
from ..workspace import Workspace
from ._common import EMPTY, METRICS, Base, Chart, metric_or_count, own_names, source_line

MODES = {"provinces": "几个省份", "periods": "两个时期", "outlets": "几家媒体"}
TOP_THEMES = 12
WORDS_PER_CLOUD = 120
Period = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class CompareOptions:
    """What the page's widgets offer before anything is compared."""

    provinces: list[str]  # by amount of text, largest first (全国 left out)
    default_provinces: list[str]
    lo: dt.date | None  # the date range periods may take
    hi: dt.date | None
    default_periods: tuple[Period, Period] | None
    outlets: list[str] = field(default_factory=list)  # named on articles, most articles first


@dataclass(frozen=True)
class Side:
    label: str
    words: pd.DataFrame  # word, count (for its word cloud)
    distinctive: pd.DataFrame  # 词语, 本方次数, 对方次数, z 值


@dataclass(frozen=True)
class CompareView(Base):
    labels: list[str]
    sizes: str  # what each province's numbers rest on ("" for periods)
    bars: Chart | None
    sides: list[Side]
    overlap: pd.DataFrame  # 主题, 出现于, 出现的方数, one count column per side
    groups: dict[str, list[str]]  # 各方共有 / 仅<side> -> themes
    own_names_left_out: bool


def compare_options(ws: Workspace, f: Filters) -> CompareOptions:
    text = ws.chars_by(f, by="province")
    text = text[text["group"] != NATIONAL].sort_values(["chars", "group"], ascending=[False, True])
    options = list(text["group"])
    lo, hi = ws.date_span()
    lo, hi = f.date_from or lo, f.date_to or hi
    periods = None
    if lo and hi:
        mid = lo + (hi - lo) / 2
        periods = ((lo, mid), (min(hi, mid + dt.timedelta(days=1)), hi))
    return CompareOptions(options, options[:2], lo, hi, periods, ws.outlets())


def _distinctive(
    ws: Workspace, sides: list[tuple[str, Filters]], rest: dict[str, Filters], exclude: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """Each side's distinctive words against the rest (word, count_a, count_b, z; side a).

    With two sides, b against a is a against b read backwards: the log-odds z is exactly
    antisymmetric (stats.log_odds), so b's list is a's side-b rows with z negated and the
    counts swapped, and the two word-frequency scans for b against a are saved (at 100k
    articles about a second of a cold 省份对比)."""
    (la, fa), (lb, fb) = sides[0], sides[-1]
    if len(sides) == 2 and rest[la] == fb and rest[lb] == fa:
        d = ws.distinctive_words(fa, fb, top=15, exclude=exclude)
        back = d[d["side"] == "b"].rename(columns={"count_a": "count_b", "count_b": "count_a"})
        return {la: d[d["side"] == "a"], lb: back.assign(z=-back["z"], side="a")}
    out = {}
    for label, sf in sides:
        d = ws.distinctive_words(sf, rest[label], top=15, exclude=exclude)
        out[label] = d[d["side"] == "a"]
    return out


def _empty(notice: str) -> CompareView:
    return CompareView([], "", None, [], pd.DataFrame(), {}, False, notices=(notice,))


def compare(
    ws: Workspace,
    f: Filters,
    *,
    mode: str = "provinces",
    provinces: tuple[str, ...] = (),
    periods: tuple[Period, Period] | None = None,
    hide_boilerplate: bool = True,
    metric: str = "count",
    outlets: tuple[str, ...] = (),
) -> CompareView:
    m = metric_or_count(metric)
    unit = METRICS[m]
    if not ws.summary(f).articles:
        return _empty(EMPTY)
    opts = compare_options(ws, f)
    sizes = ""
    if mode == "periods":
        a, b = periods or opts.default_periods or ((dt.date.min, dt.date.min),) * 2
        if a[0] > a[1] or b[0] > b[1]:
            return _empty("请为每个时期选择开始和结束日期。")
        labels = [f"{a[0]:%Y.%m.%d}–{a[1]:%Y.%m.%d}", f"{b[0]:%Y.%m.%d}–{b[1]:%Y.%m.%d}"]
        fa, fb = replace(f, date_from=a[0], date_to=a[1]), replace(f, date_from=b[0], date_to=b[1])
        sides = [(labels[0], fa), (labels[1], fb)]
        rest = {labels[0]: fb, labels[1]: fa}
    elif mode == "outlets":
        outs = [o for o in outlets if o in opts.outlets][:4] if outlets else opts.outlets[:2]
        if len(outs) < 2:
            return _empty("请至少选择两家媒体进行对比。")
        labels = list(outs)
        sides = [(o, replace(f, outlets=(o,))) for o in outs]
        rest = {o: replace(f, outlets=tuple(q for q in outs if q != o)) for o in outs}
        sums = {o: ws.summary(sf) for o, sf in sides}
        sizes = "；".join(f"{o}：{s.articles} 篇文章中的 {s.chars:,} 字" for o, s in sums.items()) + (
            "。各家文本量不同，比较时建议在左侧选“每万字频次”。" if m == "count" else "。"
        )
    else:
        provs = [p for p in provinces if p in opts.provinces][:4] if provinces else opts.default_provinces
        if len(provs) < 2:
            return _empty("请至少选择两个省份进行对比。")
        labels = list(provs)
        sides = [(p, replace(f, provinces=(p,))) for p in provs]
        rest = {p: replace(f, provinces=tuple(q for q in provs if q != p)) for p in provs}
        text = ws.chars_by(f, by="province").set_index("group").loc[provs]
        sizes = "；".join(
            f"{p}：{int(r.articles)} 篇文章中的 {int(r.chars):,} 字" for p, r in text.iterrows()
        ) + ("。各省文本量不同，比较时建议在左侧选“每万字频次”。" if m == "count" else "。")
    empty = [label for label, sf in sides if not ws.summary(sf).articles]
    if empty:
        return _empty("、".join(empty) + " 没有文章")
    # An outlet comparison's footer names the outlets it rests on.
    source = source_line(ws, replace(f, outlets=tuple(labels)) if mode == "outlets" else f, m)

    table = ws.compare_themes(sides)
    lead = table.groupby("theme")["count"].sum().sort_values(ascending=False).head(TOP_THEMES).index
    bars = table[table["theme"].isin(lead)].copy()
    bars["order"] = bars["theme"].map({t: i for i, t in enumerate(lead)}) * 10 + bars["side"].map(
        labels.index
    )
    bars = bars.sort_values("order").drop(columns="order")
    wide = bars.pivot_table(index="theme", columns="side", values=m, sort=False)[labels].reset_index()
    chart = Chart(
        "cmp_bars",
        "grouped_bar",
        f"主要主题对比（{unit}）：" + " / ".join(labels),
        bars[["theme", "side", m]].set_axis(["group", "series", "value"], axis=1),
        wide.rename(columns={"theme": "主题"}),
        unit,
        source,
    )

    exclude = ws.boilerplate() if hide_boilerplate else []
    # A province's own name is trivially "distinctive" of it; leave the names out.
    own = tuple(own_names(labels)) if mode == "provinces" else ()
    distinct = _distinctive(ws, sides, rest, tuple(exclude) + own)
    out_sides = []
    for label, sf in sides:
        mine = own_names([label]) if mode == "provinces" else []
        words = ws.word_totals(sf, limit=WORDS_PER_CLOUD, exclude=[*exclude, *mine])
        d = distinct[label]
        dist = pd.DataFrame(
            {"词语": d["word"], "本方次数": d["count_a"], "对方次数": d["count_b"], "z 值": d["z"].round(2)}
        )
        out_sides.append(Side(label, words[["word", "count"]], dist))

    overlap = theme_overlap(table)
    groups = {"各方共有": overlap.loc[overlap["where"] == "共有", "theme"].tolist()}
    for label in labels:
        groups[f"仅{label}"] = overlap.loc[overlap["where"] == f"仅{label}", "theme"].tolist()
    shown = overlap.rename(columns={"theme": "主题", "where": "出现于", "sides": "出现的方数"})
    return CompareView(labels, sizes, chart, out_sides, shown, groups, bool(own))
