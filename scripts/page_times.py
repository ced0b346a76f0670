"""Script time of every dashboard page (AppTest, no browser): cold, another session, warm.

Usage:
  .venv/bin/python scripts/page_times.py                  # the sample corpus (a temporary store)
  .venv/bin/python scripts/page_times.py --db STORE.duckdb # an existing store, e.g. 100k articles
  .venv/bin/python scripts/page_times.py --db S --pages emerging --profile /tmp/p.txt

Each page runs in a fresh process, so "cold" is what the first editor waits for after a
start: the page's first run including opening the store and filling every cache.
"other session" is a new AppTest in the same process afterwards (a second editor: the
cross-session caches are warm, the session's own state is not); "warm" is the median of
--reruns reruns of the same session. Prints one line per page in ms (wall time, and the
process's CPU time of the cold run and of a warm rerun, which moves less with other work on
the machine) and the 1-minute load average before and after (figures on a shared machine
mean nothing without it).
--profile writes cProfile statistics (cumulative, top 40) of the cold run and of one warm
rerun to the file. Without --db a temporary store gets the samples, so data/ is untouched.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from analysis.views import NAMES as PAGES  # noqa: E402  (after the path: run as a script)


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


_PROFILE: list[cProfile.Profile] = []  # the profile the script thread should fill, if any


def _profile_script_thread() -> None:
    """AppTest runs the page in a thread of its own: profile inside that thread."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    plain_run = LocalScriptRunner._run_script_thread

    def profiled(self) -> None:
        if not _PROFILE:
            return plain_run(self)
        _PROFILE[0].enable()
        try:
            return plain_run(self)
        finally:
            _PROFILE[0].disable()

    LocalScriptRunner._run_script_thread = profiled  # type: ignore[method-assign]


_CPU: list[float] = []  # CPU ms of the last run (every thread of this process)


def _timed_run(at, profile: cProfile.Profile | None = None) -> float:
    """Wall ms of one run; its CPU ms go to _CPU (on a shared machine the CPU time moves
    less with the load than the wall time does)."""
    if profile:
        _PROFILE[:] = [profile]
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    _CPU[:] = [(time.process_time() - cpu) * 1000]
    _PROFILE.clear()
    return elapsed


def _stats(profile: cProfile.Profile, title: str) -> str:
    out = io.StringIO()
    out.write(f"==== {title}\n")
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def one_page(name: str, reruns: int, profile_to: str | None) -> dict:
    """Run one page in this (fresh) process; the store is POLICY_DB."""
    from streamlit.testing.v1 import AppTest

    def app() -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.switch_page(f"app_pages/{name}.py")
        return at

    if profile_to:
        _profile_script_thread()
    prof_cold = cProfile.Profile() if profile_to else None
    at = app()
    cold = _timed_run(at, prof_cold)
    cold_cpu = _CPU[0]
    failed = bool(at.exception)
    other = _timed_run(app())
    warm_runs, warm_cpu = [], []
    for _ in range(reruns):
        warm_runs.append(_timed_run(at))
        warm_cpu.append(_CPU[0])
    prof_warm = cProfile.Profile() if profile_to else None
    if prof_warm:
        _timed_run(at, prof_warm)
    if profile_to and prof_cold and prof_warm:
        Path(profile_to).write_text(
            _stats(prof_cold, f"{name} cold") + _stats(prof_warm, f"{name} warm rerun"), encoding="utf-8"
        )
    return {
        "page": name,
        "cold_ms": round(cold),
        "other_session_ms": round(other),
        "warm_ms": round(statistics.median(warm_runs)),
        "cold_cpu_ms": round(cold_cpu),
        "warm_cpu_ms": round(statistics.median(warm_cpu)),
        "error": failed or bool(at.exception),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="an existing store (default: a temporary store with the samples)")
    ap.add_argument("--pages", help="comma-separated page names (default: every page)")
    ap.add_argument("--reruns", type=int, default=5, help="warm reruns per page (the median is shown)")
    ap.add_argument("--profile", help="write cProfile statistics of the page's runs to this file")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one page in this process, print JSON
    args = ap.parse_args(argv)

    if args.one:
        print(json.dumps(one_page(args.one, args.reruns, args.profile)))
        return 0

    db = args.db or str(Path(tempfile.mkdtemp()) / "pages.duckdb")
    env = {**os.environ, "POLICY_DB": str(Path(db).resolve())}
    pages = args.pages.split(",") if args.pages else list(PAGES)
    print(f"load before\t{_load()}")
    print("page\tcold ms\tother session ms\twarm ms (median)\tcold CPU ms\twarm CPU ms")
    worst = 0
    for name in pages:
        cmd = [sys.executable, __file__, "--one", name, "--reruns", str(args.reruns)]
        if args.profile:
            cmd += ["--profile", args.profile if len(pages) == 1 else f"{args.profile}.{name}"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
        if proc.returncode:
            print(f"{name}\t失败\t{proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        worst = max(worst, r["warm_ms"])
        flag = "\t异常" if r["error"] else ""
        print(
            f"{name}\t{r['cold_ms']}\t{r['other_session_ms']}\t{r['warm_ms']}\t{r['cold_cpu_ms']}\t{r['warm_cpu_ms']}{flag}",
            flush=True,
        )
    print(f"slowest warm\t{worst} ms")
    print(f"load after\t{_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
