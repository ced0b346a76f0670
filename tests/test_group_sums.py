"""group_sums answer theme_counts, chars_by, monthly and hit_stats exactly as the stored rows
do, after every kind of write: import, bulk import, delete, an editor's province, a date
edit, a recount, a rebuild, an old store opened again, a killed import."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from functools import partial

import pandas as pd
import pytest
from helpers import S002, S004, S004_PROVINCES

from analysis.engine import Engine, prepare
from analysis.ingest import RawDoc
from analysis.models import Filters
from analysis.pipeline import Meta
from analysis.store import Store, group_sums
from analysis.themes import load_themes

THEMES = tuple(load_themes())
DAY, NEXT = dt.date(2024, 3, 5), dt.date(2024, 3, 6)
# Two compilations with text in 广东 and 湖北 on one date (an article in two provinces is one
# article over all provinces), national text, and an article without a date.
DOCS = {
    "汇编一.txt": (
        "各地两会速览\n\n【广东】\n广东持续优化营商环境，推动高质量发展，培育新质生产力。\n\n"
        "【湖北】\n湖北加快发展新质生产力，优化营商环境，推进科技创新。\n\n"
        "【浙江】\n浙江坚持数字经济一号工程，推动高质量发展，民营经济活力迸发。\n",
        NEXT,
    ),
    "汇编二.txt": (
        "各地经济观察\n\n【广东】\n广东营商环境持续改善，民营经济加快发展。\n\n"
        "【湖北】\n湖北推动高质量发展，营商环境再优化，新质生产力加快形成。\n",
        NEXT,
    ),
    "全国.txt": (
        "国务院总理在政府工作报告中说，加快发展新质生产力。\n\n要优化营商环境，推动高质量发展。\n",
        DAY,
    ),
    "无日期.txt": ("会议指出，要持续优化营商环境，激发经营主体活力，推动高质量发展。\n", None),
}
UPLOADS = [  # a bulk import on top (Engine.ingest_uploads): dated by the text
    ("广东.txt", "2024年4月1日\n\n广东加快发展新质生产力，数字经济和民营经济齐头并进，营商环境一流。\n"),
    (
        "又一篇汇编.txt",
        "2024年3月6日\n\n【湖北】\n湖北推动高质量发展。\n\n【浙江】\n浙江优化营商环境，发展数字经济。\n",
    ),
]


def parsed(name: str, text: str, day: dt.date | None):
    return prepare(RawDoc(name, text, "txt", day), Meta(date=day), None, THEMES)  # type: ignore[arg-type]


def filters(store: Store) -> list[Filters]:
    dates = [
        d for (d,) in store.cur().execute("SELECT DISTINCT date FROM articles ORDER BY 1").fetchall() if d
    ]
    provinces = [
        p for (p,) in store.cur().execute("SELECT DISTINCT province FROM units ORDER BY 1").fetchall()
    ]
    named = [p for p in provinces if p != "全国"]
    category = store.scalar("SELECT category FROM themes ORDER BY ord LIMIT 1")
    mid = dates[len(dates) // 2]
    return [
        Filters(),
        Filters(date_from=dates[0], date_to=mid),
        Filters(date_from=mid),
        Filters(date_from=dt.date(1990, 1, 1), date_to=dt.date(1990, 12, 31)),  # nothing
        Filters(provinces=(named[0],)),
        Filters(provinces=("全国",)),
        Filters(provinces=tuple(named[:2])),
        Filters(provinces=tuple(provinces)),
        Filters(categories=(category,)),
        Filters(date_from=mid, provinces=(named[-1],), categories=(category,)),
    ]


def calls(store: Store) -> Iterator[tuple[str, str, Callable[[Filters], pd.DataFrame]]]:
    """(label, the grouping the sums would answer it by, the read)."""
    ids = store.themes_df()["id"].tolist()
    some = [*ids[:3], "new_quality_productivity", "business_environment"]
    for by in ("province", "all", "month", "category"):
        route = "all" if by == "category" else by
        yield f"theme_counts {by}", route, partial(store.theme_counts, by=by)
        yield f"theme_counts {by} ids", route, partial(store.theme_counts, by=by, theme_ids=some)
    for by in ("province", "all", "month"):
        yield f"chars_by {by}", by, partial(store.chars_by, by=by)
    yield "monthly", "month", lambda f: store.monthly(f, some)  # ordered by month, theme
    yield "hit_stats phrase", "all", lambda f: store.hit_stats(f, "phrase")
    yield "hit_stats theme", "all", lambda f: store.hit_stats(f, "theme")


def _rows(df: pd.DataFrame, label: str) -> pd.DataFrame:
    if label == "monthly":
        return df
    return df.sort_values(list(df.columns), na_position="first").reset_index(drop=True)


def same_answers(store: Store) -> int:
    """Every reader × filter the sums answer: their answer equals the rows' (the flag off);
    returns how many there were (the others read the rows either way)."""
    assert store.group_sums_ready
    from_sums = 0
    try:
        for f in filters(store):
            for label, route, call in calls(store):
                if group_sums.rows_for(f, route, label != "monthly") is None:
                    continue
                store.group_sums_ready = True
                fast = call(f)
                store.group_sums_ready = False
                slow = call(f)
                pd.testing.assert_frame_equal(_rows(fast, label), _rows(slow, label), obj=f"{label} {f}")
                from_sums += 1
    finally:
        store.group_sums_ready = True
    return from_sums


def truth(s: group_sums.Sums) -> str:
    """A sums table as the rows would make it, one row per key (per province, then over all)."""
    keys = ", ".join(("date", *s.keys))
    vals = ", ".join(f"{e}::BIGINT AS {c}" for c, e in s.values)
    return f"""SELECT false AS every, province, {keys}, {vals} FROM {s.source} GROUP BY province, {keys}
               UNION ALL SELECT true, NULL, {keys}, {vals} FROM {s.source} GROUP BY {keys} ORDER BY ALL"""


def in_step(store: Store) -> None:
    """Each sums table, its deltas folded, equals its rows summed anew."""
    for s in group_sums.ALL:
        keys = ", ".join(("every", "province", "date", *s.keys))
        vals = ", ".join(f"sum({c})::BIGINT AS {c}" for c, _ in s.values)
        folded = store.df(
            f"SELECT {keys}, {vals} FROM {s.table} GROUP BY ALL HAVING sum({s.count}) <> 0 ORDER BY ALL"
        )
        pd.testing.assert_frame_equal(folded, store.df(truth(s)), obj=s.table)


def check(store: Store) -> None:
    in_step(store)
    assert same_answers(store) > 100


@pytest.fixture
def synth(tmp_path) -> Iterator[Engine]:
    store = Store(tmp_path / "synth.duckdb")
    engine = Engine(store, list(THEMES), workers=1)
    store.set_themes(THEMES)
    store.add([parsed(name, text, day) for name, (text, day) in DOCS.items()])  # no bulk block
    engine.ingest_uploads([(n, t.encode()) for n, t in UPLOADS])
    yield engine
    store.close()


@pytest.fixture
def samples(tmp_path, sample_db) -> Iterator[Engine]:
    path = tmp_path / "samples.duckdb"
    shutil.copy(sample_db, path)
    store = Store(path)
    yield Engine(store, workers=1)
    store.close()


def test_the_synthetic_store_has_what_the_sums_must_get_right(synth: Engine) -> None:
    store = synth.store
    assert store.scalar("SELECT count(*) FROM articles") == 6
    assert store.scalar("SELECT count(*) FROM articles WHERE date IS NULL") == 1
    # two articles with text in both 广东 and 湖北 on one date: one article each over all provinces
    both = store.df(
        "SELECT province, count(DISTINCT article_id) AS n FROM units WHERE date = ? AND province IN ('广东', '湖北') GROUP BY 1 ORDER BY 1",
        [NEXT],
    )
    assert both["n"].tolist() == [2, 3]  # 又一篇汇编 too, in 湖北
    assert store.scalar("SELECT count(*) FROM units WHERE province = '全国'") >= 2
    check(store)
    two = store.chars_by(Filters(provinces=("广东", "湖北"), date_from=NEXT, date_to=NEXT), "all")
    assert two["articles"].tolist() == [3]  # 汇编一, 汇编二, 又一篇汇编 (湖北): not 2 + 3


def test_delete_override_date_edit_recount_and_rebuild_keep_them_exact(synth: Engine) -> None:
    store = synth.store
    comp = store.scalar("SELECT id FROM articles WHERE source = '汇编一.txt'")
    sidx = store.scalar("SELECT min(idx) FROM sections WHERE article_id = ? AND province = '广东'", [comp])
    synth.override_section(comp, int(sidx), "湖北")  # set_override + that article's rebuild
    check(store)
    assert store.theme_counts(Filters(provinces=("广东",)), "all")["docs"].max() == 2
    rows = store.scalar("SELECT count(*) FROM phrase_sums")
    synth.edit_article(comp, title="改过的标题")  # no date moved: no deltas
    assert store.scalar("SELECT count(*) FROM phrase_sums") == rows
    synth.edit_article(comp, date=dt.date(2024, 5, 1))  # update_article -> sync_article_columns
    check(store)
    undated = store.scalar("SELECT id FROM articles WHERE date IS NULL")
    synth.edit_article(undated, date=NEXT)
    check(store)
    with store.atomic():  # an article losing its date: copies rewritten by the one sync
        store.cur().execute("UPDATE articles SET date = NULL WHERE id = ?", [comp])
        store.sync_article_columns([comp])
    check(store)
    assert store.delete_article(store.scalar("SELECT id FROM articles WHERE source = '汇编二.txt'"))
    check(store)
    synth.themes = [t for t in THEMES if t.id != "high_quality_development"]  # a dictionary edit
    synth.recount()
    assert "high_quality_development" not in set(store.hit_stats(Filters(), "theme")["theme_id"])
    check(store)
    synth.rebuild()
    check(store)


def test_the_samples_after_every_kind_of_write(samples: Engine) -> None:
    store = samples.store
    check(store)
    aid = store.scalar("SELECT id FROM articles WHERE source = ?", [S004])
    sec = int(
        store.scalar(
            "SELECT min(idx) FROM sections WHERE article_id = ? AND province = ?", [aid, S004_PROVINCES[0]]
        )
    )
    samples.override_section(aid, sec, "西藏")
    check(store)
    samples.edit_article(aid, date=dt.date(2024, 2, 19))  # the date of S002: one month fewer
    check(store)
    assert store.delete_article(store.scalar("SELECT id FROM articles WHERE source = ?", [S002]))
    check(store)
    samples.themes = [t for t in samples.themes if t.id != "business_environment"]
    samples.recount()
    check(store)


def test_the_readers_read_the_sums_where_they_answer(synth: Engine) -> None:
    # A theme put into theme_sums alone shows wherever the sums answer and nowhere else.
    store = synth.store
    with store.atomic() as cur:
        cur.execute("INSERT INTO theme_sums VALUES (false, '广东', ?, '只在汇总里', 7, 5)", [NEXT])
        cur.execute("INSERT INTO theme_sums VALUES (true, NULL, ?, '只在汇总里', 7, 5)", [NEXT])
    gd = Filters(provinces=("广东",))

    def seen(df: pd.DataFrame) -> bool:
        return "只在汇总里" in set(df["theme_id"])

    assert seen(store.theme_counts(Filters(), "province")) and seen(store.theme_counts(gd, "month"))
    assert seen(store.theme_counts(Filters(), "all")) and seen(store.hit_stats(Filters(), "theme"))
    assert seen(store.monthly(Filters(provinces=("广东", "湖北")), ["只在汇总里"]))  # sums add up
    two = Filters(provinces=("广东", "湖北"))
    assert not seen(store.theme_counts(two, "all"))  # docs would count an article twice
    assert not seen(store.theme_counts(Filters(sources=("汇编一.txt",)), "province"))  # not in the key
    assert not seen(store.hit_stats(Filters(outlets=("人民日报",)), "theme"))
    assert not seen(store.theme_counts(Filters(), "article"))
    store.group_sums_ready = False
    assert not seen(store.theme_counts(Filters(), "province"))


def test_compaction_folds_deltas_and_drops_keys_that_sum_to_nothing(synth: Engine, monkeypatch) -> None:
    store = synth.store
    for aid, sidx, prov in store.cur().execute("SELECT article_id, idx, province FROM sections").fetchall():
        synth.override_section(aid, int(sidx), "海南" if prov != "海南" else "广东")
        synth.override_section(aid, int(sidx), None)
    keys = store.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT every, province, date, theme_id, phrase FROM phrase_sums)"
    )
    assert store.scalar("SELECT count(*) FROM phrase_sums") > keys  # deltas piled up, 海南 among them
    check(store)
    monkeypatch.setattr(group_sums, "COMPACT_MIN", 0)
    synth.ingest_uploads(
        [("新.txt", "2024年6月1日\n\n海南自由贸易港建设提速，营商环境持续优化。\n".encode())]
    )
    assert store.scalar("SELECT count(*) FROM phrase_sums") == store.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT province, date, theme_id, phrase FROM hits)"
    ) + store.scalar("SELECT count(*) FROM (SELECT DISTINCT date, theme_id, phrase FROM hits)")
    assert store.scalar("SELECT count(*) FROM phrase_sums WHERE docs <= 0") == 0
    check(store)


def test_a_store_from_before_the_sums_gets_them_on_opening(synth: Engine) -> None:
    store = synth.store
    path = store.path
    with store.atomic() as cur:
        for s in group_sums.ALL:
            cur.execute(f"DROP TABLE {s.table}")
        cur.execute("DELETE FROM store_meta WHERE key = ?", [group_sums.READY])
        # rows of an older store with no province, or an empty one: keys as any other
        for table in ("units", "hits", "article_themes"):
            cur.execute(f"UPDATE {table} SET province = NULL WHERE province = '浙江'")
            cur.execute(f"UPDATE {table} SET province = '' WHERE province = '湖北'")
    store.close()
    ro = Store(path, read_only=True)  # read-only: nothing built, the readers read the rows
    assert ro.group_sums_ready is False
    assert len(ro.theme_counts(Filters(), "province")) > 10
    ro.close()
    synth.store = Store(path)  # the fixture closes it
    check(synth.store)
    groups = synth.store.chars_by(Filters(), "province")["group"].tolist()
    assert sum(pd.isna(g) for g in groups) == 1 and "" in groups
    assert synth.store.hit_stats(Filters(provinces=("",)), "phrase")["provinces"].max() == 1


_KILLED = """
import os, sys
from analysis.engine import Engine
from analysis.store import Store
store = Store(sys.argv[1])
engine = Engine(store, workers=1)
def stop(done, total, name):
    if store.article_count() >= int(sys.argv[3]):
        os._exit(0)  # killed: no end of the bulk block, no close
