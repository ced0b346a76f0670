"""Concurrent editors against a live dashboard: page completion p50/p95/max and errors.

Usage: .venv/bin/python scripts/load_test.py [--sessions 1,5,10] [--loops 3] [--pages themes,compare|all]
                                             [--client ws|browser] [--fresh] [--deadline 300]
                                             [--db STORE | --url http://host:port] [--ingest N] [--log FILE]

Starts `streamlit run dashboard.py` on 127.0.0.1 (a temporary store holding the bundled
samples unless --db is given; --url uses a running dashboard instead), then drives N
sessions at once, each opening the pages (主题 then 省份对比 by default) `--loops` times.
Prints one JSON line per round, with the 1-minute load average before and after.

--client ws (the default) speaks Streamlit's own websocket protocol, as the browser's
JavaScript does, without rendering anything: connect to /_stcore/stream, send a BackMsg
rerun_script whose ClientState names the page (page_name = its url_path), read ForwardMsgs
until script_finished. So the figure is the server's (queueing + script run + sending),
not a browser's: on 2 cores N Chromium renderers would eat the CPU the server needs.
Each session keeps one connection and moves between pages as a sidebar click does
(--fresh opens a new connection, i.e. a new server session, for every page: a reload).
A page's time runs from sending the request to script_finished; `script_s` is the part
from the server's new_session message (the run starting) to script_finished.
Errors: an exception element in the deltas, an error alert (the dashboard's own page-error
box), page_not_found, a run that ends other than successfully, a dropped connection, or
no script_finished within 60 s.

--ingest N: while the sessions browse, another editor imports N×5 new articles (the samples,
each with one added line) through the dashboard's import queue; the sessions go on opening
pages until that import is through, so the figure includes the pages that find their
caches emptied by it (`ingest_s` is when the importer had its answer).

--client browser drives headless Chromium (Playwright) instead, one context per session:
what an editor waits for including rendering, but the browsers share the server's cores.

Not AppTest in threads: AppTest sets up and tears down a process-global test runtime
on every run, so concurrent runs break each other ("Runtime hasn't been created!",
KeyError) and the errors would be the harness's, not the dashboard's (tried, 2026-11-27).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAGES = ("themes", "compare")  # 主题, 省份对比
# Every page by url_path ("" is 总览, served at /); 演示模式 included, 语料管理 too.
ALL_PAGES = (
    "", "themes", "compare", "wordcloud", "articles", "emerging", "speakers", "audit",
    "corpus", "dictionary", "leaders", "present",
)  # fmt: skip
PAGE_TIMEOUT = 60.0
sys.path.insert(0, str(ROOT))
from analysis.launch import PAGE_IDLE_JS as IDLE  # noqa: E402
from analysis.launch import start as start_dashboard  # noqa: E402  (after the path: run as a script)
from analysis.launch import stop as stop_dashboard  # noqa: E402
from analysis.settings import SAMPLES_DIR  # noqa: E402

CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")


# ---------------------------------------------------------------- the websocket client
@dataclass
class PageRun:
    """One page run as the websocket client saw it."""

    page: str
    started: float = 0.0  # time.perf_counter() when the request was sent
    seconds: float = 0.0  # request sent -> script_finished received
    script_s: float | None = None  # new_session received -> script_finished received
    errors: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    received_bytes: int = 0


def _error_of(msg) -> str | None:
    """The error a ForwardMsg reports, if any (an exception element or an error alert)."""
    from streamlit.proto.Alert_pb2 import Alert

    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "页面不存在"
    if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    el = msg.delta.new_element
    which = el.WhichOneof("type")
    if which == "exception":
        return f"异常：{el.exception.type}"
    if which == "alert" and el.alert.format == Alert.ERROR:
        return f"错误提示：{el.alert.body[:40]}"
    return None


async def open_page(conn, page: str, query: str = "", timeout: float = PAGE_TIMEOUT) -> PageRun:
    """Ask the server to run `page` (its url_path) in this connection's session and read its
    messages until script_finished: a sidebar click, as the frontend sends it."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    back = BackMsg()
    back.rerun_script.query_string = query
    back.rerun_script.page_name = page
    back.rerun_script.page_script_hash = ""
    start = time.perf_counter()
    run = PageRun(page, started=start)
    began: float | None = None
    await conn.send(back.SerializeToString())
    stop_at = start + timeout
    while True:
        left = stop_at - time.perf_counter()
        if left <= 0:
            run.errors.append("超时")
            break
        try:
            data = await asyncio.wait_for(conn.recv(), left)
        except TimeoutError:
            run.errors.append("超时")
            break
        run.received_bytes += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            began = time.perf_counter()
        elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "heading":
            run.headings.append(msg.delta.new_element.heading.body)
        elif kind == "script_finished":
            now = time.perf_counter()
            if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                run.errors.append(
                    f"运行未正常结束（{ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)}）"
                )
            run.seconds = now - start
            run.script_s = now - began if began is not None else None
            break
        err = _error_of(msg)
        if err:
            run.errors.append(err)
    if not run.seconds:
        run.seconds = time.perf_counter() - start
    return run


