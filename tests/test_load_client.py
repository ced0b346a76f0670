"""scripts/load_test.py's websocket client: it finds the page's end and the page's errors in
Streamlit's own messages, and drives a live dashboard without a browser."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys

import pytest
from helpers import ROOT, sample_store, streamlit_server

_spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
assert _spec is not None and _spec.loader is not None
load_test = importlib.util.module_from_spec(_spec)
sys.modules["load_test"] = load_test  # dataclasses look their module up there
_spec.loader.exec_module(load_test)


def _element(**fill) -> object:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    el = msg.delta.new_element
    for kind, values in fill.items():
        for k, v in values.items():
            setattr(getattr(el, kind), k, v)
    return msg


def test_errors_are_read_from_the_delta_stream():
    from streamlit.proto.Alert_pb2 import Alert
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    assert load_test._error_of(_element(exception={"type": "KeyError", "message": "x"})) == "异常：KeyError"
    shown = _element(alert={"body": "这一页出错了，已记录在服务器日志中。", "format": Alert.ERROR})
    assert load_test._error_of(shown) == "错误提示：这一页出错了，已记录在服务器日志中。"
    assert load_test._error_of(_element(alert={"body": "没有数据", "format": Alert.INFO})) is None
    assert load_test._error_of(_element(heading={"body": "主题"})) is None
    lost = ForwardMsg()
    lost.page_not_found.page_name = "nosuch"
    assert load_test._error_of(lost) == "页面不存在"


def test_percentiles_are_nearest_rank():
    times = [i / 10 for i in range(20, 0, -1)]  # 2.0, 1.9 … 0.1, unsorted on purpose
    out = load_test.summary(3, times, ["主题：超时", "主题：超时"], 12.34, 1.0)
    assert (out["pages_completed"], out["p50_s"], out["p95_s"], out["max_s"]) == (20, 1.05, 1.9, 2.0)
    assert (out["errors"], out["error_kinds"], out["wall_s"]) == (2, ["主题：超时"], 12.3)


@pytest.mark.slow
def test_two_sessions_against_a_live_dashboard(tmp_path):
    db = sample_store(tmp_path / "load.duckdb")
    with streamlit_server(db, tmp_path / "server.log") as base:

        async def one_by_one() -> list:
            async with load_test.connect(base) as conn:
                return [await load_test.open_page(conn, p) for p in ("themes", "compare", "nosuch")]

        themes, compare, nosuch = asyncio.run(one_by_one())
        assert themes.headings[:2] == ["筛选", "主题"] and themes.errors == []
        assert compare.headings[:2] == ["筛选", "省份对比"] and compare.errors == []
        # An unknown page is reported, and Streamlit runs the default page (总览) instead.
        assert nosuch.errors == ["页面不存在"] and nosuch.headings[:2] == ["筛选", "总览"]
        for run in (themes, compare):
            assert run.script_s is not None and 0 < run.script_s <= run.seconds
        out = asyncio.run(load_test.ws_round(base, sessions=2, loops=2, deadline=120))
    assert (out["sessions"], out["pages_completed"], out["errors"], out["client"]) == (2, 8, 0, "ws")
    assert out["p50_s"] <= out["p95_s"] <= out["max_s"] < load_test.PAGE_TIMEOUT
    json.dumps(out, ensure_ascii=False)  # the line the script prints


@pytest.mark.slow
def test_a_page_error_box_counts_as_an_error(tmp_path):
    db = sample_store(tmp_path / "load.duckdb")
    themes = tmp_path / "themes.yaml"
    themes.write_text("themes: [不是: 一个: 词典\n", encoding="utf-8")  # broken YAML: every page fails
    with streamlit_server(db, tmp_path / "server.log", POLICY_THEMES=str(themes)) as base:
        out = asyncio.run(load_test.ws_round(base, sessions=1, loops=1, deadline=60))
    box = "错误提示：这一页出错了，已记录在服务器日志中。可以刷新页面、清除筛选，或换一个页面再试。"
    assert (out["pages_completed"], out["errors"]) == (2, 2), out
    assert out["error_kinds"] == [f"compare：{box}", f"themes：{box}"]


def test_sessions_browse_on_while_an_import_runs():
    busy = iter([True, True, False])
    assert list(load_test._pages_to_open(("themes", "compare"), 1, lambda: False)) == ["themes", "compare"]
    # two rounds asked for, then one more while the import is still running
    assert list(load_test._pages_to_open(("themes",), 2, lambda: next(busy))) == ["themes"] * 4


def test_new_articles_are_the_samples_made_new(tmp_path):
    from helpers import SAMPLE_FILES, sample_text

    folder = load_test.new_articles(tmp_path / "new", 2)
    files = sorted(folder.iterdir())
    assert len(files) == 2 * len(SAMPLE_FILES)
    texts = {f.read_text(encoding="utf-8") for f in files}
    assert len(texts) == 10  # every copy differs, so the store takes each as a new article
    for name in SAMPLE_FILES:
        copies = [f for f in files if f.name.endswith(name)]
        assert len(copies) == 2
        for f in copies:
            assert f.read_text(encoding="utf-8").startswith(sample_text(name))
