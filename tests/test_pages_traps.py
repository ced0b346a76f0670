"""Silent traps and access holes on the dashboard, each driven through AppTest (issue 13
traps 1 and 5; issue 12 items 2, 6, 8; issue 10: geo data edited, then rebuilt, counts).

Every test here failed on the code before the Workspace facade: the date range kept its
old end after an upload, nothing said a filter hid articles, `?em_top=abc` and
`?from=1900-01-01` crashed with a traceback, a cache clear built a second engine and
watcher, the password stayed in its input, and bare URLs or :material/…: icons in
article text still rendered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from helpers import pages_on, private_settings, run_page
from streamlit.testing.v1 import AppTest

from analysis import provinces
from analysis.settings import GEO_DIR, Settings
from analysis.store import open_store
from app_pages import _state as S

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def dt_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


LATER = (
    "湖北省召开全省高质量发展大会\n\n2025年1月5日，湖北省召开全省高质量发展大会，部署加快发展新质生产力。\n"
)


@pytest.fixture
def conf(tmp_path, sample_db) -> Iterator[Settings]:
    with pages_on(private_settings(tmp_path, sample_db)) as s:
        yield s


page = run_page


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# ---------------------------------------------------------------- trap 1: filters that hide articles
def test_an_article_imported_mid_session_is_not_filtered_out(conf):
    at = page("corpus.py")
    assert at.sidebar.date_input(key="f_dates").value == (
        dt_date("2023-02-07"),
        dt_date("2024-03-07"),
    )
    at.file_uploader(key="upload").set_value([("湖北2025.txt", LATER.encode("utf-8"), "text/plain")])
    at.run()
    at.button(key="do_ingest").click().run()
    assert not at.exception
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "文章数") == "6"  # the new, later article counts
    assert "to" not in at.query_params  # an unset end means "to the latest article"
    assert at.sidebar.date_input(key="f_dates").value == (dt_date("2023-02-07"), dt_date("2025-01-05"))
    assert "筛选隐藏了" not in captions(at)


def test_every_page_says_when_filters_hide_articles(conf):
    for name in ("overview.py", "themes.py", "wordcloud.py", "speakers.py"):
        at = page(name, **{"from": "2024-01-01"})
        assert "筛选隐藏了 1 篇文章" in captions(at), name
    at = page("overview.py", **{"from": "2024-01-01"})
    assert metric(at, "文章数") == "4"
    at.button(key="clear_filters").click().run()
    assert not at.exception
    assert "from" not in at.query_params
    assert metric(at, "文章数") == "5" and "筛选隐藏了" not in captions(at)


def test_only_a_range_the_editor_chose_goes_into_the_url(conf):
    at = page("overview.py")
    assert "from" not in at.query_params and "to" not in at.query_params
    at.sidebar.date_input(key="f_dates").set_value((dt_date("2023-06-01"), dt_date("2024-03-07"))).run()
    assert at.query_params["from"] in ("2023-06-01", ["2023-06-01"])
    assert "to" not in at.query_params  # the end was left at the latest article


# ---------------------------------------------------------------- trap 5: hand-edited URLs
@pytest.mark.parametrize(
    "name,params,notice",
    [
        ("emerging.py", {"em_top": "abc"}, "em_top=abc 无效，已改用 30"),
        ("emerging.py", {"em_min": "999"}, "em_min=999 无效，已改用 50"),
        ("overview.py", {"from": "1900-01-01"}, "from=1900-01-01 无效，已改用 2023-02-07"),
        ("overview.py", {"to": "不是日期"}, "to=不是日期 无效，已改用 不限"),
        ("wordcloud.py", {"wc_max": "-5"}, "wc_max=-5 无效，已改用 20"),
        ("themes.py", {"theme": "no_such"}, "theme=no_such 无效"),
        ("compare.py", {"mode": "periods", "p1": "x~y"}, "p1=x~y 无效"),
    ],
)
def test_bad_url_parameters_fall_back_with_one_line(conf, name, params, notice):
    at = page(name, **params)
    assert notice in captions(at)
    assert not at.error


def test_no_page_ever_shows_a_traceback(conf, monkeypatch):
    S.use_settings(conf, strict=False)  # as in production

    def broken(*args, **kwargs):
        raise RuntimeError("boom in /srv/secret/path.py")

    monkeypatch.setattr(S, "overview_view", broken)  # the page's one call into analysis/
    at = page("overview.py")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "这一页出错了，已记录在服务器日志中。可以刷新页面、清除筛选，或换一个页面再试。"
    ]
    shown = "\n".join(str(getattr(el, "value", "")) for el in at.main)
    assert "/srv/secret" not in shown and "RuntimeError" not in shown


def test_each_cached_view_keeps_its_own_cache(conf):
    """The wrappers are made by one factory; st.cache_data keys a function by its name and
    source, so without a name of their own the second view would get the first one's result."""
    from analysis.models import Filters

    f = Filters()
    first, second = S.overview_view(f, metric="count"), S.dictionary_view(f, metric="count")
    assert type(first).__name__ == "OverviewView" and type(second).__name__ == "DictionaryView"
    assert first.summary.articles == 5


