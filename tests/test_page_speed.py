"""What keeps a page run short at 100k articles (issue 16), checked on the samples.

The figures themselves come from scripts/page_times.py on a large store; here the
behaviour each speed-up relies on is pinned down.
"""

from __future__ import annotations

import pytest
from helpers import S003, SAMPLE_FILES, pages_on, private_settings, run_page


@pytest.fixture
def pages(tmp_path, sample_db):
    with pages_on(private_settings(tmp_path, sample_db)):
        yield


def test_file_list_is_built_only_when_the_file_filter_is_open(pages):
    # Closed (the default), the sidebar holds no list of every file: at 100k articles that
    # list was 100,000 options on every run of every page.
    at = run_page("overview.py")
    assert [m.key for m in at.multiselect] == ["f_outlets", "f_categories"]
    assert {m.label: m.value for m in at.metric}["文章数"] == "5"
    # A link with a file chosen opens the filter with the list, and the filter applies.
    at = run_page("overview.py", src=S003)
    box = at.multiselect(key="f_sources")
    assert box.options == sorted(SAMPLE_FILES) and box.value == [S003]
    assert {m.label: m.value for m in at.metric}["文章数"] == "1"
    assert at.query_params["src"] == S003


def test_file_list_is_not_even_read_unless_wanted(pages, monkeypatch):
    # At 1M articles reading every file name cost a cold page 0.4-1.2 s: with no file in the
    # link and the expander closed, the sidebar does not ask for the list at all.
    from analysis.workspace import Workspace

    asked: list[int] = []
    real = Workspace.sources

    def sources(self) -> list[str]:
        asked.append(1)
        return real(self)

    monkeypatch.setattr(Workspace, "sources", sources)
    at = run_page("overview.py")
    assert {m.label: m.value for m in at.metric}["文章数"] == "5" and asked == []
    at = run_page("overview.py", src=S003)
    assert asked == [1] and at.multiselect(key="f_sources").value == [S003]
    assert {m.label: m.value for m in at.metric}["文章数"] == "1"


def test_word_docs_across_provinces_count_each_article_once(sample_engine):
    # Sample 004 speaks of eight provinces: a word in several of its sections has a row per
    # province, and the quick formula (rows − surplus rows of multi-province articles) must
    # still give the distinct articles, as counted apart here.
    from analysis.models import Filters

    store = sample_engine.store
    got = store.word_totals(Filters(), limit=300)
    want = store.df(
        "SELECT word, sum(n)::BIGINT AS count, count(DISTINCT article_id) AS docs, count(*) AS rows"
        " FROM words GROUP BY word"
    ).set_index("word")
    assert len(got) == 300
    assert [int(want.loc[w, "docs"]) for w in got["word"]] == got["docs"].tolist()
    assert [int(want.loc[w, "count"]) for w in got["word"]] == got["count"].tolist()
    spread = want[want["rows"] > want["docs"]]  # words held in several provinces of one article
    assert len(spread) > 50 and set(spread.index) & set(got["word"])
    fz = store.word_totals(Filters(provinces=("湖北", "广东")), limit=50)
    both = store.df(
        "SELECT word, count(DISTINCT article_id) AS docs FROM words WHERE province IN ('湖北', '广东') GROUP BY word"
    ).set_index("word")
    assert [int(both.loc[w, "docs"]) for w in fz["word"]] == fz["docs"].tolist()


@pytest.mark.parametrize("by", ["all", "month", "file", "article"])
def test_theme_docs_by_whole_article_groups_count_each_article_once(sample_engine, by):
    # The same rows − surplus formula for theme document counts: sample 004's themes sit in
    # several provinces (several article_themes rows per article), counted once here.
    from analysis.models import Filters
    from analysis.store.reads import GROUPS

    store = sample_engine.store
    for f in (Filters(), Filters(provinces=("湖北", "广东", "江苏"))):
        got = store.theme_counts(f, by=by).sort_values(["group", "theme_id"], ignore_index=True)
        cond = "province IN ('湖北', '广东', '江苏')" if f.provinces else "TRUE"
        want = store.df(
            f"""SELECT {GROUPS[by]} AS "group", theme_id, sum(n)::BIGINT AS count,
                       count(DISTINCT article_id) AS docs
                FROM article_themes WHERE {cond} GROUP BY ALL ORDER BY 1, 2"""
        )
        assert got.to_dict("list") == want.to_dict("list")
    rows = store.df("SELECT count(*) AS n, count(DISTINCT (article_id, theme_id)) AS d FROM article_themes")
    assert int(rows["n"][0]) > int(rows["d"][0])  # some theme of some article is in several provinces


