"""文章: find articles; read one article's sections with their province and its evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..attribution import also_mentioned
from ..models import NATIONAL, Filters
from ..workspace import Workspace
from ._common import Base, headed, outlet_labels

LIMIT = 500
WEAK_FLAG = "⚠ 依据较弱，请核对"  # beside a section or paragraph decided on thin evidence
BASIS_NOTE = {
    "正文": "日期取自正文",
    "元数据": "日期取自元数据",
    "文件时间": "日期取自文件时间（正文未写明，请核对）",
    "编辑": "日期由编辑指定",
}


@dataclass(frozen=True)
class Paragraph:
    parts: list[tuple[str, str | None]]  # (text, theme id or None): theme phrases marked
    province: str
    reason: str
    own_province: bool  # False when the paragraph's province differs from its section's
    idx: int = -1  # the paragraph's index in the article (?p= on the 文章 page marks it)
    also: str = ""  # the runner-up: 也提到：新疆 3 次
    weak: bool = False


@dataclass(frozen=True)
class SectionView:
    idx: int
    header: str
    province: str
    reason: str
    auto_province: str
    auto_reason: str
    override: str  # "" = follows the evidence
    paragraphs: list[Paragraph]
    also: str = ""  # the runner-up: 也提到：新疆 3 次
    weak: bool = False  # decided on thin evidence (an editor's choice is never weak)


@dataclass(frozen=True)
class ArticleDetail:
    id: str
    title: str
    date: dt.date
    basis_note: str
    source: str
    outlet: str
    chars: int
    counts: pd.DataFrame  # 主题, 类别, 次数, 每万字频次
    sections: list[SectionView]


@dataclass(frozen=True)
class ArticlesView(Base):
    table: pd.DataFrame  # 日期, 标题, (摘要,) 媒体, 省份, 字数 (+ 文章编号, and 段落 when searching)
    labels: dict[str, str]  # article id -> "date · title · source", in list order
    total_note: str
    detail: ArticleDetail | None
    province_options: list[str]  # for 改正省份: "" (automatic), the 31 provinces, 全国
    weak: pd.DataFrame = field(default_factory=pd.DataFrame, kw_only=True)  # weak_table()


def article_detail(ws: Workspace, article_id: str) -> ArticleDetail | None:
    art = ws.article(article_id)
    if art is None:
        return None
    counts = headed(ws.article_theme_counts(article_id), "theme category count per_10k")
    paras = ws.paragraphs(article_id)
    overrides = ws.overrides(article_id)
    sections = []
    for sec in ws.sections(article_id).itertuples():
        idx = int(sec.idx)
        mine = paras[paras["section_idx"] == idx]
        sections.append(
            SectionView(
                idx,
                sec.header or "",
                sec.province,
                sec.reason,
                sec.auto_province,
                sec.auto_reason,
                overrides.get(idx, ""),
                [
                    Paragraph(
                        ws.highlight_parts(p.text, p.norm),
                        p.province,
                        p.reason,
                        p.province == sec.province,
                        int(p.idx),
                        also_mentioned(p.runner_up or "", int(p.runner_up_count or 0)),
                        bool(p.weak),
                    )
                    for p in mine.itertuples()
                ],
                also_mentioned(sec.runner_up or "", int(sec.runner_up_count or 0)),
                bool(sec.weak) and not overrides.get(idx),
            )
        )
    basis = BASIS_NOTE.get(art["date_basis"], art["date_basis"] or "")
    return ArticleDetail(
        art["id"],
        art["title"],
        art["date"],
        basis,
        art["source"],
        art.get("outlet") or "",
        int(art["chars"] or 0),
        counts,
        sections,
    )


def weak_table(ws: Workspace, f: Filters) -> pd.DataFrame:
    """Every weakly attributed section under the filters (newest first), for an editor to
    check: 日期, 标题, 小标题, 省份, 依据, 也提到, 字数, 文章编号, 段."""
    w = ws.weak_sections(f, limit=LIMIT)
    if w.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "日期": [str(d)[:10] for d in w["date"]],
            "标题": w["title"],
            "小标题": w["header"].fillna(""),
            "省份": w["province"],
            "依据": w["reason"],
            "也提到": [
                also_mentioned(p or "", int(n or 0)) for p, n in zip(w["runner_up"], w["runner_up_count"])
            ],
            "字数": w["chars"].fillna(0).astype(int),
            "文章编号": w["article_id"],
            "段": w["idx"].astype(int),
        }
    )


def articles(ws: Workspace, f: Filters, *, search: str = "", article_id: str = "") -> ArticlesView:
    search = search.strip()
    arts = ws.list_articles(f, search=search, limit=LIMIT)
    notices = []
    if arts.empty:
        notices.append("没有符合条件的文章" if search else "当前筛选条件下没有文章")
        table = pd.DataFrame()
        note = ""
    else:
        table = headed(arts, "date title outlet provinces chars id", provinces="省份", id="文章编号")
        table["媒体"] = outlet_labels(table["媒体"])  # the outlet, not the file (file names: details)
        if search:  # each hit shows where the words occur (title or file name hits have none)
            snips = ws.search_snippets(list(arts["id"]), search)
            table.insert(
                2,
                "摘要",
                [f"{snips[a][1]}【{snips[a][2]}】{snips[a][3]}" if a in snips else "" for a in arts["id"]],
            )
            table["段落"] = [snips[a][0] if a in snips else -1 for a in arts["id"]]
        note = f"共 {len(arts)} 篇" + ("（最多显示 500 篇，请缩小搜索范围）" if len(arts) >= LIMIT else "")
    labels = {r.id: f"{str(r.date)[:10]} · {r.title} · {r.source}" for r in arts.itertuples()}
    detail = article_detail(ws, article_id) if article_id else None
    if detail is not None and article_id not in labels:  # opened by a link, outside the current list
        labels = {article_id: f"{detail.date} · {detail.title} · {detail.source}", **labels}
    if article_id and detail is None:
        notices.append("找不到这篇文章，可能已被删除。")
    return ArticlesView(
        table,
        labels,
        note,
        detail,
        ["", *ws.province_names(), NATIONAL],
        notices=tuple(notices),
        weak=weak_table(ws, f),
    )
