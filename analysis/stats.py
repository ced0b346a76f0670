"""Statistics behind the numbers editors compare: distinctive words, rate intervals.

No SQL here; distinctive_words asks the store for word totals like any page would.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .models import Filters

# Below these a per-10,000-character rate moves a lot when one more mention turns up.
MIN_RELIABLE_CHARS = 3000
MIN_RELIABLE_ARTICLES = 2
WORD_LIMIT = 5000  # words fetched per side for distinctive_words
FLOOR_PRIOR = 0.01  # pseudo-count for a word a custom prior does not know


def log_odds(
    a: pd.Series, b: pd.Series, prior: pd.Series | None = None, prior_scale: float | None = None
) -> pd.DataFrame:
    """Weighted log-odds ratio with an informative Dirichlet prior.

    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). "Fightin' Words: Lexical
    Feature Selection and Evaluation for Identifying the Content of Political
    Conflict." Political Analysis 16(4): 372–403, section 3.5.

    For word w with counts y_a, y_b, side totals n_a, n_b, prior pseudo-counts α_w and
    α_0 = Σ α_w:

        δ_w   = ln[(y_a + α_w) / (n_a + α_0 − y_a − α_w)] − ln[(y_b + α_w) / (n_b + α_0 − y_b − α_w)]
        σ²_w ≈ 1 / (y_a + α_w) + 1 / (y_b + α_w)
        z_w   = δ_w / σ_w

    The prior defaults to the pooled counts a + b (the paper's informative prior built
    from the corpus itself). With prior_scale, the prior is rescaled to that total mass
    (α_w = prior_scale · prior_w / Σ prior), which sets how strongly rare words are
    shrunk; without it the prior keeps its own total. Words missing from a custom prior
    get a pseudo-count of 0.01 so every δ is finite.

    Returns word, count_a, count_b, delta, var, z sorted by z descending: positive z
    means the word is distinctive of a, negative of b.
    """
    a = pd.Series(a, dtype="float64").groupby(level=0).sum()
    b = pd.Series(b, dtype="float64").groupby(level=0).sum()
    vocab = a.index.union(b.index)
    if prior is not None:
        vocab = vocab.union(pd.Series(prior).index)
    ya = a.reindex(vocab, fill_value=0.0).to_numpy()
    yb = b.reindex(vocab, fill_value=0.0).to_numpy()
    if prior is None:
        alpha = ya + yb
    else:
        alpha = (
            pd.Series(prior, dtype="float64").groupby(level=0).sum().reindex(vocab, fill_value=0.0).to_numpy()
        )
    alpha = np.where(alpha > 0, alpha, FLOOR_PRIOR)
    if prior_scale is not None and alpha.sum() > 0:
        alpha = alpha * (prior_scale / alpha.sum())
    alpha0 = alpha.sum()
    na, nb = ya.sum(), yb.sum()
    delta = np.log((ya + alpha) / (na + alpha0 - ya - alpha)) - np.log(
        (yb + alpha) / (nb + alpha0 - yb - alpha)
    )
    var = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    out = pd.DataFrame(
        {
            "word": vocab.astype(str),
            "count_a": ya.astype(int),
            "count_b": yb.astype(int),
            "delta": delta,
            "var": var,
            "z": delta / np.sqrt(var),
        }
    )
    return out.sort_values(["z", "word"], ascending=[False, True], ignore_index=True)


def distinctive_words(
    store,
    f_a: Filters | None,
    f_b: Filters | None,
    top: int = 30,
    exclude: Iterable[str] = (),
    min_count: int = 3,
) -> pd.DataFrame:
    """The words most typical of selection a against b, and of b against a.

    word, count_a, count_b, z, side ('a' or 'b'); side a rows first (largest z first),
    then side b rows (most negative z first). Words seen fewer than min_count times in
    both selections together are left out: a word met twice proves nothing.
    """
    exclude = [w for w in exclude if w]
    wa = store.word_totals(f_a, WORD_LIMIT, exclude)
    wb = store.word_totals(f_b, WORD_LIMIT, exclude)
    a = pd.Series(wa["count"].to_numpy(), index=wa["word"].to_numpy(), dtype="float64")
    b = pd.Series(wb["count"].to_numpy(), index=wb["word"].to_numpy(), dtype="float64")
    cols = ["word", "count_a", "count_b", "z", "side"]
    if a.empty or b.empty:
        return pd.DataFrame(columns=cols)
    lo = log_odds(a, b)
    lo = lo[(lo["count_a"] + lo["count_b"]) >= min_count]
    side_a = lo[lo["z"] > 0].head(top).assign(side="a")
    side_b = lo[lo["z"] < 0].sort_values(["z", "word"]).head(top).assign(side="b")
    return pd.concat([side_a, side_b], ignore_index=True)[cols]


# ---------------------------------------------------------------- rates
def _gammainc_lower(s: float, x: float) -> float:
    """Regularised lower incomplete gamma P(s, x): series below s + 1, continued fraction above."""
    if x <= 0:
        return 0.0
    log_front = -x + s * math.log(x) - math.lgamma(s)
    if x < s + 1:
        term = total = 1.0 / s
        k = s
        for _ in range(100_000):
            k += 1
            term *= x / k
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return min(1.0, total * math.exp(log_front))
    # Lentz's method for the continued fraction of Q(s, x).
    tiny = 1e-300
    b = x + 1 - s
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - s)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def poisson_cdf(k: int, lam: float) -> float:
    """P(X ≤ k) for X ~ Poisson(lam), via P(X ≤ k) = 1 − P(k + 1, lam)."""
    if k < 0:
        return 0.0
    if lam <= 0:
        return 1.0
    return 1.0 - _gammainc_lower(k + 1, lam)


def _solve(fn, target: float, lo: float, hi: float) -> float:
    """λ in [lo, hi] with fn(λ) = target for fn decreasing in λ (bisection)."""
    while fn(hi) > target:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if fn(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2


def _garwood(count: int, conf: float) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for a Poisson mean after observing count events."""
    alpha = 1 - conf
    try:
        from scipy.stats import chi2  # type: ignore[import-not-found, unused-ignore]

        lower = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count) / 2)
        return lower, float(chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    except ImportError:
        pass
    hi0 = count + 10 + 10 * math.sqrt(count + 1)
    # upper: P(X ≤ count | λ) = α/2; lower: P(X ≥ count | λ) = α/2, i.e. P(X ≤ count−1) = 1 − α/2.
    upper = _solve(lambda lam: poisson_cdf(count, lam), alpha / 2, 0.0, hi0)
    lower = 0.0 if count == 0 else _solve(lambda lam: poisson_cdf(count - 1, lam), 1 - alpha / 2, 0.0, hi0)
    return lower, upper


def poisson_interval(count: int, chars: int, conf: float = 0.95) -> tuple[float, float]:
    """Exact confidence interval of a rate per 10,000 characters: (low, high).

    Treats mentions as Poisson events over the text; (0, 0) when there is no text.
    """
    count, chars = int(count), int(chars)
    if chars <= 0:
        return 0.0, 0.0
    if count < 0 or not 0 < conf < 1:
        raise ValueError("次数不能为负，置信水平须在 0 与 1 之间")
    lower, upper = _garwood(count, conf)
    scale = 10_000 / chars
    return lower * scale, upper * scale


def rate_reliability(chars: int, articles: int) -> str:
    """'' when a rate rests on enough text, else a short Chinese warning for editors."""
    chars, articles = int(chars or 0), int(articles or 0)
    if chars <= 0 or articles <= 0:
        return "没有可依据的文本，无法计算频次"
    if chars < MIN_RELIABLE_CHARS or articles < MIN_RELIABLE_ARTICLES:
        return f"仅依据 {articles} 篇文章、{chars} 字，数字不稳定"
    return ""


# ---------------------------------------------------------------- thin text (issue 13 trap 4)
THIN_MARK = "⚠"


def thin_legend(min_chars: int = MIN_RELIABLE_CHARS) -> str:
    """The legend line that explains the ⚠ mark wherever a ranking or map carries it."""
    return f"{THIN_MARK} 文本不足 {min_chars:,} 字：每万字频次很不稳定，单列在后、灰色显示，不参与配色"


def split_thin(
    table: pd.DataFrame, value: str = "per_10k", min_chars: int = MIN_RELIABLE_CHARS, *, chars: str = "chars"
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(rows with enough text, thin rows, colour-scale maximum) of a per-province table.

    A province below min_chars characters is shown apart: one hit in 34 characters is 294
    per 10,000 and would flatten every other bar and the map. Both parts come sorted by
    value, largest first; the scale maximum is taken over the first part only (0.0 when
    every province is thin). Rows keep their columns; nothing is dropped."""
    n = pd.to_numeric(table[chars], errors="coerce").fillna(0)
    is_thin = n < min_chars
    vals = pd.to_numeric(table[value], errors="coerce").fillna(0)
    order = vals.sort_values(ascending=False, kind="stable").index
    enough = table.loc[[i for i in order if not is_thin[i]]].reset_index(drop=True)
    thin = table.loc[[i for i in order if is_thin[i]]].reset_index(drop=True)
    top = float(vals[~is_thin].max()) if (~is_thin).any() else 0.0
    return enough, thin, top


def thin_provinces(
    table: pd.DataFrame,
    min_chars: int = MIN_RELIABLE_CHARS,
    *,
    province: str = "province",
    chars: str = "chars",
) -> list[str]:
    """The provinces of table whose text is below min_chars characters, in table order."""
    n = pd.to_numeric(table[chars], errors="coerce").fillna(0)
    return [str(p) for p, c in zip(table[province], n) if c < min_chars]
