"""queries.py on the sample store, checked against counts made here independently."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest
from helpers import S002, S003, SAMPLE_FILES, article_id, leftmost_longest, sample_text, squeeze

from analysis.counting import per_10k
from analysis.models import Filters
from analysis.queries import (
    COUNT_COLUMNS,
    counts_table,
    kwic,
    monthly_trend,
    passages,
    province_matrix,
    top_themes,
)

DATES = {"000": "2024-03", "001": "2024-01", "002": "2024-02", "003": "2023-02", "004": "2024-03"}


@pytest.fixture(scope="module")
def reference(sample_engine):
    """Per paragraph: keys for every grouping, chars, and theme counts by a slow matcher."""
    store = sample_engine.store
    themes = store.themes_df()
    phrases = {p: tid for tid, ps in zip(themes["id"], themes["phrases"]) for p in ps}
    category = dict(zip(themes["id"], themes["category"]))
    rows = []
    for source in SAMPLE_FILES:
        aid = article_id(sample_engine, source)
        for p in store.paragraphs_df(aid).itertuples():
            rows.append(
                {
                    "province": p.province,
                    "article": aid,
                    "file": source,
                    "month": DATES[source[:3]],
                    "section": f"{aid}:{p.section_idx}",
                    "norm": p.norm,
                    "hits": leftmost_longest(p.norm, phrases) if p.norm else {},
                }
            )
    return rows, category


def expected(rows, by: str, category=None) -> dict[tuple[str, str], tuple[int, int]]:
    chars: Counter[str] = Counter()
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        chars[r[by] if by != "category" else "all"] += len(r["norm"])
        for tid, n in r["hits"].items():
            group = category[tid] if by == "category" else r[by]
            counts[(group, tid)] += n
    return {k: (n, chars[k[0] if by != "category" else "all"]) for k, n in counts.items()}


@pytest.mark.parametrize("by", ["province", "article", "file", "section", "month", "category"])
def test_counts_table_matches_independent_count(sample_engine, reference, by):
    rows, category = reference
    got = counts_table(sample_engine.store, Filters(), by, names=False)
    assert list(got.columns[:5]) == COUNT_COLUMNS
    table = {(r.group, r.theme): (r.count, r.chars) for r in got.itertuples()}
    assert table == expected(rows, by, category)
    assert all(got["per_10k"] == [per_10k(c, n) for c, n in zip(got["count"], got["chars"])])


def test_hand_checked_numbers(sample_engine):
    store = sample_engine.store
    t = counts_table(store, Filters(), "file", terms=["高质量发展", "营商环境", "中国式现代化"])
    row = {(r.group, r.theme): (r.count, r.chars, r.per_10k) for r in t.itertuples()}
    raw = squeeze(sample_text(S002))
    assert (raw.count("高质量发展"), raw.count("营商环境"), raw.count("中国式现代化")) == (128, 99, 46)
    assert row[(S002, "高质量发展")] == (128, 49696, 25.757)
    assert row[(S002, "营商环境")] == (99, 49696, 19.921)
    assert row[(S002, "中国式现代化")] == (46, 49696, 9.256)
    assert row[("001_f52397519f269920.txt", "营商环境")] == (0, 5113, 0.0)  # zeros are listed
    assert len(t) == 15
    prov = counts_table(store, Filters(), "province", theme_ids=["business_environment"])
    got = {r.group: (r.count, r.chars) for r in prov.itertuples()}
    assert got["上海"] == (19, 2055) and got["吉林"] == (14, 5259) and got["安徽"][0] == 21
    assert sum(c for c, _ in got.values()) == 106
    cat = counts_table(store, Filters(), "category", theme_ids=["business_environment"])
    assert cat[["group", "theme", "count", "chars", "per_10k"]].values.tolist() == [
        ["营商与市场", "营商环境", 106, 66655, 15.903]
    ]


def test_filters_narrow_the_counts(sample_engine):
    store = sample_engine.store
    f = Filters(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 29))
    t = counts_table(store, f, "file", terms=["营商环境"])
    assert t[["group", "count"]].values.tolist() == [[S002, 99]]
    t = counts_table(store, Filters(provinces=("上海",)), "province", terms=["营商环境"])
    assert t[["group", "count", "chars"]].values.tolist() == [["上海", 19, 2055]]
    t = counts_table(store, Filters(sources=(S003,)), "province", names=False)
    assert set(t["group"]) == {"广东"} and t["chars"].iloc[0] == 3409
    t = counts_table(store, Filters(categories=("开放",)), "category", names=False)
    assert set(t["group"]) == {"开放"}


def test_kwic_triples():
    text = "推动高质量发展，高质量发展是首要任务"
    assert list(kwic(text, "高质量发展", 3)) == [
        ("推动", "高质量发展", "，高质"),
        ("发展，", "高质量发展", "是首要"),
    ]
    assert list(kwic(text, "", 3)) == []
    assert list(kwic("啊啊啊", "啊啊", 1)) == [("", "啊啊", "啊")]


def test_passages_for_a_term(sample_engine):
    df = passages(sample_engine.store, Filters(provinces=("上海",)), term="营商 环境", width=5)
    assert len(df) == 19
    assert (df["match"] == "营商环境").all() and (df["province"] == "上海").all()
    assert all(len(b) <= 5 and len(a) <= 5 for b, a in zip(df["before"], df["after"]))
    assert passages(sample_engine.store, None, term="  ").empty


def test_passages_for_a_theme_all_contain_the_phrase(sample_engine):
    themes = sample_engine.store.themes_df()
    aliases = dict(zip(themes["id"], themes["phrases"]))["tech_innovation"]
    df = passages(
        sample_engine.store, None, theme_id="tech_innovation", matcher=sample_engine.matcher, width=8
    )
    total = counts_table(sample_engine.store, None, "all", theme_ids=["tech_innovation"], names=False)[
        "count"
    ].sum()
    assert len(df) == total > 0
    assert set(df["match"]) <= set(aliases)
    for r in df.itertuples():
        norm = sample_engine.store.paragraphs_df(r.article_id).set_index("idx").loc[r.par_idx, "norm"]
        assert r.before + r.match + r.after in norm


def test_monthly_trend(sample_engine):
    t = monthly_trend(sample_engine.store, None, ["business_environment", "new_quality_productivity"])
    assert t["month"].tolist() == ["2023-02", "2024-01", "2024-02", "2024-03"] * 2
    got = {(r.theme_id, r.month): (r.count, r.chars) for r in t.itertuples()}
    assert got[("business_environment", "2024-02")] == (99, 49696)
    assert got[("business_environment", "2024-01")] == (0, 5113)
    assert got[("new_quality_productivity", "2024-03")] == (15, 5139 + 3298)
    assert got[("business_environment", "2023-02")] == (2, 3409)


def test_top_themes_and_matrix(sample_engine):
    top = top_themes(sample_engine.store, None, n=3)
    assert top["name"].tolist()[0] == "高质量发展"
    assert top["count"].is_monotonic_decreasing
    m = province_matrix(sample_engine.store, None, "count", top=2)
    assert list(m.columns) == top["name"].tolist()[:2]
    by_prov = counts_table(sample_engine.store, None, "province")
    shanghai = by_prov[(by_prov["group"] == "上海") & (by_prov["theme"] == m.columns[0])]["count"]
    assert m.loc["上海", m.columns[0]] == (shanghai.iloc[0] if len(shanghai) else 0)
    assert isinstance(m, pd.DataFrame) and m.index.is_monotonic_increasing
