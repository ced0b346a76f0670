"""themes.py: validation (errors vs warnings), parsing, atomic save, nested counting."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from analysis.counting import Matcher, count_themes
from analysis.models import Theme
from analysis.settings import THEMES_FILE
from analysis.theme_entry import check_entry, make_entry, theme_id_for, upsert
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
    from analysis import settings as policy_settings

    env = {"POLICY_THEMES": str(path)}  # read once, as the dashboard and the CLI do
    monkeypatch.setattr(policy_settings, "_current", policy_settings.Settings.from_env(env))
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


# ---------------------------------------------------------------- round-trip saving (issue 13 item 2)
def test_saving_the_shipped_dictionary_unchanged_writes_it_back_byte_for_byte(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_bytes(THEMES_FILE.read_bytes())
    path.chmod(0o644)
    save_themes(load_themes(path), path)
    assert path.read_bytes() == THEMES_FILE.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o644  # mkstemp's 0600 used to replace it


def test_an_edit_keeps_comments_nesting_notes_and_mode(tmp_path):
    path = tmp_path / "themes.yaml"
    original = THEMES_FILE.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    path.chmod(0o640)
    themes = load_themes(path)
    ids = [t.id for t in themes]
    law = ids.index("rule_of_law")
    themes[law] = replace(themes[law], exclude=("法治化", "依法治理"))
    themes = [t for t in themes if t.id != "business_environment"]  # the first theme under a banner
    themes.insert(ids.index("steady_progress"), Theme("first_launch", "首发经济", "改革", ("首发经济",)))
    save_themes(themes, path)
    text = path.read_text(encoding="utf-8")
    assert load_themes(path) == themes
    assert text.startswith(original[: original.index("version: 1")])  # the whole header comment
    assert text.endswith(original[original.index("\nnesting_notes:") :])
    for banner in ("营商与市场", "安全与治理", "改革"):
        assert text.count(f"  # ───────────────────────── {banner} ─────────────────────────\n") == 1
    assert (
        "    aliases: [法治]\n    exclude: [法治化, 依法治理]\n    note: 含法治化、依法治国、法治政府\n"
        in text
    )
    assert "name: 营商环境" not in text
    assert path.stat().st_mode & 0o777 == 0o640
    # only the changed lines differ
    removed = set(original.splitlines()) - set(text.splitlines())
    assert removed == {
        "    name: 营商环境",
        "    aliases: [营商环境]",
        "    note: 含优化营商环境、一流营商环境",
        "  - id: business_environment",
    }


def test_exclusions_are_validated():
    law = Theme("rule_of_law", "法治", "安全与治理", ("法治",), exclude=("法治化",))
    assert validate([law]).ok
    bad = [
        replace(law, exclude=("营商环境",)),
        replace(law, exclude=("法治 化",)),
        replace(law, exclude=("法治",)),
    ]
    assert validate([bad[0]]).errors == [
        "主题“法治”的排除说法“营商环境”不包含本主题的任何词语，排除它没有意义"
    ]
    assert validate([bad[1]]).errors == ["主题“法治”的排除说法“法治 化”含有空格或为空"]
    assert validate([bad[2]]).errors == ["主题“法治”的排除说法“法治”本身是主题 rule_of_law 的词语"]
    swallow = [replace(law, exclude=("法治营商环境",)), T("biz", "营商环境", category="营商与市场")]
    assert validate(swallow).errors == [
        "主题“法治”的排除说法“法治营商环境”包含主题 biz 的词语“营商环境”，会让后者也不计"
    ]
    text = "themes:\n  - {id: rule_of_law, name: 法治, category: 安全与治理, aliases: [法治], exclude: 法治化、依法治理}\n"
    assert parse_themes(text)[0].exclude == ("法治化", "依法治理")


# ---------------------------------------------------------------- the form's entry (ids, checks per field)
def test_ids_come_from_the_name_and_never_change():
    assert theme_id_for("营商环境") == "ying_shang_huan_jing"
    assert theme_id_for("“人工智能+”行动") == "ren_gong_zhi_neng_xing_dong"
    assert theme_id_for("5G网络") == "t_5g_wang_luo"
    assert theme_id_for("低空经济", ["di_kong_jing_ji"]) == "di_kong_jing_ji_2"
    assert theme_id_for("😀") == theme_id_for("😀") and theme_id_for("😀").startswith("t_")
    assert len(theme_id_for("😀")) == 10
    themes = load_themes(THEMES_FILE)
    new = make_entry(themes, name="首发经济", category="营商与市场", aliases=["首店经济"])
    assert (new.id, new.aliases) == ("shou_fa_jing_ji", ("首发经济", "首店经济"))
    biz = next(t for t in themes if t.id == "business_environment")
    edited = make_entry(
        themes, name="优化营商环境", category="营商与市场", aliases=["营商环境"], old_id=biz.id
    )
    assert edited.id == "business_environment" and edited.aliases == ("优化营商环境", "营商环境")
    placed = upsert(themes, new)
    cats = [t.category for t in placed]
    assert placed.index(new) == len(cats) - cats[::-1].index("营商与市场") - 1  # last of its category
    assert validate(placed).ok and len(placed) == len(themes) + 1
    assert upsert(placed, edited)[[t.id for t in placed].index(biz.id)] == edited


def test_check_entry_gives_a_reason_per_field():
    themes = load_themes(THEMES_FILE)
    empty = make_entry(themes, name="", category="", aliases=[])
    assert check_entry(empty, themes).errors == {
        "name": "请填写主题名称",
        "category": "请选择类别",
        "aliases": "至少要有一个词语",
    }
    bad = make_entry(
        themes, name="营商", category="未知", aliases=["营商 环境", "法治", "数"], exclude=["消费者"]
    )
    rep = check_entry(bad, themes)
    assert rep.errors == {
        "category": "类别只能是科技与产业、营商与市场、开放、区域与城乡、绿色低碳、民生、改革、安全与治理之一",
        "aliases": "词语“营商 环境”含有空格（统计时会忽略空白，请去掉）；词语“法治”已属于主题“法治”；"
        "词语“数”只有一个字，会误计大量无关文字",
        "exclude": "“消费者”不包含本主题的任何词语，排除它没有意义",
    }
    assert rep.warnings == {"aliases": "“营商”包含在主题“营商环境”的“营商环境”中：后者匹配处不再计前者"}
    law = next(t for t in themes if t.id == "rule_of_law")
    others = [t for t in themes if t.id != law.id]
    ok = make_entry(
        others, name="法治", category=law.category, aliases=["法治"], exclude=["法治化"], old_id=law.id
    )
    assert check_entry(ok, others).ok
    dup_name = make_entry(themes, name="法治", category="改革", aliases=["法治建设"])
    assert check_entry(dup_name, themes).errors == {
        "name": "已有同名主题“法治”（类别：安全与治理）",
        "aliases": "词语“法治”已属于主题“法治”",  # the name is always one of its own words
    }


def test_deleting_whole_categories_takes_their_banners_along(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text(THEMES_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    themes = [t for t in load_themes(path) if t.category not in ("开放", "安全与治理")]
    save_themes(themes, path)
    text = path.read_text(encoding="utf-8")
    assert load_themes(path) == themes
    banners = [line.strip("# ─\n") for line in text.splitlines() if line.startswith("  # ───")]
    assert banners == ["科技与产业", "营商与市场", "区域与城乡", "绿色低碳", "民生", "改革"]
    themes = [t for t in themes if t.category != "科技与产业"]  # the group that opens the list
    save_themes(themes, path)
    text = path.read_text(encoding="utf-8")
    banners = [line.strip("# ─\n") for line in text.splitlines() if line.startswith("  # ───")]
    assert banners == ["营商与市场", "区域与城乡", "绿色低碳", "民生", "改革"]
    assert "themes:\n  # ───────────────────────── 营商与市场 ─────────────────────────\n  - id:" in text
    # a whole new dictionary keeps the header and the notes, and no stray banner
    only = [Theme("only", "唯一主题", "改革", ("唯一主题",))]
    save_themes(only, path)
    text = path.read_text(encoding="utf-8")
    assert load_themes(path) == only
    assert (
        "  # ───" not in text and text.startswith("# 主题词典（政策主题看板）") and "\nnesting_notes:" in text
    )
