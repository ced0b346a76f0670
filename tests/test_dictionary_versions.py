"""Dictionary versions: save -> edit -> restore gives back the original file and counts."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from analysis import dict_versions as dv
from analysis.engine import Engine
from analysis.models import Theme
from analysis.settings import THEMES_FILE
from analysis.store import Store
from analysis.themes import ThemeError, load_themes


@pytest.fixture
def engine(tmp_path, sample_db):
    """An engine on a copy of the session's samples store (counted with the bundled
    dictionary) and on a writable copy of that dictionary."""
    path = tmp_path / "themes.yaml"
    path.write_text(THEMES_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    path.chmod(0o644)
    shutil.copy(sample_db, tmp_path / "v.duckdb")
    store = Store(tmp_path / "v.duckdb")
    eng = Engine(store, themes=load_themes(path), workers=1)
    yield eng, path
    store.close()


def theme_counts(store) -> dict[str, int]:
    t = store.hit_stats(None, "theme")
    return dict(zip(t["theme_id"], t["count"].astype(int)))


def test_diff_themes_lists_every_change():
    old = [
        Theme("law", "法治", "安全与治理", ("法治",)),
        Theme("biz", "营商环境", "营商与市场", ("营商环境",), note="含优化营商环境"),
    ]
    new = [
        Theme("law", "法治", "安全与治理", ("法治", "法治建设"), exclude=("法治化",)),
        Theme("first", "首发经济", "营商与市场", ("首发经济",)),
    ]
    d = dv.diff_themes(old, new)
    assert d.lines() == [
        "＋ 新增主题“首发经济”（营商与市场）：首发经济",
        "－ 删除主题“营商环境”（营商与市场）：营商环境",
        "～ 主题“法治”：词语 +法治建设；排除 +法治化",
    ]
    assert d.summary() == "新增主题 1 个（首发经济）；删除主题 1 个（营商环境）；修改主题 1 个（法治）"
    renamed = dv.diff_themes(old, [replace(old[0], category="改革", note="新说明"), old[1]])
    assert renamed.lines() == ["～ 主题“法治”：类别 “安全与治理” → “改革”；说明 “” → “新说明”"]
    assert dv.diff_themes(old, old).empty and dv.diff_themes(old, old).summary() == "没有改动"


def test_save_edit_restore_round_trip(engine):
    eng, path = engine
    original_text = path.read_text(encoding="utf-8")
    original_counts = theme_counts(eng.store)
    assert original_counts["rule_of_law"] == 18 and original_counts["business_environment"] == 106

    themes = list(eng.themes)
    law = next(i for i, t in enumerate(themes) if t.id == "rule_of_law")
    themes[law] = replace(themes[law], exclude=("法治化", "依法治理"))
    n, version = dv.save(eng, themes, author="张编辑", path=path)
    assert (n, version) == (5, 2)  # version 1 is the file as it was before the first save
    edited_text = path.read_text(encoding="utf-8")
    assert "    exclude: [法治化, 依法治理]\n" in edited_text
    counts = theme_counts(eng.store)
    assert counts["rule_of_law"] == 10  # 18 minus 法治化 (7) and 依法治理 (1)
    assert {k: v for k, v in counts.items() if k != "rule_of_law"} == {
        k: v for k, v in original_counts.items() if k != "rule_of_law"
    }

    h = dv.history(eng.store)
    assert list(h["id"]) == [2, 1]
    assert list(h["in_use"]) == [True, False]  # the counts are version 2's
    assert list(h["author"]) == ["张编辑", "系统"]
    assert list(h["action"]) == ["保存", "保存前的词典"]
    assert h["summary"].iloc[0] == "修改主题 1 个（法治）"
    assert h["summary"].iloc[1] == f"最初的词典（{len(themes)} 个主题）"
    assert dv.diff_versions(eng.store, 1, 2).lines() == ["～ 主题“法治”：排除 +法治化 +依法治理"]

    n, version = dv.restore(eng, 1, author="李编辑", path=path)
    assert (n, version) == (5, 3)
    assert path.read_text(encoding="utf-8") == original_text
    assert path.stat().st_mode & 0o777 == 0o644
    assert theme_counts(eng.store) == original_counts
    assert eng.themes == load_themes(path)
    h = dv.history(eng.store)
    assert list(h["action"]) == ["恢复到第 1 版", "保存", "保存前的词典"]
    assert list(h["in_use"]) == [True, False, False]  # 3 and 1 hold the same dictionary: the newest is named
    assert h["summary"].iloc[0] == "修改主题 1 个（法治）"
    assert eng.store.dictionary_version(3)["text"] == original_text

    # and forward again: restoring version 2 brings the edited file and its counts back
    dv.restore(eng, 2, author="李编辑", path=path)
    assert path.read_text(encoding="utf-8") == edited_text
    assert theme_counts(eng.store) == counts


def test_restore_of_a_missing_version_changes_nothing(engine):
    eng, path = engine
    before = (path.read_bytes(), theme_counts(eng.store))
    with pytest.raises(ThemeError) as exc:
        dv.restore(eng, 7, author="李编辑", path=path)
    assert exc.value.problems == ["没有第 7 版词典"]
    assert (path.read_bytes(), theme_counts(eng.store)) == before
    assert dv.history(eng.store).empty


def test_workspace_saves_and_restores_behind_the_permission_check(tmp_path):
    from analysis.settings import Settings
    from analysis.workspace import AccessDenied, Workspace

    path = tmp_path / "themes.yaml"
    path.write_text(THEMES_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(db=tmp_path / "w.duckdb", themes_file=path, admin_password="口令", workers=1)
    ws = Workspace.open(settings)
    try:
        original = path.read_text(encoding="utf-8")
        themes = [t for t in ws.themes if t.id != "food_security"]
        with pytest.raises(AccessDenied):
            ws.save_dictionary(themes, key=None, author="路人")
        with pytest.raises(AccessDenied):
            ws.restore_dictionary(1, key=None)
        assert ws.dictionary_history().empty and path.read_text(encoding="utf-8") == original
        key = ws.access.login("口令")
        assert ws.save_dictionary(themes, key=key, author="张编辑") == 5
        h = ws.dictionary_history()
        assert list(zip(h["id"], h["author"], h["summary"])) == [
            (2, "张编辑", "删除主题 1 个（粮食安全）"),
            (1, "系统", f"最初的词典（{len(themes) + 1} 个主题）"),
        ]
        assert ws.dictionary_diff(1, 2).lines() == ["－ 删除主题“粮食安全”（安全与治理）：粮食安全"]
        assert ws.restore_dictionary(1, key=key, author="张编辑") == 5
        assert ws.dictionary_text() == original
        assert [t.id for t in ws.themes] == [t.id for t in load_themes(path)]
    finally:
        ws.store.close()


def test_a_version_that_cannot_be_recorded_keeps_the_file_and_the_counts(engine, monkeypatch):
    import duckdb

    eng, path = engine
    themes = [t for t in eng.themes if t.id != "food_security"]
    dv.save(eng, themes, author="张编辑", path=path)
    saved_text, saved_counts = path.read_text(encoding="utf-8"), theme_counts(eng.store)

    def full_disk(**_kwargs):
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(eng.store, "add_dictionary_version", full_disk)
    law = next(i for i, t in enumerate(themes) if t.id == "rule_of_law")
    themes[law] = replace(themes[law], exclude=("法治化",))
    with pytest.raises(ThemeError):
        dv.save(eng, themes, author="张编辑", path=path)
    # the version row is written in the recount's transaction: neither counts nor file moved
    assert path.read_text(encoding="utf-8") == saved_text
    assert theme_counts(eng.store) == saved_counts
    monkeypatch.undo()
    assert list(dv.history(eng.store)["id"]) == [2, 1]
