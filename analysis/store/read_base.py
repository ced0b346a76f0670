"""What every read module shares: the filter condition where(), the group expressions,
the paragraph text expression and ReadBase, the connection helpers every topic mixin
builds on (Store and the Parquet store provide cur()).

Tables carry province, date and source on each row (denormalised at write time), so
filters never need joins over the big tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from ..models import Filters
from . import group_sums

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


class ReadBase:
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

    def _sums_every(self, f: Filters | None, by: str, distinct: bool = True) -> bool | None:
        """The group_sums rows (every or not) that answer f by `by` exactly; None: read the rows."""
        return group_sums.rows_for(f, by, distinct) if self.group_sums_ready else None
