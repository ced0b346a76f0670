"""Passage search: the newest paragraphs under a filter that hold a theme or a term,
read newest days first so a large store does not read every paragraph's text."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..models import Filters
from .read_base import ReadBase, where

# Days back from the newest paragraph that a passage search reads first (PassageReads._passages).
PASSAGE_WINDOWS = (7, 92)


class PassageReads(ReadBase):
    def passages_with_theme(self, f: Filters | None, theme_id: str, limit: int = 200) -> pd.DataFrame:
        """The newest `limit` paragraphs under f holding theme_id (the columns _passages
        gives). The hit rows carry each paragraph's date, source and province, so the
        newest are picked there and only those paragraphs are read (filtering all 1 M paragraphs took 0.35-0.45 s at 100k).
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
