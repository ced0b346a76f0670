"""Emerging phrases: wording that is new in the latest period, or typical of one province.

Candidates are character n-grams (2–8 characters) counted over the selection's
paragraphs, split at anything that is not a Han character, so no candidate crosses
punctuation. A candidate must start and end on a word boundary of the jieba
segmentation (theme phrases as user words) in at least half its occurrences, which
drops fragments such as 展新 or 发展新 while keeping multi-word slogans (中国式现代化).
Also dropped: stopwords and boilerplate (corpus/stopwords.txt, boilerplate.txt);
everyday words (frequency ≥ 500 in jieba's general dictionary: 生产, 环境, 群众);
province, city and leader names (corpus/geo); fragments of a longer candidate with
nearly the same count (新质生 inside 新质生产力); phrases that are a boilerplate word
glued to another candidate (推动高质量发展 = 推动 + 高质量发展, 习近平总书记); and
phrases beginning or ending with a function character (的, 和 …).

Ranking is a Poisson rate ratio with characters as the exposure: for counts a and b in
texts of A and B characters, log RR = ln((a + ½)/A) − ln((b + ½)/B) with standard
error √(1/(a + ½) + 1/(b + ½)), and z = log RR / SE (the ½ keeps a phrase absent from
one side finite). A phrase needs at least min_count occurrences on the side it is
typical of; z ranks the rest. "period" compares the latest months (by default the last
three months that have text, or everything from a split date on) with all earlier
text; "province" compares one province with all others.

The text is fetched once per selection; for corpora above max_chars characters whole
articles are sampled in a fixed pseudo-random order (EmergingPhrases.capped says so), which
keeps the counting to a few seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

import numpy as np
import pandas as pd

from .models import Filters, Theme
from .segment import Segmenter, boilerplate, jieba_dictionary, stopwords

MIN_LEN, MAX_LEN = 2, 8
MAX_CHARS = 1_000_000
NESTED_SHARE = 0.8  # a fragment whose longer form accounts for ≥ 80% of it is dropped
ALIGNED_SHARE = 0.5  # a phrase must start and end on word boundaries in half its occurrences
GENERAL_FREQ = 500  # jieba dictionary frequency from which a word counts as everyday language
# Characters a policy phrase seldom starts or ends with (particles, conjunctions,
# prepositions): an n-gram bounded by one is almost always cut from a longer clause.
EDGE_CHARS = frozenset("的了和与及是在为对把将从以等着也都而并或之其这那要就让被给向于由各该此所")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass
class EmergingPhrases:
    """Emerging phrases and what they were compared on."""

    table: pd.DataFrame  # phrase, z, count_a, count_b, per_10k_a, per_10k_b, ratio, trend, examples
    label_a: str  # e.g. "2024-01 至 2024-03" or "广东"
    label_b: str  # e.g. "2023-02 及以前" or "其他省份"
    chars_a: int
    chars_b: int
    months: list[str] = field(default_factory=list)  # the x axis of every trend list
    capped: bool = False  # True when only a sample of the text was counted
    chars_read: int = 0


# ---------------------------------------------------------------- counting
def han_runs(text: str) -> list[str]:
    """Runs of two or more Han characters (punctuation, digits and Latin split them)."""
    return _HAN_RUN.findall(text)


@dataclass
class GramCounts:
    """Frequent n-grams of a list of Han runs (see gram_counts)."""

    counts: Counter  # n-gram -> occurrences, overlaps counted
    aligned: Counter  # n-gram (≤ MAX_LEN characters) -> occurrences on word boundaries at both ends
    in_a: Counter  # n-gram -> occurrences in the runs marked as side A


def gram_counts(
    runs: list[str],
    min_count: int = 3,
    max_len: int = MAX_LEN + 1,
    *,
    cut=None,
    side_a: list[bool] | None = None,
) -> GramCounts:
    """Every n-gram (2 ≤ n ≤ max_len) seen at least min_count times in runs, with how
    many of its occurrences start and end on a boundary of cut's tokens (when cut is
    given) and how many lie in the runs side_a marks (when given).

    Level by level (Apriori): an n-gram can only be frequent where both its (n−1)-gram
    prefix and suffix are, so each level only looks at the starts that survived the one
    before and the work shrinks quickly with n. The counting is done on integer ids with
    numpy (a Python loop over a million characters took about 10 s at 100k articles):
    an n-gram's id is the rank of (its prefix's id, its last character), which is exact,
    so equal ids are equal strings and no string is built until it is kept."""
    out = GramCounts(Counter(), Counter(), Counter())
    if not runs:
        return out
    text = "\x00".join(runs)  # Han runs never hold NUL: no n-gram crosses two runs
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    code = np.where(cps == 0, 0, cps - 0x4E00 + 1)  # Han characters 1..0x5200, separator 0
    size = len(code)
    edge = np.zeros(size + 1, dtype=bool)  # a token starts here, or a run ends here
    if cut is not None:
        edge[:] = _token_edges(text, runs, cut)
    in_a = None
    if side_a is not None:
        in_a = np.repeat(np.asarray(side_a, dtype=bool), [len(r) + 1 for r in runs])[:size]
    ids = code  # level 1: a character's id is its code
    starts = np.flatnonzero((code[:-1] > 0) & (code[1:] > 0))  # every bigram inside a run
    for n in range(2, max_len + 1):
        if not len(starts):
            break
        keys = ids[starts] * 0x10000 + code[starts + n - 1]
        inverse, uniques = pd.factorize(keys)  # hashing, not sorting: about 3x np.unique's speed
        counts = np.bincount(inverse, minlength=len(uniques))
        frequent = counts >= min_count
        if not frequent.any():
            break
        kept_ids = np.flatnonzero(frequent)
        where = np.empty(len(counts), dtype=np.int64)
        where[inverse] = starts  # one occurrence of each n-gram (any one: they are equal)
        grams = [text[i : i + n] for i in where[kept_ids].tolist()]
        # Each n-gram is met at one level only: plain dict updates (Counter.update adds one by one).
        dict.update(out.counts, zip(grams, counts[kept_ids].tolist()))
        if cut is not None and n <= MAX_LEN:
            on_edges = np.bincount(inverse, weights=edge[starts] & edge[starts + n], minlength=len(counts))
            dict.update(
                out.aligned, {g: k for g, k in zip(grams, on_edges[kept_ids].astype(int).tolist()) if k}
            )
        if in_a is not None:
            on_a = np.bincount(inverse, weights=in_a[starts], minlength=len(counts))
            dict.update(out.in_a, {g: k for g, k in zip(grams, on_a[kept_ids].astype(int).tolist()) if k})
        ok = np.zeros(size + 1, dtype=bool)
        kept = starts[frequent[inverse]]
        ok[kept] = True
        ids = np.full(size, -1, dtype=np.int64)
        ids[starts] = inverse
        # An (n+1)-gram at i needs frequent n-grams at i and i + 1 (prefix and suffix); both
        # inside a run means the longer one is too.
        starts = kept[ok[kept + 1]]
    return out


def _token_edges(text: str, runs: list[str], cut) -> np.ndarray:
    """Where a token of cut starts or a run ends, over text = the runs joined by NUL.

    jieba and rjieba cut each block of Han characters on its own, so one call on the
    joined text gives every run's tokens (102,000 calls took about 0.6 s at 100k articles);
    if a tokenizer's pieces do not end at every separator, each run is cut on its own."""
    edge = np.zeros(len(text) + 1, dtype=bool)
    toks = cut(text)
    ends = np.cumsum(np.fromiter(map(len, toks), dtype=np.int64, count=len(toks)))
    edge[0] = True
    edge[ends] = True
    seps = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 0)
    if ends[-1:].tolist() == [len(text)] and edge[seps].all() and edge[seps + 1].all():
        return edge
    edge[:] = False
    marks: list[int] = []
    offset = 0
    for run in runs:  # the run's start, each token's end (tokens concatenate to the run)
        marks.extend(accumulate(map(len, cut(run)), initial=offset))
        offset += len(run) + 1  # and the separator
    edge[marks] = True
    return edge


