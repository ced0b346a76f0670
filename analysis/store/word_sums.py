"""word_sums: the words table summed per province × word, kept in step with it.

At a million articles the words table holds 280 M rows (article × province × word), and a
word cloud or the distinctive words of a province scanned all of them (0.7-1.5 s per
query, docs/SCALING.md). Summed per province × word they are about 170 k rows.

The sums are kept as deltas in the transaction that changes the words: every append of
word rows adds its own sums, every delete of an article's word rows first adds the
negated sums of those rows (Store._insert, replace_derived, delete_article). Deltas pile
up as rows with the same key, so readers always sum them (GROUP BY), and compact() folds
them into one row per key now and then. rows counts word rows, so within one province it
is the number of articles that use the word (each article has one row per province ×
word); across provinces it is not, and readers use the sums only for one province.

Dates, sources and outlets are not in the key: a view filtered by them reads the words
table as before. migrate() builds the sums once for stores made before them.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

READY = "word_sums"  # store_meta: "1" once built; a Parquet dataset or an old read-only file has none
COMPACT_AFTER = 2_000_000  # delta rows appended before they are folded together

_ADD = """INSERT INTO word_sums (province, word, n, rows)
          SELECT province, word, sum(n)::BIGINT, count(*)::BIGINT FROM {src} GROUP BY province, word"""
_REMOVE = """INSERT INTO word_sums (province, word, n, rows)
             SELECT province, word, -sum(n)::BIGINT, -count(*)::BIGINT FROM words
             WHERE {where} GROUP BY province, word"""


def unnested(src: str) -> str:
    """A relation of word_lists rows as one row per word (what the view `words` is)."""
    return f"(SELECT province, unnest(words) AS word, unnest(ns) AS n FROM {src})"


def _count(cur: duckdb.DuckDBPyConnection) -> int:
    rows = cur.fetchall()
    return int(rows[0][0]) if rows else 0


def add(cur: duckdb.DuckDBPyConnection, src: str, params: Sequence = ()) -> int:
    """Sums of the word rows in relation `src` (about to be or just appended); returns the
    delta rows written."""
    cur.execute(_ADD.format(src=src), list(params))
    return _count(cur)


def remove(cur: duckdb.DuckDBPyConnection, where: str, params: Sequence) -> int:
    """Negated sums of the stored word rows matching `where` (call before deleting them)."""
    cur.execute(_REMOVE.format(where=where), list(params))
    return _count(cur)


def catch_up(cur: duckdb.DuckDBPyConnection, article_ids: set[str]) -> None:
    """Add the sums of word rows appended without them (a bulk import's): summed from the
    words table for just those articles, or, when they are a large part of it, all anew
    (one GROUP BY over the table: 1.5 CPU-s at 100k articles)."""
    if most_of_store(cur, len(article_ids)):
        build(cur)
    else:
        add(
            cur,
            "(SELECT * FROM words WHERE article_id IN (SELECT unnest(?::VARCHAR[])))",
            [sorted(article_ids)],
        )


def most_of_store(cur: duckdb.DuckDBPyConnection, n: int) -> bool:
    """Are n articles a quarter of the store or more? Then an import's sums (these and
    group_sums) are made anew in one pass rather than added article by article."""
    return 4 * n >= int(cur.execute("SELECT count(*) FROM articles").fetchall()[0][0])


def compact(cur: duckdb.DuckDBPyConnection) -> None:
    """One row per province × word, keys whose rows sum to nothing dropped."""
    cur.execute(
        """CREATE OR REPLACE TEMP TABLE _word_sums AS
           SELECT province, word, sum(n)::BIGINT AS n, sum(rows)::BIGINT AS rows FROM word_sums
           GROUP BY province, word HAVING sum(rows) <> 0"""
    )
    cur.execute("DELETE FROM word_sums")
    cur.execute("INSERT INTO word_sums SELECT province, word, n, rows FROM _word_sums")
    cur.execute("DROP TABLE _word_sums")


def build(cur: duckdb.DuckDBPyConnection) -> None:
    """The sums made anew from the words table (a store from before them; 20 s at 1M).
    The caller records READY in store_meta (Store.set_meta_value)."""
    cur.execute("DELETE FROM word_sums")
    add(cur, "words")
