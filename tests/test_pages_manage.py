"""AppTest of the pages that change the corpus: 文章, 语料管理, 主题词典.

Each test runs the dashboard against its own copy of a sample store and of the theme
dictionary (POLICY_DB, POLICY_THEMES), so nothing here touches data/ or corpus/themes.yaml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import S002, SAMPLE_FILES, pages_on, private_settings, rerun, run_page, sample_text
from streamlit.testing.v1 import AppTest

from analysis import queries
from analysis.store import Store, open_store
from app_pages import _state as S


@pytest.fixture
def env(tmp_path, monkeypatch, sample_db):
    """A private store and dictionary for one test; the app's caches cleared around it."""
    with pages_on(private_settings(tmp_path, sample_db)) as s:
        yield s.db, s.themes_file


app = run_page
run = rerun


def store_of(db: Path) -> Store:
    return open_store(db)  # the very connection the app's engine uses


def id_of(store: Store, source: str) -> str:
    return store.df("SELECT id FROM articles WHERE source = ?", [source])["id"].item()


def table(at: AppTest, *columns: str):
    """The first table showing all these columns (read-only tables carry no key in AppTest)."""
    for df in at.dataframe:
        value = df.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def texts(at: AppTest) -> str:
    return "\n".join(
        [c.value for c in at.caption]
        + [m.value for m in at.markdown]
        + [e.value for e in at.error]
        + [w.value for w in at.warning]
        + [s.value for s in at.success]
    )


# ---------------------------------------------------------------- 文章


def test_articles_page_lists_the_five_samples(env):
    at = app("articles.py")
    assert at.title[0].value == "文章"
    shown = table(at, "日期", "标题", "媒体", "省份", "字数")
    assert len(shown) == 5
    # the outlet, never the file name (issue 13); 002 names none
    assert sorted(shown["媒体"]) == sorted(["人民日报", "人民日报", "（未注明）", "深圳特区报", "极目新闻"])
    assert list(shown.columns) == ["日期", "标题", "媒体", "省份", "字数"]
    assert not set(SAMPLE_FILES) & set(shown["媒体"])
    assert "各省区市新春第一会讲话摘要汇编" in set(shown["标题"])


def test_search_narrows_the_list_and_goes_into_the_url(env):
    at = app("articles.py")
    at.text_input(key="q").input("陈吉宁")
    run(at)
    shown = table(at, "日期", "标题", "媒体", "省份", "字数")
    assert list(shown["标题"]) == ["各省区市新春第一会讲话摘要汇编"]
    assert at.query_params["q"] == ["陈吉宁"] or at.query_params["q"] == "陈吉宁"


def test_article_opened_from_url_shows_sections_with_reasons(env):
    db, _ = env
    aid = id_of(store_of(db), S002)
    at = app("articles.py", article=aid)
    assert at.selectbox(key="article").value == aid
    assert at.header[0].value == "各省区市新春第一会讲话摘要汇编"
    shown = texts(at)
    assert "人名：陈吉宁 → 上海" in shown
    assert "元数据" in shown and "2024-02-19" in shown
    # every section has its own override box, first option follows the evidence
    n_sections = len(store_of(db).sections_df(aid))
    boxes = [at.selectbox(key=f"ovr_{i}") for i in range(n_sections)]
    assert boxes[1].value == "" and boxes[1].format_func("") == "自动（上海）"
    assert len(boxes[1].options) == 1 + 31 + 1
    # the theme phrases of the text are highlighted, and the article's counts listed
    assert any(":orange-background[营商环境]" in m.value for m in at.markdown)
    counts = table(at, "主题", "类别", "次数", "每万字频次")
    expected = queries.article_theme_counts(store_of(db), aid)
    assert counts["次数"].tolist() == expected["count"].tolist()
    assert int(counts.loc[counts["主题"] == "营商环境", "次数"].item()) > 0


