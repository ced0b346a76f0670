"""sections.py: markdown, bracketed and plain (PDF-style, wrapped) headers; titles."""

from __future__ import annotations

from helpers import S001, S002, S004, S004_PROVINCES, sample_text

from analysis.normalize import clean_controls, split_paragraphs
from analysis.provinces import gazetteer
from analysis.sections import article_title, split_sections


def sections_of(name: str):
    paragraphs = split_paragraphs(clean_controls(sample_text(name)))
    return paragraphs, split_sections(paragraphs)


def test_markdown_levels_and_lead():
    pars = ["# 总标题", "导语。", "## 吉林", "### 小标题", "正文一。", "正文二。", "## 广东", "正文三。"]
    got = [(s.level, s.header, s.paragraphs) for s in split_sections(pars)]
    assert got == [
        (1, "总标题", ["总标题", "导语。"]),
        (2, "吉林", ["吉林"]),
        (3, "小标题", ["小标题", "正文一。", "正文二。"]),
        (2, "广东", ["广东", "正文三。"]),
    ]


def test_text_before_first_header_is_a_lead_section():
    got = [(s.level, s.header, s.paragraphs) for s in split_sections(["导语。", "## 吉林", "正文。"])]
    assert got == [(0, "", ["导语。"]), (2, "吉林", ["吉林", "正文。"])]


def test_brackets_need_two_tags():
    one = split_sections(["【湖北】", "湖北推动高质量发展。"])
    # a lone tag is only a plain header: kept whole, brackets included
    assert [(s.header, s.paragraphs) for s in one] == [("【湖北】", ["【湖北】", "湖北推动高质量发展。"])]
    two = split_sections(
        ["【编者按】", "按语。", "【湖北】", "湖北推动高质量发展。", "【广东】内容摘要", "正文。"]
    )
    assert [(s.header, s.paragraphs) for s in two] == [
        ("编者按", ["【编者按】", "按语。"]),
        ("湖北", ["【湖北】", "湖北推动高质量发展。"]),
        ("广东", ["【广东】内容摘要", "正文。"]),
    ]


def test_plain_headers_merge_wrapped_fragments_and_skip_bylines():
    pars = [
        "北京：尹力在首都经济社会高质量发展",
        "推进大会上的讲话摘要",
        "会议强调，要推动高质量发展。",
        "本报记者 王明峰",
        "（新华社电）",
        "2024年2月19日",
        "上海：陈吉宁讲话摘要",
        "要优化营商环境。",
    ]
    got = [(s.header, s.paragraphs) for s in split_sections(pars)]
    assert got == [
        (
            "北京：尹力在首都经济社会高质量发展推进大会上的讲话摘要",
            [
                "北京：尹力在首都经济社会高质量发展推进大会上的讲话摘要",
                "会议强调，要推动高质量发展。",
                "本报记者 王明峰",
                "（新华社电）",
                "2024年2月19日",
            ],
        ),
        ("上海：陈吉宁讲话摘要", ["上海：陈吉宁讲话摘要", "要优化营商环境。"]),
    ]


def test_sample_001_markdown_sections():
    _, secs = sections_of(S001)
    assert [(s.level, s.header) for s in secs] == [
        (1, "新的一年，各地发力高质量发展"),
        (2, "吉林"),
        (3, "尽快形成 新质生产力"),
        (2, "广东"),
        (3, "助力“广货”国货 快速“出海”"),
        (2, "重庆"),
        (3, "“万企兴万村” 特色产业助振兴"),
        (2, "河南"),
        (3, "形成农村能源开发新格局"),
        (2, "江苏"),
        (3, "养老事业和产业 协同发展"),
    ]


