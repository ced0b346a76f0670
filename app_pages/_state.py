"""The one place that maps st.query_params <-> Filters, and the cached calls into analysis/.

Everything an editor would share (dates, sources, categories, metric, and each page's
own choices) lives in the URL, so a link reopens the same view. Pages never keep
logic in st.session_state.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
from collections.abc import Sequence

import streamlit as st

from analysis import queries
from analysis.engine import Engine
from analysis.inbox import start_watcher
from analysis.models import Filters
from analysis.themes import CATEGORIES

METRICS = {"count": "原始次数", "per_10k": "每万字频次"}


@st.cache_resource(show_spinner="正在打开数据库，首次启动会导入示例语料…")
def engine() -> Engine:
    eng = Engine.open()
    if not eng.store.read_only:
        eng.ensure_samples()
        # The dashboard owns writes: files the command line queues are ingested here.
        start_watcher(eng, eng.store.path, on_change=st.cache_data.clear)
    return eng


# ------------------------------------------------------------------ URL state
def qp_get(key: str, default: str = "") -> str:
    return st.query_params.get(key, default)


def qp_list(key: str) -> list[str]:
    raw = st.query_params.get(key, "")
    return [x for x in raw.split(",") if x]


def qp_set(key: str, value: str | Sequence[str] | None) -> None:
    """Write one view setting into the URL (removing it when empty)."""
    if isinstance(value, (list, tuple)):
        value = ",".join(value)
    if value:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def _date(key: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(qp_get(key)) if qp_get(key) else None
    except ValueError:
        return None


def filters(provinces: Sequence[str] = ()) -> Filters:
    """The shared filters as the URL has them (plus a page's own province choice)."""
    return Filters(
        date_from=_date("from"),
        date_to=_date("to"),
        sources=tuple(qp_list("src")),
        categories=tuple(c for c in qp_list("cat") if c in CATEGORIES),
        provinces=tuple(provinces),
    )


def metric() -> str:
    m = qp_get("metric", "count")
    return m if m in METRICS else "count"


def filters_text(f: Filters | None = None) -> str:
    """The filter state in words, for chart footers and slides."""
    f = f or filters()
    parts = []
    if f.date_from or f.date_to:
        parts.append(f"日期 {f.date_from or '最早'} 至 {f.date_to or '最新'}")
    if f.sources:
        parts.append("来源 " + "、".join(f.sources[:3]) + ("等" if len(f.sources) > 3 else ""))
    if f.categories:
        parts.append("类别 " + "、".join(f.categories))
    if f.provinces:
        parts.append("省份 " + "、".join(f.provinces))
    parts.append(METRICS[metric()])
    return "；".join(parts)


def sidebar_filters() -> None:
    """Shared sidebar: date range, sources, categories, metric. Reads and writes the URL."""
    engine()  # open the store (and import the samples) before the first read
    lo, hi = read("date_span")
    with st.sidebar:
        st.subheader("筛选")
        if lo and hi:
            start, end = _date("from") or lo, _date("to") or hi
            picked = st.date_input(
                "日期范围", value=(start, end), min_value=lo, max_value=hi, key="f_dates", format="YYYY-MM-DD"
            )
            if isinstance(picked, (list, tuple)) and len(picked) == 2:
                qp_set("from", picked[0].isoformat() if picked[0] != lo else "")
                qp_set("to", picked[1].isoformat() if picked[1] != hi else "")
        sources = read("sources")
        chosen = st.multiselect(
            "来源文件",
            sources,
            default=[s for s in qp_list("src") if s in sources],
            key="f_sources",
            placeholder="全部来源",
        )
        qp_set("src", chosen)
        cats = st.multiselect(
            "主题类别",
            list(CATEGORIES),
            default=[c for c in qp_list("cat") if c in CATEGORIES],
            key="f_categories",
            placeholder="全部类别",
        )
        qp_set("cat", cats)
        m = st.radio(
            "数值",
            list(METRICS),
            index=list(METRICS).index(metric()),
            format_func=METRICS.get,
            key="f_metric",
            horizontal=True,
            help="每万字频次 = 次数 × 10000 ÷ 所依据文本的字数",
        )
        qp_set("metric", "" if m == "count" else m)
        if read_only():
            st.caption("只读模式：不能导入、删除或修改。")
    password_box()


# ------------------------------------------------------------------ cached calls
@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def query(name: str, *args, **kwargs):
    """A function of analysis.queries called with the store first: query('counts_table', f, 'province')."""
    return getattr(queries, name)(engine().store, *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def read(name: str, *args, **kwargs):
    """A read method of the store: read('word_totals', f, 300)."""
    return getattr(engine().store, name)(*args, **kwargs)


def changed() -> None:
    """After any write: drop cached results so every page shows the new state."""
    st.cache_data.clear()


def theme_options() -> dict[str, str]:
    """Theme id -> display name, in dictionary order."""
    t = read("themes_df")
    return dict(zip(t["id"], t["name"]))


def empty_hint(what: str = "当前筛选条件下没有数据") -> None:
    st.info(f"{what}。可以放宽左侧的日期范围、来源或类别，或到“语料管理”页导入更多文章。")


# ------------------------------------------------------------------ helpers for the analysis pages (D1)
def corpus_line(f: Filters | None = None) -> str:
    """What the numbers rest on: articles, characters and their dates under the filters."""
    s = read("summary", f or filters())
    span = f"，{s['date_min']} 至 {s['date_max']}" if s.get("date_min") else ""
    return f"{s['articles']} 篇报道、{s['chars']:,} 字{span}"


def source_line(f: Filters | None = None) -> str:
    """A chart footer: corpus line plus the filters in words (charts prefix 来源：政策主题看板)."""
    return f"{corpus_line(f)}；{filters_text(f)}"


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def passages(
    f: Filters, theme_id: str | None = None, term: str | None = None, width: int = 30, limit: int = 200
):
    """queries.passages with the engine's matcher (kept out of the cache key)."""
    eng = engine()
    return queries.passages(
        eng.store, f, theme_id=theme_id, term=term, matcher=eng.matcher, width=width, limit=limit
    )


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def stat(name: str, *args, **kwargs):
    """A function of analysis.stats called with the store first: stat('distinctive_words', fa, fb)."""
    from analysis import stats

    return getattr(stats, name)(engine().store, *args, **kwargs)


_MD_SPECIALS = set("\\`*_{}[]()#+-.!$<>|~:=\"'&;")


def md_escape(text: object) -> str:
    """Data (titles, file names, article text) made inert for st.markdown: HTML-escaped, then
    every markdown special backslash-escaped, so nothing in it can format, link or embed."""
    s = str(text if text is not None else "").replace("\r", "")
    out = []
    for ch in s:
        if ch in "&<>\"'":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}[ch])
        elif ch in _MD_SPECIALS:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("  \n")
        else:
            out.append(ch)
    return "".join(out)


