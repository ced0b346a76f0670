"""Worker processes with a deadline per file, so no document can freeze the dashboard.

Python's `re` (and any parser) holds the GIL while it works: a file that takes minutes
to parse in the dashboard's own process stops every session and `/_stcore/health`.
Parsing therefore always runs in child processes, even for one uploaded file, and a
child that overruns its deadline is killed; the caller refuses that file and goes on.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux; elsewhere only the
    check below). A worker blocks on its task pipe, which it holds open itself, so without
    this a SIGKILLed ingest left its workers alive for good.

    The signal fires when the parent *thread* that forked this process exits. The pools
    here are made, fed and closed by one call in one thread (Engine._ingest, run_alone),
    and ProcessPoolExecutor forks every worker in the thread of the first submit, so no
    worker of a pool in use can lose its forking thread early."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc.prctl: the check below still helps
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _worker_start(parent: int) -> None:
    die_with_parent(parent)
    # Workers are forked from a threaded parent (the dashboard's server, DuckDB's threads).
    # Objects inherited from it go to the permanent generation, so this child's garbage
    # collector never finalises one whose C++ state belongs to a parent thread (seen as a
    # segfault inside a collection); objects the child makes are collected as usual.
    gc.freeze()


def new_pool(size: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(size, initializer=_worker_start, initargs=(os.getpid(),))


class Overrun(Exception):
    """A worker did not finish in time (or died); str(e) is the reason shown to editors."""


def overrun_reason(seconds: float) -> str:
    return f"解析超过 {seconds:g} 秒仍未完成，已停止（文件结构异常，可能是恶意构造）"


def _kill(pool: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor cannot cancel a running task (Python 3.11 has no
    # terminate_workers): kill its processes, then let it clean up without waiting.
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def _await(fut: Future, seconds: float, deadline: float) -> Any:
    try:
        return fut.result(timeout=seconds)
    except FutureTimeout:
        raise Overrun(overrun_reason(deadline)) from None
    except BrokenProcessPool:
        raise Overrun("解析进程异常退出（文件可能已损坏或过大）") from None


# A stuck file in a task of 100 files would otherwise be noticed after 100 deadlines (at the
# default 60 s, 100 minutes): the wait is capped at what a task of 25 files had.
WAIT_FILES = 25


class DeadlinePool:
    """A process pool whose results are awaited with a deadline of `seconds` per file."""

    def __init__(self, size: int, seconds: float):
        self.size = max(1, size)
        self.seconds = seconds
        self._pool = new_pool(self.size)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(fn, *args)

    def result(self, fut: Future, files: int) -> Any:
        """The task's result, waiting at most `seconds` per file it holds, and no more than
        WAIT_FILES files' worth; Overrun otherwise. A task of many quick files that overruns
        costs only time: the caller runs its files again one at a time, each with `seconds`."""
        return _await(fut, self.seconds * max(1, min(files, WAIT_FILES)), self.seconds)

    def restart(self) -> None:
        """Kill every worker (tasks in flight are lost) and start fresh ones."""
        _kill(self._pool)
        self._pool = new_pool(self.size)

    def run_alone(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one task in a process of its own with the per-file deadline; Overrun on expiry."""
        single = new_pool(1)
        try:
            return _await(single.submit(fn, *args), self.seconds, self.seconds)
        finally:
            _kill(single)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
