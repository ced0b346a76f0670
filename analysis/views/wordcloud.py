"""词云: the most frequent words (or themes) of a selection, as frequencies and a table."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from ..models import Filters
from ..workspace import Workspace
from ._common import EMPTY, Base, corpus_line, own_names, provinces_by_text

MODES = {"words": "全部词语", "themes": "仅主题词"}


@dataclass(frozen=True)
class WordCloudView(Base):
    provinces: list[str]  # the province choices, by amount of text
    title: str
    freqs: dict[str, float]  # what the cloud draws
    table: pd.DataFrame  # 词语 (or 主题, 类别), 次数, 出现文章数 …
    caption: str
    pin_title: str
    pin: pd.DataFrame  # label, value: the top 20 as a bar chart for the deck


def wordcloud(
    ws: Workspace,
    f: Filters,
    *,
    provinces: tuple[str, ...] = (),
    mode: str = "words",
    top: int = 100,
    hide_boilerplate: bool = True,
) -> WordCloudView:
    options = provinces_by_text(ws, f)
    if not ws.summary(f).articles:
        return WordCloudView(options, "", {}, pd.DataFrame(), "", "", pd.DataFrame(), notices=(EMPTY,))
    provs = [p for p in provinces if p in options]
    sel = replace(f, provinces=tuple(provs))
    where = "、".join(provs) if provs else "全部省份"
    if mode == "themes":
        t = ws.top_themes(sel, n=top)
        t = t[t["count"] > 0]
        table = pd.DataFrame(
            {
                "主题": t["name"],
                "类别": t["category"],
                "次数": t["count"],
                "出现文章数": t["docs"],
                "每万字频次": t["per_10k"],
            }
        )
        freqs = dict(zip(t["name"], t["count"].astype(float)))
        title = f"主题词云：{where}"
    else:
        # A province's own name says nothing in its own cloud (广东 in 广东's words).
        hide = [*(ws.boilerplate() if hide_boilerplate else []), *own_names(provs)]
        words = ws.word_totals(sel, limit=top, exclude=hide)
        table = pd.DataFrame({"词语": words["word"], "次数": words["count"], "出现文章数": words["docs"]})
        freqs = dict(zip(words["word"], words["count"].astype(float)))
        title = f"高频词词云：{where}"
    if not freqs:
        return WordCloudView(
            options, title, {}, table, "", "", pd.DataFrame(), notices=("所选范围内没有可显示的词语",)
        )
    caption = (
        f"{corpus_line(ws, sel)}；{'已隐藏政治套话；' if hide_boilerplate and mode != 'themes' else ''}"
        "字越大出现越多。词语由分词得到，主题词典中的词保持完整。"
    )
    label = table.columns[0]
    pin = table.head(20)[[label, "次数"]].set_axis(["label", "value"], axis=1)
    pin_title = f"{'出现最多的主题' if mode == 'themes' else '高频词'}前 20：{where}"
    return WordCloudView(options, title, freqs, table, caption, pin_title, pin)
