"""Reads for filling words after themes (analysis/words_later.py): which articles have no
word rows yet, and their paragraphs in order. Writes go through Store.add_tables."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

WORDS_READY = "words_ready"  # store_meta key: "0" while word rows are still being filled

_WITHOUT_WORDS = """NOT EXISTS (SELECT 1 FROM word_lists w WHERE w.article_id = a.id)
             AND EXISTS (SELECT 1 FROM paragraphs p WHERE p.article_id = a.id)"""


def articles_without_words(store) -> list[str]:
    """Ids of stored articles with paragraphs but no word rows (oldest first)."""
    rows = (
        store.cur()
        .execute(f"SELECT a.id FROM articles a WHERE {_WITHOUT_WORDS} ORDER BY a.ingested_at, a.id")
        .fetchall()
    )
    return [r[0] for r in rows]


def paragraph_spans(store, article_ids: Sequence[str]) -> list[tuple[str, int, int, int]]:
    """(article id, first and last rowid of its paragraphs, their number) for the articles with
    paragraphs, in stored order: one scan for a whole fill, so that each read of it
    (paragraphs_of) scans only the row groups between (at 1M articles every read of
    2,000 articles scanned 16 M paragraph rows). Rowids stay as they are until a
    checkpoint compacts deleted rows away; a read that then finds fewer rows than counted
    here is made again without the span (words_later._batches)."""
    rows = (
        store.cur()
        .execute(
            """SELECT article_id, min(rowid), max(rowid), count(*) FROM paragraphs
               WHERE article_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY article_id ORDER BY 2""",
            [list(article_ids)],
        )
        .fetchall()
    )
    return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


def paragraphs_of(store, article_ids: Sequence[str], rowids: tuple[int, int] | None = None) -> pa.Table:
    """article_id, province, date, source, norm of the articles' paragraphs, in order;
    rowids: the span holding all of them (paragraph_spans), scanned instead of the table."""
    span, params = ("rowid BETWEEN ? AND ? AND", list(rowids)) if rowids else ("", [])
    return (
        store.cur()
        .cursor()
        .sql(
            f"""SELECT article_id, province, date, source, norm FROM paragraphs
               WHERE {span} article_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY article_id, idx""",
            params=[*params, list(article_ids)],
        )
        .to_arrow_table()
    )
