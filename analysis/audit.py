"""Dictionary audit: does every theme and every phrase count what the editor thinks it does?

Per phrase: hits, articles, provinces (全国 not counted), first and last date, three
matched contexts to spot false positives, and flags (never seen; nested inside another
theme's phrase, where the longer one wins; a two-character phrase, the usual source of
false hits). Per theme: the same totals, phrases without hits, and whether the theme was
seen at all. All from stored hits; no recount.

A phrase that often sits inside longer words (法治 in 法治化) comes with suggested
exclusions (`Audit.exclusions`); with_exclusion returns the dictionary with one added,
ready to save like any dictionary edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from .models import Filters, Theme
from .queries import kwic
from .themes import ThemeError, validate

CONTEXTS = 3
WIDTH = 15
WORD_SAMPLE = 100  # counted paragraphs per phrase read for the words a phrase sits inside
INSIDE_SHARE = 0.25  # from this share of occurrences inside longer words, a phrase is flagged
SUGGESTIONS = 5  # longer words offered as exclusions per flagged phrase
EXCLUSION_COLUMNS = ["theme_id", "theme", "phrase", "word", "n", "seen"]


@dataclass
class Audit:
    themes: (
        pd.DataFrame
    )  # id, name, category, phrases, count, docs, provinces, first_seen, last_seen, unused_phrases
    phrases: pd.DataFrame  # theme_id, theme, category, phrase, count, docs, provinces, first_seen, last_seen, contexts, inside, notes
    unused: pd.DataFrame  # themes with no hits: id, name, category, phrases
    nested: pd.DataFrame  # short, short_theme, long, long_theme, long_count
    # theme_id, theme, phrase, word (a longer word the phrase was counted inside), n, seen
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXCLUSION_COLUMNS))


def nestings(meta: pd.DataFrame) -> pd.DataFrame:
    """Every phrase that sits inside another theme's phrase: short, short_theme, long, long_theme."""
    owner = {p: t for t, ps in zip(meta["id"], meta["phrases"]) if ps is not None for p in ps}
    rows = [
        (s, owner[s], lng, owner[lng])
        for s in owner
        for lng in owner
        if s != lng and s in lng and owner[s] != owner[lng]
    ]
    return pd.DataFrame(sorted(rows), columns=["short", "short_theme", "long", "long_theme"])


def _contexts(
    samples: pd.DataFrame, matcher=None, per_phrase: int = CONTEXTS
) -> dict[tuple[str, str], list[str]]:
    """(theme_id, phrase) -> up to per_phrase "前文【词】后文" lines where it was counted."""
    out: dict[tuple[str, str], list[str]] = {}
    for r in samples.itertuples(index=False):
        key = (r.theme_id, r.phrase)
        lines = out.setdefault(key, [])
        if len(lines) >= per_phrase:
            continue
        norm = r.norm or ""
        if matcher is not None:  # the very spot the dictionary counted (leftmost-longest)
            spans = [(s, e) for s, e, tid, ph in matcher.spans(norm) if tid == r.theme_id and ph == r.phrase]
            found = [(norm[max(0, s - WIDTH) : s], r.phrase, norm[e : e + WIDTH]) for s, e in spans[:1]]
        else:
            found = list(kwic(norm, r.phrase, WIDTH))[:1]
        for before, match, after in found:
            lines.append(f"{before}【{match}】{after}")
    return out


def inside_words(
    samples: pd.DataFrame, phrases: list[str], cut
) -> tuple[dict[str, list[tuple[str, int]]], dict[str, int]]:
    """(phrase -> the longer words of the segmentation it occurred inside, most frequent
    first (法治 in 法治化, 依法治理; 消费 in 消费者), phrase -> occurrences read)."""
    wanted = set(phrases)
    seen: dict[str, dict[str, int]] = {}
    total: dict[str, int] = {}
    for ph, norm in zip(samples["phrase"], samples["norm"]):
        if ph not in wanted:
            continue
        for tok in cut(norm or ""):
            if ph in tok:
                total[ph] = total.get(ph, 0) + 1
                if tok != ph:
                    seen.setdefault(ph, {})[tok] = seen.setdefault(ph, {}).get(tok, 0) + 1
    return {
        ph: sorted(((w, n) for w, n in seen.get(ph, {}).items()), key=lambda x: (-x[1], x[0])) for ph in total
    }, total


def exclusion_suggestions(
    phrases: pd.DataFrame, words: dict[str, list[tuple[str, int]]], seen: dict[str, int]
) -> pd.DataFrame:
    """For every flagged phrase (notes set), the longer words it was counted inside, most
    frequent first: candidates for `exclude:`. Words that are dictionary phrases themselves
    are nestings, not exclusions, and are left out."""
    known = set(phrases["phrase"])
    rows = [
        (tid, theme, p, w, n, seen.get(p, 0))
        for tid, theme, p, note in zip(
            phrases["theme_id"], phrases["theme"], phrases["phrase"], phrases["notes"]
        )
        if note
        for w, n in [x for x in words.get(p, []) if x[0] not in known][:SUGGESTIONS]
    ]
    out = pd.DataFrame(rows, columns=EXCLUSION_COLUMNS)
    # most telling first: the words that take the largest share of a phrase's occurrences
    share = out["n"] / out["seen"].where(out["seen"] > 0, 1)
    return out.iloc[share.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)


