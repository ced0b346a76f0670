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
from helpers import SAMPLE_FILES

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR
from analysis.store import Store


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory) -> Iterator[Engine]:
    """The five sample articles, ingested once; tests must not change this store."""
    store = Store(tmp_path_factory.mktemp("samples") / "samples.duckdb")
    engine = Engine(store, workers=1)
    results = engine.ingest_paths([SAMPLES_DIR])
    assert [(r.name, r.status) for r in results] == [(n, "新增") for n in SAMPLE_FILES]
    yield engine
    store.close()


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
# `scripts/test.sh --fast` runs `-m "not browser and not slow"`; `scripts/test.sh` runs all.
# browser: starts headless Chromium against a live dashboard. slow: more than a few seconds
# (kills, fuzzing with time limits, Chromium for PNGs, LibreOffice, network, benchmarks).
# Listed here, in one place, by file name or file::test (a test's parameters included);
# a test file may also mark itself. tests/test_lanes.py checks that every name exists.
BROWSER = ("test_browser.py", "test_xss.py", "test_present_browser.py")
SLOW = (
    "test_redos.py",
    "test_deck_render.py",
    "test_bench.py::test_bench_json_small",
    "test_cli.py::test_counts_subprocess_on_a_fresh_db",
    "test_dependencies.py::test_no_known_vulnerabilities",
    "test_dictionary_counts.py::test_a_kill_during_a_save_is_in_step_or_fixed_on_next_open",
    "test_export.py::test_png_size_and_format",
    "test_export.py::test_png_draws_distinct_chinese_glyphs",
    "test_export.py::test_png_height_from_figure",
    "test_hardening.py::test_hostile_file_refused_store_unchanged",
    "test_hardening.py::test_a_file_that_parses_forever_is_refused_and_the_rest_go_in",
    "test_hardening.py::test_sigkill_during_ingest_leaves_only_whole_articles",
    "test_hardening.py::test_readers_never_see_half_an_article",
    "test_hardening.py::test_second_process_gets_a_clear_message",
    "test_hardening.py::test_cli_ingests_through_the_running_dashboard",
    "test_pages_analysis.py::test_compare_boilerplate_toggle_and_url",
    "test_pages_analysis.py::test_wordcloud_words_and_themes",
    "test_pages_analysis.py::test_compare_two_largest_provinces",
    "test_pages_analysis.py::test_compare_two_periods",
    "test_pages_analysis.py::test_png_is_made_only_when_asked",
    "test_pages_traps.py::test_clearing_the_caches_builds_no_second_engine_or_watcher",
    "test_tables.py::test_rows_stream_in_bounded_memory",
    "test_views.py::test_emerging",
    "test_views.py::test_every_view_is_json",
)


def _listed(item: pytest.Item, names: tuple[str, ...]) -> bool:
    module = item.path.name
    test = f"{module}::{item.originalname}" if hasattr(item, "originalname") else ""
    return module in names or test in names


def pytest_collection_modifyitems(config, items: list[pytest.Item]) -> None:
    for item in items:
        if _listed(item, BROWSER):
            item.add_marker(pytest.mark.browser)
        if _listed(item, SLOW):
            item.add_marker(pytest.mark.slow)
