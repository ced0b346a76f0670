"""演示模式: the pinned charts one at a time, large, for a meeting screen; and the PPT of them all."""

import datetime as dt

import streamlit as st

from analysis import charts
from analysis.export import Pin
from app_pages import _state as S
from app_pages._widgets import quote_list

st.title("演示模式")
pins = S.pins()
if pins.empty:
    st.info(
        "还没有加入演示的图表。\n\n在“总览”“主题”“省份对比”“词云”等页面，每张图下方都有 **📌 加入演示** 按钮："
        "点一下，这张图就会按当时的筛选条件保存到这里，可以逐张全屏展示，也可以一键导出为 PPT（图表可在 PPT 里继续编辑）。"
    )
    st.page_link("app_pages/overview.py", label="去“总览”页挑选图表", icon="📊")
    quote_list("present_quotes")
    st.stop()

n = len(pins)


def _current() -> int:
    try:
        return min(n, max(1, int(S.qp_get("slide", "1"))))
    except ValueError:
        return 1


def _go(step: int) -> None:
    S.qp_set("slide", str(min(n, max(1, _current() + step))))


i = _current()
S.qp_set("slide", "" if i == 1 else str(i))
today = dt.date.today()

with st.container(horizontal=True, vertical_alignment="center", key="present_nav"):
    st.button("上一张", key="prev", icon=":material/chevron_left:", on_click=_go, args=(-1,), disabled=i <= 1)
    st.markdown(f"**第 {i} / {n} 张**")
    st.button("下一张", key="next", icon=":material/chevron_right:", on_click=_go, args=(1,), disabled=i >= n)
    st.space("stretch")
    st.download_button(
        "导出 PPT",
        S.deck(pins, today, S.quotes()),
        file_name=f"政策主题看板_{today:%Y%m%d}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="pptx",
        type="primary",
        icon=":material/slideshow:",
        on_click="ignore",
        help=f"全部 {n} 张图表，每张一页，图表是可编辑的 PPT 原生图表",
    )

row = pins.iloc[i - 1]
pin = Pin.from_json(row["title"], row["kind"], row["data"], row["source_line"], row["filters"])
try:
    fig = charts.figure_from_pin(pin.kind, pin.data, pin.title, f"{pin.source}；{pin.filters}")
except (ValueError, KeyError) as exc:
    st.warning(f"这张图无法重画（{exc}），可以在下方删除它。")
else:
    fig = charts.presentation_style(fig)
    fig.update_layout(height=650)
    st.plotly_chart(fig, key="present_chart", config={"displaylogo": False})

with st.expander(f"管理图表（共 {n} 张）"):
    read_only = not S.can_edit()
    for k, r in enumerate(pins.itertuples(), start=1):
        c1, c2, c3 = st.columns([6, 2, 1], vertical_alignment="center")
        c1.text(f"{k}. {r.title}")
        c2.caption(f"{r.created_at:%Y-%m-%d %H:%M} 加入")
        if c3.button("删除", key=f"del_{r.id}", icon=":material/delete:", disabled=read_only):
            S.ws().delete_pin(int(r.id), key=S.editor_key())
            S.changed()
            S.qp_set("slide", str(max(1, min(i, n - 1))) if n > 2 else "")
            st.rerun()

quote_list("present_quotes")
