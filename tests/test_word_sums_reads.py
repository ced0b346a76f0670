"""One province's word totals come from word_sums, and equal a scan of the word rows
after every kind of write (import, delete, an editor's province, rebuild)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from helpers import S000, S004, S004_PROVINCES

from analysis.engine import Engine
from analysis.models import Filters
from analysis.store import Store

EXCLUDE = ["发展", "湖北"]


def _scanned(store: Store, province: str, limit: int = 5000):
    """The words scan word_totals made before word_sums."""
    return store.df(
        """SELECT word, sum(n)::BIGINT AS count, count(*) AS docs FROM words
           WHERE province = ? AND word NOT IN (SELECT unnest(?::VARCHAR[]))
           GROUP BY word ORDER BY count DESC, word LIMIT ?""",
        [province, EXCLUDE, limit],
    )


def _across(store: Store, provinces: tuple[str, ...], limit: int):
    """Several provinces (or all): docs are distinct articles, counted here the slow way."""
    cond = "province IN (SELECT unnest(?))" if provinces else "len(?) = 0"
    return store.df(
        f"""SELECT word, sum(n)::BIGINT AS count, count(DISTINCT article_id) AS docs FROM words
            WHERE {cond} AND word NOT IN (SELECT unnest(?::VARCHAR[]))
            GROUP BY word ORDER BY count DESC, word LIMIT ?""",
        [list(provinces), EXCLUDE, limit],
    )


def _all_equal(store: Store) -> int:
    provinces = [r[0] for r in store.cur().execute("SELECT DISTINCT province FROM words").fetchall()]
    for prov in provinces:
        for limit in (5, 5000):
            got = store.word_totals(Filters(provinces=(prov,)), limit, EXCLUDE)
            assert got.to_dict("list") == _scanned(store, prov, limit).to_dict("list"), prov
    for several in ((), ("广东", "湖北"), tuple(S004_PROVINCES)):
        for limit in (5, 300):
            got = store.word_totals(Filters(provinces=several), limit, EXCLUDE)
            assert got.to_dict("list") == _across(store, several, limit).to_dict("list"), several
    return len(provinces)


@pytest.fixture
def engine(tmp_path, sample_db):
    path = tmp_path / "sums.duckdb"
    shutil.copy(sample_db, path)
    store = Store(path)
    yield Engine(store, workers=1)
    store.close()


def test_word_totals_of_one_province_equal_the_word_rows(engine):
    store = engine.store
    assert store.word_sums_ready
    assert _all_equal(store) >= 20
    gd = store.word_totals(Filters(provinces=("广东",)), 3, EXCLUDE)
    assert gd["word"].tolist() == _scanned(store, "广东", 3)["word"].tolist() and gd["docs"].min() >= 1
    aid = store.scalar("SELECT id FROM articles WHERE source = ?", [S004])
    # An editor moves a section of sample 004 to another province; then an article goes.
    sec = int(store.scalar("SELECT min(idx) FROM sections WHERE article_id = ? AND province = '湖北'", [aid]))
    engine.override_section(aid, sec, "西藏")
    assert _all_equal(store) >= 20
    assert store.word_totals(Filters(provinces=("西藏",)), 5, EXCLUDE).shape[0] == 5
    assert store.delete_article(store.scalar("SELECT id FROM articles WHERE source = ?", [S000]))
    assert _all_equal(store) >= 20
    engine.rebuild()
    assert _all_equal(store) >= 20


def test_the_sums_answer_only_what_they_hold(engine):
    # Proof the sums are read: a word put into word_sums alone shows for one province and
    # leads several provinces' top words (only their surplus reads the word rows), while a
    # date (not in the sums' key) reads the word rows, which do not have it.
    store = engine.store
    prov = S004_PROVINCES[1]
    with store.atomic() as cur:
        cur.execute("INSERT INTO word_sums VALUES (?, '只在汇总里', 100000, 7)", [prov])
    got = store.word_totals(Filters(provinces=(prov,)), 3, EXCLUDE)
    assert got.iloc[0].tolist() == ["只在汇总里", 100000, 7]
    two = store.word_totals(Filters(provinces=tuple(S004_PROVINCES[:2])), 3, EXCLUDE)
    assert two.iloc[0].tolist() == ["只在汇总里", 100000, 7]
    dated = Filters(provinces=(prov,), date_from=dt.date(2000, 1, 1))
    assert "只在汇总里" not in set(store.word_totals(dated, 5000, EXCLUDE)["word"])