if sys.argv[2] == "rebuild":
    engine.rebuild(progress=stop)
else:
    engine.ingest_uploads([(f"{i}.txt", f"2024年3月{i}日\\n\\n广东推动高质量发展，营商环境第{i}。\\n".encode()) for i in range(1, 9)], progress=stop)
"""


def _killed(path, what: str, after: int) -> None:
    env = {**os.environ, "POLICY_BATCH": "1", "PYTHONPATH": os.getcwd()}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED), str(path), what, str(after)], env=env
    )
    assert done.returncode == 0


@pytest.mark.parametrize(("what", "after"), [("ingest", 9), ("rebuild", 1)])
def test_a_killed_import_or_rebuild_leaves_them_stale_and_the_next_opening_makes_them_anew(
    synth: Engine, what: str, after: int
) -> None:
    """A bulk import (or rebuild) sums its articles only at its end and says stale meanwhile:
    killed after some committed batches, its articles' rows are stored without their sums."""
    path = synth.store.path
    synth.store.close()
    _killed(path, what, after)
    ro = Store(path, read_only=True)
    assert ro.meta_value(group_sums.READY) == "0" and not ro.group_sums_ready
    assert ro.article_count() == (after if what == "ingest" else 6)
    ro.close()
    synth.store = Store(path)
    assert synth.store.group_sums_ready
    check(synth.store)


