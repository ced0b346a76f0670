"""provinces.py and its use on the samples: every section gets the province a reader gives it."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import S001, S002, S003, S004, article_id

from analysis.provinces import (
    Evidence,
    dominant,
    explicit_header,
    gazetteer,
    header_evidence,
    paragraph_province,
)

DAY = dt.date(2024, 2, 19)


@pytest.fixture(scope="module")
def gaz():
    return gazetteer()


def test_gazetteer_data(gaz):
    assert len(gaz.provinces) == 34 and len(gaz.mainland) == 31
    assert gaz.province_of("北京市") == "北京"
    assert gaz.province_of("内蒙古自治区") == "内蒙古"
    assert gaz.province_of("宁波") == "浙江"
    assert gaz.province_of("深圳市") == "广东"
    assert gaz.province_of("朝阳") is None  # ambiguous short names are not places
    assert gaz.province_of("高质量") is None


def test_leader_resolved_by_date(gaz):
    assert (gaz.leader("王伟中", DAY).province, gaz.leader("王伟中", DAY).office) == ("广东", "省长")
    assert gaz.leader("王伟中", dt.date(2025, 12, 1)).province == "内蒙古"
    assert gaz.leader("信长星", dt.date(2022, 6, 1)).province == "青海"
    assert gaz.leader("信长星", DAY).province == "江苏"
    assert gaz.leader("景俊海", dt.date(2019, 1, 1)).province == "吉林"  # before any post: nearest
    assert gaz.leader("不存在", DAY) is None


def test_evidence_in_reading_order(gaz):
    found = gaz.evidence("陈吉宁在上海市与深圳市企业座谈，谈到宁波港。", DAY)
    assert [(e.kind, e.text, e.province) for e in found] == [
        ("leader", "陈吉宁", "上海"),
        ("province", "上海市", "上海"),
        ("place", "深圳市", "广东"),
        ("place", "宁波", "浙江"),
    ]
    assert [e.reason() for e in found] == [
        "人名：陈吉宁 → 上海",
        "提及：上海",
        "地名：深圳市 → 广东",
        "地名：宁波 → 浙江",
    ]


def test_explicit_and_header_evidence(gaz):
    assert explicit_header("【湖北】", gaz) == Evidence("province", "湖北", "湖北")
    assert explicit_header("宁波：彭佳学在全市大会上的讲话摘要", gaz) == Evidence("place", "宁波", "浙江")
    assert explicit_header("春节后首个工作日，上海召开大会", gaz) is None
    prov, why, speaker = header_evidence("北京：尹力在首都经济社会高质量发展推进大会上的讲话摘要", gaz, DAY)
    assert (prov, why, speaker.text, speaker.office) == ("北京", "标题：北京", "尹力", "市委书记")
    assert header_evidence("宁波：彭佳学讲话", gaz, DAY)[:2] == ("浙江", "标题：宁波 → 浙江")
    assert header_evidence("郝鹏在全省大会上的讲话摘要", gaz, DAY)[:2] == ("辽宁", "人名：郝鹏 → 辽宁")
    assert header_evidence("深圳市高质量发展工作推进会议召开", gaz, DAY)[:2] == (
        "广东",
        "地名：深圳市 → 广东",
    )
    assert header_evidence("在河南调研时强调", gaz, DAY)[:2] == ("河南", "标题：河南")
    assert header_evidence("坚持在发展中保障和改善民生", gaz, DAY) == ("", "", None)
    assert header_evidence("", gaz, DAY) == ("", "", None)


def test_dominant_thresholds():
    gd, sz, sh = (
        Evidence("province", "广东", "广东"),
        Evidence("place", "深圳", "广东"),
        Evidence("province", "上海", "上海"),
    )
    assert dominant([gd, gd, sz]) == ("广东", "广东（2次）")
    assert dominant([sz, sz, gd]) == ("广东", "深圳（2次） → 广东")
    assert dominant([gd]) == ("", "")  # one mention is not enough
    assert dominant([gd, gd, sh, sh]) == ("", "")  # no clear majority
    assert dominant([gd, gd, sh], min_hits=3) == ("", "")
    assert dominant([]) == ("", "")


def test_paragraph_province(gaz):
    assert paragraph_province("武汉光谷加快发展新质生产力。", gaz, DAY) == ("湖北", "地名：武汉 → 湖北")
    assert paragraph_province("黄坤明在深圳调研。", gaz, DAY) == ("广东", "人名：黄坤明 → 广东")
    assert paragraph_province("北京和上海都在优化营商环境。", gaz, DAY) == ("", "")
    assert paragraph_province("各地都在优化营商环境。", gaz, DAY) == ("", "")


# ---------------------------------------------------------------- the samples

EXPECTED_002 = [
    "北京",
    "上海",
    "广东",
    "广东",
    "广东",
    "广东",
    "河北",
    "湖南",
    "福建",
    "安徽",
    "河南",
    "海南",
    "山东",
    "吉林",
    "浙江",
    "浙江",
    "江苏",
    "甘肃",
    "云南",
    "湖北",
    "西藏",
    "西藏",
    "四川",
    "广西",
    "贵州",
    "山西",
    "辽宁",
    "吉林",
]


def sections(engine, source):
    return engine.store.sections_df(article_id(engine, source))


def test_sample_002_every_section(sample_engine):
    s = sections(sample_engine, S002)
    assert s["idx"].tolist() == list(range(28))
    assert s["province"].tolist() == EXPECTED_002
    reasons = s["reason"].tolist()
    assert reasons[0] == "标题：北京"
    assert reasons[1] == "人名：陈吉宁 → 上海"
    assert reasons[2] == "人名：黄坤明 → 广东"
    assert reasons[3].startswith("正文：广东（")
    assert reasons[4] == "人名：王伟中 → 广东"
    assert reasons[5] == "地名：深圳市 → 广东"
    assert reasons[15] == "标题：宁波 → 浙江"
    assert reasons[25] == "人名：金湘军 → 山西"
    assert reasons[26] == "人名：郝鹏 → 辽宁"
    assert reasons[27] == "人名：景俊海 → 吉林"
    for i in (6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 22, 23, 24):
        assert reasons[i] == f"标题：{EXPECTED_002[i]}", i
    # a section's province is its own reading, not an editor's
    assert (s["auto_province"] == s["province"]).all()
    speakers = dict(zip(s["idx"], s["speaker"]))
    assert (speakers[0], speakers[1], speakers[2], speakers[25]) == ("尹力", "陈吉宁", "黄坤明", "金湘军")
    assert s.loc[s["idx"] == 4, "office"].item() == "省长"


def test_sample_002_paragraphs_follow_their_section(sample_engine):
    aid = article_id(sample_engine, S002)
    p = sample_engine.store.paragraphs_df(aid)
    by_section = dict(zip(sections(sample_engine, S002)["idx"], EXPECTED_002))
    assert (p["province"] == p["section_idx"].map(by_section)).all()


def test_sample_003_is_guangdong(sample_engine):
    s = sections(sample_engine, S003)
    assert s["province"].tolist() == ["广东"] * 5
    assert s["reason"].tolist()[0] == "全文：深圳市（4次） → 广东"
    p = sample_engine.store.paragraphs_df(article_id(sample_engine, S003))
    assert set(p["province"]) == {"广东"}


def test_sample_001_follows_markdown_headers(sample_engine):
    s = sections(sample_engine, S001)
    assert s["province"].tolist() == [
        "全国",
        "吉林",
        "吉林",
        "广东",
        "广东",
        "重庆",
        "重庆",
        "河南",
        "河南",
        "江苏",
        "江苏",
    ]
    assert s["reason"].tolist()[:3] == ["未指明具体地方 → 全国", "标题：吉林", "上级标题：吉林 → 吉林"]


def test_sample_004_editor_note_is_national(sample_engine):
    s = sections(sample_engine, S004)
    assert s["header"].tolist() == [
        "",
        "编者按",
        "湖北",
        "广东",
        "四川",
        "重庆",
        "浙江",
        "江苏",
        "贵州",
        "江西",
    ]
    assert s["province"].tolist() == [
        "全国",
        "全国",
        "湖北",
        "广东",
        "四川",
        "重庆",
        "浙江",
        "江苏",
        "贵州",
        "江西",
    ]
    assert s["reason"].tolist()[1:4] == ["未指明具体地方 → 全国", "标题：湖北", "标题：广东"]
    p = sample_engine.store.paragraphs_df(article_id(sample_engine, S004))
    note = p[p["section_idx"] == 1]
    # The note stays national paragraph by paragraph, except the sentence about an event
    # held in 黑龙江; 贵州都市报 (a newspaper in a list of eight) says nothing about 贵州.
    assert note["province"].tolist() == ["全国", "全国", "黑龙江", "全国", "全国", "全国", "全国"]
    assert note["reason"].tolist()[2] == "提及：黑龙江"
    assert "贵州都市报" in note["text"].tolist()[6]


def test_outlet_names_are_not_places(gaz):
    assert gaz.evidence("据贵州都市报、湖北日报、深圳特区报报道", DAY) == []
    assert [e.text for e in gaz.evidence("贵州都市报记者在贵州毕节采访", DAY)] == ["贵州", "毕节"]
