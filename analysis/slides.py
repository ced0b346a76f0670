"""What goes on each slide: pinned charts cut into parts that fit one 16:9 slide.

Pure pandas, no drawing: the PPT writer (analysis.deck_pptx) and the 演示模式 page both
draw the same parts, so a heatmap that is split over two slides in the deck is split the
same way on the meeting screen, and both carry the same footer facts as the PNG.

Pin kinds and the columns of their data (what app_pages._widgets.pin_button stores):
  bar (ranking), emerging (emerging phrases)   label, value [, recent, before]
  grouped_bar (comparison)                     group, series, value
  line (trend)                                 x, series, value
  heatmap                                      row, col, value
  map                                          province, value
  wordcloud                                    label, value
  words (distinctive words)                    side, word, value (z)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field

import pandas as pd

PIN_KINDS = ("bar", "grouped_bar", "line", "heatmap", "map", "wordcloud", "words", "emerging")
KIND_NAMES = {
    "bar": "排名",
    "grouped_bar": "对比",
    "line": "趋势",
    "heatmap": "热力图",
    "map": "地图",
    "wordcloud": "词云",
    "words": "特色词",
    "emerging": "新词发现",
}
RANK_PER_CHART = 18  # bars one chart column holds at 12 pt without skipping labels
RANK_MAX = 2 * RANK_PER_CHART  # two columns side by side; beyond this the rest is cut with a note
HEAT_ROWS = 14  # heatmap rows per slide at 12 pt
HEAT_MAX_PAGES = 3  # 42 rows: all 34 provincial units fit
HEAT_COLS = 10  # columns that stay readable at 12 pt; the rest are cut with a note
WORDS_ROWS = 12
_FILE_NAME = re.compile(r"\.(txt|md|markdown|html?|docx?|pdf)$", re.IGNORECASE)


def warn_legend() -> str:
    """The ⚠ legend with the threshold in force (Settings.min_text_chars), as pages and PNGs say it."""
    from .settings import current
    from .stats import thin_legend

    return thin_legend(current().min_text_chars)


class PinError(ValueError):
    """A pin's data does not have the columns its kind needs (message in Chinese)."""


@dataclass
class Pin:
    title: str
    kind: str
    data: pd.DataFrame
    source: str
    filters: str

    @classmethod
    def from_json(cls, title: str, kind: str, data_json: str, source: str, filters: str) -> Pin:
        """A pin from stored JSON (pandas records or split orient)."""
        raw = json.loads(data_json) if data_json else []
        if isinstance(raw, dict) and "columns" in raw and "data" in raw:
            data = pd.DataFrame(raw["data"], columns=raw["columns"])
        else:
            data = pd.DataFrame(raw)
        return cls(title=title, kind=kind, data=data, source=source, filters=filters)


@dataclass
class Part:
    """One slide's worth of a pin: the (possibly cut) data and the notes for its footer."""

    pin: Pin
    data: pd.DataFrame
    title: str
    notes: list[str] = field(default_factory=list)
    page: int = 1
    pages: int = 1


_NEEDS = {
    "bar": ("label", "value"),
    "emerging": ("label", "value"),
    "wordcloud": ("label", "value"),
    "grouped_bar": ("group", "series", "value"),
    "line": ("x", "series", "value"),
    "heatmap": ("row", "col", "value"),
    "map": ("province", "value"),
    "words": ("side", "word", "value"),
}


def zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def footer_line(pin: Pin, made_on: dt.date) -> str:
    """Filters, source and export date: the facts the PNG's source line carries, plus the date."""
    parts = [
        f"筛选：{pin.filters}" if pin.filters else "筛选：全部",
        f"来源：政策主题看板 · {pin.source}" if pin.source else "来源：政策主题看板",
        f"导出日期：{zh_date(made_on)}",
    ]
    return "　｜　".join(parts)


