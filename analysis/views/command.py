"""`python -m analysis view NAME`: print any page's view as JSON, CSV or plain tables.

The same function the dashboard page renders, with the same filters, so a number seen
on a page can be checked (or scripted) from the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import fields, is_dataclass, replace
from typing import Any

import pandas as pd

from ..models import Filters
from ..safecells import safe_frame
from . import NAMES, plain, tables


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD：{text}") from None


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").split(",") if x.strip())


def add_view_command(add) -> None:
    """Register `view` on the CLI's parser (add: cli.build_parser's helper)."""
    sp = add("view", cmd_view, "打印看板任一页的内容（与页面同一函数）：json、csv 或表格")
    sp.add_argument("name", choices=NAMES, help="页面：" + "、".join(NAMES))
    sp.add_argument("--format", choices=("json", "csv", "table"), default="table")
    sp.add_argument("--table", help="只输出这一张表（字段名，如 rank_table；见 --format json 的键）")
    g = sp.add_argument_group("筛选（与侧栏相同）")
    g.add_argument("--from", dest="date_from", type=_date, help="开始日期 YYYY-MM-DD")
    g.add_argument("--to", dest="date_to", type=_date, help="结束日期 YYYY-MM-DD")
    g.add_argument("--sources", help="来源文件，逗号分隔")
    g.add_argument("--outlets", help="来源媒体，逗号分隔（compare --mode outlets 时为对比的各家）")
    g.add_argument("--categories", help="主题类别，逗号分隔")
    g.add_argument("--metric", choices=("count", "per_10k"), default="count")
    o = sp.add_argument_group("页面选项")
    o.add_argument("--theme", default="", help="themes：词典主题编号")
    o.add_argument("--term", default="", help="themes：临时词语")
    o.add_argument("--provinces", help="compare / wordcloud：省份，逗号分隔")
    o.add_argument(
        "--mode", default="", help="compare：provinces、periods 或 outlets；wordcloud：words 或 themes"
    )
    o.add_argument("--periods", help="compare：两个时期 YYYY-MM-DD~YYYY-MM-DD,YYYY-MM-DD~YYYY-MM-DD")
    o.add_argument("--show-boilerplate", action="store_true", help="compare / wordcloud：不隐藏政治套话")
    o.add_argument("--top", type=int, help="wordcloud：词数（默认 100）；emerging：前几个（默认 30）")
    o.add_argument("--by", default="period", choices=("period", "province"), help="emerging：比较方式")
    o.add_argument("--split", type=_date, help="emerging：“最近”从哪天算起")
    o.add_argument("--province", default="", help="emerging：省份")
    o.add_argument("--min-count", type=int, default=3, help="emerging：最少出现次数")
    o.add_argument("--search", default="", help="articles：搜索标题、文件名或正文")
    o.add_argument("--article", default="", help="articles：打开这篇文章（编号）")
    o.add_argument("--speakers", help="speakers：两位讲话人，逗号分隔")
    o.add_argument("--deck", type=int, help="present：演示编号（默认第一个）")


def _periods(text: str | None):
    if not text:
        return None
    try:
        pairs = [tuple(dt.date.fromisoformat(d) for d in p.split("~")) for p in text.split(",")]
    except ValueError:
        raise SystemExit(
            f"错误：--periods 应写成 YYYY-MM-DD~YYYY-MM-DD,YYYY-MM-DD~YYYY-MM-DD：{text}"
        ) from None
    if len(pairs) != 2 or any(len(p) != 2 for p in pairs):
        raise SystemExit("错误：--periods 需要两个时期")
    return (pairs[0], pairs[1])


def build_view(ws, args) -> Any:
    """The view NAME with the filters and options given on the command line."""
    from . import (
        articles,
        audit,
        compare,
        corpus,
        dictionary,
        emerging,
        leaders,
        overview,
        present,
        speakers,
        themes,
        wordcloud,
    )

    f = Filters(
        date_from=args.date_from,
        date_to=args.date_to,
        sources=_list(args.sources),
        categories=_list(args.categories),
        outlets=_list(args.outlets) if args.mode != "outlets" else (),
    )
    m = args.metric
    hide = not args.show_boilerplate
    name = args.name
    if name == "overview":
        return overview(ws, f, metric=m)
    if name == "themes":
        return themes(ws, f, theme_id=args.theme, term=args.term, metric=m)
    if name == "compare":
        mode = args.mode or "provinces"
        return compare(
            ws,
            f,
            mode=mode,
            provinces=_list(args.provinces),
            periods=_periods(args.periods),
            hide_boilerplate=hide,
            metric=m,
            outlets=_list(args.outlets),
        )
    if name == "wordcloud":
        return wordcloud(
            ws,
            f,
            provinces=_list(args.provinces),
            mode=args.mode or "words",
            top=args.top or 100,
            hide_boilerplate=hide,
        )
    if name == "articles":
        return articles(ws, f, search=args.search, article_id=args.article)
    if name == "emerging":
        return emerging(
            ws,
            f,
            by=args.by,
            split=args.split,
            province=args.province,
            top=args.top or 30,
            min_count=args.min_count,
            metric=m,
        )
    if name == "speakers":
        picks = (*_list(args.speakers), "", "")
        return speakers(ws, f, a=picks[0], b=picks[1], metric=m)
    if name == "audit":
        return audit(ws, f, categories=_list(args.categories))
    if name == "dictionary":
        return dictionary(ws, f, metric=m)
    if name == "present":
        return present(ws, deck_id=args.deck)
    if name == "leaders":
        return leaders(ws)
    return corpus(ws)


def _scalars(view: Any) -> dict[str, Any]:
    """The view's plain values (numbers, lines), for the table format's header."""
    out = {}
    if is_dataclass(view):
        for fld in fields(view):
            value = getattr(view, fld.name)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
                out[fld.name] = value
            elif is_dataclass(value) and not isinstance(value, type) and fld.name == "summary":
                out.update({f"summary.{k}": v for k, v in plain(value).items()})
            elif fld.name == "notices" and value:
                out["notices"] = "；".join(value)
    return out


def print_view(view: Any, fmt: str, only: str | None = None, out=None) -> int:
    out = out or sys.stdout
    found = tables(view)
    if only:
        if only not in found:
            print(f"错误：没有名为 {only} 的表；可用：{'、'.join(found) or '无'}", file=sys.stderr)
            return 2
        found = {only: found[only]}
    if fmt == "json":
        data = plain(found[only]) if only else plain(view)
        out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return 0
    if not only:
        for k, v in _scalars(view).items():
            out.write(f"# {k}: {v}\n")
    for name, df in found.items():
        if not only:
            out.write(f"# == {name} ==\n")
        shown = df.map(lambda x: " ｜ ".join(map(str, x)) if isinstance(x, (list, tuple)) else x)
        if fmt == "csv":
            out.write(safe_frame(shown).to_csv(index=False))  # opened in Excel: no formulas
        else:
            out.write((shown.to_string(index=False) if len(shown.columns) else "（空）") + "\n")
    return 0


def cmd_view(args) -> int:
    from ..settings import Settings
    from ..workspace import Workspace

    settings = Settings.from_env(db=args.db)
    ws = Workspace.open(replace(settings, import_samples=False))  # the CLI never adds the samples
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        return print_view(build_view(ws, args), args.format, args.table)
