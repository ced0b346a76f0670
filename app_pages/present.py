"""演示模式: named decks of pinned charts and quotes; a full-screen show for the meeting room
(→ ← PageUp/PageDown, Esc leaves, the slide scaled to the window); PPT and PDF handout.

The URL holds deck=<id>, slide=<n> and show=1 while presenting, so a link reopens the
same slide. The show hides the sidebar and Streamlit's chrome with a style block, and a
small script (no article text in it) adds the keys, the Fullscreen API and the scaling.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
import streamlit.components.v1 as components

from analysis.workspace import (
    DeckError,
    ExportError,
    SlidePart,
    expand_slides,
    footer_line,
    png_bytes,
    quote_attribution,
    quote_body,
    slide_figures,
    slide_notes,
)
from app_pages import _state as S
from app_pages._widgets import file_stem, plotly_chart

STAGE_W = 1280  # px: the slide is laid out at 1280 wide, then scaled to the window

_CHROME = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], .st-key-hidden_line { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 6px 0 0 0 !important; max-width: none !important; }
html, body, [data-testid="stMain"] { overflow: hidden !important; }
.st-key-present_stage { width: STAGE_Wpx; min-width: STAGE_Wpx; margin: 0; }
</style>""".replace("STAGE_W", str(STAGE_W))

# Runs in the component's iframe (same origin as the app), acting on the app's document.
_SCRIPT = """<!doctype html><html><body style="margin:0">
<button id="fs" title="全屏（F）" style="font:15px 'Noto Sans CJK SC',sans-serif;padding:6px 12px;cursor:pointer;
 border:1px solid #ccc;border-radius:8px;background:#fff">全屏（F）</button>
<script>
const P = window.parent, D = P.document;
const stage = () => D.querySelector('.st-key-present_stage');
const click = k => { const b = D.querySelector('.st-key-' + k + ' button'); if (b && !b.disabled) b.click(); };
let leaving = false;
function toggle() {
  if (D.fullscreenElement) { leaving = true; D.exitFullscreen(); }
  else if (D.documentElement.requestFullscreen) { D.documentElement.requestFullscreen().catch(() => {}); }
}
function onKey(e) {
  if (!stage() || (e.target && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName))) return;
  if (['ArrowRight', 'PageDown', 'ArrowDown', ' '].includes(e.key)) { e.preventDefault(); click('present_next'); }
  else if (['ArrowLeft', 'PageUp', 'ArrowUp'].includes(e.key)) { e.preventDefault(); click('present_prev'); }
  else if (e.key === 'Escape') { e.preventDefault(); click('present_exit'); }
  else if (e.key === 'f' || e.key === 'F') { toggle(); }
}
function fit() {  // a transform, not zoom: charts keep measuring their unscaled width
  const s = stage();
  if (!s) return;
  const z = Math.max(0.2, Math.min(P.innerWidth / s.offsetWidth, (P.innerHeight - 12) / s.offsetHeight));
  const left = Math.max(0, (P.innerWidth - s.offsetWidth * z) / 2);
  s.style.transformOrigin = '0 0';
  s.style.transform = 'translate(' + left + 'px, 0) scale(' + z + ')';
}
function onClick(e) {  // leaving the show (button or Esc) also leaves full screen
  if (e.target.closest && e.target.closest('.st-key-present_exit') && D.fullscreenElement) {
    leaving = true; D.exitFullscreen();
  }
}
if (P.__policyKeys) { D.removeEventListener('keydown', P.__policyKeys, true); }
if (P.__policyClick) { D.removeEventListener('click', P.__policyClick, true); }
P.__policyKeys = onKey;
P.__policyClick = onClick;
D.addEventListener('keydown', onKey, true);
D.addEventListener('click', onClick, true);
document.addEventListener('keydown', onKey, true);
D.onfullscreenchange = () => {  // Esc in full screen: the browser leaves full screen, we leave the show
  if (!D.fullscreenElement && !leaving) click('present_exit');
  leaving = false;
};
document.getElementById('fs').onclick = toggle;
P.addEventListener('resize', fit);
setInterval(fit, 300);
fit();
</script></body></html>"""


@st.cache_data(show_spinner="正在准备这一页…", max_entries=64, ttl=3600)
def _slide_png(spec: str) -> bytes | None:
    """The slide's chart as a picture at twice the stage size. The stage is scaled to the
    window as a whole, and a live plotly chart measures its scaled width and draws itself
    scaled once more (too big above 1280 px, too small below); a picture scales exactly."""
    import plotly.io as pio

    fig = pio.from_json(spec)
    try:
        return png_bytes(fig, width=STAGE_W - 40, height=int(fig.layout.height or 520), scale=2)
    except ExportError:
        return None


def _notice(exc: Exception) -> None:
    st.warning(str(exc))


def change(action) -> bool:
    """A deck change with the editor's key; a refusal or a bad name becomes a notice."""
    try:
        return S.attempt(lambda: action(S.editor_key()))
    except DeckError as exc:
        _notice(exc)
        return False


