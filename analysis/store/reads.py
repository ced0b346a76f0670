"""Read queries: every figure a page or the CLI shows starts here.

Reads (the mixin Store and the Parquet store build on) is composed of one mixin per
topic, each in its own module; the corpus summary stays here:

    read_base.py      where(), GROUPS, PAR_TEXT, ReadBase (cur/df/row/scalar)
    theme_reads.py    ThemeReads: theme and term counts, monthly, co-occurrence
    passage_reads.py  PassageReads: passages holding a theme or a term
    word_reads.py     WordReads: top words of a selection
    article_reads.py  ArticleReads: articles, sections, paragraphs, batch iterators
    insight_reads.py  InsightReads: emerging, audit, speakers, quotes

The names importers use (where, GROUPS, PAR_TEXT, PASSAGE_WINDOWS, SAMPLE_OVERDRAW,
QUOTE_COLUMNS) are importable from here as before.
"""

from __future__ import annotations

import datetime as dt

from ..models import Filters
from .article_reads import ArticleReads
from .insight_reads import QUOTE_COLUMNS, SAMPLE_OVERDRAW, InsightReads
from .passage_reads import PASSAGE_WINDOWS, PassageReads
from .read_base import GROUPS, PAR_TEXT, ReadBase, where
from .theme_reads import ThemeReads
from .word_reads import WordReads

__all__ = [
    "GROUPS",
    "PAR_TEXT",
    "PASSAGE_WINDOWS",
    "QUOTE_COLUMNS",
    "SAMPLE_OVERDRAW",
    "ReadBase",
    "Reads",
    "where",
]


class Reads(ThemeReads, PassageReads, WordReads, ArticleReads, InsightReads):
    def summary(self, f: Filters | None = None) -> dict:
        w, p = where(f)
        row = self.row(
            f"""
            SELECT count(DISTINCT article_id), coalesce(sum(chars), 0), count(DISTINCT province) FILTER (province <> '全国'),
                   min(date), max(date), coalesce(sum(paragraphs), 0), count(DISTINCT source)
            FROM units WHERE {w}""",
            p,
        )
        keys = ("articles", "chars", "provinces", "date_min", "date_max", "paragraphs", "sources")
        return dict(zip(keys, row))

    def article_count(self) -> int:
        return int(self.scalar("SELECT count(*) FROM articles"))

    def sources(self) -> list[str]:
        return [
            r[0] for r in self.cur().execute("SELECT DISTINCT source FROM articles ORDER BY 1").fetchall()
        ]

    def outlets(self) -> list[tuple[str, int]]:
        """Outlets named on articles, with their article counts, most articles first."""
        rows = (
            self.cur()
            .execute(
                """SELECT outlet, count(*) FROM articles WHERE coalesce(outlet, '') <> ''
               GROUP BY 1 ORDER BY 2 DESC, 1"""
            )
            .fetchall()
        )
        return [(r[0], int(r[1])) for r in rows]

    def date_span(self) -> tuple[dt.date | None, dt.date | None]:
        row = self.row("SELECT min(date), max(date) FROM articles")
        return row[0], row[1]
