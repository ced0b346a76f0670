"""AppTest of how sure attribution is (issue 11, "Also in this issue" and mechanism 6):
the runner-up and the weak flag on 文章, the list of weakly attributed sections, leader
terms edited on 领导人 and used after a rebuild, and the 示例 notice on counting pages.

Each test runs the dashboard against its own copy of the sample store, dictionary and
corpus/geo/ (leaders.csv is written only in the copy).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import S000, S003, private_settings, rerun, run_page
from streamlit.testing.v1 import AppTest

from analysis import leaders, provinces
from analysis.models import Filters
from analysis.settings import GEO_DIR
from analysis.store import open_store
from analysis.views import articles
from analysis.workspace import AccessDenied
from app_pages import _state as S

FLAG = "⚠ 依据较弱，请核对"


@pytest.fixture
def env(tmp_path, monkeypatch, sample_db):
    """A private store, dictionary and geo directory; corpus/geo/leaders.csv never changes."""
    s = private_settings(tmp_path, sample_db)
    geo = tmp_path / "geo"
    shutil.copytree(GEO_DIR, geo)
    monkeypatch.setattr(provinces, "GEO_DIR", geo)
    monkeypatch.setattr(leaders, "GEO_DIR", geo)
    provinces.gazetteer.cache_clear()
    original = (GEO_DIR / "leaders.csv").read_bytes()
    S.use_settings(s, strict=True)
    yield s.db, geo
    S.use_settings(None)
    provinces.gazetteer.cache_clear()
    assert (GEO_DIR / "leaders.csv").read_bytes() == original, "a test wrote to corpus/geo/leaders.csv"


app = run_page
run = rerun


def id_of(db: Path, source: str) -> str:
    return open_store(db).df("SELECT id FROM articles WHERE source = ?", [source])["id"].item()


def weak_table(at: AppTest):
    return next(d.value for d in at.dataframe if "也提到" in d.value.columns)


# ---------------------------------------------------------------- 1. runner-up and weak flag per section
def test_weak_section_shows_its_flag_and_runner_up(env):
    db, _ = env
    aid = id_of(db, S000)
    at = app("articles.py", article=aid)
    captions = [c.value for c in at.caption]
    # 扩大高水平对外开放 (section 3): national, but Shaanxi is named 8 times
    assert "省份：全国（依据 未指明具体地方 → 全国） · 也提到：陕西 8 次" in captions
    assert "省份：全国（依据 未指明具体地方 → 全国） · 也提到：四川 3 次" in captions
    # five weak sections in 000 (four national ones and a headline-only 北京); each flagged once
    assert sum(FLAG in m.value for m in at.markdown if m.value.startswith(":orange[**")) == 5
    # a strong section with a runner-up carries no flag: 两会时间 (江苏 once)
    assert "省份：全国（依据 未指明具体地方 → 全国） · 也提到：江苏 1 次" in captions
    # a paragraph shown with its own province carries its flag too (section 4: 内蒙古, 云南)
    body = "\n".join(m.value for m in at.markdown)
    assert "〔云南，依据" in body and FLAG + "〕" in body


def test_an_editors_choice_is_not_flagged(env):
    db, _ = env
    aid = id_of(db, S000)
    S.ws().override_section(aid, 3, "陕西", key=None)
    at = app("articles.py", article=aid)
    assert sum(FLAG in m.value for m in at.markdown if m.value.startswith(":orange[**")) == 4
    assert "扩大高水平对外开放" not in weak_table(at)["小标题"].tolist()


# ---------------------------------------------------------------- 2. the list of weak sections
def test_weak_list_under_the_filters_opens_each_article(env):
    db, _ = env
    aid = id_of(db, S000)
    at = app("articles.py")
    assert [e.label for e in at.expander if e.label.startswith("依据较弱")] == ["依据较弱的分段（7 段）"]
    t = weak_table(at)
    mine = t[t["文章编号"] == aid]
    assert mine["小标题"].tolist() == [
        "充分发挥创新主导作用",
        "扩大高水平对外开放",
        "坚持在发展中保障和改善民生",
        "新语",
        "邮储银行北京分行",
    ]
    assert mine["省份"].tolist() == ["全国", "全国", "全国", "全国", "北京"]
    assert mine["也提到"].tolist() == [
        "也提到：四川 3 次",
        "也提到：陕西 8 次",
        "也提到：云南 2 次",
        "也提到：江苏 2 次",
        "",
    ]
    assert set(mine["原文"]) == {f"articles?article={aid}"}
    assert (t[t["文章编号"] != aid]["文章编号"] == id_of(db, S003)).all()  # the other two: 003


def test_weak_list_follows_the_source_filter(env):

    v = articles(S.ws(), Filters(sources=(S003,)))
    assert v.weak["小标题"].tolist() == ["", "网站支持IPv6"] and set(v.weak["省份"]) == {"广东"}
    assert articles(S.ws(), Filters(provinces=("北京",))).weak["小标题"].tolist() == ["邮储银行北京分行"]


# ---------------------------------------------------------------- 3. leaders: edit, refuse, rebuild
NEW_LEADER = "钱塘远"
ARTICLE = (
    "钱塘远调研制造业\n\n2026年3月5日，钱塘远在调研时强调，要加快发展新质生产力，"
    "推动制造业高端化、智能化、绿色化发展。\n"
)


def add_leader(at: AppTest) -> AppTest:
    at.text_input(key="ld_name").input(NEW_LEADER)
    at.selectbox(key="ld_province").select("浙江")
    at.selectbox(key="ld_office").select("省长")
    at.selectbox(key="ld_start").select("2026-01")
    at.button(key="ld_do_add").click()
    return run(at)


def test_leader_added_on_the_page_is_used_after_a_rebuild(env):
    db, geo = env
    S.ws().ingest_uploads([("钱塘远.txt", ARTICLE.encode())], key=None)
    aid = id_of(db, "钱塘远.txt")
    assert open_store(db).sections_df(aid)["province"].tolist() == ["全国"]
    at = app("leaders.py")
    assert any("重建全部统计" in i.value for i in at.info)
    add_leader(at)
    assert any("已添加：钱塘远，浙江省长，2026-01 起" in s.value for s in at.success)
    assert f"{NEW_LEADER},浙江,省长,2026-01,," in (geo / "leaders.csv").read_text(encoding="utf-8")
    assert open_store(db).sections_df(aid)["province"].tolist() == ["全国"]  # not before a rebuild
    at.button(key="ld_rebuild").click()
    run(at)
    sec = open_store(db).sections_df(aid)
    assert sec["province"].tolist() == ["浙江"]
    assert NEW_LEADER in sec["reason"].item()
    # ending the term before the article's month: the section falls back to 全国 after a rebuild
    at.selectbox(key="ld_who").select(f"{NEW_LEADER}｜省长")
    at.selectbox(key="ld_end_month").select("2026-02")
    at.button(key="ld_do_end").click()
    run(at)
    assert f"{NEW_LEADER},浙江,省长,2026-01,2026-02," in (geo / "leaders.csv").read_text(encoding="utf-8")
    at.button(key="ld_rebuild").click()
    run(at)
    assert open_store(db).sections_df(aid)["province"].tolist() == ["全国"]


def test_a_malformed_term_is_refused_with_its_reason(env):
    _, geo = env
    before = (geo / "leaders.csv").read_bytes()
    at = app("leaders.py")
    at.text_input(key="ld_name").input("Qian")
    at.selectbox(key="ld_province").select("浙江")
    at.selectbox(key="ld_office").select("省长")
    at.selectbox(key="ld_start").select("2026-01")
    at.button(key="ld_do_add").click()
    run(at)
    assert [e.value for e in at.error] == ["leaders.csv：姓名“Qian”应为 2–12 个汉字"]
    assert (geo / "leaders.csv").read_bytes() == before


def test_leader_edits_need_the_password(env):
    _, geo = env
    before = (geo / "leaders.csv").read_bytes()
    S.use_settings(replace(S.settings(), admin_password="口令123"), strict=True)
    at = app("leaders.py")
    assert any("编辑口令" in i.value for i in at.info)
    assert at.button(key="ld_do_add").disabled and at.button(key="ld_do_end").disabled
    assert at.button(key="ld_rebuild").disabled
    with pytest.raises(AccessDenied):
        S.ws().add_leader_term(NEW_LEADER, "浙江", "省长", "2026-01", key=None)
    with pytest.raises(AccessDenied):
        S.ws().end_leader_term("殷勇", "市长", "2026-01", key=None)
    assert (geo / "leaders.csv").read_bytes() == before
    at.sidebar.text_input(key="editor_password").input("口令123").run()
    add_leader(at)
    assert f"{NEW_LEADER},浙江,省长,2026-01,," in (geo / "leaders.csv").read_text(encoding="utf-8")


def test_leader_edits_refused_in_read_only_mode(env):
    _, geo = env
    before = (geo / "leaders.csv").read_bytes()
    S.use_settings(replace(S.settings(), read_only=True), strict=True)
    at = app("leaders.py")
    assert any("只读模式" in i.value for i in at.info)
    assert at.button(key="ld_do_add").disabled and at.button(key="ld_rebuild").disabled
    with pytest.raises(AccessDenied):
        S.ws().add_leader_term(NEW_LEADER, "浙江", "省长", "2026-01", key=None)
    assert (geo / "leaders.csv").read_bytes() == before


# ---------------------------------------------------------------- 4. 示例 on every page that counts articles
COUNTING = (
    "themes.py",
    "compare.py",
    "wordcloud.py",
    "articles.py",
    "emerging.py",
    "speakers.py",
    "audit.py",
)
SAMPLES_LINE = "这里的数字含 {n} 篇示例文章（示例，随看板附带用来演示）；可在“语料管理”页一键移除。"


def sample_lines(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "示例文章" in c.value]


@pytest.mark.parametrize("page", COUNTING)
def test_counting_pages_say_samples_are_among_their_articles(env, page):
    assert sample_lines(app(page)) == [SAMPLES_LINE.format(n=5)]


def test_samples_line_follows_the_filters_and_the_removal(env):
    S.ws().ingest_uploads([("钱塘远.txt", ARTICLE.encode())], key=None)
    assert sample_lines(app("themes.py")) == [SAMPLES_LINE.format(n=5)]
    assert sample_lines(app("themes.py", src=S003)) == [SAMPLES_LINE.format(n=1)]
    assert sample_lines(app("themes.py", src="钱塘远.txt")) == []  # an editor's own article only
    # 总览 has its own welcome, not a second line
    assert SAMPLES_LINE.format(n=5) not in sample_lines(app("overview.py"))
    at = app("corpus.py")
    at.button(key="do_remove_samples").click()
    run(at)
    assert [x.value for x in at.success] == ["已移除 5 篇示例文章。"]
    assert sample_lines(app("themes.py")) == []
