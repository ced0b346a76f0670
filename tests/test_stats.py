"""Log-odds (Fightin' Words), exact Poisson intervals and the reliability warning."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.models import Filters
from analysis.stats import distinctive_words, log_odds, poisson_cdf, poisson_interval, rate_reliability

# Two tiny "speeches": side a talks about 营商环境, side b about 养老.
A = pd.Series({"营商环境": 6, "企业": 3, "发展": 5, "养老": 1})
B = pd.Series({"营商环境": 1, "企业": 2, "发展": 5, "养老": 7})


def delta_by_hand(word: str) -> tuple[float, float]:
    """δ and σ² straight from Monroe et al. (2008) with α_w = pooled count of w."""
    alpha = {w: A.get(w, 0) + B.get(w, 0) for w in set(A.index) | set(B.index)}
    a0 = sum(alpha.values())  # 15 + 15 = 30
    na, nb = A.sum(), B.sum()  # 15, 15
    ya, yb, aw = A.get(word, 0), B.get(word, 0), alpha[word]
    d = math.log((ya + aw) / (na + a0 - ya - aw)) - math.log((yb + aw) / (nb + a0 - yb - aw))
    return d, 1 / (ya + aw) + 1 / (yb + aw)


def test_log_odds_matches_formula_and_signs():
    out = log_odds(A, B).set_index("word")
    assert list(out.columns) == ["count_a", "count_b", "delta", "var", "z"]
    # 营商环境: α = 7, a0 = 30, n = 15 each: ln(13 / (15+30−6−7)) − ln(8 / (15+30−1−7))
    assert out.loc["营商环境", "delta"] == pytest.approx(math.log(13 / 32) - math.log(8 / 37), abs=1e-6)
    assert out.loc["营商环境", "delta"] == pytest.approx(0.630690, abs=1e-6)
    for word in A.index:
        d, v = delta_by_hand(word)
        assert out.loc[word, "delta"] == pytest.approx(d, abs=1e-6)
        assert out.loc[word, "var"] == pytest.approx(v, abs=1e-6)
        assert out.loc[word, "z"] == pytest.approx(d / math.sqrt(v), abs=1e-6)
    assert out.loc["营商环境", "z"] > 0 and out.loc["企业", "z"] > 0
    assert out.loc["养老", "z"] < 0
    assert out.loc["发展", "z"] == pytest.approx(0.0, abs=1e-12)  # same count, same totals
    assert (out.loc["营商环境", "count_a"], out.loc["营商环境", "count_b"]) == (6, 1)


def test_log_odds_sorted_and_prior_scale():
    out = log_odds(A, B)
    assert out["word"].tolist() == ["营商环境", "企业", "发展", "养老"]
    assert out["z"].is_monotonic_decreasing
    scaled = log_odds(A, B, prior_scale=3.0).set_index("word")
    # α_w = 3 · pooled_w / 30: for 营商环境 α = 0.7, a0 = 3
    expected = math.log(6.7 / (15 + 3 - 6.7)) - math.log(1.7 / (15 + 3 - 1.7))
    assert scaled.loc["营商环境", "delta"] == pytest.approx(expected, abs=1e-6)


def test_log_odds_custom_prior_fills_unknown_words():
    out = log_odds(A, B, prior=pd.Series({"发展": 10.0})).set_index("word")
    assert math.isfinite(out.loc["养老", "z"])
    a0 = 10 + 3 * 0.01
    expected = math.log((6 + 0.01) / (15 + a0 - 6 - 0.01)) - math.log((1 + 0.01) / (15 + a0 - 1 - 0.01))
    assert out.loc["营商环境", "delta"] == pytest.approx(expected, abs=1e-6)


class StubStore:
    """word_totals as the real store returns it, for two provinces."""

    def __init__(self, tables):
        self.tables = tables
        self.calls = []

    def word_totals(self, f, limit=300, exclude=()):
        self.calls.append((f, limit, tuple(exclude)))
        t = self.tables[f.provinces[0]]
        return t[~t["word"].isin(list(exclude))].reset_index(drop=True)


def table(counts: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"word": counts.index, "count": counts.values, "docs": 1})


def test_distinctive_words_sides_and_filters():
    store = StubStore({"广东": table(A), "江苏": table(B)})
    out = distinctive_words(
        store,
        Filters(provinces=("广东",)),
        Filters(provinces=("江苏",)),
        top=5,
        exclude=["企业"],
        min_count=3,
    )
    assert list(out.columns) == ["word", "count_a", "count_b", "z", "side"]
    # Without 企业 side a has 12 words and side b 13, so 发展 (5 vs 5) leans slightly to a.
    assert out[["word", "side"]].values.tolist() == [["营商环境", "a"], ["发展", "a"], ["养老", "b"]]
    assert store.calls[0][1] == 5000 and store.calls[0][2] == ("企业",)
    # Same numbers as log_odds on what is left after exclusion.
    lo = log_odds(A.drop("企业"), B.drop("企业")).set_index("word")
    assert out.set_index("word").loc["养老", "z"] == pytest.approx(lo.loc["养老", "z"], abs=1e-12)
    # min_count: 营商环境 appears 7 times in all and 企业 5, so 8 removes both; 发展 stays
    # in the table but has z = 0 (5 of 15 words on both sides), so it is on neither side.
    out8 = distinctive_words(store, Filters(provinces=("广东",)), Filters(provinces=("江苏",)), min_count=8)
    assert out8["word"].tolist() == ["养老"]


def test_distinctive_words_on_samples(sample_engine):
    st = sample_engine.store
    fa, fb = Filters(provinces=("广东",)), Filters(provinces=("江苏",))
    out = distinctive_words(st, fa, fb, top=10)
    a_words = st.word_totals(fa, 5000).set_index("word")["count"]
    b_words = st.word_totals(fb, 5000).set_index("word")["count"]
    for r in out.itertuples():
        assert r.count_a == a_words.get(r.word, 0) and r.count_b == b_words.get(r.word, 0)
        assert (r.z > 0) == (r.side == "a")
    assert "广东" in out.loc[out["side"] == "a", "word"].tolist()
    assert "江苏" in out.loc[out["side"] == "b", "word"].tolist()


def test_poisson_interval_known_values():
    lo, hi = poisson_interval(0, 10_000)
    assert lo == 0.0 and hi == pytest.approx(-math.log(0.025), abs=1e-6)  # 3.68888
    lo, hi = poisson_interval(10, 10_000)
    assert lo == pytest.approx(4.795389, abs=1e-5) and hi == pytest.approx(18.390356, abs=1e-5)
    lo, hi = poisson_interval(1, 5_000)  # per 10k doubles when the text halves
    assert lo == pytest.approx(2 * 0.025318, abs=1e-5) and hi == pytest.approx(2 * 5.571643, abs=1e-5)
    assert poisson_interval(3, 0) == (0.0, 0.0)


def test_poisson_cdf_and_large_counts():
    # P(X ≤ 2 | λ = 3) = e^-3 (1 + 3 + 4.5)
    assert poisson_cdf(2, 3.0) == pytest.approx(math.exp(-3) * 8.5, rel=1e-12)
    lo, hi = poisson_interval(10_000, 1_000_000)  # 100 per 10k; ±1.96·√n/n roughly
    assert 98.0 < lo < 98.1 and 101.9 < hi < 102.0


def test_rate_reliability():
    assert rate_reliability(800, 1) == "仅依据 1 篇文章、800 字，数字不稳定"
    assert rate_reliability(50_000, 1) == "仅依据 1 篇文章、50000 字，数字不稳定"
    assert rate_reliability(2999, 5) == "仅依据 5 篇文章、2999 字，数字不稳定"
    assert rate_reliability(3000, 2) == ""
    assert rate_reliability(0, 0) == "没有可依据的文本，无法计算频次"


def test_thin_provinces_are_shown_apart_and_kept_out_of_the_colour_scale():
    from analysis.counting import per_10k
    from analysis.stats import split_thin, thin_legend, thin_provinces

    t = pd.DataFrame(
        {
            "province": ["北京", "广东", "西藏", "青海", "河南"],
            "count": [30, 12, 1, 2, 0],
            "chars": [50_000, 40_000, 34, 2_999, 3_000],
        }
    )
    t["per_10k"] = [per_10k(c, n) for c, n in zip(t["count"], t["chars"])]
    assert list(t["per_10k"]) == [6.0, 3.0, 294.118, 6.669, 0.0]
    assert thin_provinces(t) == ["西藏", "青海"]  # 3,000 itself is enough
    enough, thin, top = split_thin(t)
    assert list(enough["province"]) == ["北京", "广东", "河南"]
    assert list(thin["province"]) == ["西藏", "青海"]  # largest first within the thin part
    assert top == 6.0  # not 294.118: the map's colours rest on provinces with enough text
    assert thin_provinces(t, 40_000) == ["西藏", "青海", "河南"]
    assert split_thin(t, min_chars=100_000)[2] == 0.0
    assert thin_legend() == "⚠ 文本不足 3,000 字：每万字频次很不稳定，单列在后、灰色显示，不参与配色"
