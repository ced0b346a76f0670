"""Reads rewritten for a million articles (issue 16) give what the plain queries give.

Each rewrite counts less or reads less than the query it replaced; the plain query is
written out here as the reference, on the samples, including the cases the rewrite has to
get right (two sections of one article in one province, passages found only beyond the
newest days, undated paragraphs).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from helpers import S000, SAMPLE_FILES

from analysis.models import Filters
from analysis.store import Store
from analysis.store.reads import PASSAGE_WINDOWS


def test_articles_per_province_count_an_article_once(sample_engine):
    store = sample_engine.store
    # The case the surplus formula exists for: an article with two sections in one province.
    twice = store.df("SELECT article_id, province FROM units GROUP BY ALL HAVING count(*) > 1 ORDER BY 1, 2")
    assert len(twice) == 14 and ("广东" in set(twice["province"]))
    for f in (
        Filters(),
        Filters(provinces=("广东", "江苏")),
        Filters(sources=(SAMPLE_FILES[4],)),
        Filters(date_from=dt.date(2024, 1, 1)),
    ):
        got = store.chars_by(f, "province").sort_values("group", ignore_index=True)
        cond = "province IN ('广东', '江苏')" if f.provinces else "TRUE"
        if f.sources:
            cond = f"source = '{SAMPLE_FILES[4]}'"
        if f.date_from:
            cond = "date >= DATE '2024-01-01'"
        want = store.df(
            f"""SELECT province AS "group", sum(chars)::BIGINT AS chars, count(DISTINCT article_id) AS articles
                FROM units WHERE {cond} GROUP BY ALL ORDER BY 1"""
        )
        assert got.to_dict("list") == want.to_dict("list")


def _plain_passages(store, term: str, limit: int, cond: str = "TRUE"):
    """The query passages_with_term replaced: filter every paragraph, newest first."""
    return store.df(
        f"""SELECT p.article_id, p.idx AS par_idx, p.province, p.date, a.title, a.source, p.norm
            FROM paragraphs p JOIN articles a ON a.id = p.article_id
            WHERE {cond} AND contains(p.norm, ?)
            ORDER BY p.date DESC, p.article_id, p.idx LIMIT ?""",
        [term, limit],
    )


def test_term_passages_newest_first_through_every_window(sample_engine):
    store = sample_engine.store
    # 发展 is in 36 paragraphs dated within 7 days of the newest (2024-03-07), 179 within 92
    # days and 197 in all: limit 30 ends in the first window, 100 in the second, 190 and 300
    # need the whole store.
    assert PASSAGE_WINDOWS == (7, 92)
    per_window = store.df(
        """SELECT count(*) FILTER (date >= DATE '2024-02-29') AS d7,
                  count(*) FILTER (date >= DATE '2023-12-06') AS d92, count(*) AS n
           FROM paragraphs WHERE contains(norm, '发展')"""
    )
    assert per_window.iloc[0].tolist() == [36, 179, 197]
    for limit in (30, 36, 37, 100, 179, 190, 300):
        got = store.passages_with_term(Filters(), "发展", limit)
        want = _plain_passages(store, "发展", limit)
        assert len(got) == min(limit, 197)
        assert got.to_dict("list") == want.to_dict("list")
    # With a filter the windows count back from the newest paragraph under the filter.
    f = Filters(provinces=("湖北", "广东"))
    for limit in (5, 40):
        got = store.passages_with_term(f, "发展", limit)
        want = _plain_passages(store, "发展", limit, "p.province IN ('湖北', '广东')")
        assert len(got) == limit and got.to_dict("list") == want.to_dict("list")
    assert store.passages_with_term(Filters(), "不在样本里的词语", 10).empty


@pytest.fixture
def undated(tmp_path, sample_db):
    """A copy of the samples where article 000 (the newest, 2024-03-07) has no date."""
    path = tmp_path / "undated.duckdb"
    shutil.copy(sample_db, path)
    store = Store(path)
    aid = store.scalar("SELECT id FROM articles WHERE source = ?", [S000])
    with store.atomic() as cur:
        cur.execute("UPDATE articles SET date = NULL WHERE id = ?", [aid])
        store.sync_article_columns([aid])
    assert store.scalar("SELECT count(*) FROM paragraphs WHERE date IS NULL") == 69
    yield store
    store.close()


def test_undated_paragraphs_come_last_in_passages(undated):
    # Undated paragraphs sort after every dated one: a window (dated rows only) that
    # already holds the limit is the answer, and otherwise the undated rows follow.
    for limit in (10, 128, 160, 300):
        got = undated.passages_with_term(Filters(), "发展", limit)
        want = _plain_passages(undated, "发展", limit)
        assert got.to_dict("list") == want.to_dict("list")
    assert undated.passages_with_term(Filters(), "发展", 300)["date"].isna().sum() == 22
    for theme_id in ("high_quality_development", "new_quality_productivity"):
        for limit in (3, 200):
            got = undated.passages_with_theme(Filters(), theme_id, limit)
            want = undated.df(
                """SELECT p.article_id, p.idx AS par_idx, p.province, p.date, a.title, a.source, p.norm
                   FROM paragraphs p JOIN articles a ON a.id = p.article_id
                   WHERE EXISTS (SELECT 1 FROM hits h WHERE h.theme_id = ?
                                 AND h.article_id = p.article_id AND h.par_idx = p.idx)
                   ORDER BY p.date DESC, p.article_id, p.idx LIMIT ?""",
                [theme_id, limit],
            )
            assert len(got) == min(limit, len(want)) and got.to_dict("list") == want.to_dict("list")
    big = undated.passages_with_theme(Filters(), "high_quality_development", 200)
    assert big["date"].isna().any()  # the undated article's paragraphs were reached


def test_theme_stats_from_article_themes_equal_the_hit_rows(sample_engine):
    # 词典体检's per-theme line reads article_themes (hits summed per article × province ×
    # theme); every figure must be what the hit rows give, filters included.
    store = sample_engine.store
    for f, cond in (
        (Filters(), "TRUE"),
        (Filters(provinces=("广东", "湖北")), "province IN ('广东', '湖北')"),
        (Filters(date_from=dt.date(2024, 1, 1)), "date >= DATE '2024-01-01'"),
    ):
        got = store.hit_stats(f, "theme").sort_values("theme_id", ignore_index=True)
        want = store.df(
            f"""SELECT theme_id, sum(n)::BIGINT AS count, count(DISTINCT article_id) AS docs,
                       count(DISTINCT province) FILTER (province <> '全国') AS provinces,
                       min(date) AS first_seen, max(date) AS last_seen
                FROM hits WHERE {cond} GROUP BY ALL ORDER BY theme_id"""
        )
        assert len(want) > 10 and got.to_dict("list") == want.to_dict("list")
    # Some theme sits in several provinces of one article: docs is not the row count there.
    rows = store.df("SELECT count(*) AS n, count(DISTINCT (article_id, theme_id)) AS d FROM article_themes")
    assert int(rows["n"][0]) > int(rows["d"][0])


@pytest.mark.parametrize("overdraw", [0.02, 0.3, 20])
def test_hit_samples_in_two_passes_equal_one(sample_engine, monkeypatch, overdraw):
    # A first pass over the hit rows hashed below a bound, then every row of the phrases it
    # left short: the same samples as one pass over all rows. A small overdraw makes the bound
    # low (most phrases short), a large one skips the first pass (a small store).
    from analysis.store import insight_reads  # hit_samples reads SAMPLE_OVERDRAW there

    store = sample_engine.store
    monkeypatch.setattr(insight_reads, "SAMPLE_OVERDRAW", overdraw)
    for f, cond in (
        (Filters(), "TRUE"),
        (Filters(provinces=("广东", "湖北")), "province IN ('广东', '湖北')"),
    ):
        for n in (1, 3, 100):
            got = store.hit_samples(f, n)
            want = store.df(
                f"""
                WITH top AS (
                    SELECT theme_id, phrase,
                           min_by({{'a': article_id, 'i': par_idx, 'd': date, 'p': province}},
                                  {{'h': hash(article_id, par_idx), 'a': article_id, 'i': par_idx}}, ?) AS s
                    FROM hits WHERE {cond} GROUP BY ALL),
                h AS (SELECT theme_id, phrase, unnest(s, recursive := true), generate_subscripts(s, 1) AS k FROM top)
                SELECT h.theme_id, h.phrase, h.a AS article_id, h.i AS par_idx, h.d AS date, h.p AS province, p.norm
                FROM h JOIN paragraphs p ON p.article_id = h.a AND p.idx = h.i
                ORDER BY h.theme_id, h.phrase, h.k""",
                [n],
            )
            assert len(want) > 20 and got.to_dict("list") == want.to_dict("list")


@pytest.mark.parametrize("by", ["all", "month", "file", "article", "section"])
def test_one_province_counts_each_article_once_in_any_grouping(sample_engine, by):
    # With one province kept, an article has one article_themes row per theme and its units
    # rows repeat only across sections: counted without DISTINCT, checked with it here.
    from analysis.store.reads import GROUPS

    store = sample_engine.store
    for prov in ("广东", "北京", "江苏"):
        f = Filters(provinces=(prov,))
        got = store.chars_by(f, by).sort_values("group", ignore_index=True)
        want = store.df(
            f"""SELECT {GROUPS[by]} AS "group", sum(chars)::BIGINT AS chars, count(DISTINCT article_id) AS articles
                FROM units WHERE province = ? GROUP BY ALL ORDER BY 1""",
            [prov],
        )
        assert got.to_dict("list") == want.to_dict("list")
        if by == "section":
            continue  # theme_counts by section has its own query
        got = store.theme_counts(f, by).sort_values(["group", "theme_id"], ignore_index=True)
        want = store.df(
            f"""SELECT {GROUPS[by]} AS "group", theme_id, sum(n)::BIGINT AS count,
                       count(DISTINCT article_id) AS docs
                FROM hits WHERE province = ? GROUP BY ALL ORDER BY 1, 2""",
            [prov],
        )
        assert len(want) > 3 and got.to_dict("list") == want.to_dict("list")


def test_cooccurring_counts_each_paragraph_once(sample_engine):
    # 13 paragraphs hold two phrases of tech_innovation: a plain join of the hit rows counted
    # the other themes' hits in those paragraphs twice.
    store = sample_engine.store
    doubled = store.scalar(
        """SELECT count(*) FROM (SELECT article_id, par_idx FROM hits WHERE theme_id = 'tech_innovation'
           GROUP BY ALL HAVING count(*) > 1)"""
    )
    assert doubled == 13
    for f, cond in (
        (Filters(), "TRUE"),
        (Filters(provinces=("广东", "湖北")), "province IN ('广东', '湖北')"),
    ):
        got = store.cooccurring(f, "tech_innovation", 40)
        want = store.df(
            f"""WITH held AS (SELECT DISTINCT article_id, par_idx FROM hits
                              WHERE theme_id = 'tech_innovation' AND {cond})
                SELECT h.theme_id, count(DISTINCT (h.article_id, h.par_idx)) AS paragraphs,
                       sum(h.n)::BIGINT AS count
                FROM hits h JOIN held USING (article_id, par_idx)
                WHERE h.theme_id <> 'tech_innovation'
                GROUP BY ALL ORDER BY paragraphs DESC, count DESC, h.theme_id LIMIT 40"""
        )
        assert len(want) > 5 and got.to_dict("list") == want.to_dict("list")


def test_monthly_sums_from_article_themes_equal_the_hit_rows(sample_engine):
    store = sample_engine.store
    themes = ["high_quality_development", "tech_innovation", "new_quality_productivity"]
    for f, cond in (
        (Filters(), "TRUE"),
        (Filters(provinces=("广东", "湖北")), "province IN ('广东', '湖北')"),
    ):
        got = store.monthly(f, themes).sort_values(["month", "theme_id"], ignore_index=True)
        want = store.df(
            f"""SELECT strftime(date, '%Y-%m') AS month, theme_id, sum(n)::BIGINT AS count FROM hits
                WHERE {cond} AND theme_id IN (SELECT unnest(?)) GROUP BY ALL ORDER BY 1, 2""",
            [themes],
        )
        assert len(want) >= 5 and got.to_dict("list") == want.to_dict("list")


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 500])
def test_the_newest_articles_picked_first_equal_the_grouped_list(sample_engine, limit):
    store = sample_engine.store
    plain = """SELECT a.id, a.title, a.source, coalesce(a.outlet, '') AS outlet, a.date, a.date_basis, a.chars,
                      string_agg(DISTINCT u.province, '、' ORDER BY u.province) AS provinces
               FROM articles a JOIN units u ON u.article_id = a.id
               WHERE {w} GROUP BY a.id, a.title, a.source, a.outlet, a.date, a.date_basis, a.chars, a.ingested_at
               ORDER BY a.date DESC, a.ingested_at DESC, a.id LIMIT {limit}"""
    cases = [
        (Filters(), "", "TRUE"),
        (Filters(provinces=("广东", "江苏")), "", "u.province IN ('广东', '江苏')"),
        (Filters(date_from=dt.date(2024, 2, 1)), "", "u.date >= DATE '2024-02-01'"),
        (
            Filters(provinces=("湖北",)),
            "高质量",
            "u.province = '湖北' AND (contains(a.title, '高质量') OR contains(a.source, '高质量') OR a.id IN "
            "(SELECT article_id FROM paragraphs WHERE contains(norm, '高质量')))",
        ),
    ]
    for f, search, w in cases:
        got = store.list_articles(f, search, limit)
        want = store.df(plain.format(w=w, limit=limit))
        assert len(want) == min(limit, len(store.df(plain.format(w=w, limit=500))))
        assert got.values.tolist() == want.values.tolist(), (f, search)
        assert list(got.columns) == list(want.columns)
    # Provinces are those of the text under the filter, not every province of the article.
    one = store.list_articles(Filters(provinces=("广东",)), "", 500)
    assert set(one["provinces"]) == {"广东"}