# ---------------------------------------------------------------- issue 12 item 2: one engine, one watcher
def test_clearing_the_caches_builds_no_second_engine_or_watcher(conf):
    def watchers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "policy-inbox" and t.is_alive()}

    before = watchers()  # legacy watchers other tests may have left in this process
    page("overview.py")
    first = S.ws()
    for _ in range(3):  # what any viewer's clear_cache message does
        st.cache_resource.clear()
        st.cache_data.clear()
        page("themes.py")
    assert S.ws() is first
    assert len(watchers() - before) == 1


# ---------------------------------------------------------------- issue 12 item 6: the password
def test_password_field_is_emptied_and_lockout_shows(conf):
    S.use_settings(dataclasses.replace(conf, admin_password="口令123"), strict=True)
    at = page("corpus.py")
    box = at.sidebar.text_input(key="editor_password")
    box.input("错误口令").run()
    assert at.session_state["editor_password"] == ""  # not kept as the input's value
    assert any("口令不对" in c.value for c in at.sidebar.caption)
    assert not at.get("file_uploader")  # refused: no uploader at all
    at.sidebar.text_input(key="editor_password").input("口令123").run()
    assert at.session_state["editor_password"] == ""
    assert any("已用编辑口令登录" in c.value for c in at.sidebar.caption)
    assert not any("编辑口令" in i.value for i in at.info)
    assert len(at.get("file_uploader")) == 1
    at.button(key="editor_logout").click().run()
    assert any("编辑口令" in i.value for i in at.info)
    for _ in range(5):
        at.sidebar.text_input(key="editor_password").input("猜").run()
    assert any("秒后再试" in c.value for c in at.sidebar.caption)


def test_pins_and_quotes_need_the_password_too(conf):
    S.use_settings(dataclasses.replace(conf, admin_password="口令123"), strict=True)
    at = page("themes.py")
    assert at.button(key="th_rank_pin").disabled
    assert at.button(key="th_quote_add").disabled
    assert S.ws().pins().empty


# ---------------------------------------------------------------- issue 12 item 8: text shown as text
HOSTILE = "访问 https://evil.example/x 或 www.evil.cn，图标 :material/home: 表情 :smile: 邮件 a@evil.cn"


def test_markdown_escape_breaks_links_icons_and_mail():
    out = S.md_escape(HOSTILE)
    bare = out.replace("\\", "").replace("\u2060", "")
    assert bare.replace("&#x27;", "'") == HOSTILE  # nothing lost but the escapes
    plain = out.replace("\\", "")
    for pattern in ("https://", "www.", ":material/", ":smile:", "a@evil"):
        assert pattern not in plain, pattern


def test_article_text_with_urls_and_icons_is_shown_as_text(conf):
    text = f"湖北新闻\n\n湖北省召开会议。{HOSTILE}\n"
    S.ws().ingest_uploads([("hostile.txt", text.encode())], key=None)
    aid = S.ws().list_articles(None, search="hostile")["id"].iloc[0]
    at = page("articles.py", article=aid)
    body = "\n".join(m.value for m in at.markdown if "evil" in m.value)
    assert body
    for pattern in ("https://", "www.", ":material/", "a@evil"):
        assert pattern not in body.replace("\\", ""), pattern


# ---------------------------------------------------------------- issue 10: geo data edited, rebuilt, counted
def test_rebuild_in_a_running_dashboard_reads_edited_geo_files(conf, tmp_path, monkeypatch):
    geo = tmp_path / "geo"
    shutil.copytree(GEO_DIR, geo)
    monkeypatch.setattr(provinces, "GEO_DIR", geo)
    provinces.gazetteer.cache_clear()
    text = "桃溪镇会议纪要\n\n桃溪镇召开全镇大会，部署加快发展新质生产力。桃溪镇的企业代表参加会议。\n"
    at = page("corpus.py")
    at.file_uploader(key="upload").set_value([("桃溪.txt", text.encode("utf-8"), "text/plain")])
    at.run()
    at.button(key="do_ingest").click().run()
    store = open_store(conf.db)
    aid = store.df("SELECT id FROM articles WHERE source = '桃溪.txt'")["id"].item()
    assert store.sections_df(aid)["province"].tolist() == ["全国"]
    with (geo / "cities.csv").open("a", encoding="utf-8") as fh:
        fh.write("桃溪镇,桃溪,湖北,镇,0\n")
    at.button(key="do_rebuild").click().run()
    assert not at.exception
    assert store.sections_df(aid)["province"].tolist() == ["湖北"]
    at.switch_page("app_pages/themes.py").run()
    table = next(d.value for d in at.dataframe if "95%区间" in d.value.columns).set_index("省份")
    assert table.loc["湖北", "次数"] == 2  # 1 in the samples + the rebuilt article
    provinces.gazetteer.cache_clear()
