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
    # Proof the sums are read: with the word rows gone, one province still has its words and
    # several provinces their top words and counts (only the surplus reads the rows), while a
    # date (not in the sums' key) reads the rows, now empty.
    store = engine.store
    one = Filters(provinces=(S004_PROVINCES[1],))
    two = Filters(provinces=tuple(S004_PROVINCES[:2]))
    want_one = store.word_totals(one, 20, EXCLUDE)
    want_two = store.word_totals(two, 20, EXCLUDE)
    with store.atomic() as cur:
        cur.execute("DELETE FROM words")
    got = store.word_totals(one, 20, EXCLUDE)
    assert len(want_one) == 20 and got.to_dict("list") == want_one.to_dict("list")
    got = store.word_totals(two, 20, EXCLUDE)
    assert got[["word", "count"]].to_dict("list") == want_two[["word", "count"]].to_dict("list")
    assert store.word_totals(Filters(provinces=one.provinces, date_from=dt.date(2000, 1, 1)), 20).empty
