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


def paragraphs_of(store, article_ids: Sequence[str]) -> pa.Table:
    """article_id, province, date, source, norm of the articles' paragraphs, in order."""
    return (
        store.cur()
        .cursor()
        .sql(
            """SELECT article_id, province, date, source, norm FROM paragraphs
               WHERE article_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY article_id, idx""",
            params=[list(article_ids)],
        )
        .to_arrow_table()
    )
