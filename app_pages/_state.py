"""The one place that maps st.query_params <-> Filters, and the cached calls into analysis/.

Everything an editor would share (dates, sources, categories, metric, and each page's
own choices) lives in the URL, so a link reopens the same view. Every URL parameter is
parsed here with a fallback; a bad one costs a one-line notice, never a traceback.
The Workspace is a process singleton (analysis.workspace.shared), outside
st.cache_resource, so a viewer clearing Streamlit's caches cannot build a second engine
or start a second inbox watcher. Cached calls are named, one per view, all made by
_cached_view (pages name every option, as the views do).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import streamlit as st

from analysis import views
from analysis.models import Filters
from analysis.views._common import OneReadEach
from analysis.workspace import (
    CATEGORIES,
    AccessDenied,
    CorpusSummary,
    EditorKey,
    Settings,
    Workspace,
    install,
    reset_shared,
    shared,
    wordcloud_image,
)

METRICS = views.METRICS
EDITOR_KEY = "_editor_key"  # session_state: the EditorKey of a successful login
NOTICES = "_url_notices"  # session_state: this run's notices about bad URL parameters

_settings: Settings | None = None
_settings_lock = threading.Lock()
P = ParamSpec("P")
V = TypeVar("V")
_strict = False  # tests: let a page's exception through to AppTest instead of the Chinese notice


# ------------------------------------------------------------------ settings and the workspace
def _secrets() -> dict[str, object]:
    try:
        return {k: st.secrets.get(k) for k in ("read_only", "admin_password") if st.secrets.get(k)}
    except Exception:  # no secrets.toml: that is the normal case
        return {}


def settings() -> Settings:
    """Read once per process (environment and Streamlit secrets)."""
    global _settings
    with _settings_lock:
        if _settings is None:
            _settings = Settings.from_env(secrets=_secrets())
            install(_settings)  # the modules that ask settings.current() see the same
        return _settings


def use_settings(s: Settings | None, *, strict: bool = False) -> None:
    """Run the dashboard on these settings (tests); None = read the environment again.
    strict lets page exceptions reach the test instead of the editor's error line."""
    global _settings, _strict
    with _settings_lock:
        _settings = s
        _strict = strict
    install(s)
    reset_shared()
    st.cache_data.clear()


def strict() -> bool:
    return _strict


def ws() -> Workspace:
    """The process's Workspace (opened, with the samples on first start, and its one watcher)."""
    return shared(settings(), watch=True, on_change=st.cache_data.clear)


def changed() -> None:
    """After any write: drop cached results so every page shows the new state."""
    st.cache_data.clear()


# ------------------------------------------------------------------ URL state
def qp_get(key: str, default: str = "") -> str:
    return st.query_params.get(key, default)


def qp_list(key: str) -> list[str]:
    return [x for x in qp_get(key).split(",") if x]


def qp_set(key: str, value: str | Sequence[str] | None) -> None:
    """Write one view setting into the URL (removing it when empty)."""
    if isinstance(value, (list, tuple)):
        value = ",".join(value)
    if value:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def _bad(key: str, fallback: object) -> None:
    shown = str(qp_get(key))[:30]
    notes = st.session_state.setdefault(NOTICES, [])
    line = f"网址参数 {key}={shown} 无效，已改用 {fallback}"
    if line not in notes:
        notes.append(line)


def qp_int(key: str, default: int, lo: int, hi: int) -> int:
    """An integer setting from the URL, within [lo, hi]; anything else falls back with a notice."""
    raw = qp_get(key)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        _bad(key, default)
        return default
    if not lo <= value <= hi:
        fixed = min(hi, max(lo, value))
        _bad(key, fixed)
        return fixed
    return value


def qp_choice(key: str, options: Sequence[str], default: str) -> str:
    raw = qp_get(key)
    if raw and raw not in options:
        _bad(key, default or "默认值")
        return default
    return raw or default


def url_radio(label: str, choices: dict[str, str], key: str, default: str, **kw) -> str:
    """A horizontal radio over choices (value -> label) whose value lives in the URL under `key`
    (left out while it is the default), so a shared link reopens the same choice."""
    values = list(choices)
    picked = st.radio(
        label,
        values,
        format_func=choices.get,
        horizontal=True,
        key=key,
        index=values.index(qp_choice(key, values, default)),
        **kw,
    )
    qp_set(key, "" if picked == default else str(picked))
    return str(picked)


def url_multiselect(
    label: str,
    options: Sequence[str],
    key: str,
    fallback: Sequence[str] = (),
    most: int | None = None,
    *,
    param: str = "",
    **kw,
) -> list[str]:
    """A multiselect whose picks live in the URL under `param` (default: its key): the URL's
    values that are still options, at most `most`, else `fallback`; so a shared link reopens
    the same selection."""
    param = param or key
    default = [o for o in qp_list(param) if o in options][:most] or list(fallback)
    picked = st.multiselect(label, options, default=default, max_selections=most, key=key, **kw)
    qp_set(param, picked)
    return picked


