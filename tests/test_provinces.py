"""provinces.py and its use on the samples: every section gets the province a reader gives it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers import S000, S001, S002, S003, S004, S004_PROVINCES, article_id

from analysis import provinces as provinces_mod
from analysis.attribution import also_mentioned
from analysis.ingest import RawDoc
from analysis.leaders import LeaderError, Term, add_term, end_term
from analysis.models import Filters, Meta
from analysis.pipeline import parse
from analysis.provinces import (
    Evidence,
    dominant,
    explicit_header,
    gazetteer,
    header_evidence,
    paragraph_province,
)
from analysis.settings import GEO_DIR

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


def test_evidence_of_many_paragraphs_stops_at_each_paragraph(gaz):
    """One automaton pass over joined paragraphs: a name split over two paragraphs is no
    name, and the organisation and dateline tests never read into the next paragraph."""
    texts = ["记者在北", "京采访", "", "代表团来自北京", "大学", "新华社南京", "3月5日电", "陈吉宁在上海市"]
    found = gaz.evidence_many(texts, DAY)
    assert found == [gaz.evidence(t, DAY) for t in texts]
    assert [[(e.kind, e.text, e.province) for e in ev] for ev in found] == [
        [],
        [],
        [],
        [("province", "北京", "北京")],
        [],
        [("place", "南京", "江苏")],
        [],
        [("leader", "陈吉宁", "上海"), ("province", "上海市", "上海")],
    ]
    # The same words in one paragraph: an organisation, and a dateline.
    assert gaz.evidence("代表团来自北京大学", DAY) == []
    assert [e.kind for e in gaz.evidence("新华社南京3月5日电", DAY)] == ["dateline"]


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
    assert speaker is not None
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
    assert s["header"].tolist() == ["", "编者按", *S004_PROVINCES]
    assert s["province"].tolist() == ["全国", "全国", *S004_PROVINCES]
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


# ---------------------------------------------------------------- issue 11: the six mechanisms


def parsed(text: str, day: dt.date = dt.date(2026, 4, 2)):
    """An article parsed as ingest would (no store): sections and paragraphs."""
    return parse(RawDoc("t.txt", text, "txt", day), gazetteer(), Meta(date=day))


AID_STORY = (
    "助力西藏高质量发展 江苏党政代表团赴藏考察\n"
    "本报南京4月2日电 4月1日至2日，江苏省党政代表团赴西藏拉萨、日喀则考察对口支援工作。"
    "省委书记信长星强调，要把对口支援工作放在全省大局中谋划推进。\n"
    "信长星指出，江苏要持续加大援藏资金投入，帮助受援地发展特色产业。\n"
    "近年来，江苏在日喀则建设产业园区和学校医院。"
)


def test_headline_mention_is_weak_evidence_the_body_overrules():
    """Mechanism 1: a story about 江苏's aid to 西藏, titled with 西藏 first, is 江苏's."""
    art = parsed(AID_STORY)
    (sec,) = art.sections
    assert (sec.province, sec.reason, sec.weak) == (
        "江苏",
        "正文：信长星（2次） → 江苏（标题提及西藏）",
        False,
    )
    assert also_mentioned(sec.runner_up, sec.runner_up_count) == "也提到：西藏 5 次"
    assert also_mentioned("", 0) == ""
    assert [p.province for p in art.paragraphs] == ["江苏"] * 4
    assert [(p.runner_up, p.runner_up_count) for p in art.paragraphs] == [
        ("西藏", 1),
        ("西藏", 3),
        ("", 0),
        ("西藏", 1),
    ]


def test_headline_mention_decides_when_the_body_is_silent_but_is_flagged():
    (sec,) = parsed(
        "深圳市高质量发展工作推进会议召开\n会议强调，要推动高质量发展。\n会议要求，抓好落实。"
    ).sections
    assert (sec.province, sec.reason, sec.weak) == ("广东", "地名：深圳市 → 广东", True)


def test_datelines_are_not_evidence_of_the_place(gaz):
    """Mechanism 2: 新华社北京…电, 本报北京…电, 中新网上海…电 say where the reporter filed."""
    kinds = lambda text: [(e.kind, e.text, e.province) for e in gaz.evidence(text, DAY)]  # noqa: E731
    assert kinds("新华社北京3月5日电国务院常务会议召开") == [("dateline", "北京", "北京")]
    assert kinds("本报北京1月10日电记者从国家发展改革委获悉") == [("dateline", "北京", "北京")]
    assert kinds("中新网上海4月20日电一份报告显示") == [("dateline", "上海", "上海")]
    assert kinds("新华社北京电国家发展改革委近日印发通知") == [("dateline", "北京", "北京")]
    assert kinds("本报南京4月2日电江苏省党政代表团") == [
        ("dateline", "南京", "江苏"),
        ("province", "江苏省", "江苏"),
    ]
    assert kinds("北京时间2月12日，国家统计局发布数据") == []
    # 电 after a place is a dateline only with a date or an agency before the place
    assert kinds("北京电力保障有力") == [("province", "北京", "北京")]
    art = parsed(
        "新华社北京3月5日电 国务院总理李强在政府工作报告中表示，要优化营商环境。\n"
        "报告提出，要发展新质生产力。\n在安徽合肥，新能源汽车产业集聚，合肥产量突破百万辆。\n下一步，将完善充电设施。"
    )
    assert [p.province for p in art.paragraphs] == ["全国", "全国", "安徽", "全国"]
    assert (art.sections[0].province, art.sections[0].weak, art.sections[0].runner_up) == (
        "全国",
        True,
        "安徽",
    )


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("北京大学、清华大学、复旦大学、上海交通大学、浙江大学、南京大学", []),  # universities
        ("哈尔滨工业大学、西安交通大学、山东大学", []),
        ("四川大学华西医院、北京协和医院、浙江大学医学院附属第一医院", []),  # hospitals
        ("江苏银行、北京银行、上海银行、浙江吉利控股集团、上海汽车集团股份有限公司", []),  # companies
        ("山东航空、海南航空、四川航空客运量回升", []),  # airlines
        ("广东宏远队战胜辽宁本钢队，北京首钢队、浙江稠州金租队、广东队", []),  # teams
        ("北京时间4月28日晚", []),  # fixed expression
        ("上海合作组织成员国元首理事会", []),  # international organisation
        ("上海证券交易所、深圳证券交易所、北京证券交易所", []),  # exchanges
        ("会议在北京人民大会堂举行", []),  # venue
        ("湖北日报、贵州都市报、深圳特区报、浙江卫视", []),  # outlets
        ("我国在文昌航天发射场成功发射卫星", []),  # launch site
        ("湖北新建医院20所，四川组建团队", ["湖北", "四川"]),  # a verb is no proper name
        ("浙江银行业金融机构、山东航空业", ["浙江", "山东"]),  # a trade, not a company
        ("四川大学生返乡创业，浙江援疆干部队伍", ["四川", "浙江"]),  # common nouns (!大学生, !队伍)
        ("北京和上海队", ["北京"]),  # 上海队 is a team; 北京 is not part of its name
        ("青海海南州、果洛州发展牦牛产业", ["青海", "海南州", "果洛州"]),  # 海南州 is 青海's
    ],
)
def test_organisation_names_and_fixed_expressions_give_no_evidence(gaz, text, left):
    """Mechanism 3, one case per kind (corpus/geo/org_suffixes.txt, fixed_expressions.txt)."""
    found = gaz.evidence(text, DAY)
    assert [e.text for e in found] == left
    assert all(e.province == "青海" for e in found) or "海南州" not in left


def test_national_article_with_organisations_stays_national():
    art = parsed(
        "CBA总决赛战罢 广东宏远队夺冠\n北京时间4月28日晚，广东宏远队战胜辽宁本钢队，夺得总冠军。\n"
        "此前，北京大学、上海交通大学学生观赛热情高涨，上海合作组织官员也到场观赛。"
    )
    assert [p.province for p in art.paragraphs] == ["全国"] * 3


def test_leaders_resolved_by_the_articles_date(gaz):
    """Mechanism 6: a 2023 article uses the 2023 office holder, a 2026 article the 2026 one."""

    def at(name: str, y: int, m: int) -> tuple[str, str]:
        post = gaz.leader(name, dt.date(y, m, 1))
        return post.province, post.office

    assert at("黄强", 2023, 5) == ("四川", "省长")
    assert at("黄强", 2026, 6) == ("吉林", "省委书记")
    assert at("刘宁", 2023, 6) == ("广西", "自治区党委书记")
    assert at("刘宁", 2026, 3) == ("河南", "省委书记")
    assert at("陈吉宁", 2020, 6) == ("北京", "市长")
    assert at("陈吉宁", 2024, 2) == ("上海", "市委书记")
    assert at("应勇", 2021, 1) == ("湖北", "省委书记")
    assert gaz.leader("李强", dt.date(2026, 3, 5)) is None  # left 上海 in 2022: now no evidence
    assert gaz.leader("蔡奇", dt.date(2026, 3, 5)) is None
    only_2023 = parsed(
        "黄强主持召开省政府常务会议\n黄强主持召开省政府常务会议，研究部署项目建设。", dt.date(2023, 5, 16)
    )
    only_2026 = parsed(
        "黄强主持召开省委常委会会议\n黄强主持召开省委常委会会议，研究部署振兴工作。", dt.date(2026, 6, 9)
    )
    assert [(s.province, s.reason) for s in only_2023.sections] == [("四川", "人名：黄强 → 四川")]
    assert [(s.province, s.reason) for s in only_2026.sections] == [("吉林", "人名：黄强 → 吉林")]


def test_leader_data_covers_every_unit(gaz):
    """Every mainland unit has a party secretary and a government head on the data's check date."""
    checked = dt.date(2025, 6, 1)
    for prov in gaz.mainland:
        posts = [p for ps in gaz.leaders.values() for p in ps if p.province == prov and p.serves_on(checked)]
        offices = {p.office for p in posts}
        assert any(o.endswith("书记") for o in offices), prov
        assert offices & {"省长", "市长", "自治区主席"}, prov
    readme = (GEO_DIR / "README.md").read_text(encoding="utf-8")
    assert "核对截至 2025 年 6 月" in readme


