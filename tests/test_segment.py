"""segment.py: theme phrases stay whole, stopwords and numbers never appear."""

from __future__ import annotations

import pytest
from helpers import S000, S002, sample_text, squeeze

from analysis.segment import Segmenter, boilerplate, stopwords
from analysis.themes import load_themes

PHRASES = [a for t in load_themes() for a in t.aliases]
TEXT = "本报记者报道：的确，要加快发展新质生产力，持续优化营商环境，2024年GDP增长5.2%，三个方面的工作。"


@pytest.fixture(scope="module", params=["jieba", "rjieba"])
def seg(request):
    if request.param == "rjieba":
        pytest.importorskip("rjieba")
    return Segmenter(PHRASES, backend=request.param)


def test_theme_phrases_stay_whole(seg):
    words = seg.words(TEXT)
    assert "新质生产力" in words and "营商环境" in words
    assert not {"新质", "生产力", "营商"} & set(words)


def test_stopwords_numbers_and_single_chars_dropped(seg):
    words = seg.words(TEXT)
    assert {"本报", "记者", "的", "2024", "5.2", "三个", "GDP"}.isdisjoint(words)
    assert all(len(w) >= 2 for w in words)


def test_counts_equal_words(seg):
    text = squeeze(sample_text(S000))
    from collections import Counter

    assert seg.counts(text) == Counter(seg.words(text))
    assert seg.counts(text)["新质生产力"] == text.count("新质生产力") == 3


def test_sample_002_phrases_counted_whole(seg):
    norm = squeeze(sample_text(S002))
    c = seg.counts(norm)
    assert (c["营商环境"], c["新质生产力"], c["高质量发展"]) == (99, 34, 128)  # as str.count finds
    assert not {"本报", "记者", "我们", "一个"} & set(c)


def test_word_lists_load():
    assert {"的", "记者", "本报"} <= stopwords()
    assert "高质量发展" not in stopwords()
    assert "推进" in boilerplate()


def test_store_words_exclude_stopwords(sample_engine):
    top = sample_engine.store.word_totals(None, limit=5000)
    assert not {"的", "记者", "本报", "我们"} & set(top["word"])
    got = dict(zip(top["word"], top["count"]))
    assert (got["新质生产力"], got["营商环境"], got["高质量发展"]) == (51, 106, 171)


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_user_words_belong_to_their_segmenter(backend):
    """A phrase one dictionary adds is not a word for a Segmenter made later without it
    (a removed theme phrase must stop joining characters in the next rebuild's words)."""
    if backend == "rjieba":
        pytest.importorskip("rjieba")
    text = "推进桃溪数据港建设"
    plain = Segmenter([], backend=backend).words(text)
    assert "桃溪数据港" not in plain
    assert "桃溪数据港" in Segmenter(["桃溪数据港"], backend=backend).words(text)
    assert Segmenter([], backend=backend).words(text) == plain
