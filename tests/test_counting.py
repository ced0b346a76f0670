"""counting.py: leftmost-longest theme matching, independent ad-hoc terms, per-10k rates."""

from __future__ import annotations

from conftest import S002, sample_text, squeeze

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


def leftmost_longest(norm: str, phrases: dict[str, str]) -> dict[str, int]:
    """A slow, obviously correct reference matcher: at each position take the longest phrase."""
    longest = max(map(len, phrases))
    out: dict[str, int] = {}
    i = 0
    while i < len(norm):
        for n in range(min(longest, len(norm) - i), 1, -1):
            if norm[i : i + n] in phrases:
                tid = phrases[norm[i : i + n]]
                out[tid] = out.get(tid, 0) + 1
                i += n
                break
        else:
            i += 1
    return out


def test_matcher_agrees_with_reference_on_sample_002():
    themes = load_themes()
    phrases = {a: t.id for t in themes for a in t.aliases}
    norm = squeeze(sample_text(S002))
    got = count_themes(norm, Matcher(themes))
    assert got == leftmost_longest(norm, phrases)
    assert (got["business_environment"], got["new_quality_productivity"]) == (99, 34)
