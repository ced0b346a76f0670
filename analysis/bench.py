"""`python -m analysis bench`: ingest, counting, rebuild and query speed on a synthetic corpus.

The corpus is N articles built deterministically (seed) from paragraphs of the bundled
samples, each headed by a province (`## 广东`) and a date line (`2024年3月5日`) so the
real pipeline attributes and dates it. Everything runs through the real code paths
(Engine.ingest_paths, Engine.recount, queries.*) on a temporary store; the notebook
baseline (jieba + Counter) runs on the same articles, on a sample when N is large.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .models import Filters, Theme
from .normalize import compact, split_paragraphs
from .settings import SAMPLES_DIR, current

PROVINCES = (
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
)
BASELINE_SAMPLE = 2000
QUERY_REPEATS = 15
FILES_PER_DIR = 1000
ADDED_THEME = Theme("bench_added_theme", "首要任务", "改革", ("首要任务",), "基准测试添加")


# ---------------------------------------------------------------- corpus
def sample_paragraphs(folder: Path = SAMPLES_DIR) -> list[str]:
    """Body paragraphs of the bundled samples: no headings, no bracket tags, no dates."""
    out = []
    for f in sorted(folder.glob("*.txt")):
        for par in split_paragraphs(f.read_text(encoding="utf-8")):
            if par.startswith(("#", "【")) or ("年" in par[:12] and "月" in par[:14] and "日" in par[:16]):
                continue
            if len(par) >= 20:
                out.append(par)
    return out


def article_text(rng: random.Random, pool: list[str], province: str, day: dt.date) -> str:
    """One 2–6 KB article: province heading, date line, sampled body paragraphs."""
    target = rng.randint(2000, 6000)
    lines = [f"## {province}", f"{day.year}年{day.month}月{day.day}日"]
    size = sum(len(x.encode("utf-8")) + 2 for x in lines)
    while True:
        par = rng.choice(pool)
        cost = len(par.encode("utf-8")) + 2
        if size + cost > target:
            if size >= 2000:
                break
            par = par[: max(10, (target - size) // 3)]  # trim the last paragraph to the target
            cost = len(par.encode("utf-8")) + 2
        lines.append(par)
        size += cost
    return "\n\n".join(lines) + "\n"


def free_phrases(themes: list[Theme]) -> list[str]:
    """Phrases whose matches cannot be taken by another phrase: none contains, is contained
    in, or overlaps (a suffix that is another's prefix) any other phrase."""
    phrases = [a for t in themes for a in t.aliases]
    out = []
    for p in phrases:
        clash = False
        for q in phrases:
            if q == p:
                continue
            if (
                p in q
                or q in p
                or any(p.endswith(q[:k]) or q.endswith(p[:k]) for k in range(1, min(len(p), len(q))))
            ):
                clash = True
                break
        if not clash:
            out.append(p)
    return out


def build_corpus(n: int, seed: int, folder: Path, phrases: list[str]) -> tuple[list[Path], int, Counter]:
    """Write n article files under folder; return paths, bytes and str.count totals of phrases."""
    rng = random.Random(seed)
    pool = sample_paragraphs()
    first, span = dt.date(2023, 1, 1), (dt.date(2025, 12, 31) - dt.date(2023, 1, 1)).days
    paths: list[Path] = []
    total = 0
    expected: Counter[str] = Counter()
    seen: set[bytes] = set()  # a text written twice is stored once: count it once
    for i in range(n):
        province = PROVINCES[rng.randrange(len(PROVINCES))]
        day = first + dt.timedelta(days=rng.randint(0, span))
        text = article_text(rng, pool, province, day)
        sub = folder / f"{i // FILES_PER_DIR:04d}"
        if i % FILES_PER_DIR == 0:
            sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"a{i:07d}.txt"
        data = text.encode("utf-8")
        path.write_bytes(data)
        paths.append(path)
        total += len(data)
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if digest in seen:  # at 1M articles 13 came out identical
            continue
        seen.add(digest)
        # Independent check: each line (paragraph) without whitespace, plain str.count.
        for line in text.split("\n"):
            line = compact(line)
            if line:
                for p in phrases:
                    if p in line:
                        expected[p] += line.count(p)
    return paths, total, expected


def kept_corpus(n: int, seed: int, folder: Path, phrases: list[str]) -> tuple[list[Path], int, Counter]:
    """build_corpus, or the one already written to folder for the same n, seed and phrases
    (POLICY_BENCH_CORPUS): a million articles take minutes to write, the run itself does not
    need to pay that again."""
    stamp = folder.with_name(folder.name + ".bench.json")  # beside it: the ingest reads the folder
    key = {"articles": n, "seed": seed, "phrases": phrases, "count_rule": "each distinct text once"}
    if stamp.is_file():
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        if {k: saved.get(k) for k in key} == key:
            paths = [folder / f"{i // FILES_PER_DIR:04d}" / f"a{i:07d}.txt" for i in range(n)]
            return paths, int(saved["bytes"]), Counter(saved["expected"])
    shutil.rmtree(folder, ignore_errors=True)
    paths, nbytes, expected = build_corpus(n, seed, folder, phrases)
    stamp.write_text(
        json.dumps({**key, "bytes": nbytes, "expected": expected}, ensure_ascii=False), encoding="utf-8"
    )
    return paths, nbytes, expected


# ---------------------------------------------------------------- measurements
def read_floor(paths: list[Path]) -> float:
    """Seconds to read every file and decode it: what any counting must pay at least."""
    t0 = time.perf_counter()
    chars = 0
    for p in paths:
        chars += len(p.read_bytes().decode("utf-8"))
    return time.perf_counter() - t0


def count_pass(store, matcher) -> tuple[float, float, Counter]:
    """One Matcher pass over every stored paragraph's norm (streamed in batches).

    The timed part is what ingest and recount do: each paragraph's counts, as the hits
    rows are made from them. Summing them per phrase for the check against str.count is
    the benchmark's own bookkeeping and is not timed (like the floor, which only reads).

    Returns (matcher seconds, fetch seconds, totals by phrase)."""
    totals: Counter = Counter()
    count_s = fetch_s = 0.0
    t0 = time.perf_counter()
    for norms in store.iter_paragraph_norms():
        t1 = time.perf_counter()
        fetch_s += t1 - t0
        counts = [matcher.count(norm) for norm in norms]
        t0 = time.perf_counter()
        count_s += t0 - t1
        for c in counts:
            for (_tid, phrase), k in c.items():
                totals[phrase] += k
        t0 = time.perf_counter()
    return count_s, fetch_s, totals


def notebook_baseline(paths: list[Path], themes: list[Theme]) -> tuple[float, int]:
    """The notebook way: jieba.lcut with theme phrases as user words, Counter of theme tokens."""
    import jieba

    jieba.setLogLevel(60)
    phrases = {a for t in themes for a in t.aliases}
    for p in phrases:
        jieba.add_word(p)
    jieba.lcut("预热词典加载")  # the dictionary load is not the notebook's per-article cost
    t0 = time.perf_counter()
    counter: Counter = Counter()
    for path in paths:
        tokens = jieba.lcut(path.read_bytes().decode("utf-8"))
        counter.update(tok for tok in tokens if tok in phrases)
    return time.perf_counter() - t0, sum(counter.values())


def timed(fn: Callable[[], object], repeats: int = QUERY_REPEATS) -> tuple[float, float]:
    """p50 and p95 in milliseconds after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return round(statistics.median(times), 1), round(p95, 1)


def dashboard_queries(store, themes: list[Theme]) -> dict[str, Callable[[], object]]:
    """Every query the dashboard issues, as it issues them."""
    from . import queries

    theme = themes[0].id
    in_range = Filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 6, 30))
    qs: dict[str, Callable[[], object]] = {
        "province_theme_totals": lambda: queries.counts_table(store, Filters(), "province"),
        "theme_monthly_trend": lambda: queries.monthly_trend(store, Filters(), [theme]),
        "top_themes_date_range": lambda: queries.top_themes(store, in_range),
        "kwic_营商环境": lambda: queries.passages(store, Filters(), term="营商环境"),
        "word_freq_广东": lambda: store.word_totals(Filters(provinces=("广东",)), 300),
    }
    from .stats import distinctive_words

    qs["distinctive_广东_江苏"] = lambda: distinctive_words(
        store, Filters(provinces=("广东",)), Filters(provinces=("江苏",))
    )
    return qs


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest child."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(me, 1), round(kids, 1)


def run(
    n: int,
    seed: int = 1,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    words_later: bool = False,
) -> dict:
    from .engine import NEW, Engine
    from .store import Store
    from .themes import load_themes

    log = log or (lambda msg: None)
    themes = load_themes()
    phrases = free_phrases(themes)
    tmp = Path(tempfile.mkdtemp(prefix="policy-bench-"))
    try:
        t0 = time.perf_counter()
        folder = current().bench_corpus or tmp / "corpus"
        paths, nbytes, expected = kept_corpus(n, seed, folder, phrases)
        log(f"corpus: {n} articles, {nbytes / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
        floor_s = read_floor(paths)
        log(f"floor: {floor_s:.2f} s")

        store = Store(tmp / "bench.duckdb")
        eng = Engine(store, themes, workers=workers)
        t0 = time.perf_counter()
        # Counts are queryable from the commit of their batch on (before the checkpoint at
        # the end): time every commit of the ingest's writes. (Progress also reports parsed
        # files, so it cannot tell a commit.)
        commits: list[float] = []
        append = store.add_tables

        def add_tables_timed(tables) -> None:
            append(tables)
            commits.append(time.perf_counter() - t0)

        store.add_tables = add_tables_timed  # type: ignore[method-assign]  # measurement only
        if words_later:  # themes first: every count queryable, then the word rows
            from .words_later import fill_words, ingest_themes_first

            results = ingest_themes_first(eng, [folder], progress)
            themes_ready_s = commits[-1] if commits else time.perf_counter() - t0
            fill_words(eng, workers=eng.workers)
        else:
            results = eng.ingest_paths([folder], progress)
            themes_ready_s = commits[-1] if commits else time.perf_counter() - t0
        ingest_s = time.perf_counter() - t0
        first = commits[:1]
        me_ingest, kids_ingest = peak_rss_mb()
        store_mb = sum(f.stat().st_size for f in tmp.glob("bench.duckdb*")) / 1e6
        new = sum(r.status == NEW for r in results)
        log(f"ingest: {ingest_s:.1f} s, {new} new of {len(results)}")

        count_s, fetch_s, totals = count_pass(store, eng.matcher)
        stored = store.phrase_totals()
        log(f"count: {count_s:.2f} s (+{fetch_s:.2f} s fetch)")
        counts_match = all(totals.get(p, 0) == expected.get(p, 0) == stored.get(p, 0) for p in phrases)
        mismatches = {
            p: (expected.get(p, 0), totals.get(p, 0), stored.get(p, 0))
            for p in phrases
            if not totals.get(p, 0) == expected.get(p, 0) == stored.get(p, 0)
        }

        sample = (
            paths
            if len(paths) <= BASELINE_SAMPLE
            else [paths[i] for i in sorted(random.Random(seed).sample(range(len(paths)), BASELINE_SAMPLE))]
        )
        base_s, _ = notebook_baseline(sample, themes)
        scaled = len(sample) < len(paths)
        baseline_s = base_s * len(paths) / len(sample)
        log(f"baseline: {baseline_s:.1f} s{' (scaled)' if scaled else ''}")

        p50, p95 = {}, {}
        for name, fn in dashboard_queries(store, themes).items():
            p50[name], p95[name] = timed(fn)
        log(f"queries p95: {p95}")

        eng.themes = [*themes, ADDED_THEME]
        t0 = time.perf_counter()
        eng.recount()
        rebuild_s = time.perf_counter() - t0
        added = store.phrase_totals().get(ADDED_THEME.aliases[0], 0)
        log(f"recount: {rebuild_s:.1f} s")
        if current().bench_keep:  # a kept store counted with the bundled dictionary again, so a
            eng.themes = list(themes)  # dashboard opened on it does not start with a recount
            eng.recount()

        me, kids = peak_rss_mb()
        out = {
            "articles": new,
            "files": len(paths),
            "text_mb": round(nbytes / 1e6, 1),
            "store_mb": round(store_mb, 1),  # the DuckDB file (and WAL) right after the ingest
            "ingest_s": round(ingest_s, 2),
            # first_count_s: the first batch committed (queryable); themes_ready_s: the last
            # batch of counts committed; words_ready_s: everything done, word rows and the
            # final checkpoint included (ingest_s).
            "first_count_s": round(first[0], 2) if first else None,
            "themes_ready_s": round(themes_ready_s, 2),
            "words_ready_s": round(ingest_s, 2),
            "words_later": words_later,
            "count_s": round(count_s, 3),
            "count_fetch_s": round(fetch_s, 3),
            "rebuild_s": round(rebuild_s, 2),
            "baseline_s": round(baseline_s, 1),
            "baseline_scaled": scaled,
            "baseline_sample": len(sample),
            "speedup": round(baseline_s / count_s, 1) if count_s else None,
            "floor_s": round(floor_s, 3),
            "count_vs_floor": round(count_s / floor_s, 2) if floor_s else None,
            "query_p50_ms": p50,
            "query_p95_ms": p95,
            "peak_rss_mb": round(me + kids, 1),
            "peak_rss_self_mb": me,
            "peak_rss_children_mb": kids,
            "peak_rss_ingest_mb": round(me_ingest + kids_ingest, 1),
            "counts_match": counts_match,
            "phrases_checked": len(phrases),
            "mismatches": mismatches,
            "added_theme_hits": int(added),
            "workers": eng.workers,
            "segmenter": _segmenter_backend(),
            "load_avg_1m": round(os.getloadavg()[0], 1),  # the machine may be shared: read figures with it
        }
        store.close()
        return out
    finally:
        if current().bench_keep:  # POLICY_BENCH_KEEP: keep the store for query experiments
            shutil.rmtree(tmp / "corpus", ignore_errors=True)  # never POLICY_BENCH_CORPUS
            log(f"kept {tmp / 'bench.duckdb'}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_parquet(
    n: int, seed: int, worker_counts: list[int], log: Callable[[str], None] | None = None
) -> dict:
    """The Parquet route (parquet_route.ingest_to_parquet) on the same synthetic corpus,
    once per LocalCluster size: ingest seconds (cluster start counted apart), dataset
    size, counts checked against str.count, and the dashboard's queries on the dataset."""
    from .parquet_route import client_for, ingest_to_parquet
    from .store.parquet import ParquetStore
    from .themes import load_themes

    log = log or (lambda msg: None)
    themes = load_themes()
    phrases = free_phrases(themes)
    tmp = Path(tempfile.mkdtemp(prefix="policy-bench-pq-"))
    try:
        _paths, nbytes, expected = build_corpus(n, seed, tmp / "corpus", phrases)
        out: dict = {"articles": n, "text_mb": round(nbytes / 1e6, 1), "runs": {}}
        for k in worker_counts:
            dest = tmp / f"pq-{k}"
            t0 = time.perf_counter()
            with client_for(f"dask://local:{k}") as client:
                start_s = time.perf_counter() - t0
                load_before = os.getloadavg()[0]
                t0 = time.perf_counter()
                results = ingest_to_parquet([tmp / "corpus"], dest, client, themes)
                ingest_s = time.perf_counter() - t0
            store = ParquetStore(dest)
            stored = store.phrase_totals()
            p95 = {name: timed(fn)[1] for name, fn in dashboard_queries(store, themes).items()}
            run = {
                "cluster_start_s": round(start_s, 2),
                "ingest_s": round(ingest_s, 2),
                "new": sum(r.status == "新增" for r in results),
                "files": sum(1 for _ in dest.rglob("*.parquet")),
                "dataset_mb": round(sum(f.stat().st_size for f in dest.rglob("*.parquet")) / 1e6, 1),
                "counts_match": all(stored.get(p, 0) == expected.get(p, 0) for p in phrases),
                "query_p95_ms": p95,
                "load_avg_1m_before": round(load_before, 1),
                "load_avg_1m_after": round(os.getloadavg()[0], 1),
            }
            store.close()
            log(f"parquet route, {k} local workers: {run}")
            out["runs"][str(k)] = run
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _segmenter_backend() -> str:
    from .segment import default_backend

    return default_backend()


def main(args, progress: Callable[[int, int, str], None] | None = None) -> int:
    verbose = args.format != "json" and not getattr(args, "quiet", False)
    log = (lambda msg: print(msg, file=sys.stderr)) if verbose else None
    if getattr(args, "parquet_workers", None):  # the Parquet route instead of the DuckDB ingest
        counts = [int(k) for k in args.parquet_workers.split(",")]
        pq = run_parquet(args.articles, args.seed, counts, log)
        print(json.dumps(pq, ensure_ascii=False))
        return 0 if all(r["counts_match"] for r in pq["runs"].values()) else 1
    out = run(args.articles, args.seed, log=log, progress=progress, words_later=args.words_later)
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False))
        return 0 if out["counts_match"] else 1
    for key, value in out.items():
        if isinstance(value, dict):
            for k, v in value.items():
                print(f"{key}.{k}\t{v}")
        else:
            label = (
                f"{key} (scaled from {out['baseline_sample']} articles)"
                if key == "baseline_s" and out["baseline_scaled"]
                else key
            )
            print(f"{label}\t{value}")
    return 0 if out["counts_match"] else 1
