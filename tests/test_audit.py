"""The dictionary audit on the sample corpus (checked with `python -m analysis audit`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.audit import audit, nestings, with_exclusion
from analysis.themes import ThemeError


def test_phrase_figures(sample_engine):
    a = audit(sample_engine.store, None, sample_engine.matcher)
    p = a.phrases.set_index("phrase")
    row = p.loc["营商环境"]
    assert (row["count"], row["docs"], row["provinces"]) == (106, 4, 15)
    assert row["first_seen"] == dt.date(2023, 2, 7) and row["last_seen"] == dt.date(2024, 3, 7)
    assert len(row["contexts"]) == 3 and all("【营商环境】" in c for c in row["contexts"])
    assert p.loc["新质生产力", "count"] == 51 and p.loc["新质生产力", "provinces"] == 11
    assert len(a.phrases) == 199 and int((a.phrases["count"] == 0).sum()) == 67


def test_suspicious_phrases(sample_engine):
    p = audit(sample_engine.store, None, sample_engine.matcher).phrases.set_index("phrase")
    assert p.loc["法治", "inside"].startswith("法治化（7）")
    assert p.loc["法治", "notes"].startswith("47% 出现在更长的词里")
    assert p.loc["消费", "inside"] == "消费者（3）"
    assert p.loc["新能源", "notes"].startswith("包含在“新能源汽车”（新能源汽车）")
    assert p.loc["数据要素", "notes"] == "未出现"
    assert p.loc["营商环境", "notes"] == ""


def test_themes_without_hits_and_nestings(sample_engine):
    a = audit(sample_engine.store, None, sample_engine.matcher)
    assert len(a.unused) == 12
    assert {"food_security", "fiscal_policy", "domestic_demand"} <= set(a.unused["id"])
    t = a.themes.set_index("id")
    assert t.loc["business_environment", "count"] == 106
    assert t.loc["digital_economy", "unused_phrases"] == "数字中国、数字产业化、数据要素"
    assert list(a.nested["long"]) == ["新能源汽车", "新能源车"] and list(a.nested["long_count"]) == [3, 1]


def test_nestings_only_across_themes():
    meta = pd.DataFrame({"id": ["a", "b"], "phrases": [["科技创新", "科技创新中心"], ["创新"]]})
    n = nestings(meta)
    assert set(zip(n["short"], n["long"])) == {("创新", "科技创新"), ("创新", "科技创新中心")}


def test_findings_offer_exclusions_and_one_adds_it(sample_engine):
    a = audit(sample_engine.store, None, sample_engine.matcher)
    ex = a.exclusions
    law = ex[ex["phrase"] == "法治"]
    assert list(zip(law["word"], law["n"])) == [("法治化", 7), ("依法治理", 1)]
    assert set(law["seen"]) == {17}  # occurrences read; 47% of them inside longer words
    assert list(ex[ex["phrase"] == "消费"]["word"]) == ["消费者"]
    assert "新能源汽车" not in set(ex["word"])  # a dictionary phrase: a nesting, not an exclusion
    themes = sample_engine.themes
    added = with_exclusion(themes, "rule_of_law", "法治化")
    law_theme = next(t for t in added if t.id == "rule_of_law")
    assert law_theme.exclude == ("法治化",)
    assert [t for t in added if t.id != "rule_of_law"] == [t for t in themes if t.id != "rule_of_law"]
    with pytest.raises(ThemeError) as exc:
        with_exclusion(themes, "rule_of_law", "法治营商环境")
    assert exc.value.problems == [
        "主题“法治”的排除说法“法治营商环境”包含主题 business_environment 的词语“营商环境”，会让后者也不计"
    ]
    with pytest.raises(ThemeError):
        with_exclusion(themes, "no_such_theme", "法治化")
