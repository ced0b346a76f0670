"""What pages and the CLI ask, as DataFrames: totals with rates, trends, passages.

Store reads return raw sums; here they get the text they rest on (chars, articles),
per-10,000-character rates and display names. No SQL here.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd

from .counting import Matcher, clean_terms, per_10k
from .models import Filters
from .store import Store

COUNT_COLUMNS = ["group", "theme", "count", "chars", "per_10k"]


def theme_names(store: Store) -> dict[str, str]:
    t = store.themes_df()
    return dict(zip(t["id"], t["name"]))


def counts_table(store: Store, f: Filters | None, by: str = "province",
                 theme_ids: Sequence[str] | None = None, terms: Sequence[str] | None = None,
                 names: bool = True) -> pd.DataFrame:
    """group, theme, count, chars, per_10k, docs, articles — one row per group × theme.

    With terms, each ad-hoc literal is counted on its own (not the dictionary); every
    group appears for every term, zeros included, so rankings are honest.
    """
    chars = store.chars_by(f, "all" if by == "category" else by)
    if terms:
        terms = clean_terms(terms)
        raw = store.term_counts(f, "all" if by == "category" else by, terms).rename(columns={"term": "theme"})
        grid = chars[["group"]].merge(pd.DataFrame({"theme": terms}), how="cross")
        raw = grid.merge(raw, on=["group", "theme"], how="left").fillna({"count": 0, "docs": 0})
    else:
        raw = store.theme_counts(f, by, theme_ids).rename(columns={"theme_id": "theme"})
        if names:
            raw["theme"] = raw["theme"].map(theme_names(store)).fillna(raw["theme"])
    if by == "category":
        raw = raw.assign(chars=int(chars["chars"].sum()) if len(chars) else 0,
                         articles=int(chars["articles"].sum()) if len(chars) else 0)
    else:
        raw = raw.merge(chars, on="group", how="left")
    raw = raw.fillna({"chars": 0, "articles": 0})
    raw["count"] = raw["count"].astype(int)
    raw["docs"] = raw["docs"].astype(int)
    raw["chars"] = raw["chars"].astype(int)
    raw["articles"] = raw["articles"].astype(int)
    raw["per_10k"] = [per_10k(c, n) for c, n in zip(raw["count"], raw["chars"])]
    out = raw[["group", "theme", "count", "chars", "per_10k", "docs", "articles"]]
    return out.sort_values(["group", "count", "theme"], ascending=[True, False, True], ignore_index=True)


def top_themes(store: Store, f: Filters | None, n: int = 15) -> pd.DataFrame:
    """theme id, name, category, count, docs, per_10k over the whole selection."""
    t = counts_table(store, f, "all", names=False)
    meta = store.themes_df()[["id", "name", "category"]]
    t = t.merge(meta, left_on="theme", right_on="id").drop(columns=["group", "id"])
    return t.sort_values(["count", "name"], ascending=[False, True]).head(n).reset_index(drop=True)


def kwic(text: str, term: str, width: int = 30) -> Iterator[tuple[str, str, str]]:
    """(before, match, after) for each non-overlapping occurrence of term in text."""
    if not term:
        return
    start = 0
    while True:
        i = text.find(term, start)
        if i < 0:
            return
        yield text[max(0, i - width):i], term, text[i + len(term):i + len(term) + width]
        start = i + len(term)


def passages(store: Store, f: Filters | None, theme_id: str | None = None, term: str | None = None,
             matcher: Matcher | None = None, width: int = 30, limit: int = 200) -> pd.DataFrame:
    """One row per occurrence: where it is, and (before, match, after) around it."""
    rows = []
    if term:
        term = clean_terms([term])[0] if clean_terms([term]) else ""
        if not term:
            return pd.DataFrame(columns=["article_id", "title", "date", "province", "par_idx", "before", "match", "after"])
        paras = store.passages_with_term(f, term, limit)
        for r in paras.itertuples():
            for before, match, after in kwic(r.norm, term, width):
                rows.append((r.article_id, r.title, r.source, r.date, r.province, r.par_idx, before, match, after))
    elif theme_id and matcher is not None:
        paras = store.passages_with_theme(f, theme_id, limit)
        for r in paras.itertuples():
            for s, e, tid, phrase in matcher.spans(r.norm):
                if tid == theme_id:
                    rows.append((r.article_id, r.title, r.source, r.date, r.province, r.par_idx,
                                 r.norm[max(0, s - width):s], phrase, r.norm[e:e + width]))
    cols = ["article_id", "title", "source", "date", "province", "par_idx", "before", "match", "after"]
    return pd.DataFrame(rows, columns=cols).head(limit)


def monthly_trend(store: Store, f: Filters | None, theme_ids: Sequence[str]) -> pd.DataFrame:
    """month, theme, count, chars, per_10k for the chosen themes."""
    counts = store.monthly(f, theme_ids)
    chars = store.chars_by(f, "month").rename(columns={"group": "month"})
    names = theme_names(store)
    grid = chars[["month"]].merge(pd.DataFrame({"theme_id": list(theme_ids)}), how="cross")
    out = grid.merge(counts, on=["month", "theme_id"], how="left").merge(chars, on="month", how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    out["theme"] = out["theme_id"].map(names).fillna(out["theme_id"])
    out["per_10k"] = [per_10k(c, n) for c, n in zip(out["count"], out["chars"])]
    return out.sort_values(["theme", "month"], ignore_index=True)[["month", "theme_id", "theme", "count", "chars", "per_10k", "articles"]]


def province_matrix(store: Store, f: Filters | None, value: str = "count", top: int = 15) -> pd.DataFrame:
    """Province × theme table (rows provinces, columns the top themes) of count or per_10k."""
    t = counts_table(store, f, "province")
    if t.empty:
        return pd.DataFrame()
    keep = t.groupby("theme")["count"].sum().sort_values(ascending=False).head(top).index
    m = t[t["theme"].isin(keep)].pivot_table(index="group", columns="theme", values=value, fill_value=0)
    return m[list(keep)].sort_index()
