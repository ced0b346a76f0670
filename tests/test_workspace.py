"""The Workspace facade: one permission check for every write, lockout, resources reloaded
on rebuild, one process-wide workspace and inbox watcher, Settings built without the environment."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis import provinces
from analysis.access import BASE_WAIT, MAX_FAILURES, Access, AccessDenied
from analysis.inbox import READ_ONLY_REFUSAL, enqueue, inbox_dir
from analysis.models import Filters
from analysis.settings import GEO_DIR, SAMPLES_DIR, THEMES_FILE, Settings
from analysis.workspace import Workspace, reset_shared, shared

TEXT = "桃溪镇会议纪要\n\n桃溪镇召开全镇大会，部署加快发展新质生产力。桃溪镇的企业代表参加会议。\n"


def settings(tmp_path: Path, **kw) -> Settings:
    themes = tmp_path / "themes.yaml"
    if not themes.exists():
        shutil.copy(THEMES_FILE, themes)
    return Settings(db=tmp_path / "ws.duckdb", themes_file=themes, workers=1, import_samples=False, **kw)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- Settings
def test_settings_from_an_explicit_environment():
    s = Settings.from_env(
        {
            "POLICY_DB": "/x/a.duckdb",
            "POLICY_READ_ONLY": "yes",
            "POLICY_WORKERS": "3",
            "POLICY_MAX_FILE_MB": "7",
        },
        secrets={"admin_password": "秘密"},
    )
    assert s.db == Path("/x/a.duckdb") and s.read_only and s.workers == 3
    assert s.admin_password == "秘密" and "秘密" not in repr(s)
    assert s.limits.max_file_bytes == 7 * 1024 * 1024
    assert Settings.from_env({"POLICY_WORKERS": "many"}).workers >= 1  # a bad number falls back
    assert Settings.from_env({}, db="/y.duckdb").db == Path("/y.duckdb")  # --db wins


# ---------------------------------------------------------------- the password
def test_lockout_doubles_and_every_attempt_is_logged(caplog):
    clock = Clock()
    access = Access("口令123", clock=clock)
    caplog.set_level(logging.INFO, logger="policy.access")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccessDenied, match="口令不对"):
            access.login("猜一个")
    with pytest.raises(AccessDenied, match=f"{BASE_WAIT:.0f} 秒后再试"):
        access.login("猜五个")
    # locked: even the right password is refused until the wait is over
    with pytest.raises(AccessDenied, match="秒后再试"):
        access.login("口令123")
    assert access.wait_seconds() == BASE_WAIT
    clock.now += BASE_WAIT
    with pytest.raises(AccessDenied, match=f"{2 * BASE_WAIT:.0f} 秒后再试"):
        access.login("又错了")  # the next failure waits twice as long
    clock.now += 2 * BASE_WAIT
    key = access.login("口令123")
    assert access.allowed(key) and not access.allowed(None)
    lines = [r.getMessage() for r in caplog.records if r.name == "policy.access"]
    assert len([ln for ln in lines if "login" in ln]) == MAX_FAILURES + 3
    assert all("口令123" not in ln for ln in lines)  # the password never reaches the log
    access.logout(key)
    assert not access.allowed(key)


def test_a_forged_key_is_not_a_key():
    access = Access("口令123")
    real = access.login("口令123")
    last = "y" if real.token.endswith("x") else "x"  # a token may end in x itself
    forged = dataclasses.replace(real, token=real.token[:-1] + last)
    assert access.allowed(real) and not access.allowed(forged)
    assert Access("").allowed(None)  # no password set: anyone may edit
    assert not Access("", read_only=True).allowed(None)


# ---------------------------------------------------------------- one permission check for every write
def test_read_only_refuses_every_write_and_the_inbox(tmp_path):
    s = settings(tmp_path)
    ws = Workspace(s)
    ws.ingest_paths([SAMPLES_DIR], key=None)
    aid = ws.list_articles(None)["id"].iloc[0]
    reset = ws.store
    ro = Workspace(dataclasses.replace(s, read_only=True), store=reset)
    writes = {
        "ingest_uploads": lambda k: ro.ingest_uploads([("a.txt", TEXT.encode())], key=k),
        "ingest_paths": lambda k: ro.ingest_paths([SAMPLES_DIR], key=k),
        "delete_article": lambda k: ro.delete_article(aid, key=k),
        "override_section": lambda k: ro.override_section(aid, 0, "湖北", key=k),
        "edit_article": lambda k: ro.edit_article(aid, key=k, title="改"),
        "rebuild": lambda k: ro.rebuild(key=k),
        "save_dictionary": lambda k: ro.save_dictionary(ro.themes, key=k),
        "add_phrase_as_theme": lambda k: ro.add_phrase_as_theme("新词语", "民生", key=k),
        "add_pin": lambda k: ro.add_pin(
            "t", "bar", pd.DataFrame({"label": ["a"], "value": [1]}), key=k, source_line="", filters=""
        ),
        "delete_pin": lambda k: ro.delete_pin(1, key=k),
        "add_quote": lambda k: ro.add_quote({"article_id": aid, "par_idx": 0, "text": "x"}, key=k),
        "delete_quote": lambda k: ro.delete_quote(1, key=k),
    }
    before = (ro.summary(None), ro.pins().shape, ro.quotes().shape, ro.store.overrides(aid))
    for name, write in writes.items():
        with pytest.raises(AccessDenied, match="只读模式"):
            write(None)
            pytest.fail(f"{name} wrote in read-only mode")
    assert (ro.summary(None), ro.pins().shape, ro.quotes().shape, ro.store.overrides(aid)) == before
    with pytest.raises(AccessDenied):
        ro.access.login("anything")
    # the CLI's queue: nothing imported, every queued file answered with the refusal
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    job = enqueue([src], s.db)
    assert ro.drain_inbox() == 1
    answer = json.loads((job / "results.json").read_text(encoding="utf-8"))
    assert [(r["status"], r["reason"]) for r in answer] == [("失败", READ_ONLY_REFUSAL)]
    assert ro.summary(None) == before[0]
    job = enqueue([src], s.db)
    assert ws.drain_inbox() == 1  # a writable workspace takes it
    assert ws.summary(None).articles == before[0].articles + 1
    shutil.rmtree(inbox_dir(s.db), ignore_errors=True)
    reset.close()


def test_password_gates_writes_but_not_reads(tmp_path):
    ws = Workspace(settings(tmp_path, admin_password="口令123"))
    with pytest.raises(AccessDenied, match="需要编辑口令"):
        ws.ingest_uploads([("a.txt", TEXT.encode())], key=None)
    assert ws.summary(None).articles == 0  # reading needs no key
    key = ws.access.login("口令123")
    assert [r.status for r in ws.ingest_uploads([("a.txt", TEXT.encode())], key=key)] == ["新增"]
    ws.store.close()


# ---------------------------------------------------------------- resources reloaded on rebuild
def test_editing_the_geo_data_then_rebuilding_takes_effect(tmp_path, monkeypatch):
    geo = tmp_path / "geo"
    shutil.copytree(GEO_DIR, geo)
    monkeypatch.setattr(provinces, "GEO_DIR", geo)
    provinces.gazetteer.cache_clear()
    ws = Workspace(settings(tmp_path))
    ws.ingest_uploads([("桃溪.txt", TEXT.encode())], key=None)
    assert ws.sections(ws.list_articles(None)["id"].iloc[0])["province"].tolist() == ["全国"]
    with (geo / "cities.csv").open("a", encoding="utf-8") as fh:
        fh.write("桃溪镇,桃溪,湖北,镇,0\n")
    assert ws.rebuild(key=None) == 1
    sec = ws.sections(ws.list_articles(None)["id"].iloc[0])
    assert sec["province"].tolist() == ["湖北"] and sec["reason"].tolist() == ["地名：桃溪镇 → 湖北"]
    counts = ws.counts(Filters(), by="province")
    assert counts.set_index("group").loc["湖北", "count"] == 1
    ws.store.close()
    provinces.gazetteer.cache_clear()


def test_rebuild_reads_the_dictionary_file_again(tmp_path):
    s = settings(tmp_path)
    ws = Workspace(s)
    ws.ingest_uploads([("桃溪.txt", TEXT.encode())], key=None)
    text = s.themes_file.read_text(encoding="utf-8")
    s.themes_file.write_text(
        text.replace("aliases: [新质生产力]", "aliases: [新质生产力, 全镇大会]", 1), encoding="utf-8"
    )
    assert ws.rebuild(key=None) == 1
    assert "全镇大会" in {a for t in ws.themes for a in t.aliases}
    assert int(ws.top_themes(None, n=1)["count"].iloc[0]) == 2
    ws.store.close()


# ---------------------------------------------------------------- one workspace and one watcher per process
def watchers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "policy-inbox" and t.is_alive()}


def test_shared_workspace_and_a_single_watcher(tmp_path):
    s = settings(tmp_path)
    before = watchers()  # other tests' legacy watchers may still run in this process
    try:
        first = shared(s, watch=True)
        for _ in range(3):  # what a cache clear used to do: build again, start again
            assert shared(s, watch=True) is first
        assert len(watchers() - before) == 1
        other = shared(dataclasses.replace(s, db=tmp_path / "other.duckdb"), watch=True)
        assert other is not first  # tests switching stores get a new one, the old watcher stops
        assert len(watchers() - before) == 1
    finally:
        reset_shared()
    assert not watchers() - before


# ---------------------------------------------------------------- pages use the one door
def _analysis_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of analysis/ in a file; `from analysis import x` counts as
    analysis.x, so a whole engine module cannot slip in through the package."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "analysis":
                found += [(node.lineno, f"analysis.{a.name}") for a in node.names]
            elif node.module.startswith("analysis."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "analysis"]
    return found


def _page_door_allows(module: str) -> bool:
    return module in {"analysis.workspace", "analysis.models", "analysis.views"} or module.startswith(
        "analysis.views."
    )


def test_the_page_door_allow_list():
    assert _page_door_allows("analysis.views.compare") and _page_door_allows("analysis.models")
    assert not _page_door_allows("analysis.themes") and not _page_door_allows("analysis.viewsx")
    assert not _page_door_allows("analysis")  # `import analysis` would reach every module


def test_pages_import_only_the_facade_views_and_records():
    """Every page, page helper and dashboard.py takes from analysis/ only the facade
    (analysis.workspace), the view functions (analysis.views) and plain records
    (analysis.models), at the top or inside a function; no name dispatch."""
    import ast

    root = Path(__file__).resolve().parents[1]
    files = [*sorted((root / "app_pages").glob("*.py")), root / "dashboard.py"]
    assert len(files) > 10
    wrong = [
        f"{p.name}:{line} {mod}"
        for p in files
        for line, mod in _analysis_imports(p)
        if not _page_door_allows(mod)
    ]
    assert wrong == []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr":
                raise AssertionError(f"{path.name}: getattr dispatch at line {node.lineno}")


def test_a_dashboard_import_leaves_duckdb_threads_to_the_sessions(tmp_path, monkeypatch):
    """A command-line import keeps DuckDB on the cores its parse workers leave free; the
    setting is process-wide, so in the dashboard every editor's query would run on one
    thread until the import ended. The Workspace's imports leave it alone."""
    from analysis.engine import Engine
    from analysis.store import Store

    asked: list[int | None] = []
    real = Store.bulk

    def bulk(self, wal="1GB", threads=None, **kw):
        asked.append(threads)
        return real(self, wal, threads, **kw)

    monkeypatch.setattr(Store, "bulk", bulk)
    ws = Workspace(settings(tmp_path))
    during: list[int] = []
    ws.ingest_uploads(
        [("a.txt", TEXT.encode())], key=None, progress=lambda *_: during.append(_threads(ws.store))
    )
    assert asked == [None] and during and set(during) == {_threads(ws.store)}
    ws.store.close()
    cli = Engine(Store(tmp_path / "cli.duckdb"), workers=1)
    cli.ingest_uploads([("b.txt", TEXT.encode())])
    assert asked == [None, max(1, (os.cpu_count() or 1) - 1)]
    cli.store.close()


def _threads(store) -> int:
    return int(store.cur().execute("SELECT current_setting('threads')").fetchall()[0][0])