def test_sample_002_has_28_plain_sections():
    pars, secs = sections_of(S002)
    assert len(secs) == 28
    assert secs[0].header == "北京：尹力在首都经济社会高质量发展推进大会上的讲话摘要"
    assert secs[15].header == "宁波：彭佳学在全市“创新实干奋进年”动员大会上的讲话摘要"
    assert secs[27].header == "景俊海在全省优化营商环境加快项目建设大会上的讲话摘要"
    # every paragraph lands in exactly one section, in order (wrapped headers merged)
    assert "".join(p for s in secs for p in s.paragraphs) == "".join(pars)
    assert sum(len(s.paragraphs) for s in secs) == len(pars) - 31


def test_sample_004_bracketed_sections():
    pars, secs = sections_of(S004)
    assert [s.header for s in secs] == ["", "编者按", *S004_PROVINCES]
    assert secs[0].paragraphs == [pars[0]] and pars[0].startswith("原标题:2024全国两会特别策划")


def test_article_title():
    assert (
        article_title(["原标题:2024全国两会特别策划 | 新质生产力 跃动看中国", "正文"])
        == "2024全国两会特别策划 | 新质生产力 跃动看中国"
    )
    assert article_title(["导语", "# 真正的标题", "正文"]) == "真正的标题"
    assert article_title(["## 吉林", "正文"]) == "吉林"
    assert article_title(["正文"], hint="  提示标题 ") == "提示标题"
    assert article_title([]) == "（无标题）"
    assert len(article_title(["长" * 300])) == 120


# ---------------------------------------------------------------- issue 11: header markers


def test_markers_open_sections_inline_and_on_their_own_line():
    """Mechanism 5: every marker style opens a section, also when body text follows it."""
    pars = [
        "各地两会热词速览",
        "今年以来，各地政府工作报告密集发布。",
        "【河南】河南提出，坚持把发展经济的着力点放在实体经济上。",
        "郑州、洛阳协同推进项目建设。",
        "一、浙江：深入实施“八八战略”，推进数字经济创新提质。",
        "（二）江西：赣南脐橙品牌价值持续提升。",
        "1. 四川：成都举办消费季活动。",
        "**江苏**",
        "江苏进出口总额同比增长。",
        "◆ 广东省",
        "广东省召开高质量发展大会。",
        "北京：市委书记尹力表示，要加快建设国际科技创新中心。",
        "江西——规模以上工业增加值增长。",
        "【浙江·杭州】杭州发布未来产业培育行动计划。",
        "会议强调：要抓好落实，一、坚持高质量发展。",
    ]
    secs = split_sections(pars, gazetteer())
    assert [(s.header, len(s.paragraphs)) for s in secs] == [
        ("各地两会热词速览", 2),
        ("【河南】", 2),
        ("一、浙江：", 1),
        ("（二）江西：", 1),
        ("1. 四川：", 1),
        ("**江苏**", 2),
        ("◆ 广东省", 2),
        ("北京：", 1),
        ("江西——", 1),
        ("【浙江·杭州】", 2),  # `会议强调：` names no place: body text, not a header
    ]
    assert "".join(p for s in secs for p in s.paragraphs) == "".join(pars)
    # Without the gazetteer only the own-line rules apply: inline markers open nothing.
    assert [s.header for s in split_sections(pars)] == ["各地两会热词速览", "**江苏**", "◆ 广东省"]


def test_a_leader_line_is_a_new_header_not_a_wrapped_fragment():
    pars = [
        "各地主要负责同志谈高质量发展",
        "梁言顺在全省高质量发展大会上的讲话要点",
        "会议强调，要把科技创新摆在更加突出的位置。",
        "湖北：王蒙徽在全省奋力推进中国式现代化",
        "湖北实践大会上的讲话摘要",  # a wrapped fragment that happens to open with a place
        "会议强调，要奋力推进中国式现代化湖北实践。",
    ]
    secs = split_sections(pars, gazetteer())
    assert [s.header for s in secs] == [
        "各地主要负责同志谈高质量发展",
        "梁言顺在全省高质量发展大会上的讲话要点",
        "湖北：王蒙徽在全省奋力推进中国式现代化湖北实践大会上的讲话摘要",
    ]
