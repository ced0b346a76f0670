"""What keeps ten editors' page runs from waiting on each other (issue 16): settings and
caches that make one session's run cheap for everyone else."""

from __future__ import annotations

import tomllib

from helpers import ROOT


def test_no_full_garbage_collection_after_every_run():
    # Streamlit's default (runner.postScriptGC = true) runs gc.collect(2) after each script
    # run; on this app's heap that held the GIL 80-140 ms per run, every other session waiting.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
