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


def counts_table(
    store: Store,
    f: Filters | None,
    by: str = "province",
    theme_ids: Sequence[str] | None = None,
    terms: Sequence[str] | None = None,
    names: bool = True,
) -> pd.DataFrame:
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
        raw = raw.assign(
            chars=int(chars["chars"].sum()) if len(chars) else 0,
            articles=int(chars["articles"].sum()) if len(chars) else 0,
        )
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
        yield text[max(0, i - width) : i], term, text[i + len(term) : i + len(term) + width]
        start = i + len(term)


def passages(
    store: Store,
    f: Filters | None,
    theme_id: str | None = None,
    term: str | None = None,
    matcher: Matcher | None = None,
    width: int = 30,
    limit: int = 200,
) -> pd.DataFrame:
    """One row per occurrence: where it is, and (before, match, after) around it."""
    rows = []
    if term:
        term = clean_terms([term])[0] if clean_terms([term]) else ""
        if not term:
            return pd.DataFrame(
                columns=["article_id", "title", "date", "province", "par_idx", "before", "match", "after"]
            )
        paras = store.passages_with_term(f, term, limit)
        for r in paras.itertuples():
            for before, match, after in kwic(r.norm, term, width):
                rows.append(
                    (r.article_id, r.title, r.source, r.date, r.province, r.par_idx, before, match, after)
                )
    elif theme_id and matcher is not None:
        paras = store.passages_with_theme(f, theme_id, limit)
        for r in paras.itertuples():
            for s, e, tid, phrase in matcher.spans(r.norm):
                if tid == theme_id:
                    rows.append(
                        (
                            r.article_id,
                            r.title,
                            r.source,
                            r.date,
                            r.province,
                            r.par_idx,
                            r.norm[max(0, s - width) : s],
                            phrase,
                            r.norm[e : e + width],
                        )
                    )
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
    return out.sort_values(["theme", "month"], ignore_index=True)[
        ["month", "theme_id", "theme", "count", "chars", "per_10k", "articles"]
    ]


def province_matrix(store: Store, f: Filters | None, value: str = "count", top: int = 15) -> pd.DataFrame:
    """Province × theme table (rows provinces, columns the top themes) of count or per_10k."""
    t = counts_table(store, f, "province")
    if t.empty:
        return pd.DataFrame()
    keep = t.groupby("theme")["count"].sum().sort_values(ascending=False).head(top).index
    m = t[t["theme"].isin(keep)].pivot_table(index="group", columns="theme", values=value, fill_value=0)
    return m[list(keep)].sort_index()


# ---------------------------------------------------------------- article and dictionary pages
def article_theme_counts(store: Store, article_id: str) -> pd.DataFrame:
    """theme_id, theme, category, count, per_10k for one article (themes with hits only)."""
    art = store.article(article_id)
    cols = ["theme_id", "theme", "category", "count", "per_10k"]
    if art is None:
        return pd.DataFrame(columns=cols)
    t = counts_table(store, Filters(sources=(art["source"],)), "article", names=False)
    t = t[t["group"] == article_id].rename(columns={"theme": "theme_id"})
    meta = store.themes_df()[["id", "name", "category"]].rename(columns={"id": "theme_id", "name": "theme"})
    t = t.merge(meta, on="theme_id", how="left")
    t["theme"] = t["theme"].fillna(t["theme_id"])
    return t.sort_values(["count", "theme"], ascending=[False, True], ignore_index=True)[cols]


