"""主题词典: how often each theme and phrase is counted under the filters, and the saved versions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models import Filters
from ..workspace import Workspace
from ._common import Base, filters_text, headed


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
        headed(themes, "name category phrases count docs"),
        headed(phrases, "theme phrase count docs provinces first_seen last_seen", last_seen="最近"),
        ws.dictionary_history(),
    )
