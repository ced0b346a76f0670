"""Parsed articles -> Arrow tables shaped like the store's tables (no SQL here).

Pure and picklable, so ingest workers build the tables and the writing process only
appends them: Arrow tables cross the process boundary as a few buffers, where Parsed
objects (thousands of small dataclasses) cost more to pickle than to parse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa

from ..models import Paragraph, Parsed
from .schema import TABLES

S = pa.string()


@lru_cache(maxsize=64)
def _schema(name: str, names: tuple[str, ...]) -> pa.Schema:
    """The Arrow schema of these columns of a table (asked for every batch of every table)."""
    return TABLES[name].arrow_schema(names)


def _table(name: str, cols: dict[str, list]) -> pa.Table:
    """An Arrow table of the given columns, typed and ordered as the store's table.

    Columns left out (ones added to the schema later than this writer) get their
    DEFAULT when inserted, since the INSERT names only the columns present."""
    unknown = set(cols) - set(TABLES[name].names)
    if unknown:
        raise KeyError(f"{name} has no column {sorted(unknown)}")
    schema = _schema(name, tuple(cols))
    lengths = {k: len(v) for k, v in cols.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{name}: columns of unequal length {lengths} (a new column left unfilled?)")
    return pa.Table.from_arrays([pa.array(cols[f.name], f.type) for f in schema], schema=schema)


def columns(name: str) -> dict[str, list]:
    """Empty lists for each column of a table, to fill row by row."""
    return {c: [] for c in TABLES[name].names}


def _array(values: list | pa.Array, kind: pa.DataType) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, kind)


def _runs(
    name: str, per_run: Mapping[str, list | pa.Array], sizes: list[int], per_row: dict[str, list]
) -> pa.Table:
    """A table whose per_run columns hold one value for each run of `sizes` rows (an
    article's id, date and source): repeated by Arrow's take, not as Python lists, which
    was a third of the workers' table building at 28 M word rows (docs/SCALING.md)."""
    unknown = (set(per_run) | set(per_row)) - set(TABLES[name].names)
    if unknown:
        raise KeyError(f"{name} has no column {sorted(unknown)}")
    schema = _schema(name, (*per_run, *per_row))
    rows = sum(sizes)
    lengths = {k: len(v) for k, v in per_row.items()} | {"(rows)": rows}
    if len(set(lengths.values())) > 1 or any(len(v) != len(sizes) for v in per_run.values()):
        raise ValueError(f"{name}: columns of unequal length {lengths} (a new column left unfilled?)")
    if not rows:  # the words of a themes-first batch: no arrays to convert or take
        return schema.empty_table()
    take = pa.array(np.repeat(np.arange(len(sizes), dtype=np.int64), sizes))
    arrays = [
        _array(per_run[f.name], f.type).take(take) if f.name in per_run else pa.array(per_row[f.name], f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


# Columns that are the Section / Paragraph attribute of the same name (the others are derived).
SECTION_FIELDS = (
    "idx",
    "header",
    "province",
    "reason",
    "speaker",
    "office",
    "runner_up",
    "runner_up_count",
    "weak",
)
PARAGRAPH_FIELDS = (
    "idx",
    "section_idx",
    "province",
    "reason",
    "text",
    "norm",
    "runner_up",
    "runner_up_count",
    "weak",
)


def derived_tables(parsed: Sequence[Parsed]) -> dict[str, pa.Table]:
    """sections, paragraphs, hits, units, words rows of parsed articles."""
    # Column by column over the whole batch (attrgetter in C), not per article: an ingest
    # batch is a few dozen short articles, where a list per article and field cost more
    # than the rows in it.
    arts = [p.article for p in parsed]
    per_article = {
        "article_id": [a.id for a in arts],
        "date": [a.date for a in arts],
        "source": [a.source for a in arts],
    }
    # Arrow arrays once, taken by every table's runs.
    art = {f.name: pa.array(per_article[f.name], f.type) for f in _schema("paragraphs", tuple(per_article))}
    sec: dict[str, list] = {c: [] for c in TABLES["sections"].names if c != "article_id"}
    par: dict[str, list] = {c: [] for c in TABLES["paragraphs"].names if c not in art}
    hit: dict[str, list] = {c: [] for c in TABLES["hits"].names if c not in art}
    unit: dict[str, list] = {c: [] for c in TABLES["units"].names if c not in art}

    secs = [s for a in arts for s in a.sections]
    for c in SECTION_FIELDS:
        sec[c] = list(map(attrgetter(c), secs))
    sec["auto_province"] = [s.auto_province or s.province for s in secs]
    sec["auto_reason"] = [s.auto_reason or s.reason for s in secs]

    pars = [q for a in arts for q in a.paragraphs]
    for c in PARAGRAPH_FIELDS:
        par[c] = list(map(attrgetter(c), pars))
    par["chars"] = list(map(len, par["norm"]))
    # A paragraph's text is stored only where it differs from its norm (whitespace or
    # traditional characters): most are equal, and writing every text twice was a fifth
    # of the writer's time and of the store. Readers take coalesce(text, norm) (read_base.PAR_TEXT).
    par["text"] = [None if t == n else t for t, n in zip(par["text"], par["norm"])]

    n_unit: list[int] = []
    for a in arts:
        units: dict[tuple[int, str], list[int]] = {}
        for q in a.paragraphs:
            u = units.setdefault((q.section_idx, q.province), [0, 0])
            u[0] += len(q.norm)
            u[1] += 1
        n_unit.append(len(units))
        for (sidx, prov), (chars, count) in units.items():
            unit["section_idx"].append(sidx)
            unit["province"].append(prov)
            unit["chars"].append(chars)
            unit["paragraphs"].append(count)

    hit_pars: list[Paragraph] = []  # the paragraph of each hit
    for p in parsed:
        if p.hits:
            by_idx = {q.idx: q for q in p.article.paragraphs}
            hit_pars += [by_idx[h[0]] for h in p.hits]
    hits = [h for p in parsed for h in p.hits]
    hit["par_idx"] = [h[0] for h in hits]
    hit["section_idx"] = [q.section_idx for q in hit_pars]
    hit["province"] = [q.province for q in hit_pars]
    hit["theme_id"] = [h[1] for h in hits]
    hit["phrase"] = [h[2] for h in hits]
    hit["n"] = [h[3] for h in hits]

    return {
        "sections": _runs(
            "sections", {"article_id": art["article_id"]}, [len(a.sections) for a in arts], sec
        ),
        "paragraphs": _runs("paragraphs", art, [len(a.paragraphs) for a in arts], par),
        "hits": _runs("hits", art, [len(p.hits) for p in parsed], hit),
        "units": _runs("units", art, n_unit, unit),
        "word_lists": words_table(
            (p.article.id, prov, p.article.date, p.article.source, counts)
            for p in parsed
            for prov, counts in p.words.items()
        ),
    }


def words_table(entries: Iterable[tuple[str, str, Any, str, Mapping[str, int]]]) -> pa.Table:
    """word_lists rows from (article_id, province, date, source, {word: n}) per article ×
    province: what an ingest worker derives and what words_later fills afterwards."""
    cols: dict[str, list] = {"article_id": [], "province": [], "date": [], "source": []}
    offsets = [0]
    words: list[str] = []
    ns: list[int] = []
    for aid, prov, day, src, counts in entries:
        cols["article_id"].append(aid)
        cols["province"].append(prov)
        cols["date"].append(day)
        cols["source"].append(src)
        words += counts.keys()
        ns += counts.values()
        offsets.append(len(words))
    schema = TABLES["word_lists"].arrow_schema()
    off = pa.array(offsets, pa.int32())
    arrays = [pa.array(cols[f.name], f.type) for f in schema if f.name in cols]
    arrays.append(pa.ListArray.from_arrays(off, pa.array(words, pa.string())))
    arrays.append(pa.ListArray.from_arrays(off, pa.array(ns, pa.int32())))
    return pa.Table.from_arrays(arrays, schema=schema)


def article_tables(
    parsed: Sequence[Parsed], fmts: Sequence[tuple[str, bool]] | None = None, now: dt.datetime | None = None
) -> dict[str, pa.Table]:
    """The articles row and every derived row of each parsed article."""
    arts = [p.article for p in parsed]
    fmts = fmts or [("txt", False)] * len(arts)
    now = now or dt.datetime.now()
    cols: dict[str, list] = {
        "id": [a.id for a in arts],
        "sha": [a.sha for a in arts],
        "source": [a.source for a in arts],
        "title": [a.title for a in arts],
        "date": [a.date for a in arts],
        "date_basis": [a.date_basis for a in arts],
        "outlet": [a.outlet for a in arts],
        "fmt": [f[0] for f in fmts],
        "hard_wrapped": [bool(f[1]) for f in fmts],
        "text": [a.text for a in arts],
        "chars": [a.chars for a in arts],
        "ingested_at": [now] * len(arts),
        "author": [a.author for a in arts],
        "section": [a.section for a in arts],
        "url": [a.url for a in arts],
    }
    return {"articles": _table("articles", cols), **derived_tables(parsed)}


def hits_table(cols: dict[str, list]) -> pa.Table:
    return _table("hits", cols)


def recounted_hits(pars: dict[str, list], count: Callable[[str], Mapping[tuple[str, str], int]]) -> pa.Table:
    """hits rows for stored paragraph rows (Reads.iter_paragraph_rows) under a new
    dictionary: count(norm) gives {(theme_id, phrase): n}."""
    hit = columns("hits")
    for aid, idx, sidx, prov, day, src, norm in zip(
        pars["article_id"],
        pars["idx"],
        pars["section_idx"],
        pars["province"],
        pars["date"],
        pars["source"],
        pars["norm"],
    ):
        for (tid, phrase), n in count(norm).items():
            hit["article_id"].append(aid)
            hit["par_idx"].append(idx)
            hit["section_idx"].append(sidx)
            hit["province"].append(prov)
            hit["date"].append(day)
            hit["source"].append(src)
            hit["theme_id"].append(tid)
            hit["phrase"].append(phrase)
            hit["n"].append(n)
    return _table("hits", hit)


def concat(parts: Sequence[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Tables of several batches, table by table."""
    if not parts:
        return {}
    return {name: pa.concat_tables([p[name] for p in parts]) for name in parts[0]}


def without(tables: dict[str, pa.Table], article_ids: set[str]) -> dict[str, pa.Table]:
    """Tables minus the rows of the given articles (duplicates found after parsing)."""
    if not article_ids:
        return tables
    import pyarrow.compute as pc

    drop = pa.array(sorted(article_ids), S)
    out = {}
    for name, tbl in tables.items():
        col = tbl.column("id" if name == "articles" else "article_id")
        out[name] = tbl.filter(pc.invert(pc.is_in(col, value_set=drop)))
    return out
