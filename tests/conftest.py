"""Shared fixtures: a store holding the bundled samples, and fresh empty stores.

Each fixture opens its own DuckDB file through Store (not open_store), so tests never
share the process-wide connection cache the CLI and the dashboard use.
"""
from __future__ import annotations

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
