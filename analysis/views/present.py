"""演示模式: the named decks and, for one of them, its charts and quotes in slide order."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..workspace import Workspace
from ._common import Base


@dataclass(frozen=True)
class PresentView(Base):
    decks: pd.DataFrame  # id, name, position, items
    deck_id: int | None  # the deck shown (the first when none or an unknown one is asked for)
    items: pd.DataFrame  # position, kind ('pin'/'quote'), item_id, title


def present(ws: Workspace, *, deck_id: int | None = None) -> PresentView:
    decks = ws.decks()
    ids = [int(i) for i in decks["id"]]
    if not ids:
        return PresentView(decks, None, pd.DataFrame(), notices=("还没有演示。",))
    chosen = deck_id if deck_id in ids else ids[0]
    items = ws.deck_items(chosen)
    notices = () if len(items) else ("这个演示还没有图表或引语：在各页图表下点“📌 加入演示”。",)
    return PresentView(decks, chosen, items, notices=notices)
