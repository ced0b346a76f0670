"""Emerging phrases on the sample corpus (checked with `python -m analysis emerging`)."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis.emerging import (
    add_phrase,
    candidates,
    default_split,
    emerging,
    han_runs,
    new_theme_id,
    ngram_counts,
    rate_ratio,
)
from analysis.models import Theme
from analysis.segment import boilerplate


def test_ngram_counts_are_overlapping_counts_with_a_floor():
    runs = han_runs("新质生产力，新质生产力。发展新质生产力！ab12")
    assert runs == ["新质生产力", "新质生产力", "发展新质生产力"]
    c = ngram_counts(runs, min_count=3)
    assert c["新质生产力"] == 3 and c["质生"] == 3
    assert "发展" not in c  # seen once only
    brute = Counter(r[i : i + n] for r in runs for n in range(2, 10) for i in range(len(r) - n + 1))
    assert {g: n for g, n in brute.items() if n >= 3} == dict(c)


def test_ngram_counts_equal_brute_force_on_repetitive_text():
    # Few distinct characters, runs of every length (1 to 30) and n-grams up to the full
    # nine characters repeated across runs: the id-based levels must give exactly the
    # brute-force counts, none crossing from one run into the next.
    import random

    rng = random.Random(7)
    alphabet = "发展新质生产力高量"
    runs = ["".join(rng.choice(alphabet[:4]) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    runs += ["高质量发展新质生产力"] * 4 + ["一", "乙"]  # single characters hold no bigram
    brute = Counter(r[i : i + n] for r in runs for n in range(2, 10) for i in range(len(r) - n + 1))
    for floor in (1, 2, 3, 5, 40):
        assert dict(ngram_counts(runs, min_count=floor)) == {g: n for g, n in brute.items() if n >= floor}
    assert dict(ngram_counts(runs, min_count=2, max_len=3)) == {
        g: n for g, n in brute.items() if n >= 2 and len(g) <= 3
    }
    assert ngram_counts([], 3) == Counter()
    assert ngram_counts(["一"], 1) == Counter()


def test_gram_counts_aligned_and_side_counts_equal_the_plain_loops():
    # The aligned counts are token_spans' (spans of whole tokens), the side counts those
    # of the marked runs alone; a toy tokenizer cutting after every 发展 and 生产力.
    from analysis.emerging import gram_counts, token_spans

    def cut(run: str) -> list[str]:
        toks, cur = [], ""
        for ch in run:
            cur += ch
            if cur.endswith(("发展", "生产力")):
                toks.append(cur)
                cur = ""
        return toks + ([cur] if cur else [])

    texts = [
        "高质量发展，新质生产力发展",
        "新质生产力。高质量发展",
        "发展新质生产力",
        "高质量发展新质生产力",
    ] * 2
    runs = [r for t in texts for r in han_runs(t)]
    side = [i % 3 == 0 for i in range(len(runs))]
    g = gram_counts(runs, min_count=2, cut=cut, side_a=side)
    assert dict(g.counts) == dict(ngram_counts(runs, min_count=2))
    spans = token_spans(texts, cut)
    assert dict(g.aligned) == {p: spans[p] for p in g.counts if spans[p] and len(p) <= 8}
    assert g.aligned["高质量发展"] == 6 and g.aligned["质量发展"] == 0
    marked = Counter(
        r[i : i + n] for r, a in zip(runs, side) if a for n in range(2, 10) for i in range(len(r) - n + 1)
    )
    assert dict(g.in_a) == {p: marked[p] for p in g.counts if marked[p]}


def test_self_overlapping_phrases_are_counted_like_str_count():
    from analysis.emerging import self_overlapping

    assert self_overlapping("哈哈") and self_overlapping("发展再发展")
    assert not self_overlapping("新质生产力") and not self_overlapping("发展")


def test_candidates_drop_fragments_and_glued_boilerplate():
    counts = Counter({"新质生产力": 10, "新质生产": 10, "质生产力": 10, "推动新质生产力": 6, "生产力": 12})
    aligned = Counter({"新质生产力": 10, "推动新质生产力": 6, "生产力": 12})
    got = candidates(counts, aligned, min_count=3)
    assert "新质生产力" in got
    assert "新质生产" not in got and "质生产力" not in got  # fragments, same count as the whole
    assert "推动新质生产力" not in got  # 推动 (boilerplate) + a candidate
    assert "生产力" not in got  # everyday word in jieba's dictionary


def test_rate_ratio():
    lrr, z = rate_ratio(51, 63_246, 0, 3_409)
    assert lrr == pytest.approx(1.7141, abs=1e-3) and z == pytest.approx(1.2062, abs=1e-3)
    assert rate_ratio(5, 0, 1, 10) == (0.0, 0.0)


def test_default_split_is_the_latest_three_months():
    assert default_split(["2023-02", "2024-01", "2024-02", "2024-03"]) == "2024-01"
    assert default_split(["2024-01", "2024-02"]) == "2024-02"
    assert default_split(["2024-01"]) is None


def test_latest_period_on_the_samples(sample_engine):
    r = emerging(sample_engine.store, top=30)
    assert (r.label_a, r.label_b) == ("2024-01 至 2024-03", "2023-02 至 2023-02")
    assert (r.chars_a, r.chars_b) == (63_246, 3_409) and not r.capped
    t = r.table
    assert list(t["phrase"][:6]) == [
        "营商环境",
        "新质生产力",
        "中国式现代化",
        "抓落实",
        "民营企业",
        "产业科技创新",
    ]
    row = t.set_index("phrase").loc["新质生产力"]
    assert (row["count_a"], row["count_b"]) == (51, 0)
    assert r.months == ["2023-02", "2024-01", "2024-02", "2024-03"]
    assert row["trend"] == [
        0.0,
        round(2 * 10_000 / 5113, 2),
        round(34 * 10_000 / 49_696, 2),
        round(15 * 10_000 / 8437, 2),
    ]  # 2 + 34 + 15 = 51
    assert len(row["examples"]) == 2 and all("新质生产力" in s for s in row["examples"])
    assert not set(t["phrase"]) & boilerplate()


def test_one_province_against_the_rest(sample_engine):
    r = emerging(sample_engine.store, by="province", province="广东", top=10)
    assert r.label_a == "广东"
    t = r.table.set_index("phrase")
    assert list(r.table["phrase"][:4]) == ["高质量发展", "产业科技创新", "科技创新", "跨境电商"]
    assert (t.loc["跨境电商", "count_a"], t.loc["跨境电商", "count_b"]) == (15, 2)


def test_a_small_cap_samples_whole_articles(sample_engine):
    r = emerging(sample_engine.store, max_chars=10_000, top=5)
    assert r.capped and r.chars_read < 66_655


def test_add_phrase_makes_a_theme_of_its_own():
    themes = [Theme("a", "甲", "改革", ("甲",))]
    out = add_phrase(themes, " 低空经济 ", "科技与产业")
    assert out[-1] == Theme(new_theme_id("低空经济"), "低空经济", "科技与产业", ("低空经济",), out[-1].note)
    assert out[-1].id.startswith("new_") and len(out[-1].id) == 12
    with pytest.raises(ValueError):
        add_phrase(out, "低空经济", "改革")


def test_general_vocabulary_is_every_dictionary_word_from_the_frequency_on():
    import jieba

    from analysis.emerging import general_vocabulary

    with jieba.get_dict_file() as fh:
        rows = [line.decode("utf-8").split() for line in fh]
    for floor in (500, 10_000):
        want = {r[0] for r in rows if len(r) >= 2 and int(r[1]) >= floor}
        assert general_vocabulary(floor) == want
    assert {"生产", "环境", "群众"} <= general_vocabulary()
    assert "新质生产力" not in general_vocabulary()


def test_one_cut_of_the_joined_runs_gives_each_runs_token_edges(sample_engine):
    # jieba/rjieba cut each Han block on its own: cutting the NUL-joined runs once must give
    # exactly the edges of cutting every run apart (what token_spans does).
    from itertools import accumulate

    from analysis.emerging import _token_edges, raw_tokenizer

    norms = sample_engine.store.df("SELECT norm FROM paragraphs ORDER BY article_id, idx")["norm"]
    runs = [r for t in norms for r in han_runs(t)]
    cut = raw_tokenizer(("新质生产力", "高质量发展"))
    text = "\x00".join(runs)
    marks: list[int] = []
    offset = 0
    for run in runs:
        marks.extend(accumulate(map(len, cut(run)), initial=offset))
        offset += len(run) + 1
    edges = _token_edges(text, runs, cut)
    assert sorted(set(marks)) == [int(i) for i in edges.nonzero()[0]]
    assert len(runs) > 500 and len(marks) > 2 * len(runs)