def with_exclusion(themes: Sequence[Theme], theme_id: str, word: str) -> list[Theme]:
    """themes with word added to theme_id's exclusions; ThemeError (Chinese reasons) when
    the result would be an invalid dictionary, e.g. the word holds another theme's phrase."""
    word = word.strip()
    out = [
        replace(t, exclude=tuple(dict.fromkeys((*t.exclude, word)))) if t.id == theme_id else t
        for t in themes
    ]
    if out == list(themes) and not any(t.id == theme_id for t in themes):
        raise ThemeError([f"词典中没有编号为 {theme_id} 的主题"])
    rep = validate(out)
    if not rep.ok:
        raise ThemeError(rep.errors)
    return out


def audit(store, f: Filters | None = None, matcher=None, per_phrase: int = CONTEXTS) -> Audit:
    """The audit of the store's dictionary under the filters (see the module docstring)."""
    meta = store.themes_df()
    names = dict(zip(meta["id"], meta["name"]))
    cats = dict(zip(meta["id"], meta["category"]))
    rows = [(t, p) for t, ps in zip(meta["id"], meta["phrases"]) if ps is not None for p in ps]
    phrases = pd.DataFrame(rows, columns=["theme_id", "phrase"])
    stats = store.hit_stats(f, "phrase")
    phrases = phrases.merge(stats, on=["theme_id", "phrase"], how="left")
    for col in ("first_seen", "last_seen"):
        phrases[col] = [d.date() if hasattr(d, "date") and not pd.isna(d) else None for d in phrases[col]]
    phrases[["count", "docs", "provinces"]] = phrases[["count", "docs", "provinces"]].fillna(0).astype(int)
    phrases.insert(1, "theme", phrases["theme_id"].map(names))
    phrases.insert(2, "category", phrases["theme_id"].map(cats))
    # One read serves both: a phrase's first per_phrase samples are the first rows of its
    # WORD_SAMPLE (min_by keeps them in one fixed order), and each read scans every hit.
    samples = store.hit_samples(f, max(per_phrase, WORD_SAMPLE))
    first = samples.groupby(["theme_id", "phrase"], sort=False).head(per_phrase)
    ctx = _contexts(first.reset_index(drop=True), matcher, per_phrase)
    phrases["contexts"] = [ctx.get((t, p), []) for t, p in zip(phrases["theme_id"], phrases["phrase"])]

    from .emerging import raw_tokenizer

    cut = raw_tokenizer(tuple(sorted(phrases["phrase"])))
    words, seen = inside_words(samples, list(phrases["phrase"]), cut)
    phrases["inside"] = ["、".join(f"{w}（{n}）" for w, n in words.get(p, [])[:3]) for p in phrases["phrase"]]
    inside_share = {p: sum(n for _, n in ws) / seen[p] for p, ws in words.items() if seen.get(p)}

    nest = nestings(meta)
    long_counts = dict(zip(phrases["phrase"], phrases["count"]))
    nest["long_count"] = [int(long_counts.get(x, 0)) for x in nest["long"]]
    nest["short_theme"] = nest["short_theme"].map(names)
    nest["long_theme"] = nest["long_theme"].map(names)
    inside = (
        nest.groupby("short")
        .apply(
            lambda g: "、".join(f"“{lng}”（{t}）" for lng, t in zip(g["long"], g["long_theme"])),
            include_groups=False,
        )
        .to_dict()
        if len(nest)
        else {}
    )
    flags = []
    for p, c in zip(phrases["phrase"], phrases["count"]):
        fl = []
        if c == 0:
            fl.append("未出现")
        if p in inside:
            fl.append(f"包含在{inside[p]}中，那里只计长词")
        if c > 0 and inside_share.get(p, 0) >= INSIDE_SHARE:
            fl.append(f"{inside_share[p]:.0%} 出现在更长的词里，请看例句核对是否误计")
        elif len(p) == 2 and c > 0:
            fl.append("两字词，请看例句核对是否误计")
        flags.append("；".join(fl))
    phrases["notes"] = flags
    phrases = phrases[
        [
            "theme_id",
            "theme",
            "category",
            "phrase",
            "count",
            "docs",
            "provinces",
            "first_seen",
            "last_seen",
            "contexts",
            "inside",
            "notes",
        ]
    ]

    per_theme = store.hit_stats(f, "theme").rename(columns={"theme_id": "id"})
    themes = meta[["id", "name", "category"]].assign(
        phrases=[len(p) if p is not None else 0 for p in meta["phrases"]]
    )
    themes = themes.merge(per_theme, on="id", how="left")
    for col in ("first_seen", "last_seen"):
        themes[col] = [d.date() if hasattr(d, "date") and not pd.isna(d) else None for d in themes[col]]
    themes[["count", "docs", "provinces"]] = themes[["count", "docs", "provinces"]].fillna(0).astype(int)
    unused_phrases = phrases[phrases["count"] == 0].groupby("theme_id")["phrase"].agg("、".join)
    themes["unused_phrases"] = themes["id"].map(unused_phrases).fillna("")
    unused = themes[themes["count"] == 0][["id", "name", "category", "phrases"]].reset_index(drop=True)
    return Audit(
        themes,
        phrases,
        unused,
        nest[["short", "short_theme", "long", "long_theme", "long_count"]],
        exclusion_suggestions(phrases, words, seen),
    )
