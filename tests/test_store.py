"""store/: all-or-nothing writes, overrides, edits, deletes, read-only use, sample summary."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from helpers import S002, S003, article_id

from analysis.engine import prepare
from analysis.ingest import RawDoc
from analysis.pipeline import Meta
from analysis.store import TABLES, Store
from analysis.store.rows import article_tables
from analysis.themes import load_themes

THEMES = tuple(load_themes())
DAY = dt.date(2024, 2, 18)
GD = "## 广东\n\n广东坚持高质量发展，营商环境持续改善。\n\n## 湖北\n\n湖北加快发展新质生产力。"


def parsed(text: str = GD, name: str = "a.txt", overrides=None):
    return prepare(RawDoc(name, text, "txt", DAY), Meta(date=DAY), overrides, THEMES)


def table_sizes(store: Store) -> dict[str, int]:
    return {
        t: store.scalar(f"SELECT count(*) FROM {t}")
        for t in ("articles", "sections", "paragraphs", "hits", "units", "words")
    }


def test_add_writes_every_table(empty_engine):
    store = empty_engine.store
    p = parsed()
    store.add([p], [("md", False)])
    assert table_sizes(store) == {
        "articles": 1,
        "sections": 2,
        "paragraphs": 4,
        "hits": 3,
        "units": 2,
        "words": table_sizes(store)["words"],
    }
    assert table_sizes(store)["words"] > 0
    row = store.article(p.article.id)
    assert (row["source"], row["fmt"], row["date"], row["date_basis"], row["chars"]) == (
        "a.txt",
        "md",
        DAY,
        "元数据",
        len("广东广东坚持高质量发展，营商环境持续改善。湖北湖北加快发展新质生产力。"),
    )
    assert store.existing_ids([p.article.id, "nope"]) == {p.article.id}
    hits = store.df("SELECT province, theme_id, n FROM hits ORDER BY province, theme_id")
    assert hits.values.tolist() == [
        ["广东", "business_environment", 1],
        ["广东", "high_quality_development", 1],
        ["湖北", "new_quality_productivity", 1],
    ]


def test_a_paragraph_text_is_stored_only_where_it_differs_from_its_norm(empty_engine):
    store = empty_engine.store
    text = "## 广东\n\n广东坚持高质量发展，营商环境 持续改善。\n\n广东优化营商环境。\n\n## 香港\n\n香港優化營商環境。"
    p = parsed(text)
    store.add([p], [("md", False)])
    raw = store.cur().execute("SELECT text IS NULL FROM paragraphs ORDER BY idx").fetchall()
    # Kept: a space inside, and traditional characters; the headers and the plain paragraph are not.
    assert [r[0] for r in raw] == [True, False, True, True, False]
    got = store.paragraphs_df(p.article.id)
    assert got["text"].tolist() == [q.text for q in p.article.paragraphs]
    assert got["text"].tolist()[1] == "广东坚持高质量发展，营商环境 持续改善。"
    assert got["text"].tolist()[4] == "香港優化營商環境。"
    ctx = store.paragraph_context(p.article.id, 2)
    assert (ctx["text"], ctx["norm"]) == ("广东优化营商环境。", "广东优化营商环境。")
    found = store.passages_with_term(None, "营商环境", 10)  # passages show norm: their kwic is cut from it
    assert sorted(found["norm"]) == [
        "广东优化营商环境。",
        "广东坚持高质量发展，营商环境持续改善。",
        "香港优化营商环境。",
    ]


def test_a_failing_batch_leaves_nothing(empty_engine):
    store = empty_engine.store
    store.add([parsed("第一篇：营商环境。", "one.txt")])
    before = table_sizes(store)
    p = parsed()
    # the same id twice violates the primary key mid-transaction
    # (store/ currently surfaces this as TransactionException from unregister, masking the cause)
    with pytest.raises(duckdb.Error):
        store.add([p, p])
    assert table_sizes(store) == before
    store.add([p])  # and the store is still usable
    assert store.article_count() == 2


def test_overrides_set_replace_remove(empty_engine):
    store = empty_engine.store
    store.set_override("abc", 1, "湖南")
    store.set_override("abc", 1, "湖北")
    store.set_override("abc", 3, "全国")
    store.set_override("xyz", 0, "北京")
    assert store.overrides("abc") == {1: "湖北", 3: "全国"}
    assert store.overrides_for(["abc", "xyz", "none"]) == {"abc": {1: "湖北", 3: "全国"}, "xyz": {0: "北京"}}
    store.set_override("abc", 1, None)
    assert store.overrides("abc") == {3: "全国"}


def test_replace_derived_swaps_rows(empty_engine):
    store = empty_engine.store
    p = parsed()
    store.add([p])
    store.replace_derived([parsed(overrides={1: "湖南"})])
    assert store.sections_df(p.article.id)["province"].tolist() == ["广东", "湖南"]
    assert store.scalar("SELECT count(*) FROM hits WHERE province = '湖南'") == 1
    assert table_sizes(store)["paragraphs"] == 4


def test_update_article_moves_every_dated_row(empty_engine):
    store = empty_engine.store
    p = parsed()
    store.add([p])
    new = dt.date(2023, 5, 1)
    store.update_article(p.article.id, title="新标题", date=new)
    row = store.article(p.article.id)
    assert (row["title"], row["date"], row["date_basis"]) == ("新标题", new, "编辑")
    for table in ("paragraphs", "hits", "units", "words"):
        dates = store.df(f"SELECT DISTINCT date FROM {table}")["date"]
        assert pd.to_datetime(dates).dt.date.tolist() == [new], table


def test_delete_article(empty_engine):
    store = empty_engine.store
    keep, gone = parsed("营商环境。", "keep.txt"), parsed()
    store.add([keep, gone])
    assert store.delete_article(gone.article.id) is True
    assert store.delete_article(gone.article.id) is False
    assert store.sources() == ["keep.txt"]
    for table in ("sections", "paragraphs", "hits", "units", "words"):
        assert store.df(f"SELECT DISTINCT article_id FROM {table}")["article_id"].tolist() == [
            keep.article.id
        ]


def test_pins(empty_engine):
    store = empty_engine.store
    a = store.add_pin("营商环境 各省", "bar", "[]", "来源", "{}")
    b = store.add_pin("趋势", "line", "[]", "来源", "{}")
    assert (a, b) == (1, 2)
    store.delete_pin(a)
    assert store.pins()["title"].tolist() == ["趋势"]


def test_read_only_store(tmp_path):
    path = tmp_path / "ro.duckdb"
    rw = Store(path)
    rw.add([parsed()])
    rw.close()
    ro = Store(path, read_only=True)
    try:
        assert ro.article_count() == 1
        with pytest.raises(duckdb.Error):
            ro.set_override("x", 0, "北京")
    finally:
        ro.close()


def test_sample_summary(sample_engine):
    s = sample_engine.store.summary()
    assert s["articles"] == 5 and s["sources"] == 5
    assert s["chars"] == 5139 + 5113 + 49696 + 3409 + 3298
    assert (s["date_min"], s["date_max"]) == (dt.date(2023, 2, 7), dt.date(2024, 3, 7))
    assert sample_engine.store.date_span() == (dt.date(2023, 2, 7), dt.date(2024, 3, 7))
    arts = sample_engine.store.list_articles()
    assert arts["source"].tolist()[0] == "000_5b1d72ed28b85adc.txt"  # newest first
    assert arts.set_index("source").loc[S003, "provinces"] == "广东"
    found = sample_engine.store.list_articles(search="陈吉宁")
    assert found["id"].tolist() == [article_id(sample_engine, S002)]


def _theme_sums_agree(store: Store) -> tuple[int, int]:
    """article_themes must equal hits summed per article × province × theme, row for row."""
    diff = store.scalar("""
        SELECT count(*) FROM (
            (SELECT article_id, province, date, source, theme_id, sum(n)::INTEGER AS n FROM hits GROUP BY ALL
             EXCEPT SELECT article_id, province, date, source, theme_id, n FROM article_themes)
            UNION ALL
            (SELECT article_id, province, date, source, theme_id, n FROM article_themes
             EXCEPT SELECT article_id, province, date, source, theme_id, sum(n)::INTEGER FROM hits GROUP BY ALL))""")
    return int(diff), int(store.scalar("SELECT count(*) FROM article_themes"))


def test_article_themes_follow_hits_through_every_write(empty_engine, samples_dir):
    eng = empty_engine
    eng.ingest_paths([samples_dir])
    diff, rows = _theme_sums_agree(eng.store)
    assert diff == 0 and rows > 100
    aid = article_id(eng, S002)
    eng.override_section(aid, 1, "浙江")
    assert _theme_sums_agree(eng.store)[0] == 0
    eng.edit_article(aid, date=dt.date(2024, 2, 20))
    assert _theme_sums_agree(eng.store)[0] == 0
    eng.themes = eng.themes[:-3]
    eng.recount()
    assert _theme_sums_agree(eng.store)[0] == 0
    gone = article_id(eng, S003)
    eng.store.delete_article(gone)
    diff, after = _theme_sums_agree(eng.store)
    assert diff == 0 and after < rows
    assert eng.store.scalar(f"SELECT count(*) FROM article_themes WHERE article_id = '{gone}'") == 0


# ---------------------------------------------------------------- one schema, atomic(), migration
def test_a_memory_cap_that_is_not_a_size_is_refused(tmp_path):
    store = Store(tmp_path / "m.duckdb")
    with pytest.raises(ValueError), store.bulk(memory="2GB'; DROP TABLE articles; --"):
        pass
    assert store.article_count() == 0  # the table is still there
    store.close()


def test_database_columns_are_the_schema_definition(empty_engine):
    store = empty_engine.store
    got = store.df(
        "SELECT table_name, list(column_name ORDER BY column_index) AS cols FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' GROUP BY ALL"
    )
    # plus the one view: words as a row per word, over word_lists
    assert {r.table_name: tuple(r.cols) for r in got.itertuples()} == {
        **{name: t.names for name, t in TABLES.items()},
        "words": ("article_id", "province", "date", "source", "word", "n"),
    }
    # the Arrow tables the workers build carry the same names and the DuckDB types
    tables = article_tables([parsed()])
    for name, tbl in tables.items():
        assert tbl.column_names == list(TABLES[name].names), name
    assert str(tables["articles"].schema.field("date").type) == "date32[day]"


def test_atomic_rolls_back_the_whole_block_and_nests(empty_engine):
    store = empty_engine.store
    with pytest.raises(ZeroDivisionError), store.atomic() as cur:
        cur.execute("INSERT INTO pins (id, title) VALUES (1, '一')")
        with store.atomic() as inner:  # joins the outer transaction
            inner.execute("INSERT INTO pins (id, title) VALUES (2, '二')")
        _ = 1 / 0
    assert store.pins().empty
    with store.atomic() as cur:
        cur.execute("INSERT INTO pins (id, title) VALUES (1, '一')")
    assert store.pins()["title"].tolist() == ["一"]


OLD_LAYOUT = """
CREATE TABLE articles (id VARCHAR PRIMARY KEY, sha VARCHAR, source VARCHAR, title VARCHAR, date DATE,
    date_basis VARCHAR, outlet VARCHAR, fmt VARCHAR, hard_wrapped BOOLEAN, text VARCHAR, chars INTEGER,
    ingested_at TIMESTAMP);
