"""Theme and term figures (counts by group, characters each rate rests on, monthly
series, co-occurrence, per-phrase stats): the numbers the charts and tables plot."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..models import Filters
from .read_base import GROUPS, ReadBase, where


class ThemeReads(ReadBase):
    _themes_cache: pd.DataFrame | None = None

    def themes_df(self) -> pd.DataFrame:
        # Asked several times per page view; only set_themes changes it (in this process,
        # the one that may write), which clears the cache.
        if self._themes_cache is None:
            self._themes_cache = self.df("""
                SELECT t.id, t.name, t.category, t.ord, t.note, list(p.phrase ORDER BY p.phrase) AS phrases
                FROM themes t LEFT JOIN theme_phrases p ON p.theme_id = t.id
                GROUP BY ALL ORDER BY t.ord""")
        return self._themes_cache.copy()

    def theme_counts(
        self, f: Filters | None, by: str = "province", theme_ids: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """group, theme_id, count, docs (articles with ≥1 hit) for every group × theme with hits."""
        every = self._sums_every(f, "all" if by == "category" else by)
        if every is not None:  # the same figures from group_sums
            g = GROUPS.get(by, "t.category")
            join = "JOIN themes t ON t.id = h.theme_id" if by == "category" else ""
            w, p = where(f, "h", themes=True, theme_ids=theme_ids)
            return self.df(
                f"""SELECT {g} AS "group", h.theme_id, sum(h.n)::BIGINT AS count, sum(h.docs)::BIGINT AS docs
                    FROM theme_sums h {join} WHERE {w} AND h.every = ? GROUP BY ALL HAVING sum(h.docs) > 0""",
                [*p, every],
            )
        alias = "h" if by == "category" else ""
        w, p = where(f, alias, themes=True, theme_ids=theme_ids)
        if by == "category":
            return self.df(
                f"""
                SELECT t.category AS "group", h.theme_id, sum(h.n)::BIGINT AS count,
                       count(DISTINCT h.article_id) AS docs
                FROM hits h JOIN themes t ON t.id = h.theme_id WHERE {w}
                GROUP BY ALL""",
                p,
            )
        g = GROUPS[by]
        if by == "section":  # the only grouping finer than article × province
            return self.df(
                f"""
                SELECT {g} AS "group", theme_id, sum(n)::BIGINT AS count, count(DISTINCT article_id) AS docs
                FROM hits WHERE {w} GROUP BY ALL""",
                p,
            )
        # article_themes has one row per article × province × theme: by province every row
        # is another article, so count(*) is the document frequency without DISTINCT; so it
        # is in any grouping when the filter keeps one province (省份对比's sides).
        if by == "province" or (f is not None and len(f.provinces) == 1):
            return self.df(
                f"""
                SELECT {g} AS "group", theme_id, sum(n)::BIGINT AS count, count(*) AS docs
                FROM article_themes WHERE {w} GROUP BY ALL""",
                p,
            )
        # Groups an article falls in whole (all, month, file, article): docs = rows − the
        # surplus rows of the few articles with text in several provinces (by month at 100k
        # articles 1.3 s -> 0.3 s against count(DISTINCT article_id) over every row). multi
        # may hold more articles than those (any with two units rows: cheaper to find than
        # count(DISTINCT province) > 1, 0.53 -> 0.13 s at 1M): one province's rows add no surplus.
        # Only units rows under f's dates, files, provinces and outlets can make an article
        # count twice, so multi is found among those (a date range reads a part of units).
        mw, mp = where(f)
        return self.df(
            f"""
            WITH multi AS (SELECT article_id FROM units WHERE {mw} GROUP BY article_id HAVING count(*) > 1),
            base AS (
                SELECT {g} AS "group", theme_id, sum(n)::BIGINT AS count, count(*) AS rows
                FROM article_themes WHERE {w} GROUP BY ALL),
            surplus AS (
                SELECT {g} AS "group", theme_id, count(*) - count(DISTINCT article_id) AS rows
                FROM article_themes WHERE {w} AND article_id IN (SELECT article_id FROM multi) GROUP BY ALL)
            SELECT b."group", b.theme_id, b.count, b.rows - coalesce(s.rows, 0) AS docs
            FROM base b LEFT JOIN surplus s ON s."group" IS NOT DISTINCT FROM b."group" AND s.theme_id = b.theme_id""",
            [*mp, *p, *p],
        )

    def chars_by(self, f: Filters | None, by: str = "province") -> pd.DataFrame:
        """group, chars, articles: the text each rate rests on."""
        w, p = where(f)
        g = GROUPS.get(by, "'全部'")
        every = self._sums_every(f, by if by in GROUPS else "all")
        if every is not None:  # the same figures from group_sums
            # '全部' alone is no grouping: one row even with nothing under f (chars NULL,
            # articles 0), as the rows give it; a key whose deltas sum to nothing is no text.
            having = "" if g == "'全部'" else "HAVING sum(articles) > 0"
            return self.df(
                f"""SELECT {g} AS "group", CASE WHEN sum(articles) > 0 THEN sum(chars) END::BIGINT AS chars,
                           coalesce(sum(articles), 0)::BIGINT AS articles
                    FROM unit_sums WHERE {w} AND every = ? GROUP BY ALL {having}""",
                [*p, every],
            )
        if by == "province":
            # units has one row per article × section × province, so an article's second row
            # in one province comes from another section: only articles with a section other
            # than 0 can be counted twice. articles = rows − their surplus rows (count(DISTINCT)
            # over every row hashed a million ids at 1M articles; this hashes only those few).
            # (With one province kept, counting its rows alone is quicker: not used there.)
            return self.df(
                f"""
                WITH several AS (SELECT DISTINCT article_id FROM units WHERE section_idx <> 0),
                base AS (
                    SELECT {g} AS "group", sum(chars)::BIGINT AS chars, count(*) AS rows
                    FROM units WHERE {w} GROUP BY ALL),
                surplus AS (
                    SELECT {g} AS "group", count(*) - count(DISTINCT article_id) AS rows
                    FROM units WHERE {w} AND article_id IN (SELECT article_id FROM several) GROUP BY ALL)
                SELECT b."group", b.chars, b.rows - coalesce(s.rows, 0) AS articles
                FROM base b LEFT JOIN surplus s ON s."group" IS NOT DISTINCT FROM b."group"
                """,
                [*p, *p],
            )
        return self.df(
            f"""
            SELECT {g} AS "group", sum(chars)::BIGINT AS chars, count(DISTINCT article_id) AS articles
            FROM units WHERE {w} GROUP BY ALL""",
            p,
        )

    def term_counts(self, f: Filters | None, by: str, terms: Sequence[str]) -> pd.DataFrame:
        """group, term, count, docs for ad-hoc literals, each counted on its own."""
        w, p = where(f)
        g = GROUPS.get(by, "'全部'")
        return self.df(
            f"""
            WITH t AS (SELECT unnest(?) AS term)
            SELECT {g} AS "group", t.term, sum((length(norm) - length(replace(norm, t.term, ''))) // length(t.term))::BIGINT AS count,
                   count(DISTINCT article_id) FILTER (contains(norm, t.term)) AS docs
            FROM paragraphs, t WHERE {w} GROUP BY ALL""",
            [list(terms), *p],
        )

    def monthly(self, f: Filters | None, theme_ids: Sequence[str]) -> pd.DataFrame:
        # article_themes holds the hits' sums per article × province × theme with the same
        # date, file and province: the same monthly sums from fewer rows (12.6 M against
        # 16.5 M at 1M articles).
        w, p = where(f, themes=True)
        every = self._sums_every(f, "month", distinct=False)
        if every is not None:  # the same sums from group_sums
            return self.df(
                f"""SELECT strftime(date, '%Y-%m') AS month, theme_id, sum(n)::BIGINT AS count
                    FROM theme_sums WHERE {w} AND every = ? AND theme_id IN (SELECT unnest(?))
                    GROUP BY ALL HAVING sum(docs) > 0 ORDER BY 1, 2""",
                [*p, every, list(theme_ids)],
            )
        return self.df(
            f"""
            SELECT strftime(date, '%Y-%m') AS month, theme_id, sum(n)::BIGINT AS count
            FROM article_themes WHERE {w} AND theme_id IN (SELECT unnest(?)) GROUP BY ALL ORDER BY 1, 2""",
            [*p, list(theme_ids)],
        )

    def cooccurring(self, f: Filters | None, theme_id: str, limit: int = 15) -> pd.DataFrame:
        """Other themes found in the same paragraphs as theme_id: paragraphs, and count (the
        other theme's hits in them). A semi-join: a paragraph holding two phrases of theme_id
        has two of its hit rows, and a plain join counted the other themes' hits there twice."""
        w, p = where(f, "a")
        return self.df(
            f"""
            SELECT b.theme_id, count(DISTINCT (b.article_id, b.par_idx)) AS paragraphs, sum(b.n)::BIGINT AS count
            FROM hits b SEMI JOIN (SELECT a.article_id, a.par_idx FROM hits a WHERE a.theme_id = ? AND {w}) a
                 ON a.article_id = b.article_id AND a.par_idx = b.par_idx
            WHERE b.theme_id <> ?
            GROUP BY ALL ORDER BY paragraphs DESC, count DESC, b.theme_id LIMIT ?""",
            [theme_id, *p, theme_id, limit],
        )

    def phrase_stats(self, f: Filters | None = None) -> pd.DataFrame:
        """Per dictionary phrase: hits, articles, provinces, first and last date."""
        w, p = where(f, themes=True)
        return self.df(
            f"""
            SELECT theme_id, phrase, sum(n)::BIGINT AS count, count(DISTINCT article_id) AS docs,
                   count(DISTINCT province) AS provinces, min(date) AS first_seen, max(date) AS last_seen
            FROM hits WHERE {w} GROUP BY ALL""",
            p,
        )
