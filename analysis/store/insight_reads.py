"""Reads for the insight pages (emerging, audit, speakers, quotes): paragraph samples,
hit statistics and samples per phrase, speakers' figures, a paragraph's citation context
and saved quotes."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..models import Filters
from .read_base import PAR_TEXT, ReadBase, where

# The order the 演示模式 page and the deck read quotes in.
QUOTE_COLUMNS = (
    "id",
    "article_id",
    "par_idx",
    "text",
    "source",
    "date",
    "province",
    "speaker",
    "office",
    "title",
    "phrase",
    "created_at",
)

# Reads.hit_samples' first pass keeps about this many times the wanted rows per phrase.
SAMPLE_OVERDRAW = 20


class InsightReads(ReadBase):
    def paragraph_sample(self, f: Filters | None, max_chars: int = 1_000_000) -> pd.DataFrame:
        """article_id, idx, date, province, chars, norm of the paragraphs under f: whole
        articles in a fixed pseudo-random order until max_chars, so a large corpus is
        sampled evenly over time rather than cut at one end."""
        w, p = where(f, "p")
        return self.df(
            f"""
            WITH a AS (SELECT article_id, sum(chars) AS chars FROM paragraphs p WHERE {w} GROUP BY ALL),
                 r AS (SELECT article_id, sum(chars) OVER (ORDER BY hash(article_id), article_id
                                                           ROWS UNBOUNDED PRECEDING) - chars AS before FROM a)
            SELECT p.article_id, p.idx, p.date, p.province, p.chars, p.norm
            FROM paragraphs p JOIN r ON r.article_id = p.article_id
            WHERE {w} AND r.before < ? ORDER BY p.date, p.article_id, p.idx""",
            [*p, *p, max_chars],
        )

    def hit_stats(self, f: Filters | None = None, by: str = "phrase") -> pd.DataFrame:
        """Per theme (by='theme') or theme × phrase: count, docs, provinces (全国 not
        counted as a province), first_seen, last_seen."""
        w, p = where(f, themes=True)
        every = self._sums_every(f, "all")
        if every is not None:
            return self._hit_stats_from_sums(w, p, every, by)
        if by != "phrase":
            # article_themes (hits summed per article × province × theme) holds the same
            # sums, dates and provinces in fewer rows, and its docs need no count(DISTINCT)
            # over every row: rows − the surplus rows of articles with several units rows,
            # as in theme_counts (at 1M articles 5.5-6.5 s -> 0.9-1.1 s, load 5).
            mw, mp = where(f)  # multi among the units rows under f, as in theme_counts
            return self.df(
                f"""
                WITH multi AS (SELECT article_id FROM units WHERE {mw} GROUP BY article_id HAVING count(*) > 1),
                base AS (
                    SELECT theme_id, sum(n)::BIGINT AS count, count(*) AS rows,
                           count(DISTINCT province) FILTER (province <> '全国') AS provinces,
                           min(date) AS first_seen, max(date) AS last_seen
                    FROM article_themes WHERE {w} GROUP BY ALL),
                surplus AS (
                    SELECT theme_id, count(*) - count(DISTINCT article_id) AS rows
                    FROM article_themes WHERE {w} AND article_id IN (SELECT article_id FROM multi) GROUP BY ALL)
                SELECT b.theme_id, b.count, b.rows - coalesce(s.rows, 0) AS docs, b.provinces,
                       b.first_seen, b.last_seen
                FROM base b LEFT JOIN surplus s ON s.theme_id = b.theme_id""",
                [*mp, *p, *p],
            )
        keys = "theme_id, phrase"
        return self.df(
            f"""
            SELECT {keys}, sum(n)::BIGINT AS count, count(DISTINCT article_id) AS docs,
                   count(DISTINCT province) FILTER (province <> '全国') AS provinces,
                   min(date) AS first_seen, max(date) AS last_seen
            FROM hits WHERE {w} GROUP BY ALL""",
            p,
        )

    def _hit_stats_from_sums(self, w: str, p: list, every: bool, by: str) -> pd.DataFrame:
        """hit_stats from group_sums: count and docs from the rows `every` picks, provinces from
        the per-province rows. A key whose deltas sum to nothing is no hit: dates and
        provinces count only where docs sum above zero."""
        keys, table = ("theme_id, phrase", "phrase_sums") if by == "phrase" else ("theme_id", "theme_sums")
        return self.df(
            f"""
            WITH d AS (
                SELECT {keys}, date, sum(n) AS n, sum(docs) AS docs FROM {table}
                WHERE {w} AND every = ? GROUP BY ALL HAVING sum(docs) > 0),
            seen AS (
                SELECT {keys}, province FROM {table} WHERE {w} AND NOT every GROUP BY ALL HAVING sum(docs) > 0),
            prov AS (SELECT {keys}, count(*) FILTER (province <> '全国') AS provinces FROM seen GROUP BY ALL)
            SELECT {keys}, sum(d.n)::BIGINT AS count, sum(d.docs)::BIGINT AS docs,
                   coalesce(any_value(prov.provinces), 0) AS provinces, min(d.date) AS first_seen,
                   max(d.date) AS last_seen
            FROM d LEFT JOIN prov USING ({keys}) GROUP BY {keys}""",
            [*p, every, *p],
        )

    def hit_samples(self, f: Filters | None = None, per_phrase: int = 3) -> pd.DataFrame:
        """Up to per_phrase matched paragraphs for every dictionary phrase (spread over
        articles in a fixed order): theme_id, phrase, article_id, par_idx, date, province, norm."""
        w, p = where(f, themes=True)
        # min_by(…, n) keeps the first n per phrase without sorting all hit rows (a
        # row_number() window over 1.66 M hits took 2.2 s at 100k articles, this 0.4 s).
        # The order starts with hash(article_id, par_idx), so a phrase's first n are the
        # first n of its rows hashed below any bound it has n rows under: a first pass keeps
        # only rows below a bound (about SAMPLE_OVERDRAW × n rows per phrase on average) and a second
        # takes every row of the phrases that pass left short (at 1M articles 3.0 -> 1.0 s).
        sample = "min_by({'a': article_id, 'i': par_idx, 'd': date, 'p': province}, {'h': hash(article_id, par_idx), 'a': article_id, 'i': par_idx}, ?)"
        rows, groups = self.row("SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM theme_phrases)")
        share = SAMPLE_OVERDRAW * per_phrase * max(int(groups), 1) / max(int(rows), 1)
        if share >= 0.5:
            top, args = (
                f"SELECT theme_id, phrase, {sample} AS s FROM hits WHERE {w} GROUP BY ALL",
                [per_phrase, *p],
            )
        else:
            top = f"""
                WITH cheap AS (
                    SELECT theme_id, phrase, {sample} AS s FROM hits
                    WHERE {w} AND hash(article_id, par_idx) < ?::UBIGINT GROUP BY ALL),
                done AS (SELECT * FROM cheap WHERE len(s) >= ?)
                SELECT * FROM done
                UNION ALL
                SELECT h.theme_id, h.phrase, {sample} AS s
                FROM hits h ANTI JOIN done d ON h.theme_id = d.theme_id AND h.phrase = d.phrase
                WHERE {w} GROUP BY ALL"""
            args = [per_phrase, *p, int(share * 2**64), per_phrase, per_phrase, *p]
        return self.df(
            f"""
            WITH top AS ({top}),
            h AS (SELECT theme_id, phrase, unnest(s, recursive := true), generate_subscripts(s, 1) AS k FROM top)
            SELECT h.theme_id, h.phrase, h.a AS article_id, h.i AS par_idx, h.d AS date, h.p AS province, p.norm
            FROM h JOIN paragraphs p ON p.article_id = h.a AND p.idx = h.i
            ORDER BY h.theme_id, h.phrase, h.k""",
            args,
        )

    def speaker_theme_counts(self, f: Filters | None = None) -> pd.DataFrame:
        """speaker, office, province, theme_id, count, sections: hits in sections whose
        header names a leader (sections.speaker)."""
        w, p = where(f, "h", themes=True)
        return self.df(
            f"""
            SELECT s.speaker, s.office, s.province, h.theme_id, sum(h.n)::BIGINT AS count,
                   count(DISTINCT (h.article_id, h.section_idx)) AS sections
            FROM hits h JOIN sections s ON s.article_id = h.article_id AND s.idx = h.section_idx
            WHERE s.speaker <> '' AND {w} GROUP BY ALL""",
            p,
        )

    def speaker_chars(self, f: Filters | None = None) -> pd.DataFrame:
        """speaker, office, province, chars, sections, articles, first_date, last_date: the
        text each speaker's rates rest on."""
        w, p = where(f, "u")
        return self.df(
            f"""
            SELECT s.speaker, s.office, s.province, sum(u.chars)::BIGINT AS chars,
                   count(DISTINCT (u.article_id, u.section_idx)) AS sections,
                   count(DISTINCT u.article_id) AS articles, min(u.date) AS first_date, max(u.date) AS last_date
            FROM units u JOIN sections s ON s.article_id = u.article_id AND s.idx = u.section_idx
            WHERE s.speaker <> '' AND {w} GROUP BY ALL""",
            p,
        )

    def paragraph_context(self, article_id: str, par_idx: int) -> dict | None:
        """One paragraph with what a citation needs: text, norm, date, province, its
        section's header, speaker and office, the article's title, source and outlet."""
        cur = self.cur().execute(
            f"""
            SELECT p.article_id, p.idx AS par_idx, {PAR_TEXT} AS text, p.norm, p.date, p.province, p.section_idx,
                   s.header, coalesce(s.speaker, '') AS speaker, coalesce(s.office, '') AS office,
                   a.title, a.source, coalesce(a.outlet, '') AS outlet
            FROM paragraphs p JOIN articles a ON a.id = p.article_id
            LEFT JOIN sections s ON s.article_id = p.article_id AND s.idx = p.section_idx
            WHERE p.article_id = ? AND p.idx = ?""",
            [article_id, int(par_idx)],
        )
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def quotes(self) -> pd.DataFrame:
        """Saved quotes, oldest first (an old read-only database may not have the table yet)."""
        cols = ", ".join(QUOTE_COLUMNS)
        try:
            return self.df(f"SELECT {cols} FROM quotes ORDER BY id")
        except duckdb.CatalogException:  # table missing in an older store opened read-only
            return pd.DataFrame(columns=list(QUOTE_COLUMNS))
