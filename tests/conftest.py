"""Shared fixtures: a store holding the bundled samples, and fresh empty stores.

Each fixture opens its own DuckDB file through Store (not open_store), so tests never
share the process-wide connection cache the CLI and the dashboard use.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR
from analysis.store import Store

S000 = "000_5b1d72ed28b85adc.txt"
S001 = "001_f52397519f269920.txt"
S002 = "002_97a22416d0fa03dc.txt"
S003 = "003_e2fcacf149f9e963.txt"
S004 = "004_3ba7f582877c7687.txt"
SAMPLE_FILES = (S000, S001, S002, S003, S004)


def sample_text(name: str) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """The text with all whitespace removed, computed here independently of analysis/."""
    return re.sub(r"\s+", "", text)


def article_id(engine: Engine, source: str) -> str:
    ids = engine.store.df("SELECT id FROM articles WHERE source = ?", [source])["id"].tolist()
    assert len(ids) == 1, (source, ids)
    return ids[0]


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory) -> Engine:
    """The five sample articles, ingested once; tests must not change this store."""
    store = Store(tmp_path_factory.mktemp("samples") / "samples.duckdb")
    engine = Engine(store, workers=1)
    results = engine.ingest_paths([SAMPLES_DIR])
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    yield engine
    store.close()


@pytest.fixture
def empty_engine(tmp_path) -> Engine:
    store = Store(tmp_path / "empty.duckdb")
    engine = Engine(store, workers=1)
    yield engine
    store.close()


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES_DIR


def pytest_unconfigure(config) -> None:
    """Leave without interpreter teardown once pytest has printed its summary.

    DuckDB's nanobind bindings print "leaked instances" warnings when the interpreter
    tears down with connections still referenced by Streamlit's caches and daemon
    threads; they would bury pytest's closing line. Nothing is left to clean up here.
    """
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    status = getattr(config, "_policy_exitstatus", None)
    if status is not None:
        os._exit(int(status))


def pytest_sessionfinish(session, exitstatus) -> None:
    session.config._policy_exitstatus = exitstatus


# ---------------------------------------------------------------- the app, in AppTest and live
APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def open_page(page: str, **params: str):
    """Run dashboard.py in AppTest with URL parameters, switched to page; no exception allowed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path, log_path: Path, **env_extra: str):
    """`streamlit run dashboard.py` on 127.0.0.1 with POLICY_DB=db; yields the base URL.

    Waits (bounded) for /_stcore/health, and stops the whole process group afterwards.
    """
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    root = Path(APP).parent
    env = dict(os.environ, POLICY_DB=str(db), POLICY_WORKERS="1", **env_extra)
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 40
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"streamlit exited early with code {proc.returncode}: {log_path}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.read().decode().strip() == "ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("streamlit did not become healthy within 40 s")
                time.sleep(0.3)
            yield base
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
