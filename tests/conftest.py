"""Shared fixtures: a store holding the bundled samples, and fresh empty stores.
Helpers that test files share (sample names, document makers, the live server) are in
helpers.py.

Each fixture opens its own DuckDB file through Store (not open_store), so tests never
share the process-wide connection cache the CLI and the dashboard use.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import BROWSER, SAMPLE_FILES, SLOW, listed, sample_store

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR
from analysis.store import Store


@pytest.fixture(scope="session", autouse=True)
def sample_engine(tmp_path_factory) -> Iterator[Engine]:
    """The five sample articles, ingested once; tests must not change this store.

    Built before the first test (autouse): rjieba's user words are process-wide, and a test
    that adds a dictionary phrase would otherwise change how this store was segmented,
    depending on which tests happened to run first."""
    store = Store(tmp_path_factory.mktemp("samples") / "samples.duckdb")
    engine = Engine(store, workers=1)
    results = engine.ingest_paths([SAMPLES_DIR])
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    yield engine
    store.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A closed store file holding the samples, for page tests to copy (helpers.private_settings)."""
    return sample_store(tmp_path_factory.mktemp("template") / "samples.duckdb")


@pytest.fixture
def empty_engine(tmp_path) -> Iterator[Engine]:
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
    if status is not None and not hasattr(config, "workerinput"):  # an xdist worker must report back
        os._exit(int(status))


def pytest_sessionfinish(session, exitstatus) -> None:
    session.config._policy_exitstatus = exitstatus


# ---------------------------------------------------------------- test lanes
# Which tests are browser or slow is listed in helpers.py (BROWSER, SLOW).


def pytest_collection_modifyitems(config, items: list[pytest.Item]) -> None:
    for item in items:
        if listed(item, BROWSER):
            item.add_marker(pytest.mark.browser)
        if listed(item, SLOW):
            item.add_marker(pytest.mark.slow)