def test_override_moves_a_section_and_the_province_counts(env):
    db, _ = env
    store = store_of(db)
    aid = id_of(store, S002)
    at = app("articles.py", article=aid)
    sec = store.sections_df(aid)
    idx = int(sec.loc[sec["reason"] == "人名：陈吉宁 → 上海", "idx"].item())
    moved = int(
        store.scalar(
            "SELECT coalesce(sum(n), 0) FROM hits WHERE article_id = ? AND section_idx = ?", [aid, idx]
        )
    )
    assert moved > 0

    def totals() -> dict[str, int]:
        t = queries.counts_table(store, None, "province")
        return t.groupby("group")["count"].sum().to_dict()

    before = totals()
    at.selectbox(key=f"ovr_{idx}").select("浙江")
    run(at)
    sec = store.sections_df(aid).set_index("idx")
    assert sec.loc[idx, "province"] == "浙江"
    assert sec.loc[idx, "auto_province"] == "上海"
    assert store.overrides(aid) == {idx: "浙江"}
    after = totals()
    assert after["浙江"] == before["浙江"] + moved
    assert after.get("上海", 0) == before["上海"] - moved
    assert "编辑指定" in texts(at)

    at.selectbox(key=f"ovr_{idx}").select("")  # back to the evidence
    run(at)
    assert store.overrides(aid) == {}
    assert store.sections_df(aid).set_index("idx").loc[idx, "province"] == "上海"
    assert totals() == before


def test_edit_title_and_date(env):
    db, _ = env
    store = store_of(db)
    aid = id_of(store, S002)
    at = app("articles.py", article=aid)
    at.text_input(key="edit_title").input("新春第一会（编辑改过的标题）")
    at.date_input(key="edit_date").set_value(dt.date(2024, 2, 20))
    at.button(key="save_meta").click()
    run(at)
    art = store.article(aid)
    assert art is not None
    assert art["title"] == "新春第一会（编辑改过的标题）"
    assert art["date"] == dt.date(2024, 2, 20) and art["date_basis"] == "编辑"
    assert store.df("SELECT DISTINCT date FROM hits WHERE article_id = ?", [aid])[
        "date"
    ].dt.date.tolist() == [dt.date(2024, 2, 20)]
    assert at.header[0].value == "新春第一会（编辑改过的标题）"
    assert "日期由编辑指定" in texts(at)


def test_switching_articles_resets_the_form_and_the_override_boxes(env):
    db, _ = env
    store = store_of(db)
    a002, a000 = id_of(store, S002), id_of(store, "000_5b1d72ed28b85adc.txt")
    at = app("articles.py", article=a002)
    at.selectbox(key="ovr_1").select("浙江")
    run(at)
    at.selectbox(key="article").select(a000)
    run(at)
    assert at.query_params["article"] in (a000, [a000])
    art = store.article(a000)
    assert art is not None
    assert at.header[0].value == art["title"]
    assert at.text_input(key="edit_title").value == art["title"]
    assert at.date_input(key="edit_date").value == art["date"]
    assert at.selectbox(key="ovr_1").value == ""  # 000 has no override; 002 keeps its own
    assert store.overrides(a002) == {1: "浙江"} and store.overrides(a000) == {}


def test_article_text_is_escaped(env):
    from app_pages._state import md_escape

    raw = "**粗体** <script>x</script> [链接](http://a) :red[红] # 标题"
    out = md_escape(raw)
    for bad in ("**", "<script>", "](", ":red["):
        assert bad not in out
    assert "&lt;script&gt;" in out


# ---------------------------------------------------------------- 语料管理

GOOD = "## 湖北\n\n湖北省召开全省高质量发展大会，部署加快发展新质生产力，持续优化营商环境。\n" * 3