def url_number(widget: Callable[..., Any], label: str, key: str, default: int, lo: int, hi: int, **kw) -> int:
    """A whole number from st.slider or st.number_input whose value lives in the URL under
    `key` (within [lo, hi]; left out while it is the default)."""
    value = int(widget(label, lo, hi, qp_int(key, default, lo, hi), key=key, **kw))
    qp_set(key, "" if value == default else str(value))
    return value


def qp_date(key: str, lo: dt.date | None = None, hi: dt.date | None = None) -> dt.date | None:
    """A date from the URL, moved into [lo, hi] when given; unreadable -> None, with a notice."""
    raw = qp_get(key)
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        _bad(key, "不限")
        return None
    if lo and day < lo:
        _bad(key, lo.isoformat())
        return lo
    if hi and day > hi:
        _bad(key, hi.isoformat())
        return hi
    return day


def url_notices() -> list[str]:
    return list(st.session_state.get(NOTICES, []))


def begin_run() -> None:
    st.session_state[NOTICES] = []


def filters(provinces: Sequence[str] = ()) -> Filters:
    """The shared filters as the URL has them (plus a page's own province choice)."""
    lo, hi = date_span()
    return Filters(
        date_from=qp_date("from", lo, hi),
        date_to=qp_date("to", lo, hi),
        sources=tuple(qp_list("src")),
        categories=tuple(c for c in qp_list("cat") if c in CATEGORIES),
        provinces=tuple(provinces),
        outlets=tuple(qp_list("outlet")),
    )


def with_provinces(f: Filters, provinces: Sequence[str]) -> Filters:
    """The shared filters narrowed to a page's own province choice."""
    return replace(f, provinces=tuple(provinces))


def metric() -> str:
    return qp_choice("metric", list(METRICS), "count")


def filters_text(f: Filters | None = None) -> str:
    return views.filters_text(f or filters(), metric())


def corpus_line(f: Filters | None = None) -> str:
    s = summary(f or filters())
    span = f"，{s.date_min} 至 {s.date_max}" if s.date_min else ""
    return f"{s.articles} 篇报道、{s.chars:,} 字{span}"


def source_line(f: Filters | None = None) -> str:
    """A chart footer: corpus line plus the filters in words (charts prefix 来源：政策主题看板)."""
    return f"{corpus_line(f)}；{filters_text(f)}"


# ------------------------------------------------------------------ the shared sidebar
def _dates_picked(lo: dt.date, hi: dt.date) -> None:
    """on_change of the date range: only a range the editor chose goes into the URL; a bound
    left at the data's edge stays unset, meaning "from the first / to the latest article"."""
    picked = st.session_state.get("f_dates")
    if isinstance(picked, (list, tuple)) and len(picked) == 2:
        qp_set("from", picked[0].isoformat() if picked[0] != lo else "")
        qp_set("to", picked[1].isoformat() if picked[1] != hi else "")


def clear_filters() -> None:
    """清除筛选: dates, sources and categories back to everything."""
    for k in ("from", "to", "src", "cat", "outlet"):
        qp_set(k, "")
    for k in ("f_dates", "_dates_shown", "f_sources", "f_categories", "f_outlets"):
        st.session_state.pop(k, None)


def sidebar_filters() -> None:
    """Shared sidebar: date range, sources, categories, metric. Reads and writes the URL."""
    lo, hi = date_span()
    with st.sidebar:
        st.subheader("筛选")
        if lo and hi:
            want = (qp_date("from", lo, hi) or lo, qp_date("to", lo, hi) or hi)
            # The widget follows the URL and the data (a new latest article moves its end),
            # unless the editor is mid-way through picking a range.
            if st.session_state.get("_dates_shown") != (want, lo, hi):
                st.session_state["f_dates"] = want
                st.session_state["_dates_shown"] = (want, lo, hi)
            st.date_input(
                "日期范围",
                min_value=lo,
                max_value=hi,
                key="f_dates",
                format="YYYY-MM-DD",
                on_change=_dates_picked,
                args=(lo, hi),
            )
        named = outlets()
        if named:  # only once some article names its outlet
            url_multiselect("来源媒体", named, "f_outlets", param="outlet", placeholder="全部媒体")
        # Sources are outlets (above); single files are an editor's rarer need, kept out of the way.
        # The list is built only while the expander is open: at 100k articles it is 100,000
        # file names, which cost every run of every page 50-80 ms and the browser a large message.
        # It is not even read unless the link names files or the expander is open: at 1M
        # articles reading it cost a cold page 0.4-1.2 s (and the cache a million names).
        wanted = qp_list("src")
        options = sources() if wanted else []
        by_file = [s for s in wanted if s in options]
        files = st.expander("按文件筛选", expanded=bool(by_file), key="f_files_open", on_change="rerun")
        if files.open:
            with files:
                options = options or sources()
                url_multiselect("来源文件", options, "f_sources", param="src", placeholder="全部文件")
        else:
            qp_set("src", by_file)
        url_multiselect("主题类别", list(CATEGORIES), "f_categories", param="cat", placeholder="全部类别")
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


