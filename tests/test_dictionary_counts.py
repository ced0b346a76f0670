"""The dictionary file and the counts made with it stay in step (issue 12 item 4).

The store keeps the hash of the dictionary its hits were counted with; a save writes the
file inside the recount's transaction; a failure says what was kept; a kill leaves file
and counts in step or detectably out of step and fixed on the next open.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis.engine import Engine
from analysis.models import Theme, dictionary_hash
from analysis.settings import SAMPLES_DIR, THEMES_FILE
from analysis.store import Store
from analysis.themes import ThemeError, load_themes

ROOT = Path(__file__).resolve().parents[1]
OLD = load_themes(THEMES_FILE)
NEW = OLD[:-3]  # three themes fewer: their hits must go


def hits_rows(store: Store) -> list[tuple]:
    return store.cur().execute("SELECT * FROM hits ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, list[tuple]]:
    """Hits of a clean import of the samples under each dictionary."""
    out = {}
    for name, themes in (("old", OLD), ("new", NEW)):
        store = Store(tmp_path_factory.mktemp(name) / "ref.duckdb")
        Engine(store, themes=themes, workers=1).ingest_paths([SAMPLES_DIR])
        out[name] = hits_rows(store)
        store.close()
    assert len(out["old"]) > len(out["new"]) > 100
    return out


@pytest.fixture
def saved(tmp_path, sample_db) -> tuple[Path, Path]:
    """A dictionary file (the bundled one) and a store of the samples counted with it (a copy
    of the session's samples store, which was counted with the bundled dictionary)."""
    themes_file = tmp_path / "themes.yaml"
    themes_file.write_bytes(THEMES_FILE.read_bytes())
    db = tmp_path / "s.duckdb"
    shutil.copy(sample_db, db)
    return themes_file, db


@pytest.fixture
def opened(saved) -> Iterator[tuple[Path, Store]]:
    """The dictionary file and the store of `saved`, open for the test and closed after it."""
    themes_file, db = saved
    store = Store(db)
    yield themes_file, store
    store.close()


def test_the_counts_carry_the_hash_of_their_dictionary(opened, reference):
    themes_file, store = opened
    eng = Engine(store, workers=1, themes_file=themes_file)
    assert store.counted_dictionary() == dictionary_hash(OLD) and eng.dictionary_in_step()
    assert eng.save_dictionary(NEW) == 5
    assert store.counted_dictionary() == dictionary_hash(NEW) != dictionary_hash(OLD)
    assert load_themes(themes_file) == NEW
    assert hits_rows(store) == reference["new"]


def _unchanged(store: Store, themes_file: Path, before: bytes, reference) -> None:
    assert themes_file.read_bytes() == before
    assert store.counted_dictionary() == dictionary_hash(OLD)
    assert hits_rows(store) == reference["old"]
    assert store.themes_df()["id"].tolist() == [t.id for t in OLD]


def test_a_full_disk_when_writing_the_file_keeps_both_and_says_so(opened, reference, monkeypatch):
    themes_file, store = opened
    before = themes_file.read_bytes()

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("analysis.themes.write_atomic", full)
    eng = Engine(store, workers=1, themes_file=themes_file)
    with pytest.raises(ThemeError) as err:
        eng.save_dictionary(NEW)
    assert err.value.problems == ["无法写入词典文件 themes.yaml（磁盘空间不足）；词典文件和统计都保持原样"]
    _unchanged(store, themes_file, before, reference)
    assert eng.themes == OLD


def test_a_failed_recount_leaves_the_file_alone(opened, reference, monkeypatch):
    themes_file, store = opened
    before = themes_file.read_bytes()
    eng = Engine(store, workers=1, themes_file=themes_file)

    def broken(batches):
        next(iter(batches))
        raise duckdb.IOException("could not write file: No space left on device")

    monkeypatch.setattr(store, "replace_all_hits", broken)
    with pytest.raises(ThemeError) as err:
        eng.save_dictionary(NEW)
    assert err.value.problems[0].startswith("重新统计失败（could not write file")
    assert err.value.problems[0].endswith("；词典文件和统计都保持原样")
    _unchanged(store, themes_file, before, reference)


def test_a_failure_after_the_file_was_written_puts_the_file_back(opened, reference):
    themes_file, store = opened
    before = themes_file.read_bytes()
    eng = Engine(store, workers=1, themes_file=themes_file)
    seen = []

    def record(path: Path) -> None:
        seen.append(load_themes(path))  # the new file is in place here …
        raise duckdb.IOException("disk full")  # … and the commit fails

    with pytest.raises(ThemeError) as err:
        eng.save_dictionary(NEW, record=record)
    assert seen == [NEW]
    assert err.value.problems == ["保存统计时出错（disk full）；词典文件已恢复为原词典，统计保持原样"]
    _unchanged(store, themes_file, before, reference)


def test_an_engine_with_an_old_dictionary_takes_up_the_saved_one_before_importing(opened, reference):
    themes_file, store = opened
    stale = Engine(store, workers=1, themes_file=themes_file)
    Engine(store, workers=1, themes_file=themes_file).save_dictionary(NEW)
    assert not stale.dictionary_in_step()
    [r] = stale.ingest_uploads([("新.txt", "## 广东\n\n广东优化营商环境。".encode())])
    assert r.status == "新增" and stale.themes == NEW and stale.dictionary_in_step()
    assert store.counted_dictionary() == dictionary_hash(NEW)
    assert [h for h in hits_rows(store) if h[0] != r.article_id] == reference["new"]
    got = store.df("SELECT theme_id, n FROM hits WHERE article_id = ?", [r.article_id])
    assert got.values.tolist() == [["business_environment", 1]]


def test_a_broken_file_does_not_stop_imports(opened, reference):
    themes_file, store = opened
    eng = Engine(store, workers=1, themes_file=themes_file)
    eng.themes = NEW  # in memory only: the counts are out of step
    themes_file.write_text("themes: [", encoding="utf-8")
    note = eng.sync_dictionary()
    assert note.startswith("词典文件无法读取（") and note.endswith("），已按当前使用的词典重新统计")
    assert eng.dictionary_in_step() and hits_rows(store) == reference["new"]


def test_a_hand_edited_file_is_recounted_on_open(opened, reference):
    themes_file, store = opened
    from analysis.themes import save_themes

    save_themes(NEW, themes_file)  # edited outside the dashboard
    assert store.counted_dictionary() == dictionary_hash(OLD)
    eng = Engine(store, workers=1, themes_file=themes_file)
    assert eng.dictionary_in_step() and hits_rows(store) == reference["new"]


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import analysis.engine as engine
    from analysis.store import Store
    from analysis.themes import load_themes

    db, themes_file, point = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

    def pause(label):
        print(label, flush=True)
        time.sleep(120)

    if point == "recount":
        real = engine.recounted_hits
        def slow(rows, count):
            out = real(rows, count)
            pause("PAUSED")
            return out
        engine.recounted_hits = slow
    else:
        real_save = engine.save_themes
        def then_pause(themes, path=None):
            real_save(themes, path)
            pause("PAUSED")
        engine.save_themes = then_pause
    eng = engine.Engine(Store(db), workers=1, themes_file=themes_file)
    eng.save_dictionary(load_themes(themes_file)[:-3])
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["recount", "after_file_written"])
def test_a_kill_during_a_save_is_in_step_or_fixed_on_next_open(saved, reference, point):
    themes_file, db = saved
    before = themes_file.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(themes_file), point],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().decode().strip() == "PAUSED"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    store = Store(db)
    try:
        if point == "recount":  # killed before the file was written: nothing changed
            _unchanged(store, themes_file, before, reference)
        else:  # the file is ahead of the counts, and the store knows it
            assert load_themes(themes_file) == NEW
            assert store.counted_dictionary() == dictionary_hash(OLD) != dictionary_hash(NEW)
            assert hits_rows(store) == reference["old"]
        eng = Engine(store, workers=1, themes_file=themes_file)  # the next start
        assert eng.dictionary_in_step()
        want = "old" if point == "recount" else "new"
        assert hits_rows(store) == reference[want]
    finally:
        store.close()


def test_a_dictionary_with_a_new_field_gets_a_new_hash():
    a = Theme("a", "营商环境", "营商", ("营商环境",))
    assert dictionary_hash([a]) == dictionary_hash([Theme("a", "营商环境", "营商", ("营商环境",))])
    assert dictionary_hash([a]) != dictionary_hash([Theme("a", "营商环境", "营商", ("营商环境", "营商"))])
    assert dictionary_hash([a]) != dictionary_hash([Theme("a", "营商环境", "营商", ("营商环境",), "说明")])
