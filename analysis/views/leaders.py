"""领导人: the leader terms attribution reads (corpus/geo/leaders.csv), for editors to add
or end a term; a change takes effect after 重建全部统计."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..leaders import OFFICES
from ..workspace import Workspace
from ._common import Base

NOTE = "修改后需在“语料管理”页点“重建全部统计”（或点本页的按钮）才会用于判断省份。"


@dataclass(frozen=True)
class LeadersView(Base):
    terms: pd.DataFrame  # 姓名, 省份, 职务, 起始, 结束, 备注 (file order; 结束 "" = 在任)
    in_office: int  # terms without an end month
    offices: tuple[str, ...]
    provinces: list[str]
    note: str


def leaders(ws: Workspace) -> LeadersView:
    terms = ws.leader_terms()
    table = pd.DataFrame(
        [(t.name, t.province, t.office, t.start, t.end, t.note) for t in terms],
        columns=["姓名", "省份", "职务", "起始", "结束", "备注"],
    )
    return LeadersView(table, sum(1 for t in terms if not t.end), OFFICES, ws.province_names(), NOTE)
