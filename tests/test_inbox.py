"""The inbox trusts nothing in its folder (issue 12 item 7): links and special files are
refused, a malformed job is quarantined with its reason and later jobs still go in, and a
read-only deployment refuses CLI imports with a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.engine import FAILED, NEW, Engine
from analysis.inbox import (
    BAD,
    READY,
    REASON,
    RESULTS,
    drain,
    enqueue,
    inbox_dir,
    refuse_all,
    wait_for_results,
)
from analysis.store import Store

ROOT = Path(__file__).resolve().parent.parent
SECRET = "机密文件：北京市推动高质量发展的内部安排。"
GOOD = "上海市加快建设国际科技创新中心，营商环境持续优化。"


@pytest.fixture
def engine(tmp_path):
    store = Store(tmp_path / "inbox.duckdb")
    eng = Engine(store, workers=1)
    yield eng
    store.close()


def _job(db: Path, name: str, files: dict[str, str], names: str | None = None) -> Path:
    """A job folder written by hand: files by their inbox names, names.json as given."""
    job = inbox_dir(db) / name
    (job / "files").mkdir(parents=True)
    for fname, text in files.items():
        (job / "files" / fname).write_text(text, encoding="utf-8")
    mapping = {f: f"原名{f}" for f in files}
    (job / "names.json").write_text(names if names is not None else json.dumps(mapping), encoding="utf-8")
    (job / READY).touch()
    return job


def _results(job: Path) -> list[tuple[str, str, str]]:
    return [(r["name"], r["status"], r["reason"]) for r in json.loads((job / RESULTS).read_text("utf-8"))]


def test_links_and_special_files_are_refused(engine, tmp_path):
    db = engine.store.path
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    job = _job(db, "20260101000000-links", {"00001.txt": GOOD})
    (job / "files" / "00000.txt").symlink_to(secret)  # a link to a file outside the inbox
    os.mkfifo(job / "files" / "00002.txt")  # reading a pipe would block the watcher forever
    assert drain(engine, db) == 1
    assert _results(job) == [
        ("00000.txt", FAILED, "这是符号链接，不是普通文件，拒绝导入"),
        ("原名00001.txt", NEW, ""),
        ("00002.txt", FAILED, "不是普通文件（文件夹、管道或设备），拒绝导入"),
    ]
    assert engine.store.article_count() == 1


def test_a_linked_job_folder_is_quarantined(engine, tmp_path):
    db = engine.store.path
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "files").mkdir(parents=True)
    (elsewhere / "files" / "00000.txt").write_text(SECRET, encoding="utf-8")
    (elsewhere / "names.json").write_text("{}", encoding="utf-8")
    (elsewhere / READY).touch()
    inbox_dir(db).mkdir(parents=True, exist_ok=True)
    (inbox_dir(db) / "20260101000000-link").symlink_to(elsewhere, target_is_directory=True)
    assert drain(engine, db) == 1
    assert engine.store.article_count() == 0
    moved = inbox_dir(db) / BAD / "20260101000000-link"
    assert moved.is_symlink()  # moved as a link, never followed
    assert (inbox_dir(db) / BAD / f"20260101000000-link.{REASON}").read_text("utf-8") == (
        "任务不是普通文件夹（可能是符号链接），拒绝导入"
    )
    assert (elsewhere / "files" / "00000.txt").exists()  # the target is untouched


def test_a_malformed_job_is_quarantined_and_later_jobs_go_in(engine):
    db = engine.store.path
    bad = _job(db, "20260101000000-bad", {"00000.txt": SECRET}, names="{这不是 JSON")
    good = _job(db, "20260101000001-good", {"00000.txt": GOOD})
    assert drain(engine, db) == 2
    assert not bad.exists()
    reason = (inbox_dir(db) / BAD / bad.name / REASON).read_text("utf-8")
    assert reason == "任务的 names.json 无法读取（JSONDecodeError）"
    assert _results(good) == [("原名00000.txt", NEW, "")]
    assert engine.store.article_count() == 1
    # the CLI waiting for the bad job is told why instead of waiting for its timeout
    assert wait_for_results(bad, timeout=2) == [{"name": bad.name, "status": FAILED, "reason": reason}]
    assert drain(engine, db) == 0  # nothing left to retry


def test_read_only_dashboard_answers_jobs_with_a_refusal(engine, tmp_path):
    src = tmp_path / "稿件.txt"
    src.write_text(GOOD, encoding="utf-8")
    job = enqueue([src], engine.store.path)
    assert refuse_all(engine.store.path) == 1
    assert _results(job) == [("稿件.txt", FAILED, "看板处于只读模式（POLICY_READ_ONLY），不接受导入")]
    assert engine.store.article_count() == 0


def test_read_only_cli_refuses_to_import(tmp_path):
    src = tmp_path / "稿件.txt"
    src.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "ro.duckdb"
    env = {**os.environ, "POLICY_READ_ONLY": "1", "POLICY_WORKERS": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(src), "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "只读模式（POLICY_READ_ONLY）：不导入任何文件" in out.stderr
    assert not db.exists() and not inbox_dir(db).exists()


def test_a_queued_folder_imports_tables_archives_and_meta_like_a_direct_ingest(engine, tmp_path):
    """The CLI hands a folder to the dashboard: a CSV's rows, a zip's members, meta.csv titles
    and the --text-col choice arrive as they would in a direct import (before: each table or
    zip went in as one document, meta.csv and the column flags were dropped)."""
    import zipfile

    from analysis.tables import ColumnMap

    folder = tmp_path / "来稿"
    folder.mkdir()
    (folder / "江苏.txt").write_text("江苏推动高质量发展，优化营商环境。", encoding="utf-8")
    (folder / "meta.csv").write_text(
        "file,title,date,outlet\n江苏.txt,江苏的一篇,2024-03-07,新华日报\n", encoding="utf-8"
    )
    rows = "标题,日期,稿件\n广东一,2024-02-01,广东加快发展新质生产力。\n广东二,2024-02-02,广东持续优化营商环境，营商环境更好。\n"
    (folder / "剪报.csv").write_bytes(rows.encode("gbk"))
    with zipfile.ZipFile(folder / "包.zip", "w") as zf:
        zf.writestr("内层/浙江.txt", "浙江推进共同富裕示范区建设，推动高质量发展。".encode())
    db = engine.store.path
    job = enqueue([folder], db, ColumnMap(text="稿件"))
    assert drain(engine, db) == 1
    got = sorted((r["name"], r["status"]) for r in json.loads((job / RESULTS).read_text("utf-8")))
    assert [s for _, s in got] == [NEW] * 4, got
    assert any("剪报.csv" in n and "第 2 行" in n for n, _ in got)
    assert any("浙江.txt" in n for n, _ in got)
    titles = dict(zip(*engine.store.df("SELECT title, outlet FROM articles").to_dict("list").values()))
    assert titles["江苏的一篇"] == "新华日报" and {"广东一", "广东二"} <= set(titles)
    assert engine.store.scalar("SELECT count(*) FROM articles") == 4
