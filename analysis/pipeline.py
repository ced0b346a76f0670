"""Decoded text -> a parsed Article (sections, provinces, paragraphs) and its count rows.

Pure functions of the text and the dictionary: rebuild calls the same code on stored
text, so counts after a rebuild equal counts after a fresh ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from .counting import Matcher
from .ingest import RawDoc
from .models import NATIONAL, Article, Meta, Paragraph, Parsed, Section
from .normalize import clean_controls, compact, looks_traditional, normalize_for_counting, split_paragraphs
from .provinces import Gazetteer, dominant, header_evidence, single_province
from .sections import article_title, split_sections
from .segment import Segmenter

# Meta and Parsed live in models.py (the store needs them without the pipeline); importable here too.
__all__ = [
    "Meta",
    "Parsed",
    "attribute",
    "content_hash",
    "derive",
    "parse",
    "parse_date",
]

_DATE = re.compile(r"(20\d{2}|19\d{2})年(\d{1,2})月(\d{1,2})日")


def content_hash(text: str, traditional: bool | None = None) -> str:
    """Same words, same hash: encoding, line breaks and spacing do not matter."""
    return hashlib.sha256(
        normalize_for_counting(clean_controls(text), traditional).encode("utf-8")
    ).hexdigest()


def parse_date(text: str) -> dt.date | None:
    """The first full date written in the text's opening (2024年2月18日)."""
    for m in _DATE.finditer(compact(text[:3000])):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def attribute(
    article: Article,
    raw_sections,
    gaz: Gazetteer,
    overrides: dict[int, str] | None = None,
    traditional: bool | None = None,
) -> None:
    """Fill article.sections/paragraphs with provinces and reasons (the evidence order)."""
    day = article.date
    if traditional is None:
        traditional = looks_traditional(article.text)
    # Normalise and gather evidence once per paragraph; the three uses below share it.
    norms = [[normalize_for_counting(t, traditional) for t in rs.paragraphs] for rs in raw_sections]
    found = [[gaz.evidence(n, day) for n in sec] for sec in norms]
    art_prov, art_why = dominant([e for sec in found for ev in sec for e in ev], min_hits=3, share=0.6)
    stack: list[tuple[int, str, str]] = []  # (level, province, header) of open parents
    for sidx, rs in enumerate(raw_sections):
        prov, why, speaker = header_evidence(rs.header, gaz, day)
        while stack and stack[-1][0] >= rs.level:
            stack.pop()
        if not prov:
            parent = next((s for s in reversed(stack) if s[1] != NATIONAL), None)
            if parent:
                prov, why = parent[1], f"上级标题：{parent[2][:12]} → {parent[1]}"
        if not prov:
            prov, why = dominant([e for ev in found[sidx] for e in ev])
            why = f"正文：{why}" if prov else ""
        if not prov and art_prov:
            prov, why = art_prov, f"全文：{art_why}"
        if not prov:
            prov, why = NATIONAL, "未指明具体地方 → 全国"
        auto_prov, auto_why = prov, why
        if overrides and sidx in overrides:
            prov, why = overrides[sidx], f"编辑指定：{overrides[sidx]}（自动判断为{auto_prov}）"
        if rs.level:
            stack.append((rs.level, prov, rs.header))
        sec = Section(
            sidx,
            rs.header,
            prov,
            why,
            speaker=speaker.text if speaker else "",
            office=speaker.office if speaker else "",
            auto_province=auto_prov,
            auto_reason=auto_why,
        )
        article.sections.append(sec)
        for text, norm, ev in zip(rs.paragraphs, norms[sidx], found[sidx]):
            par = Paragraph(len(article.paragraphs), sidx, text, norm, prov, why)
            if prov == NATIONAL and not (overrides and sidx in overrides):
                p_prov, p_why = single_province(ev)
                if p_prov:
                    par.province, par.reason = p_prov, p_why
            article.paragraphs.append(par)


def parse(
    raw: RawDoc, gaz: Gazetteer, meta: Meta | None = None, overrides: dict[int, str] | None = None
) -> Article:
    meta = meta or Meta()
    text = clean_controls(raw.text)
    paragraphs = split_paragraphs(text, True if raw.hard_wrapped else None)
    raw_sections = split_sections(paragraphs)
    traditional = looks_traditional(text)
    sha = content_hash(text, traditional)
    found = parse_date(text)
    if meta.date:
        day, basis = meta.date, "元数据"
    elif found:
        day, basis = found, "正文"
    else:
        day, basis = raw.mtime, "文件时间"
    article = Article(
        id=sha[:16],
        source=raw.name,
        title=meta.title or article_title(paragraphs, raw.title_hint),
        date=day,
        date_basis=basis,
        text=text,
        sha=sha,
        outlet=meta.outlet,
        author=meta.author,
        section=meta.section,
        url=meta.url,
    )
    attribute(article, raw_sections, gaz, overrides, traditional)
    return article


def derive(article: Article, matcher: Matcher, segmenter: Segmenter | None) -> Parsed:
    """Count rows of a parsed article: theme hits per paragraph, words per province."""
    out = Parsed(article)
    by_province: dict[str, list[str]] = {}
    for par in article.paragraphs:
        for (tid, phrase), n in matcher.count(par.norm).items():
            out.hits.append((par.idx, tid, phrase, n))
        by_province.setdefault(par.province, []).append(par.norm)
    if segmenter is not None:
        # One cut per province: a newline keeps paragraphs apart, and one call is cheaper
        # than merging a Counter per paragraph.
        out.words = {prov: segmenter.counts("\n".join(texts)) for prov, texts in by_province.items()}
    return out
