"""Progress on the command line: a tqdm bar on stderr when stderr is a terminal.

The engine reports (done, total, current name) through its Progress callback; this turns
that into files done/total, rate and ETA. Off for pipes, logs and --quiet, so scripts
reading stdout (or stderr) never see carriage returns.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO


class Bar:
    """A callable Progress that draws a bar; use as a context manager so it is closed."""

    def __init__(
        self, desc: str, *, enabled: bool | None = None, unit: str = "篇", stream: TextIO | None = None
    ):
        self.stream = stream or sys.stderr
        on = self.stream.isatty() if enabled is None else enabled
        self._bar = None
        if on:
            from tqdm import tqdm

            self._bar = tqdm(desc=desc, unit=unit, file=self.stream, dynamic_ncols=True, leave=True)

    def __call__(self, done: int, total: int, name: str = "") -> None:
        if self._bar is None:
            return
        if self._bar.total != total:
            self._bar.total = total
        self._bar.update(max(0, done - self._bar.n))
        if name:
            self._bar.set_postfix_str(name[-30:], refresh=False)

    def write(self, line: str) -> None:
        """A line (a failure) printed above the bar instead of through it."""
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def cli_bar(args, desc: str, unit: str = "篇") -> Bar:
    """The bar for a command: off with --quiet, --format json keeps it (it is on stderr)."""
    return Bar(desc, enabled=False if getattr(args, "quiet", False) else None, unit=unit)
