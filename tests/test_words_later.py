"""Themes first, words later (issue 16 item 2): counts queryable before any word row,
and the word rows filled afterwards equal a normal ingest's exactly."""

from __future__ import annotations

import pandas as pd
from helpers import SAMPLE_FILES

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR
from analysis.words_later import fill_words, ingest_themes_first, words_ready

WORDS = "SELECT article_id, province, date, source, word, n FROM words ORDER BY ALL"


def test_themes_first_then_words_equal_a_normal_ingest(empty_engine: Engine, tmp_path) -> None:
    # The normal ingest is made here, next to the themes-first one: rjieba's user words are
    # process-wide, so a store made earlier in the run may have been cut differently.
    from analysis.store import Store

    normal = Engine(Store(tmp_path / "normal.duckdb"), workers=1)
    normal.ingest_paths([SAMPLES_DIR])
    store = empty_engine.store
    results = ingest_themes_first(empty_engine, [SAMPLES_DIR])
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    # Themes are counted and queryable now; no word row yet, and the store says so.
    assert store.phrase_totals() == normal.store.phrase_totals()
    assert store.phrase_totals()["营商环境"] == 106
    assert store.df("SELECT count(*) AS n FROM words")["n"][0] == 0
    assert words_ready(store) is False
    steps: list[tuple[int, int]] = []
    assert fill_words(empty_engine, lambda d, t, _: steps.append((d, t)), batch=2) == 5
    assert steps == [(2, 5), (4, 5), (5, 5)]
    assert words_ready(store) is True
    pd.testing.assert_frame_equal(store.df(WORDS), normal.store.df(WORDS))
    assert len(store.df(WORDS)) == len(normal.store.df(WORDS)) > 1000
    # A second pass finds nothing left to do.
    assert fill_words(empty_engine) == 0
    normal.store.close()


def test_a_normal_ingest_is_ready(empty_engine: Engine) -> None:
    empty_engine.ingest_paths([SAMPLES_DIR / SAMPLE_FILES[0]])
    assert words_ready(empty_engine.store) is True
    assert empty_engine.store.df("SELECT count(*) AS n FROM words")["n"][0] > 0


def test_pages_say_words_are_being_prepared_until_filled(tmp_path) -> None:
    from helpers import open_page

    from analysis.settings import Settings
    from analysis.store import Store
    from app_pages import _state as S

    path = tmp_path / "later.duckdb"
    store = Store(path)
    ingest_themes_first(Engine(store, workers=1), [SAMPLES_DIR])
    store.close()
    S.use_settings(Settings(db=path, workers=1), strict=True)
    try:
        notice = "词语仍在准备中"
        for page in ("wordcloud", "compare"):
            at = open_page(f"app_pages/{page}.py")
            assert any(notice in i.value for i in at.info), page
        assert fill_words(S.ws().engine) == 5
        for page in ("wordcloud", "compare"):
            at = open_page(f"app_pages/{page}.py")
            assert not any(notice in i.value for i in at.info), page
    finally:
        S.use_settings(None)


def test_cli_ingest_words_later(tmp_path, capsys) -> None:
    from analysis.cli import main
    from analysis.store import Store

    db = tmp_path / "cli.duckdb"
    assert main(["ingest", str(SAMPLES_DIR), "--db", str(db), "--words-later", "-q"]) == 0
    from analysis.store import _OPEN

    for key in [k for k in _OPEN if k[0] == str(db.resolve())]:
        _OPEN.pop(key).close()  # the CLI's process-wide connection, closed to reopen here
    store = Store(db, read_only=True)
    assert words_ready(store) is True
    assert store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 5
    store.close()