def hidden_line() -> None:
    """One line on every page when the shared filters hide articles, with 清除筛选."""
    f = filters()
    if f == Filters():
        return
    hidden = summary(Filters()).articles - summary(f).articles
    if hidden > 0:
        with st.container(horizontal=True, vertical_alignment="center", key="hidden_line"):
            st.caption(f"筛选隐藏了 {hidden} 篇文章")
            st.button("清除筛选", key="clear_filters", on_click=clear_filters, type="tertiary")


def samples_line() -> None:
    """One line on a page that counts articles while bundled samples are among them."""
    note = views.samples_note(samples_in(filters()))
    if note:
        st.caption(note)


def empty_hint(what: str = "当前筛选条件下没有数据") -> None:
    st.info(f"{what}。可以放宽左侧的日期范围、来源或类别，或到“语料管理”页导入更多文章。")


def filters_with_articles() -> Filters:
    """The sidebar's filters; when they select no article, the hint instead of the page."""
    f = filters()
    if not summary(f).articles:
        empty_hint()
        st.stop()
    return f


def words_pending_notice() -> None:
    """Themes first, words later (words_later.py): a page drawing words says so while its
    word rows are still being added (asked every run, not cached)."""
    if not ws().words_ready():
        step = ws().words_progress()
        done = f"（已完成 {step[0]}/{step[1]} 篇）" if step else ""
        st.info(f"词语仍在准备中{done}：主题统计已经可用，词语补齐之前这里的词语不完整。")


# ------------------------------------------------------------------ cached reads (one named function each)
_cached = st.cache_data(show_spinner=False, max_entries=256, ttl=3600)


def _cached_view(
    view: Callable[Concatenate[Workspace, P], V], *, spinner: str | bool = False, max_entries: int = 256
) -> Callable[P, V]:
    """views.X on the process's Workspace, cached by its filters and options (which the caller
    names, as the view does). st.cache_data tells functions apart by qualified name and source,
    so each wrapper takes the view's name: otherwise all of them would share one cache."""

    def cached(*args: P.args, **kwargs: P.kwargs) -> V:
        # Stands in for the Workspace (every other method passes through): see OneReadEach.
        return view(cast(Workspace, OneReadEach(ws(), summary=summary)), *args, **kwargs)

    cached.__name__ = cached.__qualname__ = f"{view.__name__}_view"
    return st.cache_data(show_spinner=spinner, max_entries=max_entries, ttl=3600)(cached)


samples_in = _cached_view(views.samples_in)


@_cached
def summary(f: Filters | None = None) -> CorpusSummary:
    return ws().summary(f)


@_cached
def date_span() -> tuple[dt.date | None, dt.date | None]:
    return ws().date_span()


@_cached
def sources() -> list[str]:
    return ws().sources()


@_cached
def outlets() -> list[str]:
    return ws().outlets()


@_cached
def theme_options() -> dict[str, str]:
    """Theme id -> display name, in dictionary order."""
    return ws().theme_names()


provinces_by_text = _cached_view(views.provinces_by_text)
dictionary_view = _cached_view(views.dictionary)
overview_view = _cached_view(views.overview)
themes_view = _cached_view(views.themes)
compare_options = _cached_view(views.compare_options)
compare_view = _cached_view(views.compare, spinner="正在对比…", max_entries=64)
wordcloud_view = _cached_view(views.wordcloud)
articles_view = _cached_view(views.articles)
emerging_options = _cached_view(views.emerging_options)
emerging_view = _cached_view(views.emerging, spinner="正在统计词语…", max_entries=64)
speakers_view = _cached_view(views.speakers)
audit_view = _cached_view(views.audit, spinner="正在检查词典…", max_entries=32)
corpus_view = _cached_view(views.corpus)


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def quote(article_id: str, par_idx: int, phrase: str | None) -> dict | None:
    return ws().quote_for(article_id, int(par_idx), phrase or None)


def _words_key(words: dict) -> str:
    # A cloud's few hundred words and colours as one string: Streamlit hashes a dict item by
    # item (about 9 ms for 300 words and their colours, on every run of every session).
    return json.dumps(words, ensure_ascii=False, sort_keys=True, default=str)