CREATE TABLE hits (article_id VARCHAR, par_idx INTEGER, section_idx INTEGER, province VARCHAR, date DATE,
    source VARCHAR, theme_id VARCHAR, phrase VARCHAR, n INTEGER);
CREATE TABLE quotes (id INTEGER PRIMARY KEY, article_id VARCHAR, par_idx INTEGER, text VARCHAR,
    source VARCHAR, date DATE, province VARCHAR, speaker VARCHAR, created_at TIMESTAMP);
INSERT INTO hits VALUES ('a1', 0, 0, '广东', DATE '2024-02-18', 'a.txt', 'business_environment', '营商环境', 2),
                        ('a1', 1, 0, '广东', DATE '2024-02-18', 'a.txt', 'business_environment', '营商环境', 1);
INSERT INTO quotes VALUES (1, 'a1', 0, '营商环境持续改善', 'a.txt', DATE '2024-02-18', '广东', '', NULL);
"""


def test_an_older_store_file_gains_missing_tables_and_columns(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(OLD_LAYOUT)
    con.close()
    store = Store(path)
    try:
        assert store.migrate() == []  # done once, on open
        q = store.quotes()
        assert q[["text", "title", "office", "phrase"]].values.tolist() == [
            ["营商环境持续改善", None, None, None]
        ]
        assert (
            store.add_quote({"article_id": "a1", "par_idx": 1, "text": "第二句", "phrase": "营商环境"}) == 2
        )
        assert store.scalar("SELECT sum(n) FROM article_themes") == 3  # filled from hits once
        assert store.counted_dictionary() is None
    finally:
        store.close()


def test_an_edited_title_and_date_reach_every_copy(empty_engine):
    store = empty_engine.store
    p = parsed()
    store.add([p])
    aid = p.article.id
    store.add_quote(
        {
            "article_id": aid,
            "par_idx": 1,
            "text": "营商环境持续改善",
            "source": "a.txt",
            "date": DAY,
            "title": p.article.title,
        }
    )
    new = dt.date(2023, 5, 1)
    store.update_article(aid, title="改后的标题", date=new)
    assert store.quotes()[["title", "date"]].values.tolist() == [["改后的标题", pd.Timestamp(new)]]
    for table in ("paragraphs", "hits", "units", "words", "article_themes", "quotes"):
        got = store.df(f"SELECT DISTINCT date FROM {table}")["date"]
        assert pd.to_datetime(got).dt.date.tolist() == [new], table


def test_bulk_defers_checkpoints_and_restores_settings(tmp_path):
    """Store.bulk: while an import runs DuckDB keeps its WAL (one checkpoint at the end)
    and one thread; afterwards both settings are back, and every batch committed inside
    is in the file for the next process."""
    store = Store(tmp_path / "bulk.duckdb")
    setting = (
        "SELECT current_setting('checkpoint_threshold'), current_setting('threads'), current_setting('memory_limit'), "
        "current_setting('max_vacuum_tasks')"
    )
    before = store.cur().execute(setting).fetchall()[0]
    assert before[3] > 0
    with store.bulk(threads=1, memory="2GB"):
        threshold, threads, memory, vacuum = store.cur().execute(setting).fetchall()[0]
        assert threads == 1 and threshold != before[0] and memory != before[2] and memory.endswith("GiB")
        assert vacuum == 0  # no row groups merged (rewritten) at the import's checkpoints
        for name, text in (("a.txt", GD), ("b.txt", GD + "\n\n## 浙江\n\n浙江优化营商环境。")):
            store.add_tables(article_tables([parsed(text, name)]))
        assert (tmp_path / "bulk.duckdb.wal").stat().st_size > 0  # not yet checkpointed
    assert store.cur().execute(setting).fetchall()[0] == before
    assert not (tmp_path / "bulk.duckdb.wal").exists() or (tmp_path / "bulk.duckdb.wal").stat().st_size == 0
    store.close()
    again = Store(tmp_path / "bulk.duckdb", read_only=True)
    assert again.article_count() == 2
    again.close()


AT_ROWS = "SELECT article_id, province, date, source, theme_id, n FROM article_themes ORDER BY ALL"


def test_a_recount_sums_each_article_once_however_its_paragraphs_are_batched(tmp_path, monkeypatch):
    """A recount streams paragraphs in batches of rows, not of articles. Summing hits into
    article_themes per batch gave an article cut by a batch boundary two rows per theme,
    and docs (rows per province) counted it twice."""
    from analysis.engine import Engine
    from analysis.settings import SAMPLES_DIR
    from analysis.store.reads import Reads

    eng = Engine(Store(tmp_path / "s.duckdb"), workers=1)
    eng.ingest_paths([SAMPLES_DIR])
    fresh = eng.store.df(AT_ROWS)
    assert len(fresh) > 50
    real = Reads.iter_paragraph_rows
    monkeypatch.setattr(Reads, "iter_paragraph_rows", lambda self, batch=20_000: real(self, batch=7))
    eng.recount()
    after = eng.store.df(AT_ROWS)
    assert not after.duplicated(["article_id", "province", "theme_id"]).any()
    pd.testing.assert_frame_equal(after, fresh)
    eng.store.close()


def test_a_store_recounted_before_the_fix_is_summed_again_on_opening(tmp_path):
    """Stores already holding split article_themes rows are repaired once, on opening."""
    from analysis.engine import Engine
    from analysis.settings import SAMPLES_DIR

    eng = Engine(Store(tmp_path / "s.duckdb"), workers=1)
    eng.ingest_paths([SAMPLES_DIR])
    fresh = eng.store.df(AT_ROWS)
    with eng.store.atomic() as cur:  # what the old recount left: one article's sums split in two
        aid, prov, theme, n = cur.execute(
            "SELECT article_id, province, theme_id, n FROM article_themes WHERE n > 3 ORDER BY ALL LIMIT 1"
        ).fetchall()[0]
        cur.execute(
            "UPDATE article_themes SET n = 1 WHERE article_id = ? AND province = ? AND theme_id = ?",
            [aid, prov, theme],
        )
        cur.execute(
            """INSERT INTO article_themes SELECT article_id, province, date, source, theme_id, ? FROM article_themes
               WHERE article_id = ? AND province = ? AND theme_id = ?""",
            [n - 1, aid, prov, theme],
        )
        cur.execute("DELETE FROM store_meta WHERE key = 'article_themes_sums'")
    path = eng.store.path
    eng.store.close()
    again = Store(path)
    pd.testing.assert_frame_equal(again.df(AT_ROWS), fresh)
    again.close()


def test_a_store_with_a_row_per_word_gets_its_words_as_lists_on_opening(tmp_path):
    """Stores from before word_lists kept a row per article × province × word in a table
    named words: opening moves them into lists, and the view words reads the same rows."""
    from analysis.engine import Engine
    from analysis.settings import SAMPLES_DIR

    eng = Engine(Store(tmp_path / "old.duckdb"), workers=1)
    eng.ingest_paths([SAMPLES_DIR])
    words = "SELECT article_id, province, date, source, word, n FROM words ORDER BY ALL"
    before = eng.store.df(words)
    assert len(before) > 1000
    with eng.store.atomic() as cur:  # the old layout
        cur.execute("CREATE TABLE old_words AS SELECT * FROM words")
        cur.execute("DROP VIEW words")
        cur.execute("ALTER TABLE old_words RENAME TO words")
        cur.execute("DELETE FROM word_lists")
    eng.store.close()
    again = Store(tmp_path / "old.duckdb")
    pd.testing.assert_frame_equal(again.df(words), before)
    kinds = dict(
        again.cur().execute("SELECT table_name, table_type FROM information_schema.tables").fetchall()
    )
    assert kinds["words"] == "VIEW" and kinds["word_lists"] == "BASE TABLE"
    assert again.scalar("SELECT count(*) FROM word_lists") == again.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT article_id, province FROM words)"
    )
    again.close()
