"""Articles and their parts: the article list, one article with its sections,
paragraphs and overrides, weak sections to check, and the batch iterators rebuild,
recount and export read stored rows through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import pandas as pd

from ..models import Filters
from .read_base import PAR_TEXT, ReadBase, where


class ArticleReads(ReadBase):
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