def connect(base: str):
    """A websocket to the dashboard's stream endpoint, speaking Streamlit's subprotocol."""
    from websockets.asyncio.client import connect as ws_connect

    url = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
    # No size limit: a page's chart and table messages can exceed websockets' 1 MiB default.
    return ws_connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=PAGE_TIMEOUT)  # type: ignore[list-item]


def _pages_to_open(pages: tuple[str, ...], loops: int, busy: Callable[[], bool]) -> Iterator[str]:
    """The pages `loops` times over, then again while busy() (an import still running)."""
    done = 0
    while done < loops or busy():
        yield from pages
        done += 1


async def _ws_session(
    base: str,
    pages: Iterator[str],
    fresh: bool,
    stop_at: float,
    runs: list,
    errors: list,
) -> None:
    async def visit(conn, page: str) -> bool:
        run = await open_page(conn, page)
        runs.append(run)
        errors.extend(f"{page or '总览'}：{e}" for e in run.errors)
        return not run.errors or "超时" not in run.errors

    try:
        if fresh:
            for page in pages:
                if time.perf_counter() > stop_at:
                    return
                async with connect(base) as conn:
                    await visit(conn, page)
            return
        async with connect(base) as conn:
            for page in pages:
                if time.perf_counter() > stop_at or not await visit(conn, page):
                    return
    except Exception as exc:  # a refused or dropped connection is an error of the run
        errors.append(f"连接：{type(exc).__name__}")


async def ws_round(
    base: str,
    sessions: int,
    loops: int,
    deadline: float,
    pages: tuple[str, ...] = DEFAULT_PAGES,
    fresh: bool = False,
    ingest: tuple[str, Path] | None = None,
) -> dict:
    """N websocket sessions at once; the summary of their page runs (see `summary`).
    ingest = (store, folder): meanwhile another editor imports the folder into the running
    dashboard (`python -m analysis ingest`, handed to its import queue), and the sessions
    go on opening pages until that import is through (the caches are refilled after it)."""
    async with connect(base) as warm:  # one warm-up pass: a running server, not its first import
        for page in pages:
            await open_page(warm, page)
    load = os.getloadavg()[0]
    runs: list[PageRun] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    importer = None
    if ingest is not None:
        importer = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "analysis", "ingest", str(ingest[1]), "--db", ingest[0], "--quiet"),
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )

    def importing() -> bool:  # sessions keep browsing until the import is through
        return importer is not None and importer.returncode is None

    await asyncio.gather(
        *(
            _ws_session(base, _pages_to_open(pages, loops, importing), fresh, t0 + deadline, runs, errors)
            for _ in range(sessions)
        )
    )
    wall = time.perf_counter() - t0
    ingest_s = None
    if importer is not None:
        _, err = await importer.communicate()
        ingest_s = round(time.perf_counter() - t0, 1)
        if importer.returncode:
            errors.append(
                f"导入：退出码 {importer.returncode}，{err.decode(errors='replace').strip()[-200:]}"
            )
    out = summary(sessions, [r.seconds for r in runs], errors, wall, load)
    scripts = sorted(r.script_s for r in runs if r.script_s is not None)
    out["script_p50_s"] = round(statistics.median(scripts), 3) if scripts else None
    out["script_p95_s"] = round(_p95(scripts), 3) if scripts else None
    out["kb_per_page"] = round(sum(r.received_bytes for r in runs) / max(1, len(runs)) / 1024, 1)
    out["client"] = "ws-fresh" if fresh else "ws"
    if ingest is not None:
        out["ingest_s"] = ingest_s  # from the round's start until the importer printed its results
    return out


