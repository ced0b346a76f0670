"""Search snippets: where in each found article the searched words first occur."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Store


def first_matches(store: Store, article_ids: Sequence[str], needle: str) -> dict[str, tuple[int, str]]:
    """article id -> (paragraph index, normalised paragraph text) of the first paragraph whose
    text contains needle (the same test list_articles searches with)."""
    if not needle or not article_ids:
        return {}
    rows = (
        store.cur()
        .execute(
            """SELECT article_id, min(idx) AS idx, arg_min(norm, idx) AS norm FROM paragraphs
               WHERE article_id IN (SELECT unnest(?::VARCHAR[])) AND contains(norm, ?)
               GROUP BY article_id""",
            [list(article_ids), needle],
        )
        .fetchall()
    )
    return {str(a): (int(i), str(n)) for a, i, n in rows}
