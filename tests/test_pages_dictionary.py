"""AppTest of 主题词典: the form refuses incomplete entries with the reason next to the field,
ids come from the name, saves keep the file's comments and become versions, a restore
brings back the file and the counts, and an audit finding becomes an exclusion in one click.

Each test runs against its own copy of the sample store and of the dictionary.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from helpers import APP, pages_on, private_settings, rerun
from streamlit.testing.v1 import AppTest

from analysis.store import open_store
from analysis.themes import load_themes
from app_pages import _state as S


@pytest.fixture
def env(tmp_path, sample_db):
    with pages_on(private_settings(tmp_path, sample_db)) as s:
        yield s.db, s.themes_file


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("app_pages/dictionary.py")
    return run(at)


run = rerun


def counts(db: Path) -> dict[str, int]:
    t = open_store(db).hit_stats(None, "theme")
    return dict(zip(t["theme_id"], t["count"].astype(int)))


def fill(at: AppTest, sfx: str, *, name="", category=None, aliases=(), exclude=None) -> None:
    at.text_input(key=f"dict_name_{sfx}").input(name)
    if category is not None:
        at.selectbox(key=f"dict_category_{sfx}").select(category)
    if aliases:
        at.multiselect(key=f"dict_aliases_{sfx}").set_value(list(aliases))
    if exclude is not None:
        at.multiselect(key=f"dict_exclude_{sfx}").set_value(list(exclude))


def test_a_new_theme_without_category_is_refused_with_the_reason_at_the_field(env):
    db, themes = env
    before = themes.read_bytes()
    at = app()
    fill(at, "new_0", name="首发经济", aliases=["首发经济", "首店 经济"])
    at.button(key="dict_save").click()
    run(at)
    errors = [e.value for e in at.error]
    assert "类别：请选择类别" in errors
    assert "词语：词语“首店 经济”含有空格（统计时会忽略空白，请去掉）" in errors
    assert "有未填好的项目，未保存：原因写在各项下面。" in errors
    assert themes.read_bytes() == before  # the old grid dropped such a row silently after "saving"
    assert open_store(db).dictionary_versions().empty


def test_a_duplicate_alias_and_a_duplicate_name_are_refused(env):
    at = app()
    fill(at, "new_0", name="法治", category="改革", aliases=["营商环境"])
    at.button(key="dict_check").click()
    run(at)
    errors = [e.value for e in at.error]
    assert "名称：已有同名主题“法治”（类别：安全与治理）" in errors
    assert "词语：词语“法治”已属于主题“法治”；词语“营商环境”已属于主题“营商环境”" in errors
    # a nesting is allowed but said next to the field
    fill(at, "new_0", name="营商", category="营商与市场", aliases=["营商"])
    at.button(key="dict_check").click()
    run(at)
    assert [w.value for w in at.warning] == [
        "词语：“营商”包含在主题“营商环境”的“营商环境”中：后者匹配处不再计前者（允许保存）"
    ]
    assert [s.value for s in at.success] == ["检查通过：主题“营商”，编号 ying_shang，1 个词语。"]


def test_a_new_theme_gets_its_id_from_the_name_and_the_file_keeps_its_comments(env):
    db, themes = env
    original = themes.read_text(encoding="utf-8")
    at = app()
    at.text_input(key="dict_author").input("张编辑")
    fill(at, "new_0", name="首发经济", category="营商与市场", aliases=["首店经济"])
    at.button(key="dict_check").click()
    run(at)
    assert [s.value for s in at.success] == ["检查通过：主题“首发经济”，编号 shou_fa_jing_ji，2 个词语。"]
    at.button(key="dict_save").click()
    run(at)
    assert [s.value for s in at.success] == ["新增主题“首发经济”：已重新统计 5 篇文章。"]
    saved = load_themes(themes)
    new = next(t for t in saved if t.name == "首发经济")
    assert (new.id, new.category, new.aliases) == ("shou_fa_jing_ji", "营商与市场", ("首发经济", "首店经济"))
    text = themes.read_text(encoding="utf-8")
    assert text.startswith(original[: original.index("version: 1")])
    assert text.endswith(original[original.index("\nnesting_notes:") :])
    assert themes.stat().st_mode & 0o777 == 0o644
    h = open_store(db).dictionary_versions()
    assert list(zip(h["id"], h["author"], h["action"])) == [
        (2, "张编辑", "新增主题“首发经济”"),
        (1, "系统", "保存前的词典"),
    ]
    # the form starts afresh (keys carry the newest version)
    assert at.text_input(key="dict_name_new_2").value == ""


def test_editing_adds_exclusions_and_restore_brings_back_file_and_counts(env):
    db, themes = env
    original_text, original_counts = themes.read_text(encoding="utf-8"), counts(db)
    assert original_counts["rule_of_law"] == 18
    at = app()
    at.radio(key="dict_mode").set_value("编辑主题")
    run(at)
    at.selectbox(key="dict_pick").select("rule_of_law")
    run(at)
    assert at.multiselect(key="dict_aliases_rule_of_law_0").value == ["法治"]
    at.multiselect(key="dict_exclude_rule_of_law_0").set_value(["法治化", "依法治理"])
    at.button(key="dict_save").click()
    run(at)
    assert counts(db)["rule_of_law"] == 10  # 18 minus 法治化 (7) and 依法治理 (1)
    assert "    exclude: [法治化, 依法治理]\n" in themes.read_text(encoding="utf-8")
    assert table_value(at, "版本")["改动"].tolist() == ["修改主题 1 个（法治）", "最初的词典（89 个主题）"]
    assert table_value(at, "版本")["统计所用"].tolist() == ["✓", ""]
    at.selectbox(key="dict_version").select(1)
    run(at)
    assert "～ 主题“法治”：排除 −法治化 −依法治理" in [t.value for t in at.text]
    at.button(key="dict_restore").click()
    run(at)
    assert [s.value for s in at.success] == ["已恢复到第 1 版：已重新统计 5 篇文章。"]
    assert themes.read_text(encoding="utf-8") == original_text
    assert counts(db) == original_counts
    assert table_value(at, "版本")["操作"].tolist() == ["恢复到第 1 版", "编辑主题“法治”", "保存前的词典"]


def table_value(at: AppTest, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(column)


def test_an_audit_finding_becomes_an_exclusion_in_one_click(env):
    db, themes = env
    at = app()
    at.toggle(key="dict_suggest").set_value(True)
    run(at)
    rows = [t.value for t in at.text]
    assert "法治：“法治”出现在“法治化”中（7 / 17）" in rows
    idx = rows.index("法治：“法治”出现在“法治化”中（7 / 17）")
    button = at.button(key=f"dict_ex_{idx}")
    assert button.label == "排除“法治化”"
    button.click()
    run(at)
    assert counts(db)["rule_of_law"] == 11
    assert next(t for t in load_themes(themes) if t.id == "rule_of_law").exclude == ("法治化",)


def test_import_shows_the_changes_and_saves_as_a_version(env):
    db, themes = env
    at = app()
    bad = "themes:\n  - {id: a, name: 甲, category: 改革, aliases: [数]}\n"
    at.file_uploader(key="dict_import").set_value(("bad.yaml", bad.encode("utf-8"), "text/yaml"))
    run(at)
    assert [e.value for e in at.error] == [
        f"{S.md_escape('bad.yaml')} 不能使用：\n\n- 第 1 个主题（甲）的词语“数”只有一个字，会误计大量无关文字"
    ]
    assert "bad.yaml" not in at.error[0].value  # the file name is data: escaped, never a link
    good = "themes:\n  - {id: only, name: 唯一主题, category: 改革, aliases: [唯一主题]}\n"
    at.file_uploader(key="dict_import").set_value(("good.yaml", good.encode("utf-8"), "text/yaml"))
    run(at)
    shown = "\n".join(t.value for t in at.text)
    assert (
        "＋ 新增主题“唯一主题”（改革）：唯一主题" in shown
        and "－ 删除主题“法治”（安全与治理）：法治" in shown
    )
    at.button(key="dict_import_apply").click()
    run(at)
    assert [t.id for t in load_themes(themes)] == ["only"]
    assert open_store(db).dictionary_versions()["action"].tolist() == ["导入 good.yaml", "保存前的词典"]


def test_read_only_and_password(env):
    S.use_settings(replace(S.settings(), read_only=True), strict=True)
    at = app()
    assert any("只读模式" in i.value for i in at.info)
    for key in ("dict_check", "dict_save"):
        assert at.button(key=key).disabled
    S.use_settings(replace(S.settings(), read_only=False, admin_password="口令123"), strict=True)
    at = app()
    assert at.button(key="dict_save").disabled
    at.sidebar.text_input(key="editor_password").input("口令123").run()
    assert not at.button(key="dict_save").disabled


def test_delete_needs_confirmation_and_is_a_version(env):
    db, themes = env
    at = app()
    at.radio(key="dict_mode").set_value("编辑主题")
    run(at)
    at.selectbox(key="dict_pick").select("food_security")
    run(at)
    assert at.button(key="dict_delete").disabled
    at.checkbox(key="dict_del_confirm_food_security_0").check()
    run(at)
    at.button(key="dict_delete").click()
    run(at)
    assert [s.value for s in at.success] == ["删除主题“粮食安全”：已重新统计 5 篇文章。"]
    assert "food_security" not in [t.id for t in load_themes(themes)]
    assert at.selectbox(key="dict_pick").value != "food_security"  # the picker moved on, no error
    assert open_store(db).dictionary_versions()["summary"].tolist()[0] == "删除主题 1 个（粮食安全）"