def new_articles(folder: Path, copies: int) -> Path:
    """`copies` × the bundled samples, each made a new article by one added line (the store
    skips a text it already holds), written to folder; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    for i in range(copies):
        for src in sorted(SAMPLES_DIR.glob("*.txt")):
            extra = f"\n（转载 {tag}-{i}）\n"
            (folder / f"{tag}_{i}_{src.name}").write_text(
                src.read_text(encoding="utf-8") + extra, encoding="utf-8"
            )
    return folder


# ---------------------------------------------------------------- the figures
def _p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile of sorted values."""
    return values[min(len(values) - 1, max(0, round(0.95 * len(values)) - 1))]


def summary(sessions: int, times: list[float], errors: list[str], wall: float, load_before: float) -> dict:
    """One round's figures: page completion p50/p95/max, errors, wall time, load average."""
    times = sorted(times)
    return {
        "sessions": sessions,
        "pages_completed": len(times),
        "p50_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(_p95(times), 3) if times else None,
        "max_s": round(times[-1], 3) if times else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "wall_s": round(wall, 1),
        "load_avg_1m_before": round(load_before, 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }


# ---------------------------------------------------------------- the browser client
async def _open(page, url: str) -> float:
    """Seconds until the page's heading is shown and the script has finished."""
    start = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    await page.wait_for_selector("h1", timeout=60_000)
    await page.wait_for_function(IDLE, timeout=60_000)
    return time.perf_counter() - start


async def _session(browser, base: str, pages, loops: int, stop_at: float, times: list, errors: list) -> None:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    try:
        for _ in range(loops):
            for name in pages:
                if time.perf_counter() > stop_at:
                    return
                try:
                    times.append(await _open(page, f"{base}/{name}"))
                    if await page.locator('[data-testid="stException"]').count():
                        errors.append(f"{name}: 页面出现异常")
                except Exception as exc:  # a timeout is an error of the run, not of this script
                    errors.append(f"{name}: {type(exc).__name__}")
    finally:
        await ctx.close()


async def browser_round(
    base: str, sessions: int, loops: int, deadline: float, pages: tuple[str, ...] = DEFAULT_PAGES
) -> dict:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # One warm-up load so the figure is for a running server, not its first import.
        warm = await browser.new_page()
        for name in pages:
            await _open(warm, f"{base}/{name}")
        await warm.close()
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        await asyncio.gather(
            *(_session(browser, base, pages, loops, t0 + deadline, times, errors) for _ in range(sessions))
        )
        wall = time.perf_counter() - t0
        await browser.close()
    out = summary(sessions, times, errors, wall, load)
    out["client"] = "browser"
    return out


# ---------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--sessions", default="5,10", help="逗号分隔的并发会话数，依次各测一轮")
    ap.add_argument("--loops", type=int, default=3, help="每个会话依次打开各页面的轮数")
    ap.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="逗号分隔的页面路径，all 为全部页面")
    ap.add_argument(
        "--client",
        choices=("ws", "browser"),
        default="ws",
        help="ws：直接走 websocket；browser：无头 Chromium",
    )
    ap.add_argument("--fresh", action="store_true", help="ws：每次打开页面都新建连接（相当于刷新）")
    ap.add_argument("--deadline", type=float, default=300.0, help="每轮最长秒数")
    ap.add_argument("--db", help="已有的库（默认：临时库，首次启动导入示例语料）")
    ap.add_argument("--url", help="已在运行的看板地址（不启动新的）")
    ap.add_argument("--log", help="看板的输出写入此文件（默认丢弃）")
    ap.add_argument(
        "--ingest", type=int, default=0, help="ws：每轮同时另有一位编辑导入 N×5 篇新文章（经看板的导入队列）"
    )
    args = ap.parse_args(argv)
    pages = ALL_PAGES if args.pages == "all" else tuple(p.strip() for p in args.pages.split(","))
    tmp = tempfile.TemporaryDirectory(prefix="policy-load-")
    proc = None
    db = args.db or str(Path(tmp.name) / "load.duckdb")
    if args.ingest and args.url and not args.db:
        ap.error("--ingest 与 --url 同用时需要 --db（该看板的库）")
    if args.url:
        base = args.url.rstrip("/")
    else:
        proc, base = start_dashboard(db, Path(args.log) if args.log else None, seconds=60)
    try:
        for r, n in enumerate(int(x) for x in args.sessions.split(",")):
            if args.client == "ws":
                ingest = (db, new_articles(Path(tmp.name) / f"new{r}", args.ingest)) if args.ingest else None
                result = asyncio.run(ws_round(base, n, args.loops, args.deadline, pages, args.fresh, ingest))
            else:
                result = asyncio.run(browser_round(base, n, args.loops, args.deadline, pages))
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        if proc is not None:
            stop_dashboard(proc)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