ws = S.ws()
decks = ws.decks()
ids = [str(int(i)) for i in decks["id"]]
names = dict(zip(ids, decks["name"].astype(str)))
deck = S.qp_choice("deck", ids, ids[0])
deck_id = int(deck)
content = ws.deck_content(deck_id)
shown = expand_slides(content)
n = len(shown)
i = S.qp_int("slide", 1, 1, max(1, n))
today = dt.date.today()


def _go(step: int) -> None:
    S.qp_set("slide", str(min(n, max(1, i + step))))


def _leave() -> None:
    S.qp_set("show", "")


def _start(at: int = 1) -> None:
    S.qp_set("show", "1")
    S.qp_set("slide", str(at))


def draw(item: SlidePart | dict, k: int, *, live: bool = False) -> None:
    """One slide: a quote, a word cloud, or the part's figure and notes (live: an
    interactive chart for the preview; on the scaled stage a picture)."""
    if isinstance(item, dict):
        st.space(60)
        st.markdown("## " + S.md_escape(quote_body(item)))
        st.markdown("#### " + S.md_escape(quote_attribution(item)), text_alignment="right")
        return
    if item.data.empty:
        st.markdown("## " + S.md_escape(item.title))
        st.info("（没有数据）")
    elif item.pin.kind == "wordcloud":
        st.markdown("## " + S.md_escape(item.title))
        freqs = dict(zip(item.data["label"].astype(str), item.data["value"].astype(float)))
        st.image(S.word_cloud_png(freqs, STAGE_W - 40, 440), width=STAGE_W - 40, output_format="PNG")
        st.caption(S.md_escape(footer_line(item.pin, today)))
    else:
        for j, fig in enumerate(slide_figures(item)):
            png = None if live else _slide_png(fig.to_json())
            if png is not None:
                st.image(png, width=STAGE_W - 40, output_format="PNG")
            else:  # the preview, or no browser for pictures (then it may not scale as exactly)
                if not live:
                    fig.update_layout(width=STAGE_W - 40)
                plotly_chart(fig, key=f"present_fig_{k}_{j}")
    notes = slide_notes(item) if isinstance(item, SlidePart) else []
    if notes:
        st.caption(S.md_escape("；".join(notes)))


# ------------------------------------------------------------------ the show
if S.qp_get("show") == "1" and n:
    st.html(_CHROME)
    with st.container(key="present_stage"):
        draw(shown[i - 1], i)
        with st.container(horizontal=True, vertical_alignment="center", key="present_nav"):
            st.button("上一张", key="present_prev", icon=":material/chevron_left:", on_click=_go, args=(-1,))
            st.markdown(f"**第 {i} / {n} 张**")
            st.button("下一张", key="present_next", icon=":material/chevron_right:", on_click=_go, args=(1,))
            st.space("stretch")
            components.html(_SCRIPT, height=40, width=110)
            st.button("退出演示（Esc）", key="present_exit", icon=":material/close:", on_click=_leave)
    st.stop()

# ------------------------------------------------------------------ choosing and editing decks
st.title("演示模式")
editable = S.can_edit()
with st.container(horizontal=True, vertical_alignment="bottom", key="deck_bar"):
    picked = st.selectbox(
        "演示",
        ids,
        index=ids.index(deck),
        format_func=lambda d: names.get(d, d),
        key=f"deck_pick_{deck}",
        width=320,
    )
    if picked != deck:
        S.qp_set("deck", picked)
        S.qp_set("slide", "")
        st.rerun()
    st.button(
        "开始放映",
        key="present_start",
        icon=":material/play_arrow:",
        type="primary",
        on_click=_start,
        disabled=not n,
    )
    st.download_button(
        "导出 PPT",
        lambda: ws.deck_pptx(deck_id, made_on=today),
        file_name=f"{file_stem(names[deck])}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="pptx",
        icon=":material/slideshow:",
        on_click="ignore",
        disabled=not content,
        help="每张图一页（大热力图分页），图表是可编辑的 PPT 原生图表",
    )
    if st.button("生成 PDF 讲义", key="pdf_make", icon=":material/picture_as_pdf:", disabled=not content):
        try:
            pdf = ws.deck_pdf(deck_id, made_on=today)
        except ExportError as exc:
            st.warning(str(exc))
        else:
            st.download_button(
                "下载 PDF 讲义",
                pdf,
                file_name=f"{file_stem(names[deck])}_讲义.pdf",
                mime="application/pdf",
                key="pdf_dl",
                type="primary",
                icon=":material/download:",
                on_click="ignore",
            )

    with st.popover("管理演示", icon=":material/edit:", key="deck_manage"):
        if not editable:
            S.edit_guard("修改演示")
        new_name = st.text_input("新演示的名称", placeholder="例如：周一编前会", key="deck_new_name")
        if st.button("新建演示", key="deck_new", disabled=not editable):
            made: list[int] = []
            if change(lambda key: made.append(ws.create_deck(new_name, key=key))):
                S.changed()
                S.qp_set("deck", str(made[0]))
                st.rerun()
        st.divider()
        rename_to = st.text_input("改名为", value=names[deck], key="deck_rename_to")
        with st.container(horizontal=True):
            if st.button("改名", key="deck_rename", disabled=not editable) and change(
                lambda key: ws.rename_deck(deck_id, rename_to, key=key)
            ):
                S.changed()
                st.rerun()
            if st.button("复制", key="deck_copy", disabled=not editable):
                made = []
                if change(lambda key: made.append(ws.duplicate_deck(deck_id, key=key))):
                    S.changed()
                    S.qp_set("deck", str(made[0]))
                    st.rerun()
            for label, step, icon in (
                ("上移", -1, ":material/arrow_upward:"),
                ("下移", 1, ":material/arrow_downward:"),
            ):
                if st.button(label, key=f"deck_move_{step}", icon=icon, disabled=not editable) and change(
                    lambda key, s=step: ws.move_deck(deck_id, s, key=key)
                ):
                    S.changed()
                    st.rerun()
        sure = st.checkbox("确认删除这个演示（只在这个演示里的图表和引语也一并删除）", key="deck_del_sure")
        if st.button(
            "删除这个演示", key="deck_delete", icon=":material/delete:", disabled=not (editable and sure)
        ) and change(lambda key: ws.delete_deck(deck_id, key=key)):
            S.changed()
            S.qp_set("deck", "")
            st.rerun()