def test_upload_reports_one_line_per_file(env):
    db, _ = env
    at = app("corpus.py")
    assert at.title[0].value == "语料管理"
    assert at.metric[0].value == "5"
    at.file_uploader(key="upload").set_value(
        [
            ("湖北新闻.txt", GOOD.encode("gb18030"), "text/plain"),
            ("坏文件.pdf", b"this is not a pdf at all", "application/pdf"),
            (S002, sample_text(S002).encode("utf-8"), "text/plain"),
        ]
    )
    run(at)
    at.button(key="do_ingest").click()
    run(at)
    res = table(at, "结果", "文件", "说明")
    assert res["文件"].tolist() == ["湖北新闻.txt", "坏文件.pdf", S002]
    assert res["结果"].tolist() == ["✅ 新增", "❌ 失败", "ℹ️ 已存在"]
    assert res["说明"][1]  # a reason in Chinese
    store = store_of(db)
    assert store.article_count() == 6
    assert at.metric[0].value == "6"
    assert len(table(at, "来源文件", "日期依据")) == 6
    new_id = store.df("SELECT id FROM articles WHERE source = '湖北新闻.txt'")["id"].item()
    assert res["说明"][0] == f"文章编号 {new_id}"
    assert "新增 1 篇，已存在 1 篇，失败 1 个" in texts(at)


def test_delete_needs_confirmation(env):
    db, _ = env
    store = store_of(db)
    aid = id_of(store, S002)
    at = app("corpus.py")
    at.multiselect(key="del_article").select(aid)
    run(at)
    at.button(key="do_delete").click()
    run(at)
    assert store.article_count() == 5
    assert "确认删除" in texts(at)
    at.checkbox(key="del_confirm").check()
    at.button(key="do_delete").click()
    run(at)
    assert store.article_count() == 4
    assert store.df("SELECT count(*) AS n FROM paragraphs WHERE article_id = ?", [aid])["n"].item() == 0
    assert at.metric[0].value == "4"
    assert S002 not in set(table(at, "来源文件", "日期依据")["来源文件"])


def test_rebuild_keeps_the_counts(env):
    db, _ = env
    store = store_of(db)
    before = queries.counts_table(store, None, "province")
    at = app("corpus.py")
    at.button(key="do_rebuild").click()
    run(at)
    assert "已重建 5 篇" in texts(at)
    assert queries.counts_table(store, None, "province").equals(before)


# 主题词典: tests/test_pages_dictionary.py (the form, versions, exclusions).


# ---------------------------------------------------------------- read-only


@pytest.mark.parametrize(
    "page,buttons",
    [
        ("articles.py", ["save_meta"]),
        ("corpus.py", ["do_delete", "do_rebuild"]),
        ("dictionary.py", ["dict_check", "dict_save"]),
    ],
)
def test_read_only_store_disables_every_change(env, page, buttons):
    db, _ = env
    store = store_of(db)
    aid = id_of(store, S002)
    store.read_only = True  # as when another process holds the database
    try:
        at = app(page, article=aid)
        assert any("只读模式" in i.value for i in at.info)
        for key in buttons:
            assert at.button(key=key).disabled, key
        if page == "articles.py":
            assert all(at.selectbox(key=f"ovr_{i}").disabled for i in range(3))
        if page == "corpus.py":  # no uploader at all, so no upload bodies are invited
            assert not at.get("file_uploader") and "do_ingest" not in [b.key for b in at.button]
    finally:
        store.read_only = False


# ---------------------------------------------------------------- who may change things
def test_password_protects_writes_but_not_reading(env):
    S.use_settings(replace(S.settings(), admin_password="口令123"), strict=True)
    at = app("corpus.py")
    assert not at.get("file_uploader")  # a viewer gets no uploader (issue 12 item 5)
    assert any("编辑口令" in i.value for i in at.info)
    assert at.sidebar.text_input(key="editor_password").value == ""
    at.sidebar.text_input(key="editor_password").input("错误口令").run()
    assert not at.get("file_uploader")
    at.sidebar.text_input(key="editor_password").input("口令123").run()
    assert not at.exception
    assert len(at.get("file_uploader")) == 1 and at.button(key="do_ingest").disabled  # no files yet
    assert not any("编辑口令" in i.value for i in at.info)
    # Reading stays open without the password.
    at2 = app("articles.py", article=S002[:0] or "")
    assert not at2.exception


def test_read_only_deployment(env):
    S.use_settings(replace(S.settings(), read_only=True), strict=True)
    at = app("dictionary.py")
    assert any("只读模式" in i.value for i in at.info)
    at = app("corpus.py")
    assert not at.get("file_uploader")
    assert at.button(key="do_rebuild").disabled
