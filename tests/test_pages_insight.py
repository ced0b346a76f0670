"""The insight pages (新词发现, 讲话人, 词典体检) and the ❝ 引用 action, driven through AppTest.

Figures were checked with the CLI first (`python -m analysis emerging`, `… audit`) on
the five sample articles.
"""

from __future__ import annotations

import pytest
from helpers import open_page, pages_on, private_settings
from streamlit.testing.v1 import AppTest

from app_pages import _state as S


@pytest.fixture(scope="module")
def db(tmp_path_factory, sample_db):
    """A private copy of the samples store and of the dictionary (加入词典 writes to it)."""
    with pages_on(private_settings(tmp_path_factory.mktemp("pages_insight"), sample_db)) as s:
        yield s.db


def table(at: AppTest, key: str):
    found = [d.value for d in at.dataframe if d.proto.id and key in d.proto.id] or [
        d.value for d in at.dataframe if getattr(d, "key", None) == key
    ]
    assert found, key
    return found[0]


def frame_with(at: AppTest, column: str):
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, column
    return found[0]


def test_emerging_page_latest_period(db):
    at = open_page("app_pages/emerging.py")
    assert at.title[0].value == "新词发现"
    t = frame_with(at, "z 值")
    words = list(t["词语"])
    assert words[:3] == ["营商环境", "新质生产力", "中国式现代化"]
    row = t.set_index("词语").loc["新质生产力"]
    assert row["最近次数"] == 51 and row["此前次数"] == 0
    assert len(row["逐月趋势"]) == 4 and row["逐月趋势"][0] == 0
    assert "新质生产力" in row["例句"]


def test_emerging_page_by_province_and_add_to_dictionary(db):
    at = open_page("app_pages/emerging.py", em_by="province", em_prov="广东")
    t = frame_with(at, "z 值")
    assert list(t["词语"])[:2] == ["高质量发展", "产业科技创新"]
    assert t.set_index("词语").loc["产业科技创新", "广东次数"] == 24
    at.selectbox(key="em_pick").select("产业科技创新").run()
    at.selectbox(key="em_cat").select("科技与产业").run()
    at.button(key="em_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已把" in s.value for s in at.success)
    eng = S.ws().engine  # the app's own engine, on the copied dictionary
    assert "产业科技创新" in [t.name for t in eng.themes]
    counts = eng.store.hit_stats(None, "theme").set_index("theme_id")["count"]
    from analysis.emerging import new_theme_id

    assert counts[new_theme_id("产业科技创新")] == 34


def test_speakers_page(db):
    at = open_page("app_pages/speakers.py")
    t = frame_with(at, "讲话人")
    by = t.set_index("讲话人")
    for name, prov in [
        ("尹力", "北京"),
        ("陈吉宁", "上海"),
        ("黄坤明", "广东"),
        ("金湘军", "山西"),
        ("郝鹏", "辽宁"),
    ]:
        assert by.loc[name, "省份"] == prov
    assert len(t) == 23
    assert by.loc["尹力", "职务"] == "市委书记" and by.loc["尹力", "字数"] == 2463
    at.selectbox(key="sp_a").select("尹力").run()
    at.selectbox(key="sp_b").select("陈吉宁").run()
    assert not at.exception
    assert at.query_params["sp_a"] == ["尹力"] or at.query_params["sp_a"] == "尹力"
    data = [d.value for d in at.dataframe if "名次" in d.value.columns]
    assert list(data[0]["主题"])[:2] == ["高质量发展", "新质生产力"]
    assert next(iter(data[1]["主题"])) == "营商环境" and data[1]["次数"].iloc[0] == 19


def test_audit_page(db):
    at = open_page("app_pages/audit.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["没有命中的主题"] == "12"
    full = frame_with(at, "所在的更长词语")
    rows = [d.value for d in at.dataframe if "所在的更长词语" in d.value.columns]
    allp = max(rows, key=len).set_index("词语")
    assert allp.loc["营商环境", "次数"] == 106 and allp.loc["营商环境", "省份数"] == 15
    assert allp.loc["营商环境", "最早"] == "2023-02-07" and allp.loc["营商环境", "最晚"] == "2024-03-07"
    assert "法治化（7）" in allp.loc["法治", "所在的更长词语"]
    assert full is not None


def test_quote_from_themes_page_reaches_present(db):
    at = open_page("app_pages/themes.py", theme="new_quality_productivity")
    code = [c.value for c in at.code]
    assert code and code[0].startswith("“") and "新质生产力" in code[0]
    at.button(key="th_quote_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("app_pages/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("新质生产力" in c.value for c in at.code)
