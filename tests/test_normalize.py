"""normalize.py: whitespace, control characters, hard-wrap repair, Traditional -> Simplified."""

from __future__ import annotations

from pathlib import Path

from helpers import S000, S002, sample_text, squeeze

from analysis.normalize import (
    clean_controls,
    compact,
    display_width,
    looks_traditional,
    normalize_for_counting,
    split_paragraphs,
    to_simplified,
    typical_width,
)

BODY = (
    "要坚定不移推动高质量发展，持续优化营商环境，加快发展新质生产力，奋力推进中国式现代化湖北实践。"
    "武汉要发挥引领作用，推动高质量发展取得新成效。"
)


def wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def test_compact_removes_every_kind_of_whitespace():
    assert compact("高质量\n发展 营商\u3000环境\t新质\r\n生产力\u00a0") == "高质量发展营商环境新质生产力"


def test_clean_controls():
    assert clean_controls("a\r\nb\rc\u200b\ufeffd\x00e\x07f\tg\n") == "a\nb\ncdef\tg\n"


def test_display_width():
    assert display_width("AI大模型") == 4.0
    assert display_width("高质量发展，") == 6.0


def test_traditional_detection_and_conversion():
    assert looks_traditional("推動經濟高質量發展，優化營商環境")
    assert not looks_traditional(BODY)
    assert to_simplified("推動經濟高質量發展，優化營商環境") == "推动经济高质量发展，优化营商环境"
    assert to_simplified(BODY) == BODY  # Simplified text is left alone
    assert normalize_for_counting("高質量\n發展 與 營商環境") == "高质量发展与营商环境"
    assert normalize_for_counting("髮", traditional=False) == "髮"


def test_hard_wrapped_lines_rejoin_into_one_paragraph():
    lines = wrap(BODY, 17)
    assert len(lines) == 5 and lines[0].endswith("持续优化")
    assert split_paragraphs("\n".join(lines), hard_wrapped=True) == [BODY]


def test_hard_wrap_detected_without_hint_and_paragraph_ends_at_short_line():
    second = "会议指出，" + "扎实推进高水平对外开放，" * 4 + "全力稳住外贸外资基本盘。"
    lines = wrap(BODY, 17) + wrap(second, 17) + wrap(BODY, 17)
    assert typical_width(lines) == 17.0
    assert split_paragraphs("\n".join(lines)) == [BODY, second, BODY]


def test_twelve_lines_are_the_fewest_found_wrapped():
    """split_paragraphs skips measuring text of fewer than 12 non-blank lines: typical_width
    needs 12. Blank lines do not count; at 12 wrapped lines the wrap is repaired."""
    lines = wrap(BODY, 17) * 2 + wrap(BODY, 17)[:2]
    assert len(lines) == 12 and typical_width(lines) == 17.0
    assert split_paragraphs("\n\n".join(lines)) == [BODY, BODY, "".join(lines[-2:])]
    eleven = lines[:-1]
    assert typical_width(eleven) is None
    assert split_paragraphs("\n\n".join(eleven)) == eleven


def test_page_numbers_dropped_and_latin_words_rejoined():
    lines = wrap(BODY, 17)
    latin = ["The output of strategic emerging", "industries grew fast."]  # 16 cells, then short
    text = "\n".join([*lines[:2], "- 12 -", *lines[2:], "第 3 页", *latin])
    assert split_paragraphs(text, hard_wrapped=True) == [
        BODY,
        "The output of strategic emerging industries grew fast.",
    ]


def test_unwrapped_text_keeps_each_line():
    text = "## 吉林\n\n  第一段。\n第二段\n\n\n第三段。"
    assert split_paragraphs(text) == ["## 吉林", "第一段。", "第二段", "第三段。"]
    assert split_paragraphs("\n".join(wrap(BODY, 17) * 3), hard_wrapped=False) == wrap(BODY, 17) * 3


def test_sample_002_page_numbers_removed_and_nothing_else_lost():
    """002 is hard-wrapped at 26 cells with five stray page numbers inside sentences."""
    text = clean_controls(sample_text(S002))
    assert typical_width(text.split("\n")) == 26.0
    joined = "".join(squeeze(p) for p in split_paragraphs(text))
    whole = squeeze(text)
    assert len(whole) - len(joined) == 11  # 18, 29, 36, 48, 101
    for pageno, around in (("18", "弘扬科学18家精神"), ("48", "暨春48节期间")):
        assert around in whole and around.replace(pageno, "") in joined
    assert joined.count("高质量发展") == 128


def test_sample_000_markdown_is_not_hard_wrapped():
    text = sample_text(S000)
    assert typical_width(text.split("\n")) is None
    paragraphs = split_paragraphs(text)
    assert paragraphs[0] == "# 集中精力推动高质量发展"
    assert squeeze("".join(paragraphs)) == squeeze(text)


# ---------------------------------------------------------------- issue 11: hard-wrap evidence

GOLD = Path(__file__).parent / "data" / "attribution"


def test_short_header_compilation_is_not_taken_for_a_wrapped_pdf():
    """Mechanism 4: 8 short `一、浙江：…` headers over one-line paragraphs are no page width."""
    text = (GOLD / "20_short_numbered.txt").read_text(encoding="utf-8")
    lines = text.strip().split("\n")
    assert len(lines) == 18
    assert typical_width(lines) is None
    assert split_paragraphs(text) == lines
    # City headers carry no structure at all; the long lines alone rule wrapping out.
    city = (GOLD / "22_short_city_headers.txt").read_text(encoding="utf-8").strip().split("\n")
    assert typical_width(city) is None and len(split_paragraphs("\n".join(city))) == 14


def test_wrap_repair_never_swallows_a_header_line():
    """A paragraph whose last line fills the page must not glue the next header onto it."""
    first = "今年各地政府工作报告普遍把发展新质生产力放在重要位置，提出了一系列有力务实举措。"  # 40 cells
    body = "贵州提出大力发展数字经济，建设全国一体化算力网络国家枢纽节点，推动新型工业化。"
    lines = [*wrap(first, 20), "二、贵州：围绕四新主攻四化", *wrap(body, 20)]
    assert [len(x) for x in lines[:2]] == [20, 20]
    assert split_paragraphs("\n".join(lines), hard_wrapped=True) == [
        first,
        "二、贵州：围绕四新主攻四化",
        body,
    ]


def test_compact_drops_exactly_what_regex_whitespace_matches():
    # compact() uses str.split(); it must remove the same characters as re's \s, on every
    # code point (full-width space U+3000, no-break space, U+1C..U+1F separators included).
    import re
    import sys

    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    assert compact(every) == re.sub(r"\s+", "", every)
    assert compact("营商\u3000环境\n优化 ") == "营商环境优化"