def highlight_parts(
    text: str, norm: str, spans: Sequence[tuple[int, int, str, str]]
) -> list[tuple[str, str | None]]:
    """Display text cut into (piece, theme_id or None) using match spans found on norm.

    norm is text without whitespace (and possibly converted to Simplified, char for
    char); when the two cannot be aligned, the pieces are cut from norm instead.
    """
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(positions) != len(norm):
        text, positions = norm, list(range(len(norm)))
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, theme_id, _phrase in sorted(spans):
        if start < 0 or end > len(positions) or start >= end:
            continue
        a, b = positions[start], positions[end - 1] + 1
        if a < pos:
            continue
        if a > pos:
            out.append((text[pos:a], None))
        out.append((text[a:b], theme_id))
        pos = b
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def dictionary_hits(store: Store, f: Filters | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per theme: id, name, category, phrases, count, docs; per phrase: theme, phrase, count,
    docs, provinces, first_seen, last_seen), zero rows included, in dictionary order."""
    meta = store.themes_df()
    per_theme = counts_table(store, f, "all", names=False)[["theme", "count", "docs"]].rename(
        columns={"theme": "id"}
    )
    themes = meta[["id", "name", "category"]].assign(phrases=[len(p) for p in meta["phrases"]])
    themes = themes.merge(per_theme, on="id", how="left").fillna({"count": 0, "docs": 0})
    themes[["count", "docs"]] = themes[["count", "docs"]].astype(int)
    rows = [(t.id, t.name, p) for t in meta.itertuples() for p in t.phrases]
    phrases = pd.DataFrame(rows, columns=["theme_id", "theme", "phrase"])
    stats = store.phrase_stats(f)
    phrases = phrases.merge(stats, on=["theme_id", "phrase"], how="left").fillna(
        {"count": 0, "docs": 0, "provinces": 0}
    )
    phrases[["count", "docs", "provinces"]] = phrases[["count", "docs", "provinces"]].astype(int)
    return themes, phrases[
        ["theme_id", "theme", "phrase", "count", "docs", "provinces", "first_seen", "last_seen"]
    ]


# ---------------------------------------------------------------- for the dashboard's analysis pages
def province_ranking(
    store: Store, f: Filters | None, theme_id: str | None = None, term: str | None = None
) -> pd.DataFrame:
    """One theme (or ad-hoc term) per province, zeros included, with what each rate rests on.

    Columns: province, count, docs, chars, articles, per_10k, lo, hi (95% Poisson interval
    per 10,000 characters) and note (a warning when the text is too thin to trust the rate).
    """
    from .stats import poisson_interval, rate_reliability

    if term:
        t = counts_table(store, f, "province", terms=[term])
    else:
        t = counts_table(store, f, "province", theme_ids=[theme_id] if theme_id else None)
        chars = store.chars_by(f, "province")
        t = chars.merge(t.drop(columns=["chars", "articles"]), on="group", how="left")
        t = t.fillna({"count": 0, "docs": 0, "per_10k": 0.0})
    t = t.rename(columns={"group": "province"})
    t["count"] = t["count"].astype(int)
    t["docs"] = t["docs"].astype(int)
    t["chars"] = t["chars"].astype(int)
    t["articles"] = t["articles"].astype(int)
    bounds = [poisson_interval(c, n) for c, n in zip(t["count"], t["chars"])]
    t["lo"] = [b[0] for b in bounds]
    t["hi"] = [b[1] for b in bounds]
    t["note"] = [rate_reliability(n, a) for n, a in zip(t["chars"], t["articles"])]
    cols = ["province", "count", "docs", "chars", "articles", "per_10k", "lo", "hi", "note"]
    return t[cols].sort_values(
        ["count", "per_10k", "province"], ascending=[False, False, True], ignore_index=True
    )


def compare_themes(store: Store, sides: Sequence[tuple[str, Filters]]) -> pd.DataFrame:
    """side, theme, count, chars, per_10k for every theme with a hit on any side (zeros filled)."""
    parts = []
    for label, f in sides:
        t = counts_table(store, f, "all")
        parts.append(t.assign(side=label)[["side", "theme", "count", "chars", "per_10k"]])
    if not parts:
        return pd.DataFrame(columns=["side", "theme", "count", "chars", "per_10k"])
    long = pd.concat(parts, ignore_index=True)
    labels = [s for s, _ in sides]
    chars = {label: int(sum(store.chars_by(f, "all")["chars"])) for label, f in sides}
    grid = pd.MultiIndex.from_product([labels, sorted(long["theme"].unique())], names=["side", "theme"])
    out = long.set_index(["side", "theme"]).reindex(grid).reset_index()
    out["count"] = out["count"].fillna(0).astype(int)
    out["chars"] = out["side"].map(chars).astype(int)
    out["per_10k"] = [per_10k(c, n) for c, n in zip(out["count"], out["chars"])]
    return out


def theme_overlap(table: pd.DataFrame) -> pd.DataFrame:
    """From compare_themes: each theme with the sides it appears on, shared first.

    Columns: theme, where ('共有' or '仅<side>' or '部分'), sides (how many), then one
    count column per side.
    """
    if table.empty:
        return pd.DataFrame(columns=["theme", "where", "sides"])
    wide = table.pivot_table(index="theme", columns="side", values="count", fill_value=0, sort=False)
    labels = list(dict.fromkeys(table["side"]))
    wide = wide[labels].astype(int)
    wide.columns.name = None
    present = wide > 0
    n = present.sum(axis=1)
    where_ = [
        "共有" if k == len(labels) else (f"仅{labels[list(row).index(True)]}" if k == 1 else "部分")
        for k, row in zip(n, present.itertuples(index=False))
    ]
    out = wide.reset_index()
    out.insert(1, "where", where_)
    out.insert(2, "sides", n.to_numpy())
    out = out[out["sides"] > 0]
    out["_total"] = wide.loc[out["theme"]].sum(axis=1).to_numpy()
    return (
        out.sort_values(["sides", "_total", "theme"], ascending=[False, False, True])
        .drop(columns="_total")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- speakers (讲话人)
def speaker_table(store: Store, f: Filters | None = None) -> pd.DataFrame:
    """One row per speaker named in a section header: speaker, office, province, sections,
    articles, chars, first_date, last_date, count (all theme hits in their sections),
    per_10k, top_themes (the three most frequent, as text), note (thin-text warning)."""
    from .stats import MIN_RELIABLE_CHARS

    chars = store.speaker_chars(f)
    cols = [
        "speaker",
        "office",
        "province",
        "sections",
        "articles",
        "chars",
        "first_date",
        "last_date",
        "count",
        "per_10k",
        "top_themes",
        "note",
    ]
    if chars.empty:
        return pd.DataFrame(columns=cols)
    keys = ["speaker", "office", "province"]
    hits = store.speaker_theme_counts(f)
    names = theme_names(store)
    hits = hits.assign(theme=hits["theme_id"].map(names).fillna(hits["theme_id"]))
    totals = hits.groupby(keys, as_index=False)["count"].sum()
    tops = (
        hits.sort_values(["count", "theme"], ascending=[False, True])
        .groupby(keys)
        .apply(
            lambda g: "、".join(f"{t}（{c}）" for t, c in zip(g["theme"].head(3), g["count"].head(3))),
            include_groups=False,
        )
        .rename("top_themes")
        .reset_index()
    )
    out = chars.merge(totals, on=keys, how="left").merge(tops, on=keys, how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    out["top_themes"] = out["top_themes"].fillna("")
    out["per_10k"] = [per_10k(c, n) for c, n in zip(out["count"], out["chars"])]
    # one speech is the unit here, so only the length of the text is judged
    out["note"] = [f"仅 {n} 字，频次不稳定" if n < MIN_RELIABLE_CHARS else "" for n in out["chars"]]
    return out.sort_values(["province", "speaker"], ignore_index=True)[cols]


def speaker_themes(store: Store, f: Filters | None, speakers: Sequence[str], top: int = 10) -> pd.DataFrame:
    """speaker, theme, count, chars, per_10k, rank for each chosen speaker's top themes
    (a theme in any chosen speaker's top list is shown for all of them, zeros included)."""
    hits = store.speaker_theme_counts(f)
    hits = hits[hits["speaker"].isin(list(speakers))]
    chars = store.speaker_chars(f)
    chars = chars[chars["speaker"].isin(list(speakers))].groupby("speaker")["chars"].sum()
    cols = ["speaker", "theme", "count", "chars", "per_10k", "rank"]
    if hits.empty:
        return pd.DataFrame(columns=cols)
    names = theme_names(store)
    by = hits.groupby(["speaker", "theme_id"], as_index=False)["count"].sum()
    by["rank"] = by.groupby("speaker")["count"].rank(method="first", ascending=False).astype(int)
    keep = sorted(set(by.loc[by["rank"] <= top, "theme_id"]))
    grid = pd.MultiIndex.from_product([list(speakers), keep], names=["speaker", "theme_id"]).to_frame(
        index=False
    )
    out = grid.merge(by.drop(columns="rank"), on=["speaker", "theme_id"], how="left").fillna({"count": 0})
    out["count"] = out["count"].astype(int)
    out["chars"] = out["speaker"].map(chars).fillna(0).astype(int)
    out["per_10k"] = [per_10k(c, n) for c, n in zip(out["count"], out["chars"])]
    out["theme"] = out["theme_id"].map(names).fillna(out["theme_id"])
    out = out.sort_values(["speaker", "count", "theme"], ascending=[True, False, True], ignore_index=True)
    out["rank"] = out.groupby("speaker").cumcount() + 1
    return out[cols]
