"""Word counts for the word cloud: the top words of a selection, from word_sums where
they answer exactly, else from the word rows (word_lists, or an old dataset's words)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..models import Filters
from .read_base import ReadBase, where


class WordReads(ReadBase):
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
