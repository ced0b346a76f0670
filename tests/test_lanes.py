"""The lane lists in helpers.py name tests that exist (a renamed test must not slip into
the fast lane unnoticed), and the markers reach the tests."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import BROWSER, SLOW, listed

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", BROWSER + SLOW)
def test_every_listed_test_exists(name):
    module, _, test = name.partition("::")
    path = TESTS / module
    assert path.is_file(), name
    if test:
        assert re.search(rf"^(async )?def {re.escape(test)}\(", path.read_text(encoding="utf-8"), re.M), name


def test_markers_are_declared_in_pyproject():
    text = (TESTS.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"browser:' in text and '"slow:' in text


def test_a_listed_file_or_test_is_matched_with_its_parameters():
    def item(path: str, name: str) -> SimpleNamespace:
        return SimpleNamespace(path=TESTS / path, originalname=name)

    assert listed(item("test_deck_render.py", "test_anything"), SLOW)  # a whole file
    assert listed(item("test_hardening.py", "test_sigkill_during_ingest_leaves_only_whole_articles"), SLOW)
    assert not listed(item("test_hardening.py", "test_sigkill"), SLOW)
    assert not listed(item("test_store.py", "test_pins"), SLOW + BROWSER)
