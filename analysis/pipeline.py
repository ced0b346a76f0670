"""Decoded text -> a parsed Article (sections, provinces, paragraphs) and its count rows.

Pure functions of the text and the dictionary: rebuild calls the same code on stored
text, so counts after a rebuild equal counts after a fresh ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from .attribution import attribute  # sections and paragraphs -> provinces (re-exported)
from .counting import Matcher
from .ingest import RawDoc
from .models import Article, Meta, Parsed
from .normalize import clean_controls, compact, looks_traditional, normalize_for_counting, split_paragraphs
from .provinces import Gazetteer
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


def content_hash(text: str, traditional: bool | None = None, cleaned: bool = False) -> str:
    """Same words, same hash: encoding, line breaks and spacing do not matter.
    cleaned=True: text already went through clean_controls (parse), skip that pass."""
    text = text if cleaned else clean_controls(text)
    return hashlib.sha256(normalize_for_counting(text, traditional).encode("utf-8")).hexdigest()


def parse_date(text: str) -> dt.date | None:
    """The first full date written in the text's opening (2024年2月18日)."""
    # Most dates stand in the first lines: look there first. A date is found in a prefix
    # exactly when it is the first date of the whole opening (one cannot hold another),
    # so the answer is the same.
    for end in (300, 3000):
        for m in _DATE.finditer(compact(text[:end])):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
        if len(text) <= end:
            break
    return None


def parse(
    raw: RawDoc, gaz: Gazetteer, meta: Meta | None = None, overrides: dict[int, str] | None = None
) -> Article:
    meta = meta or Meta()
    text = clean_controls(raw.text)
    paragraphs = split_paragraphs(text, True if raw.hard_wrapped else None, gaz.header_line, cleaned=True)
    raw_sections = split_sections(paragraphs, gaz)
    traditional = looks_traditional(text)
    sha = content_hash(text, traditional, cleaned=True)
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
    hits = out.hits
    count = matcher.count
    for par in article.paragraphs:
        found = count(par.norm)
        if found:
            idx = par.idx
            hits += [(idx, tid, phrase, n) for (tid, phrase), n in found.items()]
    if segmenter is not None:
        by_province: dict[str, list[str]] = {}
        for par in article.paragraphs:
            by_province.setdefault(par.province, []).append(par.norm)
        # One cut per province: a newline keeps paragraphs apart, and one call is cheaper
        # than merging a Counter per paragraph.
        out.words = {prov: segmenter.counts("\n".join(texts)) for prov, texts in by_province.items()}
    return out