# st.cache_resource, not cache_data: the picture depends on its arguments only, so an import
# (which empties the data caches) need not redraw a cloud whose words did not change; bytes
# are immutable, so one object serves every session.
@st.cache_resource(show_spinner="正在绘制词云…", max_entries=64, ttl=3600, hash_funcs={dict: _words_key})
def word_cloud_png(
    freqs: dict[str, float],
    width: int,
    height: int,
    colors: dict[str, str] | None = None,
    max_words: int = 150,
) -> bytes:
    """analysis.charts.wordcloud_image as PNG bytes, drawn once for every session (drawing
    takes a good fraction of a second; issue 16): st.image and a download take the bytes as
    they are, where a cached PIL image was unpickled and encoded to PNG again on every run."""
    buf = io.BytesIO()
    wordcloud_image(freqs, width, height, colors, max_words).save(buf, format="PNG")
    return buf.getvalue()


# ------------------------------------------------------------------ text shown as text
_MD_SPECIALS = set("\\`*_{}[]()#+-.!$<>|~:=\"'&;")
_JOINER = "\u2060"  # WORD JOINER: invisible, but breaks autolinks and :icon: shortcodes


def md_escape(text: object) -> str:
    """Data (titles, file names, article text, theme names) made inert for st.markdown:
    HTML-escaped, every markdown special backslash-escaped, and the patterns Streamlit's
    renderer turns into links or icons after escaping (bare URLs, www., e-mail addresses,
    :material/…: and :emoji: shortcodes) broken by an invisible word joiner."""
    s = str(text if text is not None else "").replace("\r", "")
    out = []
    for ch in s:
        if ch in "&<>\"'":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}[ch])
        elif ch in _MD_SPECIALS:
            if ch == ".":  # www. and domain names: the joiner before the dot
                out.append(_JOINER)
            out.append("\\" + ch)
            if ch == ":":  # https: and :icon: shortcodes: the joiner after the colon
                out.append(_JOINER)
        elif ch == "@":
            out.append("@" + _JOINER)
        elif ch == "\n":
            out.append("  \n")
        else:
            out.append(ch)
    return "".join(out)


# ------------------------------------------------------------------ who may change things
def drop_uploaded_files() -> None:
    """Free this session's uploaded bytes once imported: Streamlit otherwise keeps them
    until the session ends (tens of MB per file, issue 12 item 5)."""
    from streamlit.runtime import get_instance
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        try:
            get_instance().uploaded_file_mgr.remove_session_files(ctx.session_id)
        except RuntimeError:  # no runtime (AppTest without a server): nothing is held
            pass


def read_only() -> bool:
    return ws().access.read_only


def editor_key() -> EditorKey | None:
    key = st.session_state.get(EDITOR_KEY)
    return key if isinstance(key, EditorKey) else None


def can_edit() -> bool:
    """Uploading, deleting, overriding, dictionary edits, pins and quotes: one check."""
    return ws().access.allowed(editor_key())


def edit_guard(action: str = "修改") -> bool:
    """True when this session may write; otherwise say why and how, and return False."""
    reason = ws().access.refusal(editor_key(), action)
    if reason:
        st.info(reason)
    return not reason


def attempt(action) -> bool:
    """Run a write; a refusal shows its reason instead of a traceback. True when it ran."""
    try:
        action()
    except AccessDenied as exc:
        st.warning(str(exc))
        return False
    return True


def _login() -> None:
    """on_change of the password box: trade the password for a key, then empty the box, so the
    password never sits in the page as the input's value."""
    given = st.session_state.get("editor_password", "")
    st.session_state["editor_password"] = ""
    if not given:
        return
    try:
        st.session_state[EDITOR_KEY] = ws().access.login(given, who=_client())
        st.session_state.pop("_login_error", None)
    except AccessDenied as exc:
        st.session_state["_login_error"] = str(exc)


def _logout() -> None:
    ws().access.logout(editor_key())
    st.session_state.pop(EDITOR_KEY, None)


def _client() -> str:
    try:
        return str(st.context.ip_address or "")
    except Exception:
        return ""


def password_box() -> None:
    access = ws().access
    if not access.needs_password or access.read_only:
        return
    if access.allowed(editor_key()):
        with st.sidebar:
            st.caption("已用编辑口令登录。")
            st.button("退出编辑", key="editor_logout", on_click=_logout)
        return
    st.sidebar.text_input(
        "编辑口令",
        type="password",
        key="editor_password",
        on_change=_login,
        help="导入、删除、修改省份、编辑词典和演示需要口令；浏览不需要。",
    )
    error = st.session_state.get("_login_error")
    if error:
        st.sidebar.caption(error)
