"""Themes first, words later (issue 16 item 2): an ingest that counts themes and writes
every article without segmenting it, then a pass that adds the word rows.

Word segmentation and its rows are most of an ingest (10k articles: 6.2 s without words,
16.0 s with, docs/SCALING.md), so counts become queryable much sooner. The second pass
cuts each article's stored paragraphs per province in paragraph order, joined by
newlines: the text pipeline.derive cuts, so the rows equal those of a normal ingest.
While it runs, store_meta words_ready is "0" and pages can say 词语仍在准备中.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from .engine import Engine, Result, _worker_tools
from .store.rows import _table, columns
from .store.words_fill import WORDS_READY, articles_without_words, paragraphs_of

Progress = Callable[[int, int, str], None]


def words_ready(store) -> bool:
    return store.meta_value(WORDS_READY) != "0"


def ingest_themes_first(
    engine: Engine, paths: Iterable[str | os.PathLike], progress: Progress | None = None
) -> list[Result]:
    """Import without word rows (themes counted and queryable); words_ready becomes "0"."""
    engine.store.set_meta_value(WORDS_READY, "0")
    return engine.ingest_paths(paths, progress, words=False)


def fill_words(engine: Engine, progress: Progress | None = None, batch: int = 200) -> int:
    """Add the word rows of every article that has none, one transaction per batch of
    whole articles; then words_ready. Returns the number of articles filled."""
    store = engine.store
    seg = _worker_tools(tuple(engine.themes), True)[1]
    assert seg is not None
    todo = articles_without_words(store)
    for start in range(0, len(todo), batch):
        ids = todo[start : start + batch]
        texts: dict[tuple[str, str], list[str]] = {}
        meta: dict[str, tuple] = {}
        for aid, prov, day, src, norm in paragraphs_of(store, ids):
            texts.setdefault((aid, prov), []).append(norm)
            meta[aid] = (day, src)
        word = columns("words")
        for (aid, prov), norms in texts.items():
            counts = seg.counts("\n".join(norms))
            k = len(counts)
            word["article_id"] += [aid] * k
            word["province"] += [prov] * k
            word["date"] += [meta[aid][0]] * k
            word["source"] += [meta[aid][1]] * k
            word["word"] += list(counts.keys())
            word["n"] += list(counts.values())
        store.add_tables({"words": _table("words", word)})
        if progress:
            progress(min(len(todo), start + batch), len(todo), "")
    store.set_meta_value(WORDS_READY, None)
    return len(todo)
