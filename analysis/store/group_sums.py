"""group_sums: text, theme and phrase totals per province × date, kept in step with their rows.

At a million articles the dashboard's theme totals read article_themes (12.6 M rows), the
text behind every rate read units (1 M rows) and the 词典体检 page counted distinct
articles per phrase over all 16.5 M hits (2.9 s). The same totals per province × date
[× theme [× phrase]] are 34 k, 2.2 M and 3.3 M rows, and over all provinces at once far fewer.

Each table has rows of two kinds: every = false, one province's sums (province × date × …),
and every = true, province NULL, the same sums over all provinces (date × …). docs
(articles for units) counts distinct articles within its key. An article has one date and
every delta covers whole articles, so those counts add up across deltas and across dates,
and readers sum() them; across provinces they do not (an article with text in two
provinces is one article), which is what the every rows are for. Readers use the sums only
where they give exactly what a scan of the rows gives (rows_for); sources and
outlets are not in the key.

Kept like word_sums: every write of units or hits adds its own sums in its transaction,
every delete first adds the negated sums of the stored rows; compact() folds the deltas.
A bulk import (Store.bulk) sums its articles once at its end instead, from their stored
rows, or all anew when they are much of the store: per batch the sums cost as much as at
the end (0.4 CPU-s per 10k articles), and a large import's deltas must also be folded
several times on the way (a fold of the 5.8 M rows at 1M: 4 CPU-s), against one build
(1M: 40 CPU-s under an import's 2 GB cap, 50 at 512 MB). Meanwhile READY says stale and
readers read the rows, so a killed import leaves sums the next opening makes anew
(migrate), never wrong ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from ..models import Filters

READY = "group_sums"  # store_meta: "1" while the sums are in step with their rows
COMPACT_MIN = 500_000  # delta rows appended before they are folded (or as many as the sums hold)


@dataclass(frozen=True)
class Sums:
    table: str  # the sums table (schema.py)
    source: str  # the stored rows it sums (the rows being written have the same columns)
    keys: tuple[str, ...]  # key columns after province and date
    values: tuple[tuple[str, str], ...]  # (column, aggregate over source rows); the last counts articles

    @property
    def count(self) -> str:
        """The column counting distinct articles: zero exactly when the key has no rows."""
        return self.values[-1][0]


_ARTICLES = "count(DISTINCT article_id)"
UNITS = Sums("unit_sums", "units", (), (("chars", "sum(chars)"), ("articles", _ARTICLES)))
THEMES = Sums("theme_sums", "article_themes", ("theme_id",), (("n", "sum(n)"), ("docs", _ARTICLES)))
PHRASES = Sums("phrase_sums", "hits", ("theme_id", "phrase"), (("n", "sum(n)"), ("docs", _ARTICLES)))
ALL = (UNITS, THEMES, PHRASES)
OF_TABLE = {"units": (UNITS,), "hits": (THEMES, PHRASES)}  # what a batch of these rows adds to


def _count(cur: duckdb.DuckDBPyConnection) -> int:
    rows = cur.fetchall()
    return int(rows[0][0]) if rows else 0


def add(
    cur: duckdb.DuckDBPyConnection, s: Sums, src: str, params: Sequence = (), negate: bool = False
) -> int:
    """Sums of the rows in relation `src` (whole articles), per province and over all
    provinces, or their negation; returns the delta rows written."""
    keys = ", ".join(("date", *s.keys))
    sign = "-" if negate else ""
    vals = ", ".join(f"({sign}{expr})::BIGINT" for _, expr in s.values)
    cols = ", ".join(c for c, _ in s.values)
    # Two scans, not GROUPING SETS: with count(DISTINCT) DuckDB ran those on about one
    # thread (phrase_sums from the 16.5 M hits at 1M: 31.5 s against 16.7 s, load 2).
    cur.execute(
        f"""INSERT INTO {s.table} (every, province, {keys}, {cols})
            SELECT false, province, {keys}, {vals} FROM {src} GROUP BY province, {keys}
            UNION ALL SELECT true, NULL, {keys}, {vals} FROM {src} GROUP BY {keys}""",
        [*params, *params],
    )
    return _count(cur)


def add_articles(cur: duckdb.DuckDBPyConnection, ids: Sequence[str], negate: bool = False) -> int:
    """Every table's sums of these stored articles' rows (negated: call before deleting them)."""
    if not ids:
        return 0
    written = 0
    for s in ALL:
        src = f"(SELECT * FROM {s.source} WHERE article_id IN (SELECT unnest(?::VARCHAR[])))"
        written += add(cur, s, src, [list(ids)], negate)
    return written


def redated(cur: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[str]:
    """Those of these articles whose stored rows carry another date than the article now has
    (the sums are per date; a title edit moves none: at 1M taking its sums out and in again
    cost 0.4 s, this check 0.1 s)."""
    if not ids:
        return []
    rows = cur.execute(
        """SELECT DISTINCT u.article_id FROM units u JOIN articles a ON a.id = u.article_id
           WHERE u.article_id IN (SELECT unnest(?::VARCHAR[])) AND u.date IS DISTINCT FROM a.date""",
        [list(ids)],
    ).fetchall()
    return sorted(r[0] for r in rows)


def compact(cur: duckdb.DuckDBPyConnection) -> int:
    """One row per key, keys whose rows sum to nothing dropped; returns the rows kept."""
    kept = 0
    for s in ALL:
        keys = ", ".join(("every", "province", "date", *s.keys))
        cols = ", ".join(c for c, _ in s.values)
        vals = ", ".join(f"sum({c})::BIGINT AS {c}" for c, _ in s.values)
        cur.execute(
            f"""CREATE OR REPLACE TEMP TABLE _folded AS SELECT {keys}, {vals} FROM {s.table}
                GROUP BY {keys} HAVING sum({s.count}) <> 0"""
        )
        cur.execute(f"DELETE FROM {s.table}")
        cur.execute(f"INSERT INTO {s.table} ({keys}, {cols}) SELECT {keys}, {cols} FROM _folded")
        kept += _count(cur)
        cur.execute("DROP TABLE _folded")
    return kept


def build(cur: duckdb.DuckDBPyConnection, sums: Sequence[Sums] = ALL) -> int:
    """The sums made anew from their rows (a store from before them, a recount, a rebuild).
    The caller records READY in store_meta (Store.set_meta_value)."""
    written = 0
    for s in sums:
        cur.execute(f"DELETE FROM {s.table}")
        written += add(cur, s, s.source)
    return written


def rows_for(f: Filters | None, by: str, distinct: bool = True) -> bool | None:
    """Which rows of a sums table answer f grouped by `by` ('province', 'all', 'month')
    exactly as the stored rows would: every = True or False, or None (read the rows).

    distinct: the answer counts articles. Two provinces' per-province rows count an article
    with text in both twice, so then only sums (n, chars) come from them."""
    f = f or Filters()
    if f.sources or f.outlets or by not in ("province", "all", "month"):
        return None  # not in the key
    if by == "province" or f.provinces:
        return None if distinct and by != "province" and len(f.provinces) > 1 else False
    return True
