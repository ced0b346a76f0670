"""主题词典: how often each theme and phrase is counted under the filters, and the saved versions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models import Filters
from ..workspace import Workspace
from ._common import Base, filters_text


@dataclass(frozen=True)
class DictionaryView(Base):
    filters_text: str
    themes: pd.DataFrame  # 主题, 类别, 词语数, 次数, 文章数 (zero rows included, dictionary order)
    phrases: pd.DataFrame  # 主题, 词语, 次数, 文章数, 省份数, 最早, 最近
    history: pd.DataFrame  # every saved version, newest first (id, created_at, author, action, summary …)


def dictionary(ws: Workspace, f: Filters, *, metric: str = "count") -> DictionaryView:
    themes, phrases = ws.dictionary_hits(f)
    return DictionaryView(
        filters_text(f, metric),
        themes.rename(
            columns={
                "name": "主题",
                "category": "类别",
                "phrases": "词语数",
                "count": "次数",
                "docs": "文章数",
            }
        )[["主题", "类别", "词语数", "次数", "文章数"]],
        phrases.rename(
            columns={
                "theme": "主题",
                "phrase": "词语",
                "count": "次数",
                "docs": "文章数",
                "provinces": "省份数",
                "first_seen": "最早",
                "last_seen": "最近",
            }
        )[["主题", "词语", "次数", "文章数", "省份数", "最早", "最近"]],
        ws.dictionary_history(),
    )
