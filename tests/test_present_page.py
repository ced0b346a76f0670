"""AppTest of 演示模式: named decks from the page (create, reorder, remove) behind the editor
password; the show hides the page chrome and numbers its slides."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.settings import Settings
from analysis.store import Store
from app_pages import _state as S

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
BAR = pd.DataFrame({"label": ["广东", "江苏"], "value": [337, 65]}).to_json(
    orient="records", force_ascii=False
)


def _db(path: Path) -> Path:
    store = Store(path)
    for t in ("广东排名", "江苏排名"):
        store.add_pin(t, "bar", BAR, "示例语料", "全部")
    store.close()
    return path


@pytest.fixture
def settings(tmp_path):
    def make(**kw) -> Settings:
        return Settings(db=_db(tmp_path / "present.duckdb"), workers=1, import_samples=False, **kw)

    yield make
    S.use_settings(None)


def app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("app_pages/present.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_decks_need_the_password(settings):
    S.use_settings(settings(admin_password="口令123"), strict=True)
    at = app()
    assert at.selectbox(key="deck_pick_1").options == ["默认演示"]
    for key in ("deck_new", "deck_copy", "deck_rename", "mv_1_pin_1", "rm_pin_1"):
        assert at.button(key=key).disabled, key
    assert any("口令" in i.value for i in at.info)  # the guard says how to get in


def test_create_reorder_and_remove(settings):
    S.use_settings(settings(), strict=True)
    at = app()
    ws = S.ws()
    assert ws.deck_items(1)["title"].tolist() == ["广东排名", "江苏排名"]
    at.button(key="mv_1_pin_1").click().run()  # 广东 down
    assert ws.deck_items(1)["title"].tolist() == ["江苏排名", "广东排名"]
    at.text_input(key="deck_new_name").input("周一编前会").run()
    at.button(key="deck_new").click().run()
    assert not at.exception
    assert ws.decks()["name"].tolist() == ["默认演示", "周一编前会"]
    assert at.query_params["deck"] == ["2"] or at.query_params["deck"] == "2"
    at = app(deck="1")
    at.button(key="rm_pin_2").click().run()
    assert ws.deck_items(1)["title"].tolist() == ["广东排名"]


def test_show_hides_chrome_and_numbers_slides(settings):
    S.use_settings(settings(), strict=True)
    at = app(show="1", slide="2")
    assert not at.title  # no page heading on the stage
    assert any("第 2 / 2 张" in m.value for m in at.markdown)
    at.button(key="present_prev").click().run()
    assert any("第 1 / 2 张" in m.value for m in at.markdown)
    at.button(key="present_exit").click().run()
    assert [t.value for t in at.title] == ["演示模式"]