def test_two_sided_distinctive_words_are_one_comparison_read_both_ways(sample_engine):
    # 省份对比 with two sides reads side b's list off side a's comparison; it must equal
    # what comparing b against a directly gives (the page showed that before).
    import datetime as dt
    from dataclasses import replace

    from analysis import views
    from analysis.models import Filters
    from analysis.settings import Settings
    from analysis.views._common import own_names
    from analysis.workspace import Workspace

    ws = Workspace(Settings(db=sample_engine.store.path, workers=1), store=sample_engine.store)
    f = Filters()
    periods = ((dt.date(2023, 1, 1), dt.date(2023, 12, 31)), (dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    cases: list[tuple[str, dict, list[Filters]]] = [
        (
            "provinces",
            {"provinces": ("广东", "湖北")},
            [replace(f, provinces=(p,)) for p in ("广东", "湖北")],
        ),
        ("periods", {"periods": periods}, [replace(f, date_from=a, date_to=b) for a, b in periods]),
    ]
    for mode, options, (fa, fb) in cases:
        v = views.compare(ws, f, mode=mode, **options)
        exclude = tuple(ws.boilerplate()) + (tuple(own_names(v.labels)) if mode == "provinces" else ())
        for side, (mine, theirs) in zip(v.sides, [(fa, fb), (fb, fa)]):
            d = ws.distinctive_words(mine, theirs, top=15, exclude=exclude)
            d = d[d["side"] == "a"]
            assert side.distinctive["词语"].tolist() == d["word"].tolist()
            assert side.distinctive["本方次数"].tolist() == d["count_a"].tolist()
            assert side.distinctive["对方次数"].tolist() == d["count_b"].tolist()
            assert side.distinctive["z 值"].tolist() == d["z"].round(2).tolist()
        assert len(v.sides[1].distinctive) >= 5


def test_theme_passages_are_the_newest_paragraphs_holding_the_theme(sample_engine):
    # Picked from the hit rows first (their date/source/province copies), then read: the
    # same paragraphs in the same order as filtering every paragraph, limits included.
    from analysis.models import Filters

    store = sample_engine.store
    for f in (Filters(), Filters(provinces=("广东", "湖北"))):
        for theme_id in ("high_quality_development", "new_quality_productivity"):
            for limit in (3, 200):
                got = store.passages_with_theme(f, theme_id, limit)
                cond = "p.province IN ('广东', '湖北')" if f.provinces else "TRUE"
                want = store.df(
                    f"""SELECT p.article_id, p.idx AS par_idx, p.province, p.date, a.title, a.source, p.norm
                        FROM paragraphs p JOIN articles a ON a.id = p.article_id
                        WHERE {cond} AND EXISTS (SELECT 1 FROM hits h WHERE h.theme_id = ?
                              AND h.article_id = p.article_id AND h.par_idx = p.idx)
                        ORDER BY p.date DESC, p.article_id, p.idx LIMIT ?""",
                    [theme_id, limit],
                )
                assert len(got) == min(limit, len(want)) and len(want) >= 3
                assert got.to_dict("list") == want.to_dict("list")


def test_a_view_reads_each_summary_once(sample_engine):
    # 主题 asks for the summary of the same filters three times (its check for articles,
    # its heading, its source lines): each a scan of every units row, 0.2 s at 1M articles.
    # Through OneReadEach (what the pages hand every view) each is read once, same view.
    from collections import Counter

    from analysis import views
    from analysis.models import Filters
    from analysis.settings import Settings
    from analysis.views._common import OneReadEach
    from analysis.workspace import Workspace

    ws = Workspace(Settings(db=sample_engine.store.path, workers=1), store=sample_engine.store)
    asked: Counter = Counter()
    real_summary, real_chars = ws.summary, ws.chars_by

    def summary(f=None):
        asked["summary", f] += 1
        return real_summary(f)

    def chars_by(f, *, by="province"):
        asked["chars_by", f, by] += 1
        return real_chars(f, by=by)

    ws.summary, ws.chars_by = summary, chars_by  # type: ignore[method-assign]
    f = Filters(provinces=("广东", "湖北"))
    plain = views.themes(ws, f, theme_id="high_quality_development")
    assert max(asked.values()) >= 3  # the same question, asked again
    asked.clear()
    once = views.themes(OneReadEach(ws), f, theme_id="high_quality_development")  # type: ignore[arg-type]
    assert asked and set(asked.values()) == {1}
    assert once.summary_line == plain.summary_line and once.total == plain.total > 0
    assert once.rank_table.equals(plain.rank_table) and once.passages.equals(plain.passages)
    for a, b in ((once.rank, plain.rank), (once.trend, plain.trend)):
        assert a is not None and b is not None and a.source == b.source and a.data.equals(b.data)


def test_a_page_reads_each_summary_once(pages, monkeypatch):
    # The sidebar's summary (cached across sessions) serves the view too: a cold 主题 or
    # 省份对比 reads the summary of any one filter once.
    from collections import Counter

    from analysis.workspace import Workspace

    asked: Counter = Counter()
    real = Workspace.summary

    def summary(self, f=None):
        asked[f] += 1
        return real(self, f)

    monkeypatch.setattr(Workspace, "summary", summary)
    import streamlit as st

    for page in ("themes.py", "compare.py", "wordcloud.py"):
        asked.clear()
        st.cache_data.clear()  # each page cold
        run_page(page)
        assert asked and max(asked.values()) == 1, (page, asked)
