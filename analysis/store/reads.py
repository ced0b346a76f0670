"""Read queries: every figure a page or the CLI shows starts here.

Tables carry province, date and source on each row (denormalised at write time), so
filters never need joins over the big tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import duckdb
import pandas as pd

from ..models import Filters
from . import group_sums

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

GROUPS = {
    "province": "province",
    "article": "article_id",
    "file": "source",
    "section": "article_id || ':' || section_idx",
    "month": "strftime(date, '%Y-%m')",
    "all": "'全部'",
}


def where(
    f: Filters | None, alias: str = "", themes: bool = False, theme_ids: Sequence[str] | None = None
) -> tuple[str, list]:
    """SQL condition and parameters for a filter on a table with date/source/province
    (and with themes=True or theme_ids, theme_id)."""
    f = f or Filters()
    a = f"{alias}." if alias else ""
    conds: list[str] = ["TRUE"]
    params: list[Any] = []
    if f.date_from:
        conds.append(f"{a}date >= ?")
        params.append(f.date_from)
    if f.date_to:
        conds.append(f"{a}date <= ?")
        params.append(f.date_to)
    if f.sources:
        conds.append(f"{a}source IN (SELECT unnest(?))")
        params.append(list(f.sources))
    if f.provinces:
        conds.append(f"{a}province IN (SELECT unnest(?))")
        params.append(list(f.provinces))
    if f.outlets:  # derived rows do not carry the outlet: select their articles
        conds.append(f"{a}article_id IN (SELECT id FROM articles WHERE outlet IN (SELECT unnest(?)))")
        params.append(list(f.outlets))
    if themes and f.categories:
        conds.append(f"{a}theme_id IN (SELECT id FROM themes WHERE category IN (SELECT unnest(?)))")
        params.append(list(f.categories))
    if theme_ids:
        conds.append(f"{a}theme_id IN (SELECT unnest(?))")
        params.append(list(theme_ids))
    return " AND ".join(conds), params


# A paragraph's text: stored only where it differs from its norm (store/rows.py).
PAR_TEXT = "coalesce(p.text, p.norm)"

# Days back from the newest paragraph that a passage search reads first (Reads._passages).
PASSAGE_WINDOWS = (7, 92)
# Reads.hit_samples' first pass keeps about this many times the wanted rows per phrase.
SAMPLE_OVERDRAW = 20


class Reads:
    _con: duckdb.DuckDBPyConnection  # set by Store
    group_sums_ready = False  # Store: group_sums are in step (store/group_sums.py)

    def cur(self) -> duckdb.DuckDBPyConnection:  # provided by Store
        raise NotImplementedError

    def df(self, sql: str, params: Sequence = ()) -> pd.DataFrame:
        return self.cur().execute(sql, list(params)).df()

    def row(self, sql: str, params: Sequence = ()) -> tuple:
        """The first row of a query that always returns one (aggregates)."""
        return self.cur().execute(sql, list(params)).fetchall()[0]

    def scalar(self, sql: str, params: Sequence = ()) -> Any:
        rows = self.cur().execute(sql, list(params)).fetchall()
        return rows[0][0] if rows else None

    # ---------------------------------------------------------------- corpus
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

    # ---------------------------------------------------------------- themes
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

    # ---------------------------------------------------------------- passages
    def passages_with_theme(self, f: Filters | None, theme_id: str, limit: int = 200) -> pd.DataFrame:
        """The newest `limit` paragraphs under f holding theme_id (the columns _passages
        gives). The hit rows carry each
        paragraph's date, source and province, so the newest are picked there and only
        those paragraphs are read (filtering all 1 M paragraphs took 0.35-0.45 s at 100k).
        Their oldest date then bounds the paragraphs scan: rows before it are skipped
        before their text is read (at 1M articles 1.0 s -> 0.5 s)."""
        w, p = where(f, "h")
        top = (
            self.cur()
            .execute(
                f"""SELECT DISTINCT h.article_id, h.par_idx, h.date FROM hits h WHERE h.theme_id = ? AND {w}
                    ORDER BY h.date DESC, h.article_id, h.par_idx LIMIT ?""",
                [theme_id, *p, limit],
            )
            .fetchall()
        )
        dates = [d for _, _, d in top]
        # An undated paragraph cannot be bounded by a date: then every date is read.
        since, args = ("p.date >= ?", [min(dates)]) if dates and None not in dates else ("TRUE", [])
        return self.df(
            f"""
            WITH top AS (SELECT unnest(?::VARCHAR[]) AS article_id, unnest(?::INTEGER[]) AS par_idx)
            SELECT p.article_id, p.idx AS par_idx, p.province, p.date, a.title, a.source, p.norm
            FROM top JOIN paragraphs p ON p.article_id = top.article_id AND p.idx = top.par_idx
            JOIN articles a ON a.id = p.article_id
            WHERE {since}
            ORDER BY p.date DESC, p.article_id, p.idx""",
            [[a for a, _, _ in top], [i for _, i, _ in top], *args],
        )

    def passages_with_term(self, f: Filters | None, term: str, limit: int = 200) -> pd.DataFrame:
        return self._passages(f, "contains(p.norm, ?)", term, limit)

    def _passages(self, f: Filters | None, cond: str, value: str, limit: int) -> pd.DataFrame:
        """Paragraphs under f meeting cond (one parameter), newest first, with their article.

        Reading every paragraph's text is the cost (1.3 s at 1M articles), so the newest
        days are tried first: when the paragraphs dated within PASSAGE_WINDOWS days of the
        newest already give `limit` matches, every other paragraph is older (or undated,
        which sorts last), and these are the newest `limit` of all. Otherwise the next
        window, and at last the whole selection. The articles are joined to those rows only.
        Only the columns a passage shows are read (queries.passages cuts its context from
        norm): the display text and the attribution reason of every match in the window
        cost 18 ms more at 1M articles."""
        w, p = where(f, "p")
        newest = self.scalar(f"SELECT max(p.date) FROM paragraphs p WHERE {w}", p)
        cutoffs: list[dt.date | None] = (
            [newest - dt.timedelta(days=d) for d in PASSAGE_WINDOWS] if newest else []
        )
        for cutoff in [*cutoffs, None]:
            since, args = ("p.date >= ?", [cutoff]) if cutoff else ("TRUE", [])
            out = self.df(
                f"""
                WITH top AS (
                    SELECT p.article_id, p.idx, p.province, p.date, p.norm
                    FROM paragraphs p WHERE {w} AND {since} AND {cond}
                    ORDER BY p.date DESC, p.article_id, p.idx LIMIT ?)
                SELECT top.article_id, top.idx AS par_idx, top.province, top.date, a.title, a.source, top.norm
                FROM top JOIN articles a ON a.id = top.article_id
                ORDER BY top.date DESC, top.article_id, top.idx""",
                [*p, *args, value, limit],
            )
            if cutoff is None or len(out) >= limit:
                return out
        raise AssertionError("unreachable: the last window is the whole selection")

    # ---------------------------------------------------------------- words
    def _word_sums_answer(self, f: Filters) -> bool:
        """Can word_sums (keyed by province × word only) answer f? Not with dates, files or
        outlets, nor before the store has built it (Store.word_sums_ready; a Parquet dataset
        has none)."""
        narrowed = f.date_from or f.date_to or f.sources or f.outlets
        return bool(getattr(self, "word_sums_ready", False)) and not narrowed

    words_in_lists = True  # word_lists holds the words (False: an old Parquet dataset's words folder)

    def _word_rows(self, cond: str) -> str:
        """The rows of the view words whose article-level columns meet cond, as a relation:
        cond is applied to word_lists before its lists are unnested. Through the view a
        semi-join (article_id IN (...)) was applied after unnesting every list (the 1M
        word cloud's cold load: 16 s)."""
        if not self.words_in_lists:
            return f"(SELECT * FROM words WHERE {cond})"
        return (
            "(SELECT article_id, province, date, source, unnest(words) AS word, unnest(ns) AS n "
            f"FROM word_lists WHERE {cond})"
        )

    def word_totals(self, f: Filters | None, limit: int = 300, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """word, count, docs for the top words of a selection.

        Counts come first; the costly distinct-article count is then made for the top
        words only (words has one row per article × province × word, so within one
        province every row is another article and count(*) is exact).
        """
        w, p = where(f)
        if f is not None and len(f.provinces) == 1 and self._word_sums_answer(f):
            # The same figures from word_sums (store/word_sums.py: the word rows summed per
            # province × word, as deltas): at 1M articles about 170 k rows against 280 M.
            # A key whose deltas sum to no rows has no word rows left.
            return self.df(
                """
                SELECT word, sum(n)::BIGINT AS count, sum(rows)::BIGINT AS docs FROM word_sums
                WHERE province = ? AND word NOT IN (SELECT unnest(?::VARCHAR[]))
                GROUP BY word HAVING sum(rows) > 0 ORDER BY count DESC, word LIMIT ?""",
                [f.provinces[0], list(exclude), limit],
            )
        if f is not None and len(f.provinces) == 1:
            return self.df(
                f"""
                SELECT word, sum(n)::BIGINT AS count, count(*) AS docs FROM {self._word_rows(w)}
                WHERE word NOT IN (SELECT unnest(?::VARCHAR[]))
                GROUP BY word ORDER BY count DESC, word LIMIT ?""",
                [*p, list(exclude), limit],
            )
        # Across provinces an article may hold a word in several rows, one per province, so
        # docs = rows − the surplus rows, and the surplus can only come from the few articles
        # with text in more than one province (units; multi also takes articles with two
        # sections in one province, which add none). Counting distinct articles over every
        # row of the top words took 3-7 s at 100k articles; this takes under 1 s. The top
        # words and their rows come from word_sums when it can answer (one scan of the word
        # rows at 1M articles instead of two: only the surplus still reads them).
        sums = self._word_sums_answer(f or Filters())
        top = (
            f"""SELECT word, sum(n)::BIGINT AS count, sum(rows)::BIGINT AS rows FROM word_sums
                WHERE {w} AND word NOT IN (SELECT unnest(?::VARCHAR[]))
                GROUP BY word HAVING sum(rows) > 0 ORDER BY count DESC, word LIMIT ?"""
            if sums
            else f"""SELECT word, sum(n)::BIGINT AS count, count(*) AS rows FROM {self._word_rows(w)}
                WHERE word NOT IN (SELECT unnest(?::VARCHAR[]))
                GROUP BY word ORDER BY count DESC, word LIMIT ?"""
        )
        return self.df(
            f"""
            WITH top AS ({top}),
            multi AS (SELECT article_id FROM units WHERE {w} GROUP BY article_id HAVING count(*) > 1),
            surplus AS (
                SELECT w.word, count(*) - count(DISTINCT w.article_id) AS rows
                FROM {self._word_rows(f"{w} AND article_id IN (SELECT article_id FROM multi)")} w
                WHERE w.word IN (SELECT word FROM top)
                GROUP BY w.word)
            SELECT top.word, top.count, top.rows - coalesce(surplus.rows, 0) AS docs
            FROM top LEFT JOIN surplus ON surplus.word = top.word
            ORDER BY top.count DESC, top.word""",
            [*p, list(exclude), limit, *p, *p],
        )

    # ---------------------------------------------------------------- articles
    def list_articles(self, f: Filters | None = None, search: str = "", limit: int = 500) -> pd.DataFrame:
        """The newest `limit` articles with text under f, each with the provinces of that text.

        The newest are picked first and only their provinces gathered: grouping every
        article with its units before the LIMIT took 0.6-0.8 s at 1M articles (the
        overview's first load), picking first 0.12 s."""
        w, p = where(f, "u")
        cond, sp = "", []
        if search:
            cond = "AND (contains(a.title, ?) OR contains(a.source, ?) OR a.id IN (SELECT DISTINCT article_id FROM paragraphs WHERE contains(norm, ?)))"
            sp = [search, search, search]
        return self.df(
            f"""
            WITH pick AS (
                SELECT a.id, a.title, a.source, coalesce(a.outlet, '') AS outlet, a.date, a.date_basis,
                       a.chars, a.ingested_at
                FROM articles a WHERE a.id IN (SELECT u.article_id FROM units u WHERE {w}) {cond}
                ORDER BY a.date DESC, a.ingested_at DESC, a.id LIMIT ?)
            SELECT pick.id, pick.title, pick.source, pick.outlet, pick.date, pick.date_basis, pick.chars,
                   string_agg(DISTINCT u.province, '、' ORDER BY u.province) AS provinces
            FROM pick JOIN units u ON u.article_id = pick.id
            WHERE {w}
            GROUP BY pick.id, pick.title, pick.source, pick.outlet, pick.date, pick.date_basis, pick.chars,
                     pick.ingested_at
            ORDER BY pick.date DESC, pick.ingested_at DESC, pick.id""",
            [*p, *sp, limit, *p],
        )

    def article(self, article_id: str) -> dict | None:
        cur = self.cur().execute("SELECT * FROM articles WHERE id = ?", [article_id])
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def sections_df(self, article_id: str | None = None) -> pd.DataFrame:
        cond, p = ("WHERE s.article_id = ?", [article_id]) if article_id else ("", [])
        return self.df(
            f"""
            SELECT s.article_id, a.source, a.title, s.idx, s.header, s.province, s.reason,
                   s.auto_province, s.auto_reason, s.speaker, s.office,
                   s.runner_up, s.runner_up_count, s.weak
            FROM sections s JOIN articles a ON a.id = s.article_id {cond}
            ORDER BY a.source, s.article_id, s.idx""",
            p,
        )

    def weak_sections(self, f: Filters | None = None, limit: int = 500) -> pd.DataFrame:
        """Sections attributed on thin evidence (and not yet set by an editor), newest
        articles first: what an editor should check first. runner_up/runner_up_count name
        the other province the section also speaks of (也提到：新疆 3 次)."""
        f = f or Filters()
        # Date, source and outlet filter the paragraphs' copies; the province is the section's.
        cond, params = where(replace(f, provinces=()), alias="p")
        if f.provinces:
            cond += " AND s.province IN (SELECT unnest(?))"
            params.append(list(f.provinces))
        return self.df(
            f"""
            SELECT s.article_id, a.source, a.title, a.date, s.idx, s.header, s.province, s.reason,
                   s.runner_up, s.runner_up_count, sum(p.chars) AS chars
            FROM sections s
            JOIN articles a ON a.id = s.article_id
            JOIN paragraphs p ON p.article_id = s.article_id AND p.section_idx = s.idx
            WHERE s.weak AND {cond}
            GROUP BY ALL
            ORDER BY a.date DESC, a.source, s.article_id, s.idx
            LIMIT ?""",
            [*params, limit],
        )

    def paragraphs_df(self, article_id: str) -> pd.DataFrame:
        return self.df(
            f"""SELECT idx, section_idx, province, reason, chars, {PAR_TEXT} AS text, norm,
                      runner_up, runner_up_count, weak
               FROM paragraphs p WHERE article_id = ? ORDER BY idx""",
            [article_id],
        )

    def overrides(self, article_id: str) -> dict[int, str]:
        rows = (
            self.cur()
            .execute("SELECT section_idx, province FROM overrides WHERE article_id = ?", [article_id])
            .fetchall()
        )
        return {int(i): p for i, p in rows}

    def overrides_for(self, article_ids: Sequence[str]) -> dict[str, dict[int, str]]:
        out: dict[str, dict[int, str]] = {}
        for aid, sidx, prov in (
            self.cur()
            .execute(
                "SELECT article_id, section_idx, province FROM overrides WHERE article_id IN (SELECT unnest(?))",
                [list(article_ids)],
            )
            .fetchall()
        ):
            out.setdefault(aid, {})[int(sidx)] = prov
        return out

    def iter_articles(self, batch: int = 500) -> Iterator[list[dict]]:
        """Stored articles in batches (for rebuild), without loading the corpus at once."""
        ids = [r[0] for r in self.cur().execute("SELECT id FROM articles ORDER BY id").fetchall()]
        for i in range(0, len(ids), batch):
            yield self.article_rows(ids[i : i + batch])

    def article_rows(self, article_ids: Sequence[str]) -> list[dict]:
        """What a re-derivation needs of the given stored articles (text included)."""
        cur = self.cur().execute(
            """SELECT id, source, title, date, date_basis, outlet, fmt, hard_wrapped, text,
                      author, section, url
               FROM articles WHERE id IN (SELECT unnest(?)) ORDER BY id""",
            [list(article_ids)],
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def pins(self) -> pd.DataFrame:
        return self.df("SELECT id, title, kind, data, source_line, filters, created_at FROM pins ORDER BY id")

    def paragraph_count(self) -> int:
        return int(self.scalar("SELECT count(*) FROM paragraphs"))

    def iter_paragraph_rows(self, batch: int = 20_000) -> Iterator[dict[str, list]]:
        """article_id, idx, section_idx, province, date, source, norm of every stored
        paragraph, a batch at a time (recount). Streams on its own cursor, so the caller
        may write meanwhile."""
        rel = self._con.cursor().sql(
            "SELECT article_id, idx, section_idx, province, date, source, norm FROM paragraphs"
        )
        for rb in rel.to_arrow_reader(batch):
            yield {name: rb.column(i).to_pylist() for i, name in enumerate(rb.schema.names)}

    def iter_paragraph_norms(self, batch: int = 50_000) -> Iterator[list[str]]:
        """Every stored paragraph's norm, in batches (counting benchmarks, checks)."""
        rel = self._con.cursor().sql("SELECT norm FROM paragraphs")
        for rb in rel.to_arrow_reader(batch):
            yield rb.column(0).to_pylist()

    def phrase_totals(self) -> dict[str, int]:
        """Dictionary phrase -> hits over the whole store."""
        return dict(self.cur().execute("SELECT phrase, sum(n)::BIGINT FROM hits GROUP BY phrase").fetchall())

    # ---------------------------------------------------------------- insight pages (emerging, audit, speakers, quotes)
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

    def _sums_every(self, f: Filters | None, by: str, distinct: bool = True) -> bool | None:
        """The group_sums rows (every or not) that answer f by `by` exactly; None: read the rows."""
        return group_sums.rows_for(f, by, distinct) if self.group_sums_ready else None

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
