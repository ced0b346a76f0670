"""Starting the dashboard as a child process: the browser tests and the load and memory scripts.

One way to run it (`streamlit run dashboard.py` headless on 127.0.0.1, a free port, no usage
statistics) so that what the tests check is what the scripts measure. The child gets its own
process group, so stopping it also stops anything it started (the import pool).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# For Playwright's wait_for_function: true once a page's script run is over. Streamlit's app
# root says so in data-test-script-state ("initial" before the first run, "running", then
# "notRunning"); the status widget (Running, Connecting, Stop) is the fallback where it is
# missing. The status widget alone said "idle" as soon as a page's title was drawn, before
# its running indicator showed: at 1M articles the next page was opened while this one still
# ran, runs piled up in the server, and one page later seemed to stall for 5-11 s.
# Idle must hold for 250 ms, so a rerun a page asks for at once is waited for as well.
PAGE_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute("data-test-script-state");
  const w = document.querySelector('[data-testid="stStatusWidget"]');
  const idle = state ? state === "notRunning" && app.getAttribute("data-test-connection-state") === "CONNECTED"
                     : !w || !/Running|Connecting|Stop/.test(w.innerText || "");
  if (!idle) { window.__policyIdleSince = 0; return false; }
  window.__policyIdleSince = window.__policyIdleSince || performance.now();
  return performance.now() - window.__policyIdleSince >= 250;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dashboard_command(port: int, script: str = "dashboard.py") -> list[str]:
    """The command line of a headless dashboard on 127.0.0.1:port (script: another
    Streamlit script, for the launcher's own tests)."""
    return [
        *(sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true"),
        *("--server.address", "127.0.0.1", "--server.port", str(port)),
        *("--browser.gatherUsageStats", "false"),
    ]


def start(
    db: Path | str,
    log_path: Path | None = None,
    *,
    seconds: float = 40,
    env: Mapping[str, str] | None = None,
    script: str = "dashboard.py",
) -> tuple[subprocess.Popen, str]:
    """Start the dashboard on store `db` (POLICY_DB) and wait until /_stcore/health says ok;
    `env` adds to the environment. Returns (process, base URL). Output goes to log_path (or nowhere). RuntimeError when the
    child exits early or is not healthy within `seconds` (the child is stopped then)."""
    port = free_port()
    out = log_path.open("wb") if log_path is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            dashboard_command(port, script),
            cwd=ROOT,
            env={**os.environ, **(env or {}), "POLICY_DB": str(db)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log_path is not None:
            out.close()  # type: ignore[union-attr]  # the child holds its own copy
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}: {log_path}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, base
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"streamlit did not become healthy within {seconds:.0f} s")
        time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    """Stop the dashboard's whole process group: politely, then for good after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@contextlib.contextmanager
def dashboard(db: Path | str, log_path: Path | None = None, **env: str) -> Iterator[str]:
    """A running dashboard on store `db` for the duration of the block; yields its base URL."""
    proc, base = start(db, log_path, env=env)
    try:
        yield base
    finally:
        stop(proc)
