"""词典体检: for every dictionary phrase, how often, where and since when it is counted, sample
contexts to catch false hits, and the phrases or themes that never match."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models import Filters
from ..workspace import Workspace
from ._common import EMPTY, Base


@dataclass(frozen=True)
class AuditView(Base):
    metrics: dict[str, int]  # 主题, 词语, 未出现的词语, 没有命中的主题, 需要核对的词语
    suspicious: pd.DataFrame  # phrase rows worth a look (two characters, inside longer words …)
    phrases: pd.DataFrame  # every phrase (of the chosen categories)
    themes: pd.DataFrame
    unused: pd.DataFrame  # 主题, 类别, 词语数
    nested: pd.DataFrame  # 短词, 短词主题, 长词, 长词主题, 长词次数


def phrase_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "主题": df["theme"],
            "类别": df["category"],
            "词语": df["phrase"],
            "提示": df["notes"],
            "次数": df["count"],
            "文章数": df["docs"],
            "省份数": df["provinces"],
            "最早": [str(d) if d else "" for d in df["first_seen"]],
            "最晚": [str(d) if d else "" for d in df["last_seen"]],
            "例句": [" ｜ ".join(c) for c in df["contexts"]],
            "所在的更长词语": df["inside"],
        }
    )


def audit(ws: Workspace, f: Filters, *, categories: tuple[str, ...] = ()) -> AuditView:
    if not ws.summary(f).articles:
        e = pd.DataFrame()
        return AuditView({}, e, e, e, e, e, notices=(EMPTY,))
    a = ws.audit(f)
    P = a.phrases
    suspicious = P[(P["notes"] != "") & (P["count"] > 0)]
    metrics = {
        "主题": len(a.themes),
        "词语": len(P),
        "未出现的词语": int((P["count"] == 0).sum()),
        "没有命中的主题": len(a.unused),
        "需要核对的词语": len(suspicious),
    }
    T = a.themes
    themes = pd.DataFrame(
        {
            "主题": T["name"],
            "类别": T["category"],
            "词语数": T["phrases"],
            "次数": T["count"],
            "文章数": T["docs"],
            "省份数": T["provinces"],
            "最早": [str(d) if d else "" for d in T["first_seen"]],
            "最晚": [str(d) if d else "" for d in T["last_seen"]],
            "未出现的词语": T["unused_phrases"],
        }
    )
    return AuditView(
        metrics,
        phrase_table(suspicious.sort_values(["count", "phrase"], ascending=[False, True])),
        phrase_table(P[P["category"].isin(list(categories))] if categories else P),
        themes,
        a.unused.rename(columns={"name": "主题", "category": "类别", "phrases": "词语数"})[
            ["主题", "类别", "词语数"]
        ],
        a.nested.rename(
            columns={
                "short": "短词",
                "short_theme": "短词主题",
                "long": "长词",
                "long_theme": "长词主题",
                "long_count": "长词次数",
            }
        ),
    )
