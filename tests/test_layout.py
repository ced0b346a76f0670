from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis.engine import prepare
from analysis.ingest import RawDoc
from analysis.pipeline import Meta
from analysis.store import TABLES, Store, layout
from analysis.themes import load_themes

THEMES = tuple(load_themes())
TEXT = "## 广东\n\n广东坚持高质量发展，营商环境持续改善。\n\n## 湖北\n\n湖北加快发展新质生产力。\n\n第{n}篇。"
# Read in this order, the dates are not in order.
DAYS = [dt.date(2024, 3, d) for d in (9, 2, 17, 2, 28, 5, 11, 1)]


def article(n: int, day: dt.date):
    return prepare(RawDoc(f"a{n}.txt", TEXT.format(n=n), "txt", day), Meta(date=day), None, THEMES)


def stored_order(store: Store) -> list[tuple]:
    return store.cur().execute("SELECT date, article_id, idx FROM paragraphs ORDER BY rowid").fetchall()


def every_row(store: Store) -> list[tuple]:
    cols = ", ".join(TABLES["paragraphs"].names)
    return store.cur().execute(f"SELECT {cols} FROM paragraphs ORDER BY ALL").fetchall()


def fill(store: Store, numbered_days, bulk: bool) -> None:
    docs = [article(n, day) for n, day in numbered_days]
    if bulk:
        with store.bulk():
            store.add(docs, [("txt", False)] * len(docs))
    else:
        store.add(docs, [("txt", False)] * len(docs))


def test_a_first_import_leaves_paragraphs_in_date_order_with_every_row_kept(tmp_path):
    plain, bulk = Store(tmp_path / "plain.duckdb"), Store(tmp_path / "bulk.duckdb")
    fill(plain, enumerate(DAYS), bulk=False)
    fill(bulk, enumerate(DAYS), bulk=True)
    assert stored_order(plain) != sorted(stored_order(plain))  # appended as read
    assert stored_order(bulk) == sorted(stored_order(bulk))
    assert len(stored_order(bulk)) == 8 * 5
    assert every_row(bulk) == every_row(plain)


def test_the_sorted_table_keeps_the_schema(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    fill(store, enumerate(DAYS), bulk=True)
    got = (
        store.cur()
        .execute(
            "SELECT column_name, data_type, column_default FROM duckdb_columns() "
            "WHERE table_name = 'paragraphs' ORDER BY column_index"
        )
        .fetchall()
    )
    want = TABLES["paragraphs"].columns
    assert [(n, t) for n, t, _ in got] == [(c.name, c.type) for c in want]
    assert [d is not None for _, _, d in got] == [c.default is not None for c in want]
    tables = store.cur().execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    assert ("_paragraphs_sorted",) not in tables


def test_a_small_import_is_appended_and_a_quarter_of_the_store_sorts_again(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    fill(store, enumerate(DAYS), bulk=True)
    fill(store, [(20, dt.date(2023, 1, 1))], bulk=True)  # 1 of 9: appended at the end
    order = stored_order(store)
    assert order != sorted(order)
    assert {a for _, a, _ in order[-5:]} == {article(20, dt.date(2023, 1, 1)).article.id}
    fill(store, [(21, dt.date(2023, 1, 2)), (22, dt.date(2022, 5, 5))], bulk=True)  # 4 x 2 < 11
    assert stored_order(store) != sorted(stored_order(store))
    fill(store, [(23, dt.date(2023, 2, 2)), (24, dt.date(2022, 1, 1)), (25, dt.date(2025, 1, 1))], bulk=True)
    assert stored_order(store) != sorted(stored_order(store))  # 4 x 3 < 14
    fill(
        store,
        [
            (26, dt.date(2024, 1, 1)),
            (27, dt.date(2021, 1, 1)),
            (28, dt.date(2026, 1, 1)),
            (29, dt.date(2020, 1, 1)),
            (30, dt.date(2024, 3, 3)),
        ],
        bulk=True,
    )
    assert stored_order(store) == sorted(stored_order(store))  # 4 x 5 >= 19


def test_a_failed_sort_keeps_the_old_table(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.duckdb")
    fill(store, enumerate(DAYS), bulk=False)
    before, order = every_row(store), stored_order(store)

    def half_done(cur):
        cur.execute("CREATE TABLE _paragraphs_sorted AS SELECT * FROM paragraphs")
        cur.execute("DROP TABLE paragraphs")
        raise duckdb.OutOfMemoryException("planted")

    monkeypatch.setattr(layout, "sort_paragraphs", half_done)
    store._sort_paragraphs()
    assert every_row(store) == before and stored_order(store) == order
    assert ("_paragraphs_sorted",) not in store.cur().execute(
        "SELECT table_name FROM duckdb_tables()"
    ).fetchall()


def test_the_sort_refuses_when_insertion_order_is_not_kept(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    fill(store, enumerate(DAYS[:2]), bulk=False)
    cur = store.cur()
    cur.execute("SET preserve_insertion_order = false")
    with pytest.raises(RuntimeError):
        layout.sort_paragraphs(cur)


def test_a_recount_or_stale_sums_during_a_small_import_sort_nothing(tmp_path):
    """Both make group_sums anew at the import's end, but neither moves a paragraph: a
    one-file upload after a dictionary edit must not rewrite a million paragraphs."""
    store = Store(tmp_path / "s.duckdb")
    fill(store, enumerate(DAYS), bulk=True)
    with store.bulk():
        store.add([article(20, dt.date(2023, 1, 1))], [("txt", False)])
        store.replace_all_hits([store.cur().sql("SELECT * FROM hits").to_arrow_table()])
    assert stored_order(store) != sorted(stored_order(store))
    store.set_meta_value("group_sums", "0")  # as after an import whose end failed
    fill(store, [(21, dt.date(2022, 1, 1))], bulk=True)
    order = stored_order(store)
    assert order != sorted(order) and {a for _, a, _ in order[-5:]} == {
        article(21, dt.date(2022, 1, 1)).article.id
    }
    assert store.group_sums_ready
