"""The excerpt offered first for a quote is a sentence, never the headline (issue 14)."""

from __future__ import annotations

import pandas as pd

from analysis.quotes import default_excerpt, looks_like_heading

TITLE = "集中精力推动高质量发展"


def test_headline_and_headings_are_not_sentences():
    assert looks_like_heading("集中精力推动 高质量发展", TITLE)  # the title, hard-wrapped
    assert looks_like_heading("北京：尹力在首都经济社会高质量发展推进大会上的讲话摘要")
    assert not looks_like_heading("要牢牢把握高质量发展这个首要任务。", TITLE)
    long_line = (
        "近年来我国深入实施创新驱动发展战略科技创新实现新突破新质生产力加快形成新业态新模式蓬勃兴起各地纷纷"
    )
    assert len(long_line) > 40 and not looks_like_heading(long_line)


def test_default_excerpt_skips_the_headline():
    rows = pd.DataFrame(
        {
            "title": [TITLE, TITLE, TITLE],
            "before": ["集中精力推动", "展现新气象 步履不停勇蹚", "习近平强调，要牢牢把握"],
            "match": ["高质量发展", "发展", "高质量发展"],
            "after": ["", "新路", "这个首要任务。"],
        }
    )
    assert default_excerpt(rows) == 2
    assert default_excerpt(rows.head(2)) == 0  # only headings: the first, as before