def test_gazetteer_rereads_changed_files(tmp_path, monkeypatch):
    """Rebuild uses the files as they are now: the cache keys on the files' size and mtime
    (checked at most every RECHECK_SECONDS; here at every call)."""
    monkeypatch.setattr(gazetteer, "RECHECK_SECONDS", 0.0)
    geo = tmp_path / "geo"
    shutil.copytree(GEO_DIR, geo)
    first = gazetteer(geo)
    assert gazetteer(geo) is first and first.leader("张三丰", DAY) is None
    with (geo / "leaders.csv").open("a", encoding="utf-8") as fh:
        fh.write("张三丰,湖南,省长,2024-01,,\n")
    again = gazetteer(geo)
    post = again.leader("张三丰", DAY)
    assert again is not first and post is not None and post.province == "湖南"
    gazetteer.cache_clear()
    assert gazetteer(geo) is not again


def test_rebuild_rereads_leaders_and_editor_terms(tmp_path, monkeypatch, empty_engine):
    """An editor adds a leader's term; the next rebuild puts the article on the province."""
    geo = tmp_path / "geo"
    shutil.copytree(GEO_DIR, geo)
    monkeypatch.setattr(provinces_mod, "GEO_DIR", geo)
    doc = tmp_path / "speech.txt"
    doc.write_text(
        "张三丰主持召开省政府常务会议\n张三丰主持召开省政府常务会议，研究部署扩大内需工作。", encoding="utf-8"
    )
    empty_engine.ingest_paths([doc])
    aid = empty_engine.store.df("SELECT id FROM articles")["id"].item()
    assert empty_engine.store.sections_df(aid)["province"].tolist() == ["全国"]
    add_term(Term("张三丰", "湖南", "省长", "2024-01"), geo / "leaders.csv")
    assert empty_engine.rebuild() == 1
    s = empty_engine.store.sections_df(aid)
    assert (s["province"].tolist(), s["reason"].tolist()) == (["湖南"], ["人名：张三丰 → 湖南"])
    closed = end_term("张三丰", "省长", "2024-02", geo / "leaders.csv")
    assert closed.end == "2024-02"