def _numeric(d: pd.DataFrame) -> pd.DataFrame:
    return d.assign(value=pd.to_numeric(d["value"], errors="coerce").fillna(0.0))


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def _listed(names: list[str], limit: int = 6) -> str:
    head = "、".join(names[:limit])
    return head + (f"等 {len(names)} 个" if len(names) > limit else "")


def parts(pin: Pin) -> list[Part]:
    """The slides a pin needs, each with its cut data and footer notes (never silently dropped)."""
    if pin.kind not in PIN_KINDS:
        raise PinError(f"未知的图表类型：{pin.kind}（可用：{'、'.join(PIN_KINDS)}）")
    d = pin.data if pin.data is not None else pd.DataFrame()
    if d.empty:
        return [Part(pin, d, pin.title)]
    missing = [c for c in _NEEDS[pin.kind] if c not in d.columns]
    if missing:
        raise PinError(f"图表“{pin.title}”的数据缺少列：{'、'.join(missing)}")
    d = _numeric(d)
    notes: list[str] = []
    if pin.kind in ("bar", "emerging", "map") and d.iloc[:, 0].astype(str).str.contains("⚠").any():
        legend = warn_legend()
        if legend not in (pin.source or ""):  # pins made since the legend joined the source line
            notes.append(legend)
    if pin.kind in ("bar", "emerging"):
        d = d.sort_values("value", ascending=False, kind="stable")
        if len(d) > RANK_MAX:
            rest = d.iloc[RANK_MAX:]
            notes.append(
                f"只列出前 {RANK_MAX} 项；另有 {len(rest)} 项未列出（合计 {_fmt(rest['value'].sum())}）"
            )
            d = d.head(RANK_MAX)
        return [Part(pin, d.reset_index(drop=True), pin.title, notes)]
    if pin.kind == "heatmap":
        return _heatmap_parts(pin, d, notes)
    if pin.kind == "words":
        return [Part(pin, _top_words(d), pin.title, notes)]
    return [Part(pin, d.reset_index(drop=True), pin.title, notes)]