def ngram_counts(runs: list[str], min_count: int = 3, max_len: int = MAX_LEN + 1) -> Counter:
    """Every n-gram (2 ≤ n ≤ max_len) seen at least min_count times, counted with overlaps."""
    return gram_counts(runs, min_count, max_len).counts


def token_spans(texts: list[str], cut, max_len: int = MAX_LEN) -> Counter:
    """How often each run of consecutive tokens (2–max_len characters) occurs, i.e. the
    n-grams that start and end on a word boundary of the segmentation (the reference
    for gram_counts' aligned counts)."""
    out: Counter = Counter()
    for text in texts:
        for run in han_runs(text):
            toks = cut(run)
            for i in range(len(toks)):
                span = ""
                for tok in toks[i:]:
                    span += tok
                    if len(span) > max_len:
                        break
                    if len(span) >= MIN_LEN:
                        out[span] += 1
    return out


def self_overlapping(phrase: str) -> bool:
    """True when two occurrences of phrase can overlap (哈哈 in 哈哈哈): str.count, which
    counts without overlaps, then differs from the overlapping n-gram count."""
    return any(phrase[:k] == phrase[-k:] for k in range(1, len(phrase)))


@lru_cache(maxsize=1)
def general_vocabulary(min_freq: int = GENERAL_FREQ) -> frozenset[str]:
    """Everyday words: jieba's general dictionary entries of frequency ≥ min_freq (生产,
    环境, 群众 …). A phrase that common there is established language, not a new slogan."""
    path = jieba_dictionary()  # found without importing jieba
    if path is None:
        return frozenset()
    text = path.read_text(encoding="utf-8")
    # Lines are "word freq [tag]". Only frequencies with as many digits as min_freq can reach
    # it, so the regular expression skips most of the 350,000 lines in C (a cold 新词发现 paid
    # about 1 s for splitting every line in Python).
    digits = len(str(max(min_freq, 1)))
    found = re.findall(rf"^(\S+) (\d{{{digits},}})(?=\s|$)", text, re.M)
    return frozenset(w for w, n in found if int(n) >= min_freq)