def test_leader_edits_are_checked(tmp_path):
    path = tmp_path / "leaders.csv"
    shutil.copy(GEO_DIR / "leaders.csv", path)
    before = path.read_bytes()
    with pytest.raises(LeaderError, match=r"leaders\.csv：省份“火星”不在 provinces\.csv 的简称中"):
        add_term(Term("张三丰", "火星", "省长", "2024-01"), path)
    with pytest.raises(LeaderError, match="结束月份 2023-01 早于起始月份 2024-01"):
        add_term(Term("张三丰", "湖南", "省长", "2024-01", "2023-01"), path)
    with pytest.raises(LeaderError, match="尹力 任北京市委书记已有 2022-11–今 的记录，与新记录重叠"):
        add_term(Term("尹力", "北京", "市委书记", "2024-01"), path)
    with pytest.raises(LeaderError, match="没有 张三丰 任省长且尚未结束的记录"):
        end_term("张三丰", "省长", "2024-02", path)
    assert path.read_bytes() == before  # refusals change nothing


def test_samples_are_marked_and_removed(empty_engine, tmp_path, samples_dir):
    own = tmp_path / "own.md"
    own.write_text("## 湖北\n\n湖北加快发展新质生产力。", encoding="utf-8")
    empty_engine.ingest_paths([samples_dir, own])
    assert empty_engine.store.article_count() == 6
    assert len(empty_engine.sample_article_ids()) == 5
    assert empty_engine.remove_samples() == 5
    assert empty_engine.store.article_count() == 1 and empty_engine.sample_article_ids() == []


