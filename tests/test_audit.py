"""The dictionary audit on the sample corpus (checked with `python -m analysis audit`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.audit import audit, nestings


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
