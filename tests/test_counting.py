"""counting.py: leftmost-longest theme matching, independent ad-hoc terms, per-10k rates."""

from __future__ import annotations

from dataclasses import replace

from helpers import S002, leftmost_longest, sample_text, squeeze

from analysis.counting import Matcher, clean_terms, count_terms, count_themes, per_10k
from analysis.models import Theme
from analysis.normalize import normalize_for_counting
from analysis.themes import load_themes

THEMES = [
    Theme("hqd", "高质量发展", "改革", ("高质量发展",)),
    Theme("biz", "营商环境", "营商与市场", ("营商环境", "一流营商环境")),
    Theme("nqp", "新质生产力", "科技与产业", ("新质生产力",)),
    Theme("demand", "扩大内需", "营商与市场", ("扩大内需", "内需")),
]


def test_phrase_split_by_any_whitespace_still_counts():
    m = Matcher(THEMES)
    text = "推动高质量\n发展，优化营商\u3000环境，发展新 质 生产力，高质\r\n量发展"
    assert count_themes(normalize_for_counting(text), m) == {"hqd": 2, "biz": 1, "nqp": 1}
    assert count_terms(normalize_for_counting(text), ["高质量发展", "营商 环境"]) == {
        "高质量发展": 2,
        "营商环境": 1,
    }


def test_longest_phrase_wins_within_a_theme_and_counts_once():
    m = Matcher(THEMES)
    norm = "打造一流营商环境，营商环境，扩大内需，内需"
    assert m.count(norm) == {
        ("biz", "一流营商环境"): 1,
        ("biz", "营商环境"): 1,
        ("demand", "扩大内需"): 1,
        ("demand", "内需"): 1,
    }
    assert count_themes(norm, m) == {"biz": 2, "demand": 2}


def test_spans_locate_every_match():
    m = Matcher(THEMES)
    norm = "以高质量发展优化一流营商环境"
    assert m.spans(norm) == [(1, 6, "hqd", "高质量发展"), (8, 14, "biz", "一流营商环境")]
    for s, e, _tid, phrase in m.spans(norm):
        assert norm[s:e] == phrase


def test_ad_hoc_terms_are_independent_of_each_other():
    norm = "推动高质量发展，高质量发展是首要任务，高质量的生活"
    assert count_terms(norm, ["高质量", "高质量发展", "发展", "首要"]) == {
        "高质量": 3,
        "高质量发展": 2,
        "发展": 2,
        "首要": 1,
    }
    assert count_terms("啊啊啊", ["啊啊"]) == {"啊啊": 1}  # non-overlapping, like str.count


def test_clean_terms():
    assert clean_terms([" 高质量 发展 ", "", "  ", "高质量发展", "营商环境"]) == ["高质量发展", "营商环境"]


def test_empty_matcher_and_empty_text():
    assert Matcher([]).count("高质量发展") == {}
    assert Matcher([]).spans("高质量发展") == []
    assert count_themes("", Matcher(THEMES)) == {}


def test_per_10k():
    assert per_10k(128, 49696) == 25.757
    assert per_10k(3, 10000) == 3.0
    assert per_10k(1, 3) == 3333.333
    assert per_10k(5, 0) == 0.0


def test_matcher_agrees_with_reference_on_sample_002():
    themes = load_themes()
    phrases = {a: t.id for t in themes for a in t.aliases}
    norm = squeeze(sample_text(S002))
    got = count_themes(norm, Matcher(themes))
    assert got == leftmost_longest(norm, phrases)
    assert (got["business_environment"], got["new_quality_productivity"]) == (99, 34)


RULE_OF_LAW = Theme("rule_of_law", "法治", "安全与治理", ("法治",), exclude=("法治化", "依法治理"))
CONSUMPTION = Theme("consumption", "消费", "营商与市场", ("消费",), exclude=("消费者",))
EDUCATION = Theme("education", "教育", "民生", ("教育",), exclude=("主题教育",))
BIZ = Theme("business_environment", "营商环境", "营商与市场", ("营商环境",))


def test_exclusions_skip_the_alias_inside_longer_phrases():
    norm = "推进法治化营商环境建设，坚持依法治理，建设法治中国，让法治成为核心竞争力"
    with_ex = Matcher([RULE_OF_LAW, BIZ])
    assert count_themes(norm, with_ex) == {"rule_of_law": 2, "business_environment": 1}
    # before exclusions existed every 法治 counted, 法治化 and 依法治理 included
    plain = Matcher([Theme("rule_of_law", "法治", "安全与治理", ("法治",)), BIZ])
    assert count_themes(norm, plain) == {"rule_of_law": 4, "business_environment": 1}
    # spans never show an exclusion, and the counted spots are the two free-standing ones
    assert [(s, e, tid) for s, e, tid, _ in with_ex.spans(norm)] == [
        (5, 9, "business_environment"),
        (21, 23, "rule_of_law"),
        (27, 29, "rule_of_law"),
    ]
    assert norm[21:23] == norm[27:29] == "法治"


def test_exclusions_for_consumption_and_education():
    m = Matcher([CONSUMPTION, EDUCATION])
    norm = "保护消费者权益，提振消费，扩大消费；开展主题教育，办好人民满意的教育，消费者满意"
    assert count_themes(norm, m) == {"consumption": 2, "education": 1}
    assert m.count(norm) == {("consumption", "消费"): 2, ("education", "教育"): 1}
    assert count_themes(
        norm, Matcher([replace(CONSUMPTION, exclude=()), replace(EDUCATION, exclude=())])
    ) == {
        "consumption": 4,
        "education": 2,
    }


def test_counts_agree_with_spans_over_mixed_scripts():
    """count() runs on UTF-8 bytes, spans() on characters: ASCII (1 byte), CJK (3) and an
    emoji (4) around and between phrases must give the same matches, in the same order."""
    themes = [
        *THEMES,
        Theme("ai", "人工智能", "科技与产业", ("AI+", "人工智能+", "5G基站")),
        Theme("x", "排除", "改革", ("质量",), exclude=("高质量",)),
    ]
    m = Matcher(themes)
    norm = "A扩大内需😀内需AI+5G基站高质量发展；质量😀人工智能+ＡＩ营商环境x一流营商环境"
    from_spans: dict[tuple[str, str], int] = {}
    for _s, _e, tid, phrase in m.spans(norm):
        from_spans[(tid, phrase)] = from_spans.get((tid, phrase), 0) + 1
    assert list(m.count(norm).items()) == list(from_spans.items())
    counts = m.count(norm)
    assert set(counts.values()) == {1}  # each phrase once, listed in the order of the text
    assert " ".join(f"{tid}:{phrase}" for tid, phrase in counts) == (
        "demand:扩大内需 demand:内需 ai:AI+ ai:5G基站 hqd:高质量发展 x:质量 ai:人工智能+ biz:营商环境 biz:一流营商环境"
    )
