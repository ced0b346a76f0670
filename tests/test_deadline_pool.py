"""The worker pool's deadline: a stuck task is given up on after its files' deadlines,
but never after more than WAIT_FILES files' worth however many files it holds."""

from __future__ import annotations

import time

import pytest

from analysis.deadline_pool import WAIT_FILES, DeadlinePool, Overrun


def test_a_stuck_task_of_many_files_is_given_up_after_the_capped_wait():
    pool = DeadlinePool(1, 0.1)
    try:
        start = time.perf_counter()
        with pytest.raises(Overrun):
            pool.result(pool.submit(time.sleep, 30), files=1000)  # uncapped: 100 s
        waited = time.perf_counter() - start
        assert 0.1 * WAIT_FILES - 0.05 <= waited < 0.1 * WAIT_FILES + 2.0
        pool.restart()
        assert pool.result(pool.submit(sum, [1, 2, 3]), files=1000) == 6  # fresh workers work
    finally:
        pool.restart()
        pool.close()


def test_a_task_of_few_files_waits_their_deadlines_only():
    pool = DeadlinePool(1, 0.2)
    try:
        start = time.perf_counter()
        with pytest.raises(Overrun):
            pool.result(pool.submit(time.sleep, 30), files=2)
        assert time.perf_counter() - start < 0.4 + 2.0
    finally:
        pool.restart()
        pool.close()
