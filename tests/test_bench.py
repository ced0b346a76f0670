"""The benchmark command: runs end to end at small N and reports every figure."""

from __future__ import annotations

import json

from analysis.bench import free_phrases
from analysis.cli import main
from analysis.models import Theme

N = 300
QUERIES = {
    "province_theme_totals",
    "theme_monthly_trend",
    "top_themes_date_range",
    "kwic_营商环境",
    "word_freq_广东",
    "distinctive_广东_江苏",
}
KEYS = {
    "articles",
    "text_mb",
    "ingest_s",
    "count_s",
    "rebuild_s",
    "baseline_s",
    "baseline_scaled",
    "speedup",
    "floor_s",
    "query_p50_ms",
    "query_p95_ms",
    "peak_rss_mb",
    "counts_match",
}


def test_bench_json_small(capsys):
    assert main(["bench", "--articles", str(N), "--seed", "3", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= KEYS
    assert out["articles"] == N and out["files"] == N
    assert out["counts_match"] is True and out["mismatches"] == {}
    assert out["phrases_checked"] > 20
    assert 0.6 < out["text_mb"] / N * 1000 < 6.5  # 2–6 KB per article
    assert out["baseline_scaled"] is False and out["baseline_s"] > 0
    # baseline_s is rounded to 0.1 s and count_s to 1 ms, so the ratio is only known within those bounds.
    b, c = out["baseline_s"], out["count_s"]
    assert (b - 0.05) / (c + 0.0005) - 0.05 <= out["speedup"] <= (b + 0.05) / max(c - 0.0005, 1e-9) + 0.05
    for key in ("ingest_s", "count_s", "rebuild_s", "floor_s", "peak_rss_mb"):
        assert out[key] > 0, key
    assert 0 < out["first_count_s"] <= out["themes_ready_s"] <= out["words_ready_s"] == out["ingest_s"]


def test_bench_words_later_small(capsys):
    """Themes first: every count ready before the word rows, and the counts still match."""
    assert main(["bench", "--articles", "60", "--seed", "3", "--words-later", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["words_later"] is True and out["articles"] == 60 and out["counts_match"] is True
    assert 0 < out["first_count_s"] <= out["themes_ready_s"] < out["words_ready_s"] == out["ingest_s"]
    assert set(out["query_p50_ms"]) == set(out["query_p95_ms"]) == QUERIES
    assert all(0 < out["query_p50_ms"][q] <= out["query_p95_ms"][q] for q in QUERIES)
    assert out["added_theme_hits"] > 0  # the recount after the dictionary edit found the new phrase


def test_same_seed_same_corpus(tmp_path):
    from analysis.bench import build_corpus

    a = build_corpus(20, 5, tmp_path / "a", ["营商环境"])
    b = build_corpus(20, 5, tmp_path / "b", ["营商环境"])
    assert a[1:] == b[1:]
    texts = [p.read_text(encoding="utf-8") for p in a[0]]
    assert all(t.startswith("## ") and "年" in t.split("\n")[2] for t in texts)
    assert all(2000 <= len(t.encode()) <= 6500 for t in texts)


def test_kept_corpus_is_written_once_and_reused(tmp_path):
    """POLICY_BENCH_CORPUS: a second run with the same articles and seed reads the files
    written by the first (and its str.count totals); other articles or seed write anew."""
    from analysis.bench import build_corpus, kept_corpus

    folder = tmp_path / "kept"
    first = kept_corpus(12, 4, folder, ["营商环境", "新质生产力"])
    mtimes = [p.stat().st_mtime_ns for p in first[0]]
    again = kept_corpus(12, 4, folder, ["营商环境", "新质生产力"])
    assert again == first and [p.stat().st_mtime_ns for p in again[0]] == mtimes
    assert first[1:] == build_corpus(12, 4, tmp_path / "fresh", ["营商环境", "新质生产力"])[1:]
    other = kept_corpus(7, 4, folder, ["营商环境", "新质生产力"])
    assert len(other[0]) == 7 and len(list(folder.rglob("*.txt"))) == 7
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == [f"a{i:07d}.txt" for i in range(7)]


def test_a_text_generated_twice_is_expected_once(tmp_path, monkeypatch):
    """The store keeps one copy of identical articles, so the expected str.count totals
    must count a repeated synthetic text once (13 of a million came out identical)."""
    from analysis import bench

    monkeypatch.setattr(
        bench, "article_text", lambda *a: "## 广东\n\n2024年3月5日\n\n优化营商环境，营商环境更好。"
    )
    paths, _nbytes, expected = bench.build_corpus(4, 1, tmp_path / "same", ["营商环境"])
    assert len(paths) == 4 and expected == {"营商环境": 2}


def test_free_phrases_exclude_nesting_and_overlap():
    themes = [
        Theme("a", "新能源", "x", ("新能源", "能源安全")),
        Theme("b", "新能源汽车", "x", ("新能源汽车",)),
        Theme("c", "营商环境", "x", ("营商环境",)),
    ]
    assert free_phrases(themes) == ["营商环境"]


def test_bench_parquet_route_small(capsys):
    """The Parquet route at small N through a real LocalCluster of one worker process."""
    assert main(["bench", "--articles", "40", "--seed", "3", "--parquet-workers", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    run = out["runs"]["1"]
    assert out["articles"] == 40 and run["new"] == 40
    assert run["counts_match"] is True
    assert set(run["query_p95_ms"]) == QUERIES
    assert run["ingest_s"] > 0 and run["dataset_mb"] > 0