def _top_words(d: pd.DataFrame) -> pd.DataFrame:
    """Each side's WORDS_ROWS most distinctive words, sides in their stored order."""
    order = {s: i for i, s in enumerate(dict.fromkeys(d["side"].astype(str)))}  # before any sorting
    d = d.assign(side=d["side"].astype(str), _o=d["side"].astype(str).map(order))
    d = d.sort_values(["_o", "value"], ascending=[True, False], kind="stable")
    return (
        d.groupby("_o", sort=True, group_keys=False)
        .head(WORDS_ROWS)
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def heatmap_matrix(d: pd.DataFrame) -> pd.DataFrame:
    """row × col sums, rows and columns in the order the pin stored them."""
    return d.pivot_table(index="row", columns="col", values="value", aggfunc="sum", fill_value=0, sort=False)


def _heatmap_parts(pin: Pin, d: pd.DataFrame, notes: list[str]) -> list[Part]:
    m = heatmap_matrix(d)
    if m.shape[1] > HEAT_COLS:
        # The columns with the largest totals stay, in their original order.
        keep = set(m.sum(axis=0).sort_values(ascending=False, kind="stable").index[:HEAT_COLS])
        cut = [str(c) for c in m.columns if c not in keep]
        total = m[[c for c in m.columns if c not in keep]].to_numpy().sum()
        notes.append(
            f"只列出合计最多的 {HEAT_COLS} 列；未列出：{_listed(cut)}（合计 {_fmt(total)}，见 Excel 导出）"
        )
        m = m[[c for c in m.columns if c in keep]]
    limit = HEAT_ROWS * HEAT_MAX_PAGES
    if len(m) > limit:
        rest = m.iloc[limit:]
        notes.append(f"另有 {len(rest)} 行未列出：{_listed([str(r) for r in rest.index])}")
        m = m.iloc[:limit]
    pages = max(1, math.ceil(len(m) / HEAT_ROWS))
    # Even pages (14 + 13, not 14 + 1) so no slide carries a lonely row.
    per = math.ceil(len(m) / pages)
    out = []
    for k in range(pages):
        chunk = m.iloc[k * per : (k + 1) * per]
        long = chunk.reset_index().melt(id_vars="row", var_name="col", value_name="value")
        long = long.assign(
            row=pd.Categorical(long["row"], categories=list(chunk.index), ordered=True),
            col=pd.Categorical(long["col"], categories=list(chunk.columns), ordered=True),
        ).sort_values(["row", "col"])
        long = long.assign(row=long["row"].astype(str), col=long["col"].astype(str)).reset_index(drop=True)
        title = pin.title if pages == 1 else f"{pin.title}（{k + 1}/{pages}）"
        out.append(Part(pin, long, title, list(notes), page=k + 1, pages=pages))
    return out


def ranking_columns(d: pd.DataFrame) -> list[pd.DataFrame]:
    """A long ranking in two halves drawn side by side (largest first in the left one)."""
    if len(d) <= RANK_PER_CHART:
        return [d]
    half = math.ceil(len(d) / 2)
    return [d.iloc[:half], d.iloc[half:]]


def nice_max(v: float) -> float:
    """An axis maximum a little above v on a round step, so two halves share one scale."""
    if v <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * step >= v * 1.12:
            return float(m * step)
    return float(10 * step)


# ---------------------------------------------------------------- decks
Item = Pin | dict  # a pinned chart, or a quote (analysis.quotes.deck_quotes's dict)


def deck_content(order: pd.DataFrame, pins: pd.DataFrame, quotes: pd.DataFrame) -> list[Item]:
    """A deck's charts and quotes in slide order (order: kind, item_id; pins and quotes:
    the store's tables)."""
    from .quotes import deck_quotes

    p = pins.set_index("id") if len(pins) else pins
    q = quotes.set_index("id", drop=False) if len(quotes) else quotes
    out: list[Item] = []
    for kind, item_id in zip(order["kind"], order["item_id"]):
        if kind == "pin" and int(item_id) in p.index:
            r = p.loc[int(item_id)]
            out.append(Pin.from_json(r["title"], r["kind"], r["data"], r["source_line"], r["filters"]))
        elif kind == "quote" and int(item_id) in q.index:
            out.extend(deck_quotes(q.loc[[int(item_id)]]))
    return out


def expand(content: list[Item]) -> list[Part | dict]:
    """Every slide of a deck in order: a pin's parts (a big heatmap gives several), quotes as they are."""
    out: list[Part | dict] = []
    for item in content:
        if not isinstance(item, Pin):
            out.append(item)
            continue
        try:
            out.extend(parts(item))
        except PinError as exc:  # one damaged pin must not take the whole deck down
            out.append(Part(item, pd.DataFrame(), item.title, [str(exc)]))
    return out


# ---------------------------------------------------------------- quotes
def quote_attribution(q: dict) -> str:
    """—— who (speaker with office, province once), outlet, 《title》, date.

    Editors complained of “陕西，陕西，西安”: the province used to come both as the speaker
    stand-in and on its own. Here it appears at most once, and the outlet is never dropped
    for the title."""
    from .quotes import attribution

    who = attribution(str(q.get("speaker") or ""), str(q.get("office") or ""), str(q.get("province") or ""))
    province = str(q.get("province") or "")
    if province and province not in who:
        who = f"{province} · {who}" if who else province
    outlet = str(q.get("outlet") or q.get("source") or "")
    if _FILE_NAME.search(outlet):  # a file name is not an outlet; the title says where it is from
        outlet = ""
    title = str(q.get("title") or "")
    day = q.get("date")
    if isinstance(day, dt.datetime):
        day = day.date()
    when = zh_date(day) if isinstance(day, dt.date) else str(day or "")
    pieces = [who, outlet, f"《{title}》" if title and title != outlet else "", when]
    return "—— " + "，".join(p for p in pieces if p)


def quote_body(q: dict) -> str:
    body = str(q.get("text") or "").strip()
    if body.startswith("“") and body.endswith("”") and body.count("“") == 1:
        body = body[1:-1]
    return f"“{body}”"
