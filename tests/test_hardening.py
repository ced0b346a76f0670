"""Hostile files, odd encodings, crashes and concurrent use (issue: hardening).

Every hostile file is made here by the test; each must be refused with a Chinese
reason while the store stays exactly as it was.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.counting import Matcher, count_terms, count_themes
from analysis.engine import FAILED, NEW, Engine, safe_name
from analysis.ingest import IngestError, decode_bytes, read_bytes
from analysis.models import Filters, Theme
from analysis.normalize import compact
from analysis.queries import counts_table
from analysis.settings import LIMITS, SAMPLES_DIR
from analysis.store import Store

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_001 = next(SAMPLES_DIR.glob("001_*.txt")).read_text(encoding="utf-8")


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b"a" * (300 * 2**20))
    return buf.getvalue()


def _lying_zip_bomb() -> bytes:
    """A bomb whose headers claim a tiny size: only real inflation catches it."""
    data = bytearray(_zip_bomb())
    # Patch the uncompressed-size fields (local header offset 22, central dir offset 24).
    import struct

    local = data.find(b"PK\x03\x04", 10)
    struct.pack_into("<I", data, local + 22, 1000)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        struct.pack_into("<I", data, central + 24, 1000)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def _pdf(pages: int = 1, encrypt: bool = False) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(200, 200)
    if encrypt:
        w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _random_bytes(n: int, seed: int, low: int = 0) -> bytes:
    rnd = random.Random(seed)
    return bytes(rnd.randrange(low, 256) for _ in range(n))


HOSTILE = [
    ("空文件.txt", lambda: b"", "文件为空"),
    ("只有空白.txt", lambda: " \n\u3000\n".encode(), "文件为空"),
    ("图片.txt", lambda: b"\x89PNG\r\n\x1a\n" + _random_bytes(3000, 1), "PNG 图片"),
    ("程序.txt", lambda: b"\x7fELF\x02\x01\x01" + _random_bytes(3000, 2), "可执行程序"),
    ("程序.md", lambda: b"MZ\x90\x00" + _random_bytes(3000, 3), "可执行程序"),
    ("随机.txt", lambda: _random_bytes(6000, 4), "不是"),
    ("随机无空字节.txt", lambda: _random_bytes(6000, 5, low=1), "无法识别文字编码"),
    ("改名的压缩包.txt", lambda: _zip_bomb()[:4000], "压缩包"),
    ("不是压缩包.docx", lambda: "这其实是文本".encode(), "不是有效的 Word 文档"),
    ("压缩炸弹.docx", _zip_bomb, "压缩炸弹"),
    ("谎报大小的炸弹.docx", _lying_zip_bomb, "Word 文档"),
    ("损坏.pdf", lambda: b"%PDF-1.4\n" + _random_bytes(4000, 6), "PDF"),
    ("加密.pdf", lambda: _pdf(encrypt=True), "加密"),
    ("页数过多.pdf", lambda: _pdf(pages=LIMITS.max_pdf_pages + 1), "超过上限"),
    ("扫描件.pdf", lambda: _pdf(pages=2), "没有可提取的文字"),
    ("假PDF.pdf", lambda: "高质量发展".encode(), "不是有效的 PDF"),
    ("空字节.txt", lambda: "高质量发展".encode() + b"\x00" * 8 + "营商环境".encode(), "空字节"),
    ("超长一行.txt", lambda: "营商环境".encode() * (LIMITS.max_text_chars // 3), "上限"),
    ("程序.exe", lambda: b"MZ" + _random_bytes(100, 7), "不支持的文件类型"),
]


def _snapshot(eng: Engine):
    t = counts_table(eng.store, Filters(), "file")
    return eng.store.article_count(), t.to_dict("records")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("hard") / "h.duckdb")
    eng = Engine(store, workers=1)
    eng.ensure_samples()
    yield eng
    store.close()


@pytest.mark.parametrize("name,make,reason", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_refused_store_unchanged(engine, name, make, reason):
    before = _snapshot(engine)
    good = ("好文件.txt", f"【湖南】\n{name}里的测试文章：招商引资。".encode())
    results = engine.ingest_uploads([(name, make()), good])
    assert results[0].status == FAILED
    assert reason in results[0].reason, results[0].reason
    assert results[1].status == NEW  # the other file of the same upload still goes in
    engine.store.delete_article(results[1].article_id)
    assert _snapshot(engine) == before


def test_upload_names_are_only_labels(engine):
    nasty = ["../../etc/passwd.txt", "a\x00b\x1f\x7f.txt", "..\\..\\win.ini.md", "/abs/path.html", "   .txt"]
    for name in nasty:
        label = safe_name(name)
        assert "/" not in label and "\\" not in label
        assert all(ch.isprintable() for ch in label)
    res = engine.ingest_uploads([("../../逃逸.txt", "【北京】\n首都的测试：营商环境。".encode())])
    assert res[0].status == NEW and res[0].name == "逃逸.txt"
    assert not (ROOT.parent / "逃逸.txt").exists()
    engine.store.delete_article(res[0].article_id)


def test_too_many_files_at_once(engine):
    before = _snapshot(engine)
    files = [(f"{i}.txt", f"【上海】\n第{i}篇".encode()) for i in range(LIMITS.max_files_per_upload + 1)]
    results = engine.ingest_uploads(files)
    assert all(r.status == FAILED and "一次最多导入" in r.reason for r in results)
    assert _snapshot(engine) == before


# ---------------------------------------------------------------- odd but legitimate input
def _wrap(text: str, width: int) -> str:
    lines = []
    for par in text.split("\n"):
        if par.startswith("#"):
            lines.append(par)
            continue
        lines.extend(par[i : i + width] for i in range(0, len(par), width))
        lines.append("")
    return "\n".join(lines)


ENCODINGS = [
    ("gb18030.txt", lambda t: t.encode("gb18030")),
    ("gbk.txt", lambda t: t.encode("gbk", errors="strict")),
    ("utf16le_bom.txt", lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    ("utf16be_bom.txt", lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
    ("utf8_bom.txt", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
    ("crlf.txt", lambda t: t.replace("\n", "\r\n").encode()),
    ("fullwidth_spaces.txt", lambda t: t.replace("发展", "发\u3000展").encode()),
    ("wrap13.txt", lambda t: _wrap(t, 13).encode()),
    ("wrap31.txt", lambda t: _wrap(t, 31).encode()),
    ("page.md", lambda t: t.encode()),
    (
        "page.html",
        lambda t: (
            "<html><head><title>t</title><style>.x{content:'高质量发展'}</style>"
            "<script>var a='营商环境 高质量发展';</script></head><body>"
            + "".join(f"<p>{p}</p>" for p in t.split("\n"))
            + "</body></html>"
        ).encode(),
    ),
]


def _theme_totals(eng: Engine, doc_text: str, name: str, data: bytes) -> dict[str, int]:
    from analysis.engine import prepare

    raw = read_bytes(data, name)
    parsed = prepare(raw, None, None, tuple(eng.themes), with_words=False)
    out: dict[str, int] = {}
    for _par, tid, _phrase, n in parsed.hits:
        out[tid] = out.get(tid, 0) + n
    return out


@pytest.mark.parametrize("name,encode", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_odd_input_counts_like_clean_utf8(engine, name, encode):
    text = ARTICLE_001.replace("#", "")  # html/markdown variants keep headings differently
    clean = _theme_totals(engine, text, "clean.txt", text.encode())
    assert clean["high_quality_development"] == 6
    assert _theme_totals(engine, text, name, encode(text)) == clean


def test_traditional_text_counts_as_simplified(engine):
    trad = "高質量發展是新時代的硬道理。持續優化營商環境，發展新質生產力。".encode("big5")
    simp = "高质量发展是新时代的硬道理。持续优化营商环境，发展新质生产力。".encode()
    assert _theme_totals(engine, "", "big5.txt", trad) == _theme_totals(engine, "", "s.txt", simp)
    assert _theme_totals(engine, "", "s.txt", simp) == {
        "high_quality_development": 1,
        "business_environment": 1,
        "new_quality_productivity": 1,
    }


# ---------------------------------------------------------------- property and fuzz tests
THEMES = [
    Theme("a", "高质量发展", "改革", ("高质量发展",)),
    Theme("b", "营商环境", "营商与市场", ("营商环境",)),
    Theme("c", "科技创新", "科技与产业", ("科技创新",)),
    Theme("d", "科技创新中心", "科技与产业", ("科技创新中心",)),
]
MATCHER = Matcher(THEMES)
PIECES = [
    "高质量发展",
    "营商环境",
    "科技创新",
    "科技创新中心",
    "推动",
    "的",
    "，",
    "。",
    "中心",
    "高质量",
    "发展",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PIECES), max_size=40),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from([" ", "\n", "\r\n", "\u3000", "\t", "\n\n"])),
        max_size=20,
    ),
)
def test_whitespace_anywhere_never_changes_counts(pieces, inserts):
    text = "".join(pieces)
    noisy = text
    for pos, ws in sorted(inserts, reverse=True):
        pos = pos % (len(noisy) + 1)
        noisy = noisy[:pos] + ws + noisy[pos:]
    assert count_themes(compact(noisy), MATCHER) == count_themes(text, MATCHER)
    assert count_terms(compact(noisy), ["高质量发展", "中心"]) == count_terms(text, ["高质量发展", "中心"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12), min_size=1, max_size=8))
def test_counts_add_up_across_paragraphs(paragraphs):
    """Paragraph counts sum to the count of the paragraphs kept apart by a separator."""
    texts = ["".join(p) for p in paragraphs]
    summed: dict[str, int] = {}
    for t in texts:
        for k, v in count_themes(t, MATCHER).items():
            summed[k] = summed.get(k, 0) + v
    assert count_themes("|".join(texts), MATCHER) == summed
    whole = "".join(texts)
    # Joining paragraphs can only add a match that straddles the join, never lose one.
    assert count_terms(whole, ["营商环境"])["营商环境"] >= sum(
        count_terms(t, ["营商环境"])["营商环境"] for t in texts
    )


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=4000))
def test_decoding_never_raises_on_arbitrary_bytes(data):
    try:
        text = decode_bytes(data)
    except IngestError as exc:
        assert str(exc)  # a clear refusal
    else:
        assert isinstance(text, str) and "\x00" not in text


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([".txt", ".md", ".html", ".docx"]))
def test_readers_fuzz(data, suffix):
    try:
        doc = read_bytes(data, "fuzz" + suffix)
    except IngestError as exc:
        assert str(exc)
    else:
        assert doc.text.strip()


def test_store_totals_add_up(engine):
    """Province, file and month totals of one theme are the same number."""
    tid = ["new_quality_productivity"]
    totals = {
        by: int(counts_table(engine.store, Filters(), by, theme_ids=tid)["count"].sum())
        for by in ("province", "file", "month", "article", "section")
    }
    assert len(set(totals.values())) == 1 and totals["file"] == 51


# ---------------------------------------------------------------- crash consistency
def _write_corpus(folder: Path, n: int) -> None:
    provinces = ["广东", "江苏", "浙江", "湖北", "四川", "河南"]
    paras = [p for p in ARTICLE_001.split("\n") if len(p) > 40]
    for i in range(n):
        body = "\n\n".join(paras[(i + k) % len(paras)] for k in range(4))
        text = (
            f"【{provinces[i % len(provinces)]}】\n\n第{i}篇：2024年{1 + i % 12}月{1 + i % 28}日\n\n{body}\n"
        )
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")


def _check_whole(db: Path) -> int:
    """Open after a kill: only whole articles, each with all its rows."""
    store = Store(db)
    try:
        cur = store.cur()
        orphans = cur.execute("""
            SELECT (SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.article_id = a.id))
                 + (SELECT count(*) FROM units u WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = u.article_id))
                 + (SELECT count(*) FROM hits h WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = h.article_id))
                 + (SELECT count(*) FROM articles a WHERE a.chars <> (SELECT coalesce(sum(chars), 0) FROM paragraphs p WHERE p.article_id = a.id))
        """).fetchone()
        assert orphans is not None and orphans[0] == 0
        return store.article_count()
    finally:
        store.close()


N_KILL = 400


def test_sigkill_during_ingest_leaves_only_whole_articles(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write_corpus(folder, N_KILL)
    env = {**os.environ, "POLICY_BATCH": "2", "POLICY_WORKERS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "analysis", "ingest", str(folder), "--no-samples"]
    clean_db = tmp_path / "clean.duckdb"
    t0 = time.monotonic()
    subprocess.run([*cmd, "--db", str(clean_db)], env=env, check=True, capture_output=True, cwd=ROOT)
    full = time.monotonic() - t0
    db = tmp_path / "killed.duckdb"
    rnd = random.Random(7)
    kills, counts_seen = 0, []
    for _ in range(12):
        proc = subprocess.Popen(
            [*cmd, "--db", str(db)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rnd.uniform(0.15, 0.45) * full)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        counts_seen.append(_check_whole(db))
        if counts_seen[-1] == N_KILL:
            break
    print(f"\nSIGKILL 次数 {kills}，每次杀后库中完整文章数 {counts_seen}")
    assert kills >= 5, counts_seen
    assert any(0 < n < N_KILL for n in counts_seen), counts_seen  # some kills landed mid-ingest
    subprocess.run([*cmd, "--db", str(db)], env=env, check=True, capture_output=True, cwd=ROOT)
    a, b = Store(clean_db), Store(db)
    try:
        assert a.article_count() == b.article_count() == N_KILL
        ta = counts_table(a, Filters(), "file").to_dict("records")
        tb = counts_table(b, Filters(), "file").to_dict("records")
        assert ta == tb
    finally:
        a.close()
        b.close()


def _children(pid: int) -> list[int]:
    """Live (non-zombie) processes whose parent is `pid`, read from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"  # a zombie has exited; only its entry is left


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux's")
def test_parse_workers_die_with_a_killed_ingest(tmp_path):
    """A SIGKILLed `analysis ingest` leaves no parse worker behind: each asks the kernel to
    kill it when its parent dies (deadline_pool._worker_start). Before, the workers blocked
    on their task pipe forever (about 13 orphans per run of the test above)."""
    folder = tmp_path / "in"
    folder.mkdir()
    _write_corpus(folder, N_KILL)
    env = {**os.environ, "POLICY_BATCH": "2", "POLICY_WORKERS": "2", "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "analysis",
        "ingest",
        str(folder),
        "--no-samples",
        "--db",
        str(tmp_path / "k.duckdb"),
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert len(workers) == 2, f"the ingest never started its two workers ({workers})"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [w for w in workers if _alive(w)] == []
    finally:
        for w in workers:  # never leave an orphan behind, even when the test fails
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


_HANGING_PDF = """
import sys, time
import pypdf
import analysis.ingest as ingest

class Stuck:  # a PDF that parses for ever; the forked child inherits the patched module
    def __init__(self, *args, **kwargs):
        time.sleep(600)

pypdf.PdfReader = Stuck
ingest.pdf_to_text(b"%PDF-1.4 stuck")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux's")
def test_pdf_child_dies_with_its_parse_worker():
    """The child a parse worker forks for a PDF dies when that worker is killed: a stuck
    hostile PDF does not parse on as an orphan (ingest._pdf_worker asks for the parent-death
    signal). Before, the child slept on after its parent was SIGKILLed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POLICY_MAX_PARSE_SECONDS": "600"}
    proc = subprocess.Popen([sys.executable, "-c", _HANGING_PDF], env=env, cwd=ROOT)
    kids: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while not kids and proc.poll() is None and time.monotonic() < deadline:
            kids = _children(proc.pid)
            time.sleep(0.05)
        assert len(kids) == 1, f"no PDF child appeared ({kids})"
        time.sleep(0.3)  # let the child reach its parent-death request
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _alive(kids[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(kids[0])
    finally:
        for k in kids:
            if _alive(k):
                os.kill(k, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- concurrent use
def test_readers_never_see_half_an_article(tmp_path, monkeypatch):
    from analysis import settings as policy_settings

    # many small transactions for the readers to race (POLICY_BATCH=2)
    monkeypatch.setattr(policy_settings, "_current", policy_settings.Settings(batch=2, workers=1))
    store = Store(tmp_path / "c.duckdb")
    eng = Engine(store, workers=1)
    eng.ensure_samples()
    folder = tmp_path / "in"
    folder.mkdir()
    _write_corpus(folder, 120)
    errors: list[BaseException] = []
    served = [0]
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                half = store.scalar("""
                    SELECT (SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.article_id = a.id))
                         + (SELECT count(*) FROM hits h WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = h.article_id))""")
                assert half == 0
                counts_table(store, Filters(), "province")
                store.word_totals(Filters(provinces=("广东",)), 50)
                served[0] += 1
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    results = eng.ingest_paths([folder])
    stop.set()
    for t in threads:
        t.join(30)
    store.close()
    print(f"\n写入 120 篇（60 个事务）期间 3 个读线程完成 {served[0]} 轮查询，出错 {len(errors)} 次")
    assert not errors, errors[:1]
    assert sum(r.status == NEW for r in results) == 120
    assert served[0] >= 6  # readers were served while the writer committed 60 transactions


def test_second_process_gets_a_clear_message(tmp_path):
    db = tmp_path / "locked.duckdb"
    store = Store(db)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "analysis", "ingest", str(SAMPLES_DIR), "--db", str(db), "--no-queue"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.returncode == 2
        assert "正被另一个程序" in proc.stderr
        ro = subprocess.run(
            [
                sys.executable,
                "-c",
                "from analysis.store import Store, StoreLocked\n"
                f"try:\n Store({str(db)!r}, read_only=True)\nexcept StoreLocked as e:\n print(e)",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert "正被另一个程序" in ro.stdout
    finally:
        store.close()


def test_cli_ingests_through_the_running_dashboard(tmp_path):
    """While the dashboard process owns the store, the CLI hands files over and prints the
    results; the dashboard's watcher imports them themes first and adds the words after."""
    from analysis.settings import Settings
    from analysis.workspace import Workspace

    db = tmp_path / "shared.duckdb"
    ws = Workspace(Settings(db=db, workers=1))
    store = ws.store
    ws.engine.ensure_samples()
    assert ws.start_watcher(interval=0.2)
    folder = tmp_path / "in"
    folder.mkdir()
    _write_corpus(folder, 3)
    (folder / "坏.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "analysis", "ingest", str(folder), "--db", str(db), "--wait", "60"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        lines = proc.stdout.strip().splitlines()
        assert proc.returncode == 1  # one file failed
        assert sorted(line.split()[0] for line in lines) == ["失败", "新增", "新增", "新增"]
        assert any("坏.txt" in line and "PNG" in line for line in lines)
        assert store.article_count() == 5 + 3
        assert ws.wait_for_words(60) and ws.words_ready()
        assert store.df("SELECT count(DISTINCT article_id) AS n FROM words")["n"][0] == 5 + 3
    finally:
        ws.stop_watcher()
        store.close()


def test_a_file_that_parses_forever_is_refused_and_the_rest_go_in(tmp_path, monkeypatch):
    """Issue 12 item 1: parsing runs in a child process with a per-file deadline, even for a
    small upload; the child that overruns is killed and only its file is refused."""
    import dataclasses

    import analysis.engine as engine_module

    real_parse = engine_module.parse

    def parse_hanging_on_one_file(raw, *args, **kwargs):
        if "永不结束" in raw.text:
            time.sleep(40)  # a parser stuck on hostile text (the GIL held all along)
        return real_parse(raw, *args, **kwargs)

    monkeypatch.setattr(engine_module, "parse", parse_hanging_on_one_file)  # forked workers inherit it
    monkeypatch.setattr(engine_module, "LIMITS", dataclasses.replace(LIMITS, max_parse_seconds=2))
    store = Store(tmp_path / "deadline.duckdb")
    eng = Engine(store, workers=2)
    files = [
        ("甲.txt", "北京市推动高质量发展，营商环境持续优化。".encode()),
        ("慢.txt", "一篇永不结束的文章。".encode()),
        ("乙.txt", "上海市加快建设国际科技创新中心。".encode()),
    ]
    start = time.monotonic()
    results = eng.ingest_uploads(files)
    took = time.monotonic() - start
    assert [(r.name, r.status) for r in results] == [("甲.txt", NEW), ("慢.txt", FAILED), ("乙.txt", NEW)]
    assert results[1].reason.startswith("解析超过 2 秒仍未完成，已停止")
    assert took < 20, f"the import waited {took:.1f} s for the stuck file"
    assert store.article_count() == 2
    store.close()


# ---------------------------------------------------------------- exports carry no formulas
HOSTILE_TITLES = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "标题\x07响铃",
    "\t=1+1",
    "普通标题",
]
SAFE_TITLES = ['\'=HYPERLINK("http://x","y")', "'+1", "'-2+3", "'@SUM(A1)", "标题响铃", "'\t=1+1", "普通标题"]


def _hostile_frame():
    import pandas as pd

    return pd.DataFrame(
        {
            "title": HOSTILE_TITLES,
            "count": [1, 2, 3, 4, 5, 6, -7],
            "per_10k": [0.5, 1.25, -2.0, 3.0, 4.5, 5.0, 6.0],
        }
    )


def test_csv_export_has_no_formulas():
    """Issue 12 item 3: text cells that a spreadsheet would run start with ', numbers stay numbers."""
    import csv

    from analysis.export import csv_bytes

    rows = list(csv.reader(io.StringIO(csv_bytes(_hostile_frame()).decode("utf-8-sig"))))
    assert rows[0] == ["title", "count", "per_10k"]
    assert [r[0] for r in rows[1:]] == SAFE_TITLES
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "5", "6", "-7"]  # a negative number is no text
    assert rows[3][2] == "-2.0"


def test_xlsx_export_has_no_formulas_and_survives_control_characters():
    from openpyxl import load_workbook

    from analysis.export import xlsx_bytes

    wb = load_workbook(io.BytesIO(xlsx_bytes(_hostile_frame(), title="=1+1", note="@备注")))
    ws = wb.active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert ws["A1"].value == "'=1+1" and ws["A2"].value == "'@备注"
    table = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert table[0] == ["title", "count", "per_10k"]
    assert [r[0] for r in table[1:]] == SAFE_TITLES
    assert [r[1] for r in table[1:]] == [1, 2, 3, 4, 5, 6, -7]
    assert [r[2] for r in table[1:]] == [0.5, 1.25, -2.0, 3.0, 4.5, 5.0, 6.0]


def test_ppt_chart_workbook_has_no_formulas():
    """A typed term reaches the chart's embedded workbook; it stays text there."""
    import pandas as pd
    from openpyxl import load_workbook
    from pptx import Presentation

    from analysis.deck_pptx import pptx_bytes
    from analysis.slides import Pin

    data = pd.DataFrame({"label": HOSTILE_TITLES[:4], "value": [4, 3, 2, 1]})
    deck = Presentation(io.BytesIO(pptx_bytes([Pin("=危险", "bar", data, "s", "")])))
    charts = [sh.chart for slide in deck.slides for sh in slide.shapes if sh.has_chart]
    assert charts
    for chart in charts:
        wb = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        texts = {c.value for c in cells if isinstance(c.value, str)}
        assert set(SAFE_TITLES[:4]) <= texts
        assert sorted(c.value for c in cells if isinstance(c.value, int | float)) == [1, 2, 3, 4]


def test_cli_csv_output_has_no_formulas(capsys):
    from analysis.cli import _print_table

    _print_table(_hostile_frame(), "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"",""y"")",1,0.5'
    assert lines[2:5] == ["'+1,2,1.25", "'-2+3,3,-2.0", "'@SUM(A1),4,3.0"]


# ---------------------------------------------------------------- upload names and sizes
def test_long_upload_names_keep_their_extension(engine):
    """Issue 12 item 8: a name over 120 characters is cut in its stem, so it still reads as .md."""
    name = "关于推进高质量发展的" * 15 + ".md"
    [result] = engine.ingest_uploads(
        [(name, "# 湖北\n\n湖北省推进营商环境优化，长名字的文件照样导入。".encode())]
    )
    assert result.status in (NEW, "已存在"), result.reason
    assert result.name == ("关于推进高质量发展的" * 15)[:117] + ".md"
    assert safe_name("长" * 200 + ".docx") == "长" * 115 + ".docx"
    assert safe_name("无扩展名" * 40) == ("无扩展名" * 40)[:120]


def test_streamlit_accepts_a_file_of_exactly_the_limit():
    """maxUploadSize is compared with the whole multipart body: it needs headroom over the
    per-file limit the corpus page promises (“不超过 50 MB”)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    body_limit = config["server"]["maxUploadSize"] * 2**20
    multipart_overhead = 64 * 1024  # boundary lines and part headers: well under 1 KB in practice
    assert body_limit >= LIMITS.max_file_bytes + multipart_overhead
    assert body_limit <= LIMITS.max_file_bytes + 2 * 2**20  # and not much more than that
    # Exactly the limit passes the size check and is refused for what it is (no PDF header),
    # which read_bytes checks next, without parsing 50 MB; one byte more is refused for size.
    data = b"0" * LIMITS.max_file_bytes
    with pytest.raises(IngestError, match=r"^不是有效的 PDF 文件"):
        read_bytes(data, "刚好50MB.pdf")
    with pytest.raises(IngestError, match=f"超过上限 {LIMITS.max_file_bytes // 2**20} MB"):
        read_bytes(data + b"0", "超过50MB.pdf")