def test_articles_changed_while_a_bulk_import_runs(synth: Engine) -> None:
    """Rows a bulk import appended have no sums until its end: an override, date edit or
    delete meanwhile must not take out sums never added, and a recount meanwhile (which sums
    every hit, the import's too) leaves the end to make them all anew."""
    store = synth.store
    old = store.scalar("SELECT id FROM articles WHERE source = '汇编一.txt'")
    seen: list[tuple[str | None, bool]] = []
    with store.bulk():
        [res] = synth.ingest_uploads(
            [
                (
                    "新.txt",
                    "2024年6月1日\n\n【海南】\n海南自由贸易港营商环境持续优化。\n\n【广东】\n广东推动高质量发展。\n".encode(),
                )
            ],
            progress=lambda *_: seen.append((store.meta_value(group_sums.READY), store.group_sums_ready)),
        )
        sidx = store.scalar(
            "SELECT min(idx) FROM sections WHERE article_id = ? AND province = '海南'", [res.article_id]
        )
        synth.override_section(res.article_id, int(sidx), "湖北")
        synth.edit_article(res.article_id, date=DAY)
        synth.edit_article(old, date=dt.date(2024, 7, 1))  # summed before: out and in now
        assert store.delete_article(store.scalar("SELECT id FROM articles WHERE source = '汇编二.txt'"))
    assert seen and set(seen) == {("0", False)}
    check(store)
    with store.bulk():
        synth.ingest_uploads(
            [("再一篇.txt", "2024年6月2日\n\n广东优化营商环境，加快发展新质生产力。\n".encode())]
        )
        synth.themes = [t for t in THEMES if t.id != "new_quality_productivity"]
        synth.recount()
    check(store)