if not content:
    st.info(
        "这个演示还没有内容。\n\n在“总览”“主题”“省份对比”“词云”等页面，每张图下方都有 **📌 加入演示** 按钮："
        "点一下，这张图就会按当时的筛选条件保存到这里，可以逐张全屏放映，也可以导出为 PPT（图表可在 PPT 里继续编辑）"
        "或 PDF 讲义。原文摘句的 **❝ 引用** 也会加入演示。"
    )
    st.page_link("app_pages/overview.py", label="去“总览”页挑选图表", icon="📊")
    st.stop()

# ------------------------------------------------------------------ the deck's slides, in order
items = ws.deck_items(deck_id)
st.caption(
    f"共 {len(items)} 项、{n} 页（大热力图分页放映）。放映时用 → ← 或 PageDown/PageUp 翻页，Esc 退出，F 全屏。"
)
for k, r in enumerate(items.itertuples(index=False), start=1):
    with st.container(horizontal=True, vertical_alignment="center", key=f"item_{r.kind}_{r.item_id}"):
        icon = "❝ " if r.kind == "quote" else ""
        st.text(f"{k}. {icon}{r.title}", width="stretch")
        st.button(
            "放映",
            key=f"play_{r.kind}_{r.item_id}",
            icon=":material/play_arrow:",
            type="tertiary",
            on_click=_start,
            args=(len(expand_slides(content[: k - 1])) + 1,),
        )
        for label, step, icon_name in (("上移", -1, "arrow_upward"), ("下移", 1, "arrow_downward")):
            if st.button(
                label,
                key=f"mv_{step}_{r.kind}_{r.item_id}",
                icon=f":material/{icon_name}:",
                type="tertiary",
                disabled=not editable or (k == 1 and step < 0) or (k == len(items) and step > 0),
            ) and change(
                lambda key, s=step, kind=r.kind, item=r.item_id: ws.move_deck_item(
                    deck_id, kind, item, s, key=key
                )
            ):
                S.changed()
                st.rerun()
        if st.button(
            "移出",
            key=f"rm_{r.kind}_{r.item_id}",
            icon=":material/delete:",
            type="tertiary",
            disabled=not editable,
        ) and change(
            lambda key, kind=r.kind, item=r.item_id: ws.remove_deck_item(deck_id, kind, item, key=key)
        ):
            S.changed()
            st.rerun()

# ------------------------------------------------------------------ preview of one slide
st.subheader("预览")
with st.container(horizontal=True, vertical_alignment="center", key="preview_nav"):
    st.button(
        "上一页",
        key="preview_prev",
        icon=":material/chevron_left:",
        on_click=_go,
        args=(-1,),
        disabled=i <= 1,
    )
    st.markdown(f"**第 {i} / {n} 页**")
    st.button(
        "下一页",
        key="preview_next",
        icon=":material/chevron_right:",
        on_click=_go,
        args=(1,),
        disabled=i >= n,
    )
    st.button("从这一页放映", key="preview_play", icon=":material/play_arrow:", on_click=_start, args=(i,))
with st.container(border=True, key="preview"):
    draw(shown[i - 1], i, live=True)

quotes = [c for c in content if isinstance(c, dict)]
if quotes:
    with st.expander(f"引语原文（共 {len(quotes)} 段，可复制）"):
        for q in quotes:
            st.code(f"{quote_body(q)}{quote_attribution(q)}", language=None, wrap_lines=True)