@lru_cache(maxsize=1)
def place_and_leader_names() -> frozenset[str]:
    """Province, city and leader names (corpus/geo): they say where, not what."""
    from .provinces import gazetteer

    gaz = gazetteer()
    return frozenset(gaz.forms) | frozenset(gaz.places) | frozenset(gaz.leaders)


@lru_cache(maxsize=2)
def raw_tokenizer(user_words: tuple[str, ...]):
    """Raw tokens (stopwords included, positions intact) from the project's Segmenter."""
    return Segmenter(user_words)._cut  # the filtered words() would lose the word boundaries


def _glued(phrase: str, known: set[str], glue: frozenset[str]) -> bool:
    """phrase = a boilerplate word or stopword + a candidate or another such word, either way
    round (推动高质量发展, 习近平总书记, 加快发展)."""
    for k in range(1, len(phrase)):
        left, right = phrase[:k], phrase[k:]
        if (left in glue and (right in known or right in glue)) or (right in glue and left in known):
            return True
    return False


def candidates(counts: Counter, aligned: Counter, min_count: int = 3) -> dict[str, int]:
    """The phrases worth ranking, from n-gram counts and token-aligned span counts
    (see the module docstring): phrase -> occurrences."""
    glue = stopwords() | boilerplate()
    drop = glue | general_vocabulary() | place_and_leader_names()
    pool = {
        g: c
        for g, c in counts.items()
        if c >= min_count
        and MIN_LEN <= len(g) <= MAX_LEN
        and g not in drop
        and g[0] not in EDGE_CHARS
        and g[-1] not in EDGE_CHARS
        and aligned.get(g, 0) >= ALIGNED_SHARE * c
    }
    # Fragments: some n-gram one character longer accounts for most of g's occurrences
    # (checking one character longer is enough: fragments chain up to the whole phrase).
    longest: Counter = Counter()
    for g, c in counts.items():
        if len(g) > MIN_LEN:
            for sub in (g[1:], g[:-1]):
                if sub in pool and c > longest[sub]:
                    longest[sub] = c
    keep = {g: c for g, c in pool.items() if longest[g] < NESTED_SHARE * c}
    known = set(keep)
    return {g: c for g, c in keep.items() if not _glued(g, known, glue)}


# ---------------------------------------------------------------- statistics
def rate_ratio(a: int, chars_a: int, b: int, chars_b: int) -> tuple[float, float]:
    """(log rate ratio, z) of a per chars_a against b per chars_b, ½ added to each count."""
    if chars_a <= 0 or chars_b <= 0:
        return 0.0, 0.0
    lrr = math.log((a + 0.5) / chars_a) - math.log((b + 0.5) / chars_b)
    return lrr, lrr / math.sqrt(1 / (a + 0.5) + 1 / (b + 0.5))


def _month(d) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def default_split(months: list[str], latest: int = 3) -> str | None:
    """First month of the latest `latest` months that have text (None with too few months)."""
    months = sorted(set(months))
    return months[-latest] if len(months) > latest else (months[-1] if len(months) > 1 else None)


def examples(texts: list[str], phrase: str, n: int = 2, width: int = 40) -> list[str]:
    """Up to n sentences holding phrase, from different paragraphs, trimmed to width
    characters on each side."""
    from .quotes import sentence_around

    out = []
    for t in texts:
        if phrase in t:
            s = sentence_around(t, phrase, min_chars=0)
            i = s.find(phrase)
            if i > width:
                s = "…" + s[i - width :]
                i = width + 1
            if len(s) > i + len(phrase) + width:
                s = s[: i + len(phrase) + width] + "…"
            out.append(s)
            if len(out) >= n:
                break
    return out