@st.cache_data(show_spinner="正在绘制词云…", max_entries=64, ttl=3600)
def word_cloud(
    freqs: dict[str, float],
    width: int = 800,
    height: int = 500,
    colors: dict[str, str] | None = None,
    max_words: int = 150,
):
    """analysis.charts.wordcloud_image, cached (drawing one takes a good fraction of a second)."""
    from analysis import charts

    return charts.wordcloud_image(freqs, width=width, height=height, colors=colors, max_words=max_words)


# ------------------------------------------------------------------ who may change things
def _secret(name: str) -> str:
    try:
        return str(st.secrets.get(name, "") or "")
    except Exception:  # no secrets.toml: that is the normal case
        return ""


def read_only() -> bool:
    """A shared deployment can be made read-only (POLICY_READ_ONLY=1 or secrets read_only)."""
    flag = os.environ.get("POLICY_READ_ONLY", "") or _secret("read_only")
    return flag.lower() in {"1", "true", "yes", "on"} or engine().store.read_only


def _password() -> str:
    return os.environ.get("POLICY_ADMIN_PASSWORD", "") or _secret("admin_password")


def can_edit() -> bool:
    """Uploading, deleting, overriding and dictionary edits: allowed unless locked."""
    if read_only():
        return False
    pw = _password()
    if not pw:
        return True
    given = st.session_state.get("editor_password", "")
    return bool(given) and hmac.compare_digest(given.encode(), pw.encode())


def edit_guard(action: str = "修改") -> bool:
    """True when this session may write; otherwise say why and how, and return False."""
    if can_edit():
        return True
    if read_only():
        st.info(f"当前为只读模式，不能{action}。")
    else:
        st.info(f"{action}需要编辑口令：请在左侧栏“编辑口令”处输入。")
    return False


def password_box() -> None:
    if _password() and not read_only():
        st.sidebar.text_input(
            "编辑口令",
            type="password",
            key="editor_password",
            help="导入、删除、修改省份和编辑词典需要口令；浏览不需要。",
        )


@st.cache_data(show_spinner="正在生成 PPT…", max_entries=8, ttl=3600)
def deck(pins, made_on: dt.date, quotes=None):
    """A PPTX of all pinned charts (pins: the store's pins table) and, after them, the saved
    quotes (quotes: the store's quotes table), via analysis.export."""
    from analysis import export
    from analysis.quotes import deck_quotes

    return export.pptx_bytes(
        [export.Pin.from_json(r.title, r.kind, r.data, r.source_line, r.filters) for r in pins.itertuples()],
        made_on=made_on,
        quotes=deck_quotes(quotes),
    )
