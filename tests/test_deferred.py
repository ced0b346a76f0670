"""store/deferred.py: which articles the end of a bulk import sums (and whether all anew),
and Store.bulk using it: nested blocks, the 'large import' answer, a failed end."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from analysis.engine import prepare
from analysis.ingest import RawDoc
from analysis.pipeline import Meta
from analysis.store import Store, group_sums, word_sums
from analysis.store.deferred import GROUPS, WORDS, DeferredSums, Pending
from analysis.store.rows import article_tables
from analysis.themes import load_themes

THEMES = tuple(load_themes())
DAY = dt.date(2024, 3, 5)
# Eight short articles, each with text in two provinces (one text each: distinct ids).
LINES = [
    "广东持续优化营商环境，推动高质量发展。",
    "广东培育新质生产力，民营经济加快发展。",
    "广东推进科技创新，建设现代化产业体系。",
    "广东深化改革开放，扩大高水平对外开放。",
    "广东发展低空经济，海洋经济再提速。",
    "广东推动乡村振兴，城乡融合发展。",
    "广东加强生态保护，推动绿色低碳转型。",
    "广东稳就业促消费，民生福祉持续增进。",
]
HUBEI = "湖北加快发展新质生产力，优化营商环境。"

WORD_SUMS = """SELECT province, word, sum(n)::BIGINT, sum(rows)::BIGINT FROM word_sums
               GROUP BY ALL HAVING sum(rows) <> 0 ORDER BY ALL"""
WORD_TRUTH = """SELECT province, word, sum(n)::BIGINT, count(*)::BIGINT FROM words
                GROUP BY ALL ORDER BY ALL"""
UNIT_SUMS = """SELECT province, date, sum(chars)::BIGINT, sum(articles)::BIGINT FROM unit_sums
               WHERE NOT every GROUP BY ALL HAVING sum(articles) <> 0 ORDER BY ALL"""
UNIT_TRUTH = """SELECT province, date, sum(chars)::BIGINT, count(DISTINCT article_id)::BIGINT
                FROM units GROUP BY ALL ORDER BY ALL"""


def ids(*names: str) -> pa.ChunkedArray:
    return pa.chunked_array([list(names)])


def test_outside_a_bulk_import_nothing_is_deferred() -> None:
    d = DeferredSums()
    assert not d.running
    assert d.defer(WORDS, ids("a")) is False
    assert d.make_anew(GROUPS) is False
    assert d.summed(WORDS, ("b", "a")) == ["b", "a"]
    assert d.summed(GROUPS, ["a"]) == ["a"]
    assert d.end() == {WORDS: Pending(), GROUPS: Pending()}
    assert not d.running


def test_a_bulk_import_records_each_kind_apart_until_its_end() -> None:
    d = DeferredSums()
    d.begin(every_article=False)
    assert d.running
    assert d.defer(WORDS, pa.chunked_array([["a", "b"], ["a"]])) is True
    assert d.defer(GROUPS, ids("c")) is True
    assert d.summed(WORDS, ["a", "c", "b", "d"]) == ["c", "d"]
    assert d.summed(GROUPS, ["a", "c", "b", "d"]) == ["a", "b", "d"]
    assert d.end() == {WORDS: Pending({"a", "b"}, False), GROUPS: Pending({"c"}, False)}
    assert not d.running and d.summed(WORDS, ["a"]) == ["a"]
    assert d.end() == {WORDS: Pending(), GROUPS: Pending()}  # ended once: nothing left


def test_a_rebuild_or_a_recount_meanwhile_has_the_end_make_them_anew() -> None:
    d = DeferredSums()
    d.begin(every_article=True)
    d.defer(WORDS, ids("a"))
    assert d.summed(WORDS, ["a", "b"]) == [] and d.summed(GROUPS, ["a", "b"]) == []
    assert d.end() == {WORDS: Pending({"a"}, True), GROUPS: Pending(set(), True)}
    d.begin(every_article=False)
    assert d.make_anew(GROUPS) is True  # a recount: group_sums only
    assert d.summed(GROUPS, ["x"]) == [] and d.summed(WORDS, ["x"]) == ["x"]
    assert d.end() == {WORDS: Pending(set(), False), GROUPS: Pending(set(), True)}
    d.begin(every_article=False, stale=[WORDS])  # an earlier import's end failed
    d.defer(WORDS, ids("a"))
    assert d.summed(WORDS, ["a", "b"]) == [] and d.summed(GROUPS, ["a", "b"]) == ["a", "b"]
    assert d.end() == {WORDS: Pending({"a"}, True), GROUPS: Pending(set(), False)}


def _parsed(i: int):
    text = f"## 广东\n\n{LINES[i]}\n\n## 湖北\n\n{HUBEI}"
    return prepare(RawDoc(f"{i}.txt", text, "txt", DAY), Meta(date=DAY), None, THEMES)


def _in_step(store: Store) -> None:
    cur = store.cur()
    assert cur.execute(WORD_SUMS).fetchall() == cur.execute(WORD_TRUTH).fetchall()
    units = cur.execute(UNIT_TRUTH).fetchall()
    assert cur.execute(UNIT_SUMS).fetchall() == units
    assert [(p, n) for p, _, _, n in units] == [
        ("广东", store.article_count()),
        ("湖北", store.article_count()),
    ]


def _ready(store: Store) -> tuple:
    return (
        store.meta_value(word_sums.READY),
        store.meta_value(group_sums.READY),
        store.word_sums_ready,
        store.group_sums_ready,
    )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "d.duckdb")
    yield s
    s.close()


@pytest.fixture
def sorted_at(store: Store, monkeypatch) -> list[int]:
    """The article counts at which a bulk import's end sorted the paragraphs (it does when
    _end_bulk_sums says the import wrote much of the store)."""
    seen: list[int] = []
    monkeypatch.setattr(store, "_sort_paragraphs", lambda: seen.append(store.article_count()))
    return seen


def test_nested_blocks_join_the_outer_one_whose_end_says_whether_it_was_large(
    store: Store, sorted_at: list[int]
) -> None:
    with store.bulk():
        with store.bulk():
            store.add([_parsed(i) for i in range(5)])
        assert store._deferred.running  # the inner end summed nothing
        assert _ready(store) == ("0", "0", False, False)
    assert _ready(store) == ("1", "1", True, True) and sorted_at == [5]  # the first import: large
    _in_step(store)
    with store.bulk():
        store.add([_parsed(5)])  # 1 of 6: less than a quarter
    assert sorted_at == [5]
    _in_step(store)
    with store.bulk():
        store.add([_parsed(6), _parsed(7)])  # 2 of 8: a quarter
    assert sorted_at == [5, 8]
    _in_step(store)
    with store.bulk(every_article=True):  # a rebuild is large whatever it writes
        pass
    assert sorted_at == [5, 8, 8] and _ready(store) == ("1", "1", True, True)
    _in_step(store)


def test_a_failed_end_leaves_them_stale_and_the_next_opening_makes_them_anew(
    store: Store, sorted_at: list[int], monkeypatch, tmp_path
) -> None:
    store.add([_parsed(i) for i in range(5)])

    def disk_full(*_a, **_k):
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(group_sums, "add_articles", disk_full)
    with store.bulk():
        store.add([_parsed(5)])
    assert _ready(store) == ("0", "0", False, False)
    assert not store._deferred.running and sorted_at == []
    monkeypatch.undo()
    store.close()
    again = Store(tmp_path / "d.duckdb")
    try:
        assert _ready(again) == ("1", "1", True, True) and again.article_count() == 6
        _in_step(again)
    finally:
        again.close()


def test_an_end_whose_transaction_cannot_begin_still_ends_the_import(
    store: Store, sorted_at: list[int], monkeypatch
) -> None:
    """The deferred articles are dropped however the end fails: the next bulk block starts
    an import of its own instead of joining one that is over."""

    def refused():
        raise duckdb.TransactionException("cannot start a transaction")

    with store.bulk():
        store.add([_parsed(0)])
        monkeypatch.setattr(store, "atomic", refused)
    monkeypatch.undo()
    assert not store._deferred.running
    assert _ready(store) == ("0", "0", False, False) and sorted_at == []


def test_each_kind_is_deferred_for_its_own_rows(store: Store, sorted_at: list[int]) -> None:
    """Word rows filled in later (words_later) and a recount meanwhile make the two kinds
    differ. An article whose words the import appended, deleted before its end, has its
    group_sums taken out but no word sums; after a recount, the other way round."""
    store.add([_parsed(i) for i in range(7)])
    tables = article_tables([_parsed(7)])
    later = tables.pop("word_lists")
    store.add_tables(tables)  # its words to come
    with store.bulk():
        store.add_tables({"word_lists": later})  # 1 of 8: word_sums caught up, not built anew
        assert store.delete_article(_parsed(7).article.id)
    assert sorted_at == [] and _ready(store) == ("1", "1", True, True)
    _in_step(store)
    with store.bulk():
        store.replace_all_hits([store.cur().sql("SELECT * FROM hits").to_arrow_table()])
        assert store.delete_article(_parsed(0).article.id)
    assert sorted_at == []  # group_sums made anew, but no paragraph moved: nothing to sort
    _in_step(store)


def test_after_a_failed_end_the_next_import_makes_them_anew(
    store: Store, sorted_at: list[int], monkeypatch
) -> None:
    """Stale sums lack the failed import's articles: the next import in the same process
    must not sum only its own and then say they are in step."""
    store.add([_parsed(i) for i in range(5)])

    def disk_full(*_a, **_k):
        raise duckdb.IOException("disk full")

    with monkeypatch.context() as m:
        m.setattr(group_sums, "add_articles", disk_full)
        with store.bulk():
            store.add([_parsed(5)])
    assert _ready(store) == ("0", "0", False, False) and sorted_at == []
    with store.bulk():
        store.add([_parsed(6)])  # 1 of 7: would only be caught up
    assert _ready(store) == ("1", "1", True, True)
    _in_step(store)
    assert sorted_at == []  # group_sums made anew, but 1 of 7 paragraphs' articles: no sort
