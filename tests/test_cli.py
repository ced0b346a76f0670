"""`python -m analysis …`: exact CSV output, exit codes, locking, documented commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import S002, S003, SAMPLE_FILES

from analysis import store as store_mod
from analysis.cli import build_parser, main
from analysis.engine import Engine
from analysis.settings import ROOT, SAMPLES_DIR
from analysis.store import Store

HEADER = "group,theme,count,chars,per_10k"
ROWS_002 = [
    f"{S002},高质量发展,128,49696,25.757",
    f"{S002},营商环境,99,49696,19.921",
    f"{S002},中国式现代化,46,49696,9.256",
]
COUNTS = ["counts", "--by", "file", "--terms", "高质量发展,营商环境,中国式现代化"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("POLICY_DB", "POLICY_THEMES")}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def release(path) -> None:
    """Close the CLI's cached connection to path (and only that one)."""
    for key, st in list(store_mod._OPEN.items()):
        if key[0] == str(path.resolve()):
            st.close()
            del store_mod._OPEN[key]


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    assert main(["ingest", str(SAMPLES_DIR), "--db", str(path), "--no-samples"]) == 0
    yield path
    release(path)


def test_counts_subprocess_on_a_fresh_db(tmp_path):
    db = tmp_path / "sub.duckdb"
    assert run("ingest", str(SAMPLES_DIR), "--db", str(db)).returncode == 0
    proc = run(*COUNTS, "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == HEADER
    assert [ln for ln in lines if ln.startswith(S002)] == ROWS_002
    assert len(lines) == 1 + 3 * len(SAMPLE_FILES)


def test_cli_never_adds_samples(tmp_path, capsys):
    """An editor's new store holds only the editor's file, never the five demo articles."""
    db = tmp_path / "own.duckdb"
    (tmp_path / "own.md").write_text("## 湖北\n\n湖北加快发展新质生产力。", encoding="utf-8")
    try:
        assert main(["ingest", str(tmp_path / "own.md"), "--db", str(db)]) == 0
        assert main(["sections", "--db", str(db)]) == 0
    finally:
        release(db)
    eng = Engine(Store(db), workers=1)
    try:
        assert eng.store.article_count() == 1
        assert eng.sample_article_ids() == []
    finally:
        eng.store.close()


def test_counts_in_process(cli_db, capsys):
    assert main([*COUNTS, "--db", str(cli_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == HEADER
    assert [ln for ln in lines if ln.startswith(S002)] == ROWS_002


def test_counts_by_province_for_one_theme(cli_db, capsys):
    assert main(["counts", "--by", "province", "--themes", "business_environment", "--db", str(cli_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == HEADER
    assert "上海,营商环境,19,2055,92.457" in lines
    assert sum(int(ln.split(",")[2]) for ln in lines[1:]) == 106


def test_counts_json(cli_db, capsys):
    import json

    assert main([*COUNTS, "--format", "json", "--db", str(cli_db)]) == 0
    rows = json.loads(capsys.readouterr().out)
    got = {(r["group"], r["theme"]): r["count"] for r in rows}
    assert got[(S002, "高质量发展")] == 128 and got[(S003, "营商环境")] == 2


def test_reingest_reports_existing(cli_db, capsys):
    assert main(["ingest", str(SAMPLES_DIR), "--db", str(cli_db)]) == 0
    out = capsys.readouterr()
    assert [ln.split()[0] for ln in out.out.splitlines()] == ["已存在"] * 5
    assert "共 5 个文件：新增 0，已存在 5，失败 0" in out.err


def test_failing_file_exit_code_and_store_unchanged(tmp_path, capsys):
    db = tmp_path / "f.duckdb"
    try:
        check_failing_files(db, tmp_path / "in", capsys)
    finally:
        release(db)


def check_failing_files(cli_db, tmp_path, capsys):
    tmp_path.mkdir()
    assert main(["ingest", str(SAMPLES_DIR / S003), "--db", str(cli_db), "--no-samples"]) == 0
    capsys.readouterr()
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "good.md").write_text("## 湖北\n\n湖北加快发展新质生产力。", encoding="utf-8")
    main([*COUNTS, "--db", str(cli_db)])
    before = capsys.readouterr().out
    assert (
        main(["ingest", str(tmp_path / "empty.txt"), str(tmp_path / "image.txt"), "--db", str(cli_db)]) == 1
    )
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "失败  empty.txt：文件为空，没有可读的文字",
        "失败  image.txt：这是PNG 图片，不是文本文件",
    ]
    assert "失败 2" in out.err
    main([*COUNTS, "--db", str(cli_db)])
    assert capsys.readouterr().out == before
    # the good file goes in, the bad ones still fail, the exit code still says so
    assert main(["ingest", str(tmp_path), "--db", str(cli_db)]) == 1
    assert [ln.split()[0] for ln in capsys.readouterr().out.splitlines()] == ["失败", "新增", "失败"]


def test_failing_file_exit_code_subprocess(tmp_path):
    (tmp_path / "fake.docx").write_bytes(b"not a zip")
    proc = run("ingest", str(tmp_path / "fake.docx"), "--db", str(tmp_path / "x.duckdb"), "--no-samples")
    assert proc.returncode == 1
    assert (
        proc.stdout.strip()
        == "失败  fake.docx：不是有效的 Word 文档（docx 应为 zip 格式，文件已损坏或被改了扩展名）"
    )


def test_sections_kwic_themes(cli_db, capsys):
    assert main(["sections", "--format", "csv", "--db", str(cli_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "source,idx,province,reason,header"
    assert (
        f"{S002},25,山西,人名：金湘军 → 山西,金湘军在全省政府系统抓落实提高执行力电视电话会议上的讲话摘要"
        in lines
    )
    assert main(["kwic", "新质生产力", "--province", "湖北", "--width", "5", "--db", str(cli_db)]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == ["湖北\t004_3ba7f582877c7687.txt\t,持续打造【新质生产力】。”全国人"]
    assert "共 1 处" in out.err
    assert main(["themes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "business_environment\t营商环境\t营商与市场\t营商环境" in lines


def test_rebuild_keeps_counts(cli_db, capsys):
    main([*COUNTS, "--db", str(cli_db)])
    before = capsys.readouterr().out
    assert main(["rebuild", "--db", str(cli_db)]) == 0
    assert "已重建" in capsys.readouterr().err
    main([*COUNTS, "--db", str(cli_db)])
    assert capsys.readouterr().out == before


def test_locked_database_is_a_clear_error(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = Store(path)
    try:
        proc = run("counts", "--db", str(path))
    finally:
        holder.close()
    assert proc.returncode == 2
    assert proc.stderr.startswith("错误：数据库 locked.duckdb 正被另一个程序")


def test_every_command_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "cmd")
    assert sub.choices is not None
    for name in sub.choices:
        assert f"python -m analysis {name}" in readme, name


# ---------------------------------------------------------------- view: any page from the command line
def test_view_prints_a_page_as_csv_json_and_table(cli_db, capsys):
    assert main(["view", "themes", "--db", str(cli_db), "--table", "rank_table", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "省份,次数,每万字频次,95%区间,出现的文章数,文章数,字数,提示"
    assert lines[1].startswith("广东,21,")
    assert main(["view", "overview", "--db", str(cli_db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["articles"] == 5 and data["summary"]["chars"] == 66655
    assert {"label": "高质量发展", "value": 171} in data["top"]["data"]
    assert main(["view", "themes", "--db", str(cli_db), "--term", "高质量发展", "--to", "2023-12-31"]) == 0
    out = capsys.readouterr().out
    assert "# total: " in out and "# == rank ==" in out


def test_view_bad_table_name_is_a_clear_error(cli_db, capsys):
    assert main(["view", "corpus", "--db", str(cli_db), "--table", "nope"]) == 2
    assert "没有名为 nope 的表" in capsys.readouterr().err