def emerging(
    store,
    f: Filters | None = None,
    by: str = "period",
    split: dt.date | str | None = None,
    province: str | None = None,
    top: int = 30,
    min_count: int = 3,
    max_chars: int = MAX_CHARS,
) -> EmergingPhrases:
    """The top phrases typical of the latest period (by='period') or of one province
    (by='province'), with counts on both sides, a monthly trend and two example sentences."""
    paras = store.paragraph_sample(f, max_chars)
    total_chars = int(store.summary(f)["chars"] or 0)
    chars_read = int(paras["chars"].sum()) if len(paras) else 0
    empty = EmergingPhrases(
        pd.DataFrame(
            columns=[
                "phrase",
                "z",
                "count_a",
                "count_b",
                "per_10k_a",
                "per_10k_b",
                "ratio",
                "trend",
                "examples",
            ]
        ),
        "",
        "",
        0,
        0,
    )
    if paras.empty:
        return empty
    paras = paras.assign(month=[_month(d) for d in paras["date"]])
    months = sorted(paras["month"].unique())
    if by == "province":
        chars_by = paras.groupby("province")["chars"].sum()
        prov = province or str(chars_by.drop("全国", errors="ignore").idxmax())
        side_a = paras["province"] == prov
        label_a, label_b = prov, "其他省份及全国"
    else:
        cut = _month(dt.date.fromisoformat(str(split))) if split else default_split(months)
        if cut is None:
            empty.label_a = "只有一个月份的文本，无法比较前后"
            return empty
        side_a = paras["month"] >= cut
        before = [m for m in months if m < cut]
        label_a = f"{cut} 至 {months[-1]}"
        label_b = f"{before[0]} 至 {before[-1]}" if before else "（无）"
    texts_a = paras.loc[side_a, "norm"].tolist()
    texts_b = paras.loc[~side_a, "norm"].tolist()
    chars_a, chars_b = int(paras.loc[side_a, "chars"].sum()), int(paras.loc[~side_a, "chars"].sum())
    if not texts_a or not texts_b:
        return EmergingPhrases(
            empty.table, label_a, label_b, chars_a, chars_b, months, chars_read < total_chars, chars_read
        )

    runs, run_in_a = [], []
    for t, in_a in zip(paras["norm"], side_a):
        for r in han_runs(t):
            runs.append(r)
            run_in_a.append(bool(in_a))
    phrases = tuple(sorted(a for t in store.themes_df()["phrases"] if t is not None for a in t))
    grams = gram_counts(runs, min_count, cut=raw_tokenizer(phrases), side_a=run_in_a)
    cands = candidates(grams.counts, grams.aligned, min_count)
    joined_a, joined_b = "\n".join(texts_a), "\n".join(texts_b)
    rows = []
    for g in cands:
        # A phrase all of Han characters lies inside the runs, so the overlapping n-gram
        # counts are its counts, except where two occurrences can overlap (str.count).
        if self_overlapping(g):
            a, b = joined_a.count(g), joined_b.count(g)
        else:
            a = grams.in_a[g]
            b = grams.counts[g] - a
        if a < min_count:
            continue
        lrr, z = rate_ratio(a, chars_a, b, chars_b)
        rows.append((g, z, a, b, a * 10_000 / chars_a, b * 10_000 / chars_b, math.exp(lrr)))
    table = pd.DataFrame(
        rows, columns=["phrase", "z", "count_a", "count_b", "per_10k_a", "per_10k_b", "ratio"]
    )
    table = table[table["z"] > 0].sort_values(["z", "count_a", "phrase"], ascending=[False, False, True])
    table = table.head(top).reset_index(drop=True)

    by_month = {m: "\n".join(g["norm"]) for m, g in paras.groupby("month")}
    month_chars = paras.groupby("month")["chars"].sum()
    table["trend"] = [
        [round(by_month[m].count(g) * 10_000 / month_chars[m], 2) for m in months] for g in table["phrase"]
    ]
    table["examples"] = [examples(texts_a, g) for g in table["phrase"]]
    return EmergingPhrases(
        table, label_a, label_b, chars_a, chars_b, months, chars_read < total_chars, chars_read
    )


# ---------------------------------------------------------------- into the dictionary
def new_theme_id(phrase: str) -> str:
    """'new_' + a short hash of the phrase: stable, ASCII, unique enough for a dictionary."""
    return "new_" + hashlib.sha1(phrase.encode("utf-8")).hexdigest()[:8]


def add_phrase(themes: list[Theme], phrase: str, category: str) -> list[Theme]:
    """themes with phrase appended as a theme of its own (named by the phrase).

    Raises ValueError when the phrase is already a dictionary phrase."""
    phrase = phrase.strip()
    owner = next((t for t in themes if phrase in t.aliases), None)
    if owner is not None:
        raise ValueError(f"“{phrase}”已在词典中（主题“{owner.name}”）")
    return [
        *themes,
        Theme(
            id=new_theme_id(phrase),
            name=phrase,
            category=category,
            aliases=(phrase,),
            note=f"由“新词发现”于 {dt.date.today():%Y-%m-%d} 加入",
        ),
    ]
