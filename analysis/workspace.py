"""The one typed door into the engine: what pages, views and the CLI read and write.

A Workspace owns the store, the engine and the resources built from files (dictionary,
matcher, gazetteer, segmenter word lists, map data). Reads are named methods with
keyword-only options; every write goes through `Access.check` first, and a rebuild
reloads the resources, so editing corpus/geo/*.csv then rebuilding takes effect in a
running dashboard. `shared()` keeps one Workspace (and one inbox watcher) per process,
outside any Streamlit cache, so a viewer's `clear_cache` cannot multiply them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import queries, segment, stats
from .access import Access, AccessDenied, EditorKey
from .counting import Matcher
from .engine import Engine, Progress, Result
from .leaders import Term
from .models import Filters, Theme
from .settings import Settings
from .store import Store, open_store
from .store import hidden_words as hidden
from .tables import ColumnMap
from .themes import load_themes
from .words_later import WordFiller, fill_words, mark_words_pending, words_ready

log = logging.getLogger("policy.workspace")

# __all__ (what pages may use) is at the end, with the page door section.


@dataclass(frozen=True)
class CorpusSummary:
    """What the numbers under a filter rest on."""

    articles: int
    chars: int
    provinces: int
    sources: int
    paragraphs: int
    date_min: dt.date | None
    date_max: dt.date | None


def _day(v: object) -> dt.date | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(str(v)).date()


class Workspace:
    def __init__(self, settings: Settings, *, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store if store is not None else open_store(settings.db)
        self.engine = Engine(
            self.store,
            themes=load_themes(settings.themes_file),
            workers=settings.workers,
            themes_file=settings.themes_file,
        )
        self.engine.own_process = False  # sessions query while an import runs
        self.access = Access(
            settings.admin_password,
            read_only=settings.read_only,
            store_read_only=lambda: self.store.read_only,
        )
        self._write_lock = threading.RLock()  # one write at a time per process
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._on_change = None  # the watcher's callback (the dashboard clears its caches)
        # Uploads and inbox jobs import themes first; with a watcher running, this thread
        # adds their word rows afterwards (words_later.py).
        self._words = WordFiller(self.engine, self._write_lock, on_done=self._words_filled)

    @classmethod
    def open(cls, settings: Settings) -> Workspace:
        """Open the store; an empty writable store gets the bundled samples."""
        ws = cls(settings)
        if settings.import_samples and not ws.access.read_only and ws.store.article_count() == 0:
            ws.engine.ingest_paths([settings.samples_dir])
        return ws

    # ------------------------------------------------------------ resources
    @property
    def themes(self) -> list[Theme]:
        return list(self.engine.themes)

    @property
    def matcher(self) -> Matcher:
        return self.engine.matcher

    def reload_resources(self) -> None:
        """Read the dictionary, gazetteer, word lists and map data from their files again."""
        from . import charts, emerging, engine, provinces, segment

        self.engine.themes = load_themes(self.settings.themes_file)
        for fn in (
            provinces.gazetteer,
            engine._worker_tools,  # matchers and segmenters built for a dictionary
            emerging.place_and_leader_names,
            segment.stopwords,
            segment.boilerplate,
            segment.person_names,
            charts.tile_grid,
            charts.province_aliases,
        ):
            fn.cache_clear()

    def province_names(self) -> list[str]:
        """The 31 mainland provinces, in the gazetteer's order."""
        from .provinces import gazetteer

        return list(gazetteer().mainland)

    def boilerplate(self) -> list[str]:
        from .segment import boilerplate

        return sorted(boilerplate())

    # ------------------------------------------------------------ reads: corpus
    def summary(self, f: Filters | None = None) -> CorpusSummary:
        s = self.store.summary(f)
        return CorpusSummary(
            articles=int(s.get("articles") or 0),
            chars=int(s.get("chars") or 0),
            provinces=int(s.get("provinces") or 0),
            sources=int(s.get("sources") or 0),
            paragraphs=int(s.get("paragraphs") or 0),
            date_min=_day(s.get("date_min")),
            date_max=_day(s.get("date_max")),
        )

    def date_span(self) -> tuple[dt.date | None, dt.date | None]:
        lo, hi = self.store.date_span()
        return _day(lo), _day(hi)

    def words_ready(self) -> bool:
        """False while an import made themes first and its word rows are still being added."""
        return words_ready(self.store)

    def words_progress(self) -> tuple[int, int] | None:
        """(articles done, articles to do) of the word fill running now; None when none runs."""
        return self._words.progress()

    def wait_for_words(self, timeout: float | None = None) -> bool:
        """Wait until the background word fill (if one runs) ends; False on timeout."""
        return self._words.wait(timeout)

    def _words_filled(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def _fill_words_after_import(self) -> None:
        # With a watcher (the dashboard) the words come in the background; a workspace
        # without one (the CLI, scripts) fills now, so its import returns complete.
        if self._watcher is not None and self._watcher.is_alive():
            self._words.start()
        else:
            fill_words(self.engine, lock=self._write_lock)

    def sources(self) -> list[str]:
        return list(self.store.sources())

    def outlets(self) -> list[str]:
        """Outlet names for the sidebar filter, most articles first."""
        return [name for name, _ in self.store.outlets()]

    def themes_table(self) -> pd.DataFrame:
        """id, name, category, phrases … of the dictionary the counts were made with."""
        return self.store.themes_df()

    def theme_names(self) -> dict[str, str]:
        t = self.store.themes_df()
        return dict(zip(t["id"], t["name"]))

    def chars_by(self, f: Filters | None, *, by: str = "province") -> pd.DataFrame:
        return self.store.chars_by(f, by)

    def list_articles(self, f: Filters | None = None, *, search: str = "", limit: int = 500) -> pd.DataFrame:
        return self.store.list_articles(f, search, limit)

    def search_snippets(
        self, article_ids: Sequence[str], needle: str, *, width: int = 24
    ) -> dict[str, tuple[int, str, str, str]]:
        """article id -> (paragraph index, before, match, after) around the first match in its
        text: what a search hit shows so the editor sees why it was found."""
        from .store.snippets import first_matches

        out = {}
        for aid, (idx, norm) in first_matches(self.store, article_ids, needle).items():
            at = norm.find(needle)
            before = norm[max(0, at - width) : at]
            after = norm[at + len(needle) : at + len(needle) + width]
            out[aid] = (
                idx,
                ("…" if at > width else "") + before,
                needle,
                after + ("…" if at + len(needle) + width < len(norm) else ""),
            )
        return out

    def article(self, article_id: str) -> dict | None:
        return self.store.article(article_id)

    def sections(self, article_id: str) -> pd.DataFrame:
        return self.store.sections_df(article_id)

    def paragraphs(self, article_id: str) -> pd.DataFrame:
        return self.store.paragraphs_df(article_id)

    def overrides(self, article_id: str) -> dict[int, str]:
        return self.store.overrides(article_id)

    def pins(self) -> pd.DataFrame:
        return self.store.pins()

    def quotes(self) -> pd.DataFrame:
        return self.store.quotes()

    # ------------------------------------------------------------ reads: counts
    def counts(
        self,
        f: Filters | None,
        *,
        by: str = "province",
        theme_ids: Sequence[str] | None = None,
        terms: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        return queries.counts_table(self.store, f, by, theme_ids=theme_ids, terms=terms)

    def top_themes(self, f: Filters | None, *, n: int = 15) -> pd.DataFrame:
        return queries.top_themes(self.store, f, n)

    def province_matrix(self, f: Filters | None, *, metric: str = "count", top: int = 15) -> pd.DataFrame:
        return queries.province_matrix(self.store, f, metric, top)

    def province_ranking(
        self, f: Filters | None, *, theme_id: str | None = None, term: str | None = None
    ) -> pd.DataFrame:
        return queries.province_ranking(self.store, f, theme_id, term)

    def monthly_trend(self, f: Filters | None, *, theme_ids: Sequence[str]) -> pd.DataFrame:
        return queries.monthly_trend(self.store, f, list(theme_ids))

    def cooccurring(self, f: Filters | None, *, theme_id: str, n: int = 15) -> pd.DataFrame:
        return self.store.cooccurring(f, theme_id, n)

    def passages(
        self,
        f: Filters | None,
        *,
        theme_id: str | None = None,
        term: str | None = None,
        width: int = 30,
        limit: int = 200,
    ) -> pd.DataFrame:
        return queries.passages(
            self.store, f, theme_id=theme_id, term=term, matcher=self.matcher, width=width, limit=limit
        )

    def compare_themes(self, sides: Sequence[tuple[str, Filters]]) -> pd.DataFrame:
        return queries.compare_themes(self.store, list(sides))

    def word_totals(
        self, f: Filters | None, *, limit: int = 300, exclude: Sequence[str] = ()
    ) -> pd.DataFrame:
        """Top words, without personal names, segmentation leftovers and hidden words."""
        w = self.store.word_totals(f, limit + 50, [*exclude, *self.word_exclusions()])
        # astype(bool): on no rows map() gives an object Series, which pandas takes as column names.
        return w[~w["word"].map(segment.is_fragment).astype(bool)].head(limit).reset_index(drop=True)

    def distinctive_words(
        self, f_a: Filters | None, f_b: Filters | None, *, top: int = 15, exclude: Sequence[str] = ()
    ) -> pd.DataFrame:
        """stats.distinctive_words (words seen at least 3 times), without personal names,
        segmentation leftovers and hidden words: `top` a side."""
        d = stats.distinctive_words(self.store, f_a, f_b, top + 20, (*exclude, *self.word_exclusions()))
        d = d[~d["word"].map(segment.is_fragment).astype(bool)]
        return d.groupby("side", sort=False, group_keys=False).head(top).reset_index(drop=True)

    # ------------------------------------------------------------ hidden words (stopwords editors add)
    def hidden_words(self) -> list[str]:
        """Words editors hid from clouds and distinctive words, most recent first."""
        return hidden.hidden_words(self.store)

    def word_exclusions(self) -> list[str]:
        """Every word clouds and distinctive words leave out: known leaders' names (and the
        pieces a segmenter cuts them into) and the words editors hid."""
        return sorted(segment.person_names() | set(self.hidden_words()))

    def hide_word(self, word: str, *, key: EditorKey | None) -> str:
        """One click on a word: it no longer shows in any cloud or distinctive-word list."""
        self._guard(key, "隐藏词语")
        with self._write_lock:
            return hidden.hide_word(self.store, word)

    def unhide_word(self, word: str, *, key: EditorKey | None) -> None:
        self._guard(key, "恢复词语")
        with self._write_lock:
            hidden.unhide_word(self.store, word)

    def article_theme_counts(self, article_id: str) -> pd.DataFrame:
        return queries.article_theme_counts(self.store, article_id)

    def highlight_parts(self, text: str, norm: str) -> list[tuple[str, str | None]]:
        """The paragraph cut into (piece, theme id or None) for highlighting phrases."""
        return list(queries.highlight_parts(text, norm, self.matcher.spans(norm)))

    def speakers(self, f: Filters | None) -> pd.DataFrame:
        return queries.speaker_table(self.store, f)

    def speaker_themes(self, f: Filters | None, *, speakers: Sequence[str], top: int = 8) -> pd.DataFrame:
        return queries.speaker_themes(self.store, f, tuple(speakers), top)

    def dictionary_hits(self, f: Filters | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        return queries.dictionary_hits(self.store, f)

    def emerging(
        self,
        f: Filters | None,
        *,
        by: str = "period",
        split: str | None = None,
        province: str | None = None,
        top: int = 30,
        min_count: int = 3,
    ):
        from .emerging import emerging

        return emerging(self.store, f, by=by, split=split, province=province, top=top, min_count=min_count)

    def audit(self, f: Filters | None):
        from .audit import audit

        return audit(self.store, f, self.matcher)

    def quote_for(self, article_id: str, par_idx: int, phrase: str | None = None) -> dict | None:
        from .quotes import quote_for

        return quote_for(self.store, article_id, int(par_idx), phrase or None)

    # ------------------------------------------------------------ writes (all behind Access.check)
    def _guard(self, key: EditorKey | None, action: str) -> None:
        self.access.check(key, action)

    def ingest_uploads(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        key: EditorKey | None,
        progress: Progress | None = None,
        columns: ColumnMap | None = None,
    ) -> list[Result]:
        """Documents, tables (one article per row; columns by name or `columns`) and zips."""
        self._guard(key, "导入文章")
        try:
            with self._write_lock:  # themes first: counted and queryable when this returns
                mark_words_pending(self.store)
                return self.engine.ingest_uploads(
                    list(files), progress=progress, columns=columns, words=False
                )
        finally:
            self._fill_words_after_import()

    def export_store(self, out: Path, fmt: str = "xlsx", progress: Progress | None = None) -> dict[str, int]:
        """The whole store for analysts (reading only: no permission needed)."""
        from .store_export import export_parquet, export_xlsx

        return (export_xlsx if fmt == "xlsx" else export_parquet)(self.store, out, progress)

    def ingest_paths(
        self, paths: Sequence[str | Path], *, key: EditorKey | None, progress: Progress | None = None
    ) -> list[Result]:
        self._guard(key, "导入文章")
        with self._write_lock:
            return self.engine.ingest_paths(paths, progress=progress)

    def delete_article(self, article_id: str, *, key: EditorKey | None) -> bool:
        self._guard(key, "删除文章")
        with self._write_lock:
            return self.store.delete_article(article_id)

    def delete_articles(self, article_ids: Sequence[str], *, key: EditorKey | None) -> int:
        """Several articles at once (语料管理's multi-select); returns how many were stored."""
        self._guard(key, "删除文章")
        with self._write_lock:
            return sum(self.store.delete_article(a) for a in dict.fromkeys(article_ids))

    def sample_article_ids(self) -> list[str]:
        """Stored articles that are the bundled samples (总览 says so; 语料管理 removes them)."""
        return self.engine.sample_article_ids()

    def remove_samples(self, *, key: EditorKey | None) -> int:
        """Every sample article in one action; an editor's own articles stay."""
        self._guard(key, "删除示例文章")
        with self._write_lock:
            return self.engine.remove_samples()

    def override_section(
        self, article_id: str, section_idx: int, province: str | None, *, key: EditorKey | None
    ) -> None:
        self._guard(key, "修改省份")
        with self._write_lock:
            self.engine.override_section(article_id, section_idx, province)

    def edit_article(
        self,
        article_id: str,
        *,
        key: EditorKey | None,
        title: str | None = None,
        date: dt.date | None = None,
    ) -> None:
        self._guard(key, "修改标题和日期")
        with self._write_lock:
            self.engine.edit_article(article_id, title=title, date=date)

    def rebuild(self, *, key: EditorKey | None, progress: Progress | None = None) -> int:
        """Reload the dictionary and geo data from their files, then re-derive everything."""
        self._guard(key, "重建统计")
        with self._write_lock:
            self.reload_resources()
            return self.engine.rebuild(progress)

    def save_dictionary(
        self,
        themes: Sequence[Theme],
        *,
        key: EditorKey | None,
        progress: Progress | None = None,
        author: str = "",
        action: str = "保存",
    ) -> int:
        """Save, recount and keep the result as a dictionary version (who, when, what changed)."""
        from . import dict_versions

        self._guard(key, "修改词典")
        with self._write_lock:
            n, _version = dict_versions.save(
                self.engine,
                themes,
                author=author,
                path=self.settings.themes_file,
                progress=progress,
                action=action,
            )
            return n

    def restore_dictionary(
        self, version_id: int, *, key: EditorKey | None, progress: Progress | None = None, author: str = ""
    ) -> int:
        """Put an earlier dictionary version back (its exact file) and recount, like a save."""
        from . import dict_versions

        self._guard(key, "恢复词典版本")
        with self._write_lock:
            n, _version = dict_versions.restore(
                self.engine, version_id, author=author, path=self.settings.themes_file, progress=progress
            )
            return n

    def dictionary_history(self) -> pd.DataFrame:
        """id, created_at, author, action, summary, changes of every saved version, newest
        first; in_use marks the one the stored counts were made with."""
        from . import dict_versions

        return dict_versions.history(self.store)

    def dictionary_diff(self, old_id: int, new_id: int):
        """What changed between two saved versions (dict_versions.DictDiff)."""
        from . import dict_versions

        return dict_versions.diff_versions(self.store, old_id, new_id)

    def dictionary_text(self) -> str:
        """The dictionary file as it is on disk (comments and notes included), for export."""
        from .themes import dump_themes

        try:
            return self.settings.themes_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return dump_themes(self.themes)

    def add_phrase_as_theme(self, phrase: str, category: str, *, key: EditorKey | None) -> int:
        """新词发现's 加入词典: the phrase becomes a theme of its own, then everything is recounted."""
        from .emerging import add_phrase

        self._guard(key, "修改词典")
        with self._write_lock:
            themes = add_phrase(self.themes, phrase, category)
            return self.save_dictionary(themes, key=key, action="新词发现加入")

    def add_pin(
        self,
        title: str,
        kind: str,
        data: pd.DataFrame,
        *,
        key: EditorKey | None,
        source_line: str,
        filters: str,
    ) -> int:
        self._guard(key, "加入演示")
        with self._write_lock:
            return self.store.add_pin(
                title,
                kind,
                data.to_json(orient="records", force_ascii=False, date_format="iso"),
                source_line,
                filters,
            )

    def delete_pin(self, pin_id: int, *, key: EditorKey | None) -> None:
        self._guard(key, "删除演示图表")
        with self._write_lock:
            self.store.delete_pin(int(pin_id))

    def add_quote(self, quote: dict, *, key: EditorKey | None) -> int:
        self._guard(key, "加入引语")
        with self._write_lock:
            return self.store.add_quote(quote)

    def delete_quote(self, quote_id: int, *, key: EditorKey | None) -> None:
        self._guard(key, "删除引语")
        with self._write_lock:
            self.store.delete_quote(int(quote_id))

    # ------------------------------------------------------------ named decks (演示模式; H6)
    def _decks(self):
        from .store.decks import Decks

        return Decks(self.store, writable=not self.access.read_only)

    def decks(self) -> pd.DataFrame:
        """id, name, position, items of the named decks in order (an older store's pins: 默认演示)."""
        return self._decks().list()

    def deck_items(self, deck_id: int) -> pd.DataFrame:
        """position, kind ('pin'/'quote'), item_id, title of one deck in slide order."""
        return self._decks().items(int(deck_id))

    def deck_content(self, deck_id: int) -> list:
        """The deck's charts (analysis.slides.Pin) and quotes (dicts) in slide order."""
        from .slides import deck_content

        return deck_content(self.deck_items(deck_id), self.store.pins(), self.store.quotes())

    def deck_pptx(self, deck_id: int, *, made_on: dt.date | None = None) -> bytes:
        from .deck_pptx import deck_bytes

        names = self.decks().set_index("id")["name"]
        name = str(names.get(int(deck_id), ""))
        return deck_bytes(self.deck_content(deck_id), made_on=made_on, name=name)

    def deck_pdf(self, deck_id: int, *, made_on: dt.date | None = None) -> bytes:
        """The deck as a PDF handout (LibreOffice); export.ExportError says why not in Chinese."""
        from .export import pdf_from_pptx

        return pdf_from_pptx(self.deck_pptx(deck_id, made_on=made_on))

    def create_deck(self, name: str, *, key: EditorKey | None) -> int:
        self._guard(key, "修改演示")
        with self._write_lock:
            return self._decks().create(name)

    def rename_deck(self, deck_id: int, name: str, *, key: EditorKey | None) -> None:
        self._guard(key, "修改演示")
        with self._write_lock:
            self._decks().rename(int(deck_id), name)

    def duplicate_deck(self, deck_id: int, *, key: EditorKey | None, name: str | None = None) -> int:
        self._guard(key, "修改演示")
        with self._write_lock:
            return self._decks().duplicate(int(deck_id), name)

    def delete_deck(self, deck_id: int, *, key: EditorKey | None) -> None:
        self._guard(key, "修改演示")
        with self._write_lock:
            self._decks().delete(int(deck_id))

    def move_deck(self, deck_id: int, step: int, *, key: EditorKey | None) -> None:
        self._guard(key, "修改演示")
        with self._write_lock:
            self._decks().move_deck(int(deck_id), int(step))

    def add_to_deck(self, deck_id: int, kind: str, item_id: int, *, key: EditorKey | None) -> None:
        self._guard(key, "修改演示")
        with self._write_lock:
            self._decks().add(int(deck_id), kind, int(item_id))

    def move_deck_item(
        self, deck_id: int, kind: str, item_id: int, step: int, *, key: EditorKey | None
    ) -> None:
        self._guard(key, "修改演示")
        with self._write_lock:
            self._decks().move(int(deck_id), kind, int(item_id), int(step))

    def remove_deck_item(self, deck_id: int, kind: str, item_id: int, *, key: EditorKey | None) -> None:
        self._guard(key, "修改演示")
        with self._write_lock:
            self._decks().remove(int(deck_id), kind, int(item_id))

    # ------------------------------------------------------------ attribution: weak sections, leaders
    def weak_sections(self, f: Filters | None = None, *, limit: int = 500) -> pd.DataFrame:
        """Sections attributed on thin evidence under the filters, newest articles first."""
        return self.store.weak_sections(f, limit=limit)

    def leader_terms(self) -> list[Term]:
        """Every term in corpus/geo/leaders.csv, in file order."""
        from .leaders import leader_terms

        return leader_terms()

    def add_leader_term(
        self,
        name: str,
        province: str,
        office: str,
        start: str,
        end: str = "",
        *,
        key: EditorKey | None,
        note: str = "",
    ) -> None:
        """Add a term to leaders.csv (LeaderError when malformed); effective after a rebuild."""
        from .leaders import add_term

        self._guard(key, "修改领导人数据")
        with self._write_lock:
            add_term(
                Term(name.strip(), province.strip(), office.strip(), start.strip(), end.strip(), note.strip())
            )

    def end_leader_term(self, name: str, office: str, end: str, *, key: EditorKey | None) -> Term:
        """Close the open term of `name` in `office` at month `end`; effective after a rebuild."""
        from .leaders import end_term

        self._guard(key, "修改领导人数据")
        with self._write_lock:
            return end_term(name.strip(), office.strip(), end.strip())

    # ------------------------------------------------------------ the inbox (CLI imports through the dashboard)
    def drain_inbox(self) -> int:
        """Import the jobs the command line queued. A read-only deployment that holds the
        store answers them with a refusal instead (the CLI prints it); a store another
        process writes is that process's inbox."""
        from .inbox import drain, refuse_all

        if self.store.read_only:
            return 0
        if self.access.read_only:
            return refuse_all(self.store.path)
        with self._write_lock:
            done = drain(self.engine, self.store.path, words=False)
        if done:
            self._fill_words_after_import()
        return done

    def start_watcher(self, interval: float = 1.0, on_change=None) -> bool:
        """Start the one inbox watcher of this workspace; False when it already runs, or when
        another process holds the store (its own watcher drains the inbox)."""
        if self.store.read_only or (self._watcher is not None and self._watcher.is_alive()):
            return False
        self._stop.clear()
        self._on_change = on_change

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    if self.drain_inbox() and on_change is not None:
                        on_change()
                except Exception:  # the watcher must survive one bad job; the next round retries
                    log.exception("inbox watcher round failed")

        self._watcher = threading.Thread(target=loop, name="policy-inbox", daemon=True)
        self._watcher.start()
        if not self.words_ready():  # an import or fill cut short before this start: finish it
            self._words.start()
        return True

    def stop_watcher(self) -> None:
        self._words.stop()
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self._watcher = None


# ---------------------------------------------------------------- one per process
_SHARED: dict[str, Workspace] = {}
_SHARED_LOCK = threading.Lock()


def shared(settings: Settings, *, watch: bool = False, on_change=None) -> Workspace:
    """The process's Workspace for these settings, built once; with watch, its one inbox watcher.

    Kept in a module global (not st.cache_resource), so clearing Streamlit's caches
    neither builds a second engine nor starts a second watcher. A different Settings
    (tests switching stores) replaces the held Workspace and stops its watcher."""
    with _SHARED_LOCK:
        ws = _SHARED.get("ws")
        if ws is None or ws.settings != settings:
            if ws is not None:
                ws.stop_watcher()
            ws = _SHARED["ws"] = Workspace.open(settings)
        if watch:
            ws.start_watcher(on_change=on_change)
        return ws


def reset_shared() -> None:
    """Forget the held Workspace (tests)."""
    with _SHARED_LOCK:
        ws = _SHARED.pop("ws", None)
        if ws is not None:
            ws.stop_watcher()


# ================================================================ the page door
# Everything a page may take from analysis/ besides views and models: the records, errors,
# constants and pure helpers, re-exported from the modules that own them (their logic stays
# there). The pages import only this module, analysis.views and analysis.models
# (tests/test_workspace.py holds them to it), so one file lists what the UI depends on.
# AccessDenied, EditorKey, Result, Settings and ColumnMap come in with the imports at the top.
from .audit import with_exclusion  # noqa: E402
from .charts import (  # noqa: E402  drawing a view's Chart
    bar_ranking,
    china_map,
    grouped_bars,
    heatmap,
    trend_lines,
    word_colors,
    wordcloud_image,
)
from .dict_versions import diff_themes  # noqa: E402
from .engine import EXISTS, FAILED, NEW  # noqa: E402  Result's status words
from .export import ExportError, csv_bytes, png_bytes, xlsx_bytes  # noqa: E402
from .ingest import IngestError  # noqa: E402
from .quotes import default_excerpt  # noqa: E402
from .settings import install  # noqa: E402
from .slide_figures import figures as slide_figures  # noqa: E402
from .slide_figures import notes as slide_notes  # noqa: E402
from .slides import Part as SlidePart  # noqa: E402
from .slides import expand as expand_slides  # noqa: E402
from .slides import footer_line, quote_attribution, quote_body  # noqa: E402
from .store.decks import DeckError  # noqa: E402
from .tables import FIELD_LABELS, TABLE_SUFFIXES, preview  # noqa: E402
from .theme_entry import check_entry, make_entry, others_than, remove, upsert  # noqa: E402
from .themes import CATEGORIES, ThemeError, parse_themes  # noqa: E402

__all__ = [
    "CATEGORIES",
    "EXISTS",
    "FAILED",
    "FIELD_LABELS",
    "NEW",
    "TABLE_SUFFIXES",
    "AccessDenied",
    "ColumnMap",
    "CorpusSummary",
    "DeckError",
    "EditorKey",
    "ExportError",
    "IngestError",
    "Result",
    "Settings",
    "SlidePart",
    "ThemeError",
    "Workspace",
    "bar_ranking",
    "check_entry",
    "china_map",
    "csv_bytes",
    "default_excerpt",
    "diff_themes",
    "expand_slides",
    "footer_line",
    "grouped_bars",
    "heatmap",
    "install",
    "make_entry",
    "others_than",
    "parse_themes",
    "png_bytes",
    "preview",
    "quote_attribution",
    "quote_body",
    "remove",
    "reset_shared",
    "shared",
    "slide_figures",
    "slide_notes",
    "trend_lines",
    "upsert",
    "with_exclusion",
    "word_colors",
    "wordcloud_image",
    "xlsx_bytes",
]