def test_store_keeps_runner_up_and_weak_flags(empty_engine):
    """The evidence survives into the store; weak_sections lists what an editor checks first."""
    gold = Path(__file__).parent / "data" / "attribution"
    names = [
        "54_xinhua_beijing_with_province_par.txt",
        "70_aid_tibet_jiangsu.txt",
        "72_east_west_guangdong_guizhou.txt",
    ]
    empty_engine.ingest_paths([gold / n for n in names])
    weak = empty_engine.store.weak_sections()
    assert weak[["source", "idx", "province", "runner_up", "runner_up_count"]].values.tolist() == [
        ["54_xinhua_beijing_with_province_par.txt", 0, "全国", "安徽", 2],  # same date (file time): by name
        ["72_east_west_guangdong_guizhou.txt", 0, "广东", "贵州", 6],
    ]
    assert weak["reason"].tolist()[1] == "正文：广东省（2次） → 广东（标题提及贵州）"
    aid = empty_engine.store.df("SELECT id FROM articles WHERE source = ?", [names[1]])["id"].item()
    s = empty_engine.store.sections_df(aid)
    assert s[["province", "runner_up", "runner_up_count", "weak"]].values.tolist() == [
        ["江苏", "西藏", 5, False]
    ]
    p = empty_engine.store.paragraphs_df(aid)
    assert p["runner_up_count"].tolist() == [1, 3, 0, 1]
    assert empty_engine.store.weak_sections(Filters(provinces=("全国",)))["idx"].tolist() == [0]
    assert empty_engine.store.weak_sections(Filters(provinces=("江苏",))).empty


def test_a_sentence_cut_by_a_line_break_stays_with_its_start(sample_engine):
    """000: `…欧玛(中国)汽车部件有限公司生产车间，公司常务副总` / `经理郭苏震介绍，…与郑州大学…`:
    the second line names only a university (no evidence), but finishes the 新乡 sentence."""
    p = sample_engine.store.paragraphs_df(article_id(sample_engine, S000))
    row = p[p["idx"] == 11].iloc[0]
    assert row["text"].startswith("经理郭苏震介绍")
    assert (row["province"], row["reason"]) == ("河南", "接上段：地名：新乡市 → 河南")
    assert (p["reason"].str.startswith("接上段")).sum() == 1
