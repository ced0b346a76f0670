"""Citable quotes from the sample corpus, and the quotes table."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import S002, article_id

from analysis.engine import Engine
from analysis.quotes import attribution, deck_quotes, format_quote, quote_for, sentence_around, sentences
from analysis.settings import SAMPLES_DIR
from analysis.slides import quote_attribution
from analysis.store import Store


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("quotes") / "q.duckdb")
    eng = Engine(store, workers=1)
    eng.ingest_paths([SAMPLES_DIR / S002])
    yield eng
    store.close()


def test_sentences_keep_closing_quotes():
    assert sentences("他说：“好。”然后走了！嗯") == ["他说：“好。”", "然后走了！", "嗯"]
    text = "短句。尹力指出，发展新质生产力是推动高质量发展的内在要求和重要着力点。后面还有一句话。"
    assert (
        sentence_around(text, "新质生产力")
        == "尹力指出，发展新质生产力是推动高质量发展的内在要求和重要着力点。"
    )
    assert sentence_around("好。很好。新质生产力。", "新质生产力", min_chars=8) == "很好。新质生产力。"


def test_attribution():
    assert attribution("尹力", "市委书记", "北京") == "北京市委书记尹力"
    assert attribution("黄坤明", "省委书记", "广东") == "广东省委书记黄坤明"
    assert attribution("彭佳学", "市委书记", "浙江") == "彭佳学"  # 宁波, not 浙江市
    assert attribution("", "", "广东") == "广东"


def test_quote_from_the_beijing_section(engine):
    aid = article_id(engine, S002)
    paras = engine.store.paragraphs_df(aid)
    beijing = paras[(paras["section_idx"] == 0) & paras["norm"].str.contains("发展新质生产力是推动")]
    q = quote_for(engine.store, aid, int(beijing["idx"].iloc[0]), "新质生产力")
    assert q is not None
    assert q["speaker"] == "尹力" and q["office"] == "市委书记" and q["province"] == "北京"
    assert q["date"] == dt.date(2024, 2, 19) and q["title"] == "各省区市新春第一会讲话摘要汇编"
    assert q["text"] == "尹力指出，发展新质生产力是推动高质量发展的内在要求和重要着力点。"
    assert q["text"][-1] in "。！？"
    assert q["formatted"] == (
        "“尹力指出，发展新质生产力是推动高质量发展的内在要求和重要着力点。”"
        "——北京市委书记尹力，各省区市新春第一会讲话摘要汇编，2024-02-19"
    )
    assert quote_for(engine.store, aid, 10_000) is None


def test_hard_wraps_are_tidied(engine):
    aid = article_id(engine, S002)
    paras = engine.store.paragraphs_df(aid)
    idx = int(paras[paras["norm"].str.startswith("2月19日上午")]["idx"].iloc[0])
    q = quote_for(engine.store, aid, idx, "首都经济社会")
    assert q is not None
    assert q["text"].startswith("2月19日上午，2024年首都经济社会高质量发展推进大会召开")


def test_quotes_table_round_trip(engine):
    aid = article_id(engine, S002)
    q = quote_for(engine.store, aid, 3, "新质生产力")
    assert q is not None
    n0 = len(engine.store.quotes())
    new_id = engine.store.add_quote(q)
    saved = engine.store.quotes()
    assert len(saved) == n0 + 1
    row = saved.set_index("id").loc[new_id]
    assert (row["speaker"], row["province"], row["article_id"], row["par_idx"]) == ("尹力", "北京", aid, 3)
    d = deck_quotes(saved)[-1]
    assert (d["speaker"], d["office"], d["province"]) == ("尹力", "市委书记", "北京")
    assert d["title"] == "各省区市新春第一会讲话摘要汇编"
    # The slide names the province once (inside the office) and drops the file name.
    assert quote_attribution(d) == "—— 北京市委书记尹力，《各省区市新春第一会讲话摘要汇编》，2024年2月19日"
    assert d["formatted"] == format_quote(q) and d["formatted"].endswith("2024-02-19")
    engine.store.delete_quote(new_id)
    assert len(engine.store.quotes()) == n0
