"""主题: one dictionary theme (or any phrase typed in): where, when, with what, in which words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from ..models import NATIONAL, Filters
from ..stats import THIN_MARK, split_thin, thin_legend
from ..workspace import Workspace
from ._common import EMPTY, METRICS, Base, Chart, headed, inert, metric_or_count, source_line

PASSAGES = 200  # newest occurrences listed
MAX_SERIES = 5  # lines on one trend chart: the theme and up to four to compare


@dataclass(frozen=True)
class ThemeView(Base):
    theme_id: str  # the dictionary theme shown (or the one a typed term replaces)
    term: str  # the ad-hoc phrase, cleaned ("" = the dictionary theme)
    name: str  # “…”, safe for chart titles
    spelling: str  # the caption under the inputs (dictionary phrases, or how a term is counted)
    total: int  # hits in all provinces and 全国
    rank: Chart | None
    rank_table: pd.DataFrame  # every province, zeros included, with interval and note
    summary_line: str  # 共 N 次，出现在 K 个省份 … (and the ⚠ legend)
    map: Chart | None
    trend: Chart | None
    trend_note: str
    cooccurring: Chart | None
    passages: pd.DataFrame  # article_id, title, source, date, province, par_idx, before, match, after
    passages_note: str
    series: tuple[str, ...] = field(default=(), kw_only=True)  # names on the trend chart, main first
    passage_provinces: tuple[str, ...] = field(default=(), kw_only=True)  # where it occurs (passage filter)
    passage_outlets: tuple[str, ...] = field(default=(), kw_only=True)


def _empty(theme_id: str, term: str, name: str, spelling: str, notice: str) -> ThemeView:
    return ThemeView(
        theme_id, term, name, spelling, 0, None, pd.DataFrame(), "", None, None, "", None, pd.DataFrame(), "",
        notices=(notice,),
    )  # fmt: skip


def _trend(ws: Workspace, f: Filters, series: Sequence[str], names: dict[str, str]) -> pd.DataFrame:
    """month, theme, count, chars, per_10k for each series (a theme id or a phrase), in order."""
    parts = []
    for s in series:
        if s in names:
            t = ws.monthly_trend(f, theme_ids=[s])
        else:
            t = ws.counts(f, by="month", terms=[s]).rename(columns={"group": "month"})
        parts.append(t[["month", "theme", "count", "chars", "per_10k"]])
    return pd.concat(parts, ignore_index=True)


def fill_months(
    trend: pd.DataFrame, first: dt.date | None, last: dt.date | None, *, series: str = "theme"
) -> pd.DataFrame:
    """The trend with every month from first to last, for each series: a month without
    articles or without a hit is a 0, not squeezed out of a category axis (issue 13)."""
    have = [str(x) for x in trend["month"]]
    lo = min([*have, *([f"{first:%Y-%m}"] if first else [])], default="")
    hi = max([*have, *([f"{last:%Y-%m}"] if last else [])], default="")
    if not lo:
        return trend
    months = [p.strftime("%Y-%m") for p in pd.period_range(lo, hi, freq="M")]
    chars = dict(zip(trend["month"].astype(str), trend["chars"]))
    out = []
    for name in dict.fromkeys(trend[series]):
        part = trend[trend[series] == name].assign(month=lambda d: d["month"].astype(str)).set_index("month")
        part = part.reindex(months)
        part[series] = name
        part["count"] = part["count"].fillna(0).astype(int)
        part["per_10k"] = part["per_10k"].fillna(0.0)
        part["chars"] = [int(chars.get(mo, 0)) for mo in months]
        out.append(part.rename_axis("month").reset_index())
    return pd.concat(out, ignore_index=True)[list(trend.columns)]


def themes(
    ws: Workspace,
    f: Filters,
    *,
    theme_id: str = "",
    term: str = "",
    metric: str = "count",
    compare: Sequence[str] = (),
    passage_province: str = "",
    passage_outlet: str = "",
) -> ThemeView:
    """The 主题 page. compare: up to four more theme ids or phrases on the trend chart;
    passage_province/outlet narrow the passages list only."""
    m = metric_or_count(metric)
    unit = METRICS[m]
    names = ws.theme_names()
    if not names:
        return _empty("", "", "", "", "主题词典是空的：请先到“主题词典”页添加主题。")
    theme_id = theme_id if theme_id in names else next(iter(names))
    term = (term or "").strip()
    name = "“" + inert(term or names[theme_id]) + "”"
    if term:
        spelling = (
            f"正在统计临时词语 {name}（逐字匹配，去掉空白、繁体转简体后计数）。清空输入框可回到词典主题。"
        )
    else:
        phrases = ws.themes_table().set_index("id").loc[theme_id, "phrases"]
        spelling = f"{name}的词典写法：" + "、".join(phrases if phrases is not None else [])
    if not ws.summary(f).articles:
        return _empty(theme_id, term, name, spelling, EMPTY)
    source = source_line(ws, f, m)

    rank = ws.province_ranking(f, theme_id=None if term else theme_id, term=term or None)
    total = int(rank["count"].sum())
    if not total:
        return _empty(theme_id, term, name, spelling, f"当前筛选条件下没有找到{name}")
    provs = rank[rank["province"] != NATIONAL]
    national = rank[rank["province"] == NATIONAL]
    # Provinces under the minimum text go after the others, grey and off the scale (trap 4).
    min_chars = ws.settings.min_text_chars
    enough, thin, _ = split_thin(provs[provs["count"] > 0], m, min_chars)
    shown = pd.concat([enough.assign(thin=False), thin.assign(thin=True)], ignore_index=True)
    bars = pd.DataFrame(
        {
            "label": shown["province"] + shown["thin"].map({True: f" {THIN_MARK}", False: ""}),
            "value": shown[m],
            "thin": shown["thin"],
        }
    )
    thin_source = f"{source}；{thin_legend(min_chars)}" if len(thin) else source
    table = pd.DataFrame(
        {
            "省份": rank["province"],
            "次数": rank["count"],
            "每万字频次": rank["per_10k"],
            "95%区间": [f"{lo:.1f}–{hi:.1f}" for lo, hi in zip(rank["lo"], rank["hi"])],
            "出现的文章数": rank["docs"],
            "文章数": rank["articles"],
            "字数": rank["chars"],
            "提示": rank["note"],
        }
    ).assign(_thin=(pd.to_numeric(rank["chars"]).fillna(0) < min_chars).to_numpy())
    table = (
        table.sort_values(
            ["_thin", "每万字频次" if m == "per_10k" else "次数", "次数"], ascending=[True, False, False]
        )
        .drop(columns="_thin")
        .reset_index(drop=True)
    )
    rank_chart = Chart(
        "th_rank",
        "bar",
        f"{name}出现{'次数' if m == 'count' else '频次'}：各省份排名",
        bars,
        table,
        unit,
        thin_source,
    )
    notes = [f"共 {total} 次，出现在 {int((provs['count'] > 0).sum())} 个省份。"]
    if len(national) and national["count"].iloc[0]:
        notes.append(
            f"另有 {int(national['count'].iloc[0])} 次出现在“全国”层面的段落（未归入省份，不在图中）。"
        )
    if len(thin):
        notes.append(thin_legend(min_chars) + "。请看下表的区间。")

    map_chart = Chart(
        "th_map",
        "map",
        f"{name}的地域分布（{unit}）",
        provs[["province", m]]
        .set_axis(["province", "value"], axis=1)
        .assign(thin=(pd.to_numeric(provs["chars"]).fillna(0) < min_chars).to_numpy()),
        headed(provs, "province count per_10k chars articles"),
        unit,
        thin_source,
    )

    series = [term or theme_id, *[c for c in compare if c and c != (term or theme_id)]][:MAX_SERIES]
    span = ws.summary(f)
    trend = fill_months(_trend(ws, f, series, names), span.date_min, span.date_max)
    several = trend["theme"].nunique() > 1
    trend_chart = Chart(
        "th_trend",
        "line",
        ("、".join(inert(t) for t in dict.fromkeys(trend["theme"])) if several else name)
        + f"逐月{'次数' if m == 'count' else '每万字频次'}",
        trend[["month", "theme", m]].set_axis(["x", "series", "value"], axis=1),
        headed(trend, "month theme count per_10k chars", theme="主题或词语", chars="当月字数"),
        unit,
        source,
    )
    months = trend["month"].nunique()
    trend_note = "没有文章或没有出现的月份记为 0。" + ("月份太少，趋势仅供参考。" if months < 3 else "")

    co_chart = None
    notices = []
    if not term:
        co = ws.cooccurring(f, theme_id=theme_id, n=15)
        if co.empty:
            notices.append(f"{name}所在的段落里没有出现其他主题。")
        else:
            co = co.assign(name=co["theme_id"].map(names).fillna(co["theme_id"]))
            co_chart = Chart(
                "th_co",
                "bar",
                f"与{name}出现在同一段落的主题（段落数）",
                co[["name", "paragraphs"]].set_axis(["label", "value"], axis=1),
                headed(co, "name paragraphs count", paragraphs="共同出现的段落数", count="该主题次数"),
                "段落数",
                source,
            )

    # The passages alone can be narrowed to one province or outlet (the charts keep the filters).
    fp = replace(
        f,
        provinces=(passage_province,) if passage_province else f.provinces,
        outlets=(passage_outlet,) if passage_outlet else f.outlets,
    )
    p = ws.passages(fp, theme_id=None if term else theme_id, term=term or None, limit=PASSAGES)
    return ThemeView(
        theme_id,
        term,
        name,
        spelling,
        total,
        rank_chart,
        table,
        " ".join(notes),
        map_chart,
        trend_chart,
        trend_note,
        co_chart,
        p,
        f"只列出最新的 {PASSAGES} 处。" if len(p) >= PASSAGES else "",
        notices=tuple(notices),
        series=tuple(dict.fromkeys(trend["theme"])),
        passage_provinces=tuple(rank.loc[rank["count"] > 0, "province"].sort_values()),
        passage_outlets=tuple(ws.outlets()),
    )
