"""Named decks: an older store's pins become 默认演示; create, duplicate, reorder, remove,
delete; every change behind the editor password; a deck exports in its own order."""

from __future__ import annotations

import datetime as dt
import io

import helpers
import pandas as pd
import pytest
from pptx import Presentation

from analysis.access import AccessDenied
from analysis.settings import Settings
from analysis.store import Store
from analysis.store.decks import DeckError, Decks, clean_name
from analysis.store.hidden_words import HiddenWordError, clean_word
from analysis.workspace import Workspace

BAR = pd.DataFrame({"label": ["广东", "江苏"], "value": [337, 65]}).to_json(
    orient="records", force_ascii=False
)
QUOTE = {**helpers.QUOTE, "article_id": "a1", "par_idx": 2}


def titles(decks: Decks, deck_id: int) -> list[str]:
    return decks.items(deck_id)["title"].tolist()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "decks.duckdb")
    for t in ("广东排名", "江苏排名", "湖北排名"):
        s.add_pin(t, "bar", BAR, "示例", "全部")
    s.add_quote(QUOTE)
    yield s
    s.close()


def test_older_store_pins_become_the_default_deck(tmp_path):
    path = tmp_path / "old.duckdb"
    s = Store(path)
    s.add_pin("广东排名", "bar", BAR, "示例", "全部")
    s.add_pin("江苏排名", "bar", BAR, "示例", "全部")
    s.add_quote(QUOTE)
    # A file from before decks existed: no decks tables at all.
    s.cur().execute("DROP TABLE decks")
    s.cur().execute("DROP TABLE deck_items")
    s.close()
    s = Store(path)  # the migration creates the tables; the first read fills the default deck
    d = Decks(s)
    assert d.list()[["name", "items"]].values.tolist() == [["默认演示", 3]]
    deck_id = int(d.list()["id"][0])
    assert d.items(deck_id)[["kind", "item_id"]].values.tolist() == [["pin", 1], ["pin", 2], ["quote", 1]]
    s.add_pin("新图", "bar", BAR, "示例", "全部")  # pinned by code that knows no decks
    assert titles(d, deck_id)[-1] == "新图"
    s.close()


def test_create_duplicate_reorder_remove_delete(store):
    d = Decks(store)
    default = int(d.list()["id"][0])
    assert titles(d, default) == ["广东排名", "江苏排名", "湖北排名", "要因地制宜发展新质生产力。"]
    d.move(default, "pin", 3, -1)
    d.move(default, "quote", 1, -5)  # past the top: stays first
    assert titles(d, default) == ["要因地制宜发展新质生产力。", "广东排名", "湖北排名", "江苏排名"]
    monday = d.create(" 周一编前会 ")
    d.add(monday, "pin", 2)
    d.add(monday, "pin", 2)  # twice is once
    copy = d.duplicate(default)
    assert d.list()[["name", "items"]].values.tolist() == [
        ["默认演示", 4],
        ["周一编前会", 1],
        ["默认演示（副本）", 4],
    ]
    d.move_deck(copy, -1)
    assert d.list()["name"].tolist() == ["默认演示", "默认演示（副本）", "周一编前会"]
    d.remove(default, "pin", 2)  # still in 周一编前会 and the copy: the chart stays
    assert titles(d, default) == ["要因地制宜发展新质生产力。", "广东排名", "湖北排名"]
    assert len(store.pins()) == 3
    d.delete(copy)
    d.delete(monday)  # 江苏排名 (pin 2) was only in these two by now: the chart goes
    assert store.pins()["title"].tolist() == ["广东排名", "湖北排名"]
    assert titles(d, default) == ["要因地制宜发展新质生产力。", "广东排名", "湖北排名"]


def test_bad_names_and_missing_decks(store):
    d = Decks(store)
    with pytest.raises(DeckError, match="不能为空"):
        d.create("   ")
    with pytest.raises(DeckError, match="太长"):
        d.create("会" * 41)
    with pytest.raises(DeckError, match="找不到"):
        d.rename(99, "新名字")
    with pytest.raises(DeckError, match="不在这个演示里"):
        d.move(int(d.list()["id"][0]), "pin", 42, 1)


def workspace(tmp_path, **kw) -> Workspace:
    s = Settings(db=tmp_path / "ws.duckdb", import_samples=False, workers=1, **kw)
    return Workspace.open(s)


def test_deck_changes_need_the_editor_password(tmp_path):
    ws = workspace(tmp_path, admin_password="口令123")
    with pytest.raises(AccessDenied):
        ws.create_deck("周一编前会", key=None)
    key = ws.access.login("口令123")
    monday = ws.create_deck("周一编前会", key=key)
    for change in (
        lambda k: ws.rename_deck(monday, "周二", key=k),
        lambda k: ws.duplicate_deck(monday, key=k),
        lambda k: ws.move_deck(monday, -1, key=k),
        lambda k: ws.delete_deck(monday, key=k),
    ):
        with pytest.raises(AccessDenied):
            change(None)
    assert ws.decks()["name"].tolist() == ["默认演示", "周一编前会"]
    ws.rename_deck(monday, "周二编前会", key=key)
    assert ws.decks()["name"].tolist() == ["默认演示", "周二编前会"]
    ws.store.close()


def test_deck_exports_in_its_own_order(tmp_path):
    ws = workspace(tmp_path)
    for t in ("广东排名", "江苏排名"):
        ws.store.add_pin(t, "bar", BAR, "示例", "全部")
    ws.store.add_quote(QUOTE)
    monday = ws.create_deck("周一编前会", key=None)
    ws.add_to_deck(monday, "quote", 1, key=None)
    ws.add_to_deck(monday, "pin", 2, key=None)
    deck = Presentation(io.BytesIO(ws.deck_pptx(monday, made_on=dt.date(2024, 7, 1))))
    shown = [[s.text_frame.text for s in slide.shapes if s.has_text_frame] for slide in deck.slides]
    assert shown[0] == ["周一编前会", "2024年7月1日　共 1 张图表、1 段引语"]
    assert shown[1][0] == "“要因地制宜发展新质生产力。”" and shown[2][0] == "江苏排名"
    ws.store.close()


def test_read_only_reads_one_virtual_deck_and_writes_nothing(store):
    d = Decks(store, writable=False)
    assert d.list()[["id", "name", "items"]].values.tolist() == [[0, "默认演示", 4]]
    assert titles(d, 0) == ["广东排名", "江苏排名", "湖北排名", "要因地制宜发展新质生产力。"]
    assert store.df("SELECT count(*) AS n FROM decks")["n"].tolist() == [0]


@pytest.mark.parametrize(
    ("clean", "typed", "kept", "error", "what", "limit"),
    [
        (clean_name, " 周一\n 编前会 ", "周一 编前会", DeckError, "演示的名称", 40),
        (clean_word, " 高质量 发展 ", "高质量发展", HiddenWordError, "要隐藏的词语", 20),
    ],
)
def test_deck_names_and_hidden_words_follow_one_rule(clean, typed, kept, error, what, limit):
    assert clean(typed) == kept
    assert clean("字" * limit) == "字" * limit
    with pytest.raises(error, match=f"^{what}不能为空$"):
        clean(" \n ")
    with pytest.raises(error, match=rf"^{what}太长（最多 {limit} 个字）$"):
        clean("字" * (limit + 1))
