"""word_sums stays equal to the words table summed per province × word, whatever writes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.engine import Engine
from analysis.settings import SAMPLES_DIR
from analysis.store import Store, word_sums
from analysis.words_later import fill_words, ingest_themes_first

SUMS = """SELECT province, word, sum(n)::BIGINT AS n, sum(rows)::BIGINT AS rows FROM word_sums
          GROUP BY ALL HAVING sum(rows) <> 0 ORDER BY ALL"""
TRUTH = """SELECT province, word, sum(n)::BIGINT AS n, count(*)::BIGINT AS rows FROM words
           GROUP BY ALL ORDER BY ALL"""


def in_step(store: Store) -> pd.DataFrame:
    truth = store.df(TRUTH)
    pd.testing.assert_frame_equal(store.df(SUMS), truth)
    return truth


@pytest.fixture
def eng(tmp_path):
    engine = Engine(Store(tmp_path / "s.duckdb"), workers=1)
    engine.ingest_paths([SAMPLES_DIR])
    yield engine
    engine.store.close()


def test_an_ingest_writes_the_sums_with_the_words(eng: Engine) -> None:
    truth = in_step(eng.store)
    assert len(truth) > 1000 and eng.store.word_sums_ready
    # one known figure, counted by hand from the words table's own rows
    row = truth[(truth["province"] == "广东") & (truth["word"] == "营商环境")]
    direct = eng.store.df(
        "SELECT sum(n)::BIGINT AS n, count(*) AS rows FROM words WHERE province = '广东' AND word = '营商环境'"
    )
    assert [int(row["n"].iloc[0]), int(row["rows"].iloc[0])] == [int(direct["n"][0]), int(direct["rows"][0])]


def test_a_rebuild_makes_them_anew_in_one_pass(eng: Engine) -> None:
    truth = in_step(eng.store)
    eng.rebuild()  # inside one bulk block: no delta per batch, the sums made once at its end
    assert eng.store.scalar("SELECT count(*) FROM word_sums") == len(truth)
    pd.testing.assert_frame_equal(in_step(eng.store), truth)


def test_override_rebuild_delete_and_edit_keep_them_in_step(eng: Engine) -> None:
    store = eng.store
    aid, sidx, prov = store.row(
        "SELECT article_id, idx, province FROM sections ORDER BY article_id, idx LIMIT 1"
    )
    other = "海南" if prov != "海南" else "广东"
    before = store.df(TRUTH)
    eng.override_section(aid, int(sidx), other)
    after = in_step(store)
    assert not after.equals(before)  # the override moved words to another province
    eng.override_section(aid, int(sidx), None)
    pd.testing.assert_frame_equal(in_step(store), before)
    eng.rebuild()
    pd.testing.assert_frame_equal(in_step(store), before)
    eng.edit_article(aid, title="改过的标题")
    in_step(store)
    victim = store.row("SELECT id FROM articles ORDER BY id DESC LIMIT 1")[0]
    assert store.delete_article(victim)
    in_step(store)
    assert store.scalar("SELECT count(*) FROM words WHERE article_id = ?", [victim]) == 0


def test_compaction_folds_the_deltas_into_one_row_per_key(eng: Engine, monkeypatch) -> None:
    store = eng.store
    for aid, sidx, prov in store.cur().execute("SELECT article_id, idx, province FROM sections").fetchall():
        # each override takes an article's sums out and puts them back: deltas pile up
        eng.override_section(aid, int(sidx), "海南" if prov != "海南" else "广东")
        eng.override_section(aid, int(sidx), None)
    rows_before = store.scalar("SELECT count(*) FROM word_sums")
    keys = store.scalar("SELECT count(*) FROM (SELECT DISTINCT province, word FROM words)")
    assert rows_before > keys
    monkeypatch.setattr(word_sums, "COMPACT_AFTER", 0)
    victim = store.row("SELECT id FROM articles ORDER BY id LIMIT 1")[0]
    store.delete_article(victim)  # a delete only adds its (negated) deltas
    with store.bulk():
        pass  # a bulk import's end compacts
    assert store.scalar("SELECT count(*) FROM word_sums") == store.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT province, word FROM words)"
    )
    in_step(store)


def test_words_filled_later_add_their_sums(tmp_path) -> None:
    engine = Engine(Store(tmp_path / "later.duckdb"), workers=1)
    ingest_themes_first(engine, [SAMPLES_DIR])
    assert engine.store.scalar("SELECT count(*) FROM word_sums") == 0
    fill_words(engine, batch=2)
    assert len(in_step(engine.store)) > 1000
    engine.store.close()


def test_a_store_from_before_the_sums_gets_them_on_opening(eng: Engine) -> None:
    store = eng.store
    truth = store.df(TRUTH)
    with store.atomic() as cur:
        cur.execute("DELETE FROM word_sums")
        cur.execute("DELETE FROM store_meta WHERE key = ?", [word_sums.READY])
    path = store.path
    store.close()
    ro = Store(path, read_only=True)  # read-only: nothing built, readers must not use the sums
    assert ro.word_sums_ready is False
    ro.close()
    again = Store(path)
    assert again.word_sums_ready is True
    pd.testing.assert_frame_equal(in_step(again), truth)
    eng.store = again  # the fixture closes it


def _new_upload() -> tuple[str, bytes]:
    """A text no sample has (so a new article), with words of its own."""
    name = sorted(p.name for p in SAMPLES_DIR.glob("*.txt"))[0]
    text = (SAMPLES_DIR / name).read_text(encoding="utf-8")
    return "新.txt", (text + "\n\n琼州海峡两岸联动发展低空经济，海口江东新区建设再提速。\n").encode()


def test_a_bulk_import_sums_its_words_at_the_end_and_meanwhile_says_they_are_stale(eng: Engine) -> None:
    """A bulk import appends word rows without sums and sums them once at its end (a few
    articles into a larger store: only theirs). Meanwhile store_meta says stale, so a
    killed import leaves sums the next opening rebuilds, never wrong ones."""
    store = eng.store
    seen: list[tuple[str | None, bool]] = []
    eng.ingest_uploads(
        [_new_upload()],
        progress=lambda *_: seen.append((store.meta_value(word_sums.READY), store.word_sums_ready)),
    )
    assert seen and set(seen) == {("0", False)}
    assert store.meta_value(word_sums.READY) == "1" and store.word_sums_ready
    truth = in_step(store)
    assert "海口" in set(truth["word"]) or "江东新区" in set(truth["word"])


def test_an_article_of_a_running_bulk_import_changed_before_its_end(eng: Engine) -> None:
    """Rows a bulk import appended have no sums yet: an override or delete meanwhile must not
    subtract sums that were never added."""
    store = eng.store
    with store.bulk():
        [res] = eng.ingest_uploads([_new_upload()])
        sidx, prov = store.row(
            "SELECT idx, province FROM sections WHERE article_id = ? LIMIT 1", [res.article_id]
        )
        eng.override_section(res.article_id, int(sidx), "海南" if prov != "海南" else "广东")
        old = store.row("SELECT id FROM articles WHERE id <> ? ORDER BY id LIMIT 1", [res.article_id])[0]
        assert store.delete_article(old)
    in_step(store)
    with store.bulk():
        assert store.delete_article(res.article_id)
    in_step(store)
