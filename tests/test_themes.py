"""themes.py: validation (errors vs warnings), parsing, atomic save, nested counting."""

from __future__ import annotations

import os

import pytest

from analysis.counting import Matcher, count_themes
from analysis.models import Theme
from analysis.settings import THEMES_FILE
from analysis.themes import (
    ThemeError,
    dump_themes,
    load_themes,
    parse_themes,
    save_themes,
    themes_from_data,
    validate,
)


def T(id_, name, *aliases, category="科技与产业"):
    return Theme(id_, name, category, tuple(aliases or (name,)))


GOOD = [
    T("tech_innovation", "科技创新", "科技创新", "自主创新"),
    T("innovation_center", "科技创新中心"),
    T("business_environment", "营商环境", category="营商与市场"),
]


def test_shipped_dictionary_is_valid():
    themes = load_themes(THEMES_FILE)
    rep = validate(themes)
    assert rep.errors == []
    assert all(t.name in t.aliases for t in themes)  # the file's own rule
    by_id = {t.id: t for t in themes}
    assert by_id["business_environment"].aliases == ("营商环境",)
    assert by_id["new_quality_productivity"].category == "科技与产业"


def test_nested_phrases_across_themes_are_warnings_only():
    rep = validate(GOOD)
    assert rep.ok and rep.errors == []
    assert rep.warnings == [
        "“科技创新”（tech_innovation）包含在“科技创新中心”（innovation_center）中：后者匹配处不再计前者"
    ]
    # nesting inside one theme is not worth a warning
    assert validate([T("carbon", "碳达峰碳中和", "碳达峰碳中和", "碳达峰")]).warnings == []


@pytest.mark.parametrize(
    "themes, error",
    [
        ([T("a", "甲", "高质量发展", " ")], "第 1 个主题（甲）有空词语"),
        (
            [T("a", "甲", "高质量发展"), T("b", "乙", "高质量发展")],
            "词语“高质量发展”重复（主题 a 和 b 之间）",
        ),
        ([T("a", "甲", "营商环境", "营商环境")], "词语“营商环境”重复（同一主题内）"),
        ([T("a", "甲", "数")], "第 1 个主题（甲）的词语“数”只有一个字，会误计大量无关文字"),
        (
            [T("a", "甲", "营商 环境")],
            "第 1 个主题（甲）的词语“营商 环境”含有空格（统计时会忽略空白，请去掉）",
        ),
        (
            [T("Bad-Id", "甲", "营商环境")],
            "第 1 个主题（甲）的编号“Bad-Id”只能用小写字母、数字和下划线，且以字母开头",
        ),
        (
            [T("1a", "甲", "营商环境")],
            "第 1 个主题（甲）的编号“1a”只能用小写字母、数字和下划线，且以字母开头",
        ),
        ([T("", "甲", "营商环境")], "第 1 个主题（甲）缺少编号 id"),
        ([T("a", "甲", "营商环境"), T("a", "乙", "新质生产力")], "编号“a”重复（第 1 个和第 2 个主题）"),
        ([T("a", "甲", "营商环境"), T("b", "甲", "新质生产力")], "名称“甲”重复（a 和 b）"),
        ([Theme("a", "甲", "", ("营商环境",))], "第 1 个主题（甲）缺少类别"),
        ([Theme("a", "甲", "改革", ())], "第 1 个主题（甲）没有任何词语"),
        ([], "词典中没有任何主题"),
    ],
)
def test_validation_errors(themes, error):
    rep = validate(themes)
    assert not rep.ok
    assert error in rep.errors


def test_themes_from_data_fills_and_splits():
    themes = themes_from_data(
        {
            "themes": [
                {"id": "a", "name": "营商环境", "category": "营商与市场"},
                {
                    "id": "b",
                    "name": "开放",
                    "category": "开放",
                    "aliases": "高水平开放，对外开放、 制度型开放;高水平开放",
                },
            ]
        }
    )
    assert themes[0].aliases == ("营商环境",)  # no aliases: the name is the phrase
    assert themes[1].aliases == ("高水平开放", "对外开放", "制度型开放")
    with pytest.raises(ThemeError) as exc:
        themes_from_data({"topics": []})
    assert exc.value.problems == ["词典文件应含有 themes: 列表"]
    with pytest.raises(ThemeError):
        themes_from_data({"themes": ["营商环境"]})


def test_parse_rejects_bad_yaml_and_invalid_content():
    with pytest.raises(ThemeError) as exc:
        parse_themes("themes: [ {id: a")
    assert exc.value.problems[0].startswith("词典文件不是有效的 YAML")
    with pytest.raises(ThemeError) as exc:
        parse_themes("themes:\n  - {id: a, name: 甲, category: 改革, aliases: [数]}\n")
    assert exc.value.problems == ["第 1 个主题（甲）的词语“数”只有一个字，会误计大量无关文字"]


def test_dump_parse_round_trip():
    text = dump_themes(GOOD)
    assert text.startswith("# 主题词典")
    assert parse_themes(text) == GOOD


def test_save_is_atomic_and_refuses_a_bad_dictionary(tmp_path):
    path = tmp_path / "themes.yaml"
    save_themes(GOOD, path)
    before = path.read_bytes()
    assert load_themes(path) == GOOD
    bad = [*GOOD, T("dup", "重复", "营商环境")]
    with pytest.raises(ThemeError) as exc:
        save_themes(bad, path)
    assert exc.value.problems == ["词语“营商环境”重复（主题 business_environment 和 dup 之间）"]
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["themes.yaml"]  # no temp file left behind
    smaller = GOOD[:1]
    save_themes(smaller, path)
    assert load_themes(path) == smaller
    assert sorted(os.listdir(tmp_path)) == ["themes.yaml"]


def test_load_missing_file(tmp_path):
    with pytest.raises(ThemeError) as exc:
        load_themes(tmp_path / "none.yaml")
    assert exc.value.problems == ["无法读取词典文件 none.yaml：No such file or directory"]


def test_env_var_picks_the_dictionary(tmp_path, monkeypatch):
    path = tmp_path / "mine.yaml"
    save_themes(GOOD, path)
    monkeypatch.setenv("POLICY_THEMES", str(path))
    assert load_themes() == GOOD


def test_nested_counting_counts_each_once():
    matcher = Matcher(GOOD)
    assert count_themes("建设科技创新中心和科技创新", matcher) == {
        "innovation_center": 1,
        "tech_innovation": 1,
    }
    assert count_themes("科技创新中心科技创新中心", matcher) == {"innovation_center": 2}
    # without the longer phrase, 科技创新中心 is a 科技创新
    assert count_themes("建设科技创新中心和科技创新", Matcher(GOOD[:1])) == {"tech_innovation": 2}
