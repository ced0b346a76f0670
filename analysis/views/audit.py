"""词典体检: for every dictionary phrase, how often, where and since when it is counted, sample
contexts to catch false hits, and the phrases or themes that never match."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models import Filters
from ..workspace import Workspace
from ._common import EMPTY, Base, headed


@dataclass(frozen=True)
class AuditView(Base):
    metrics: dict[str, int]  # 主题, 词语, 未出现的词语, 没有命中的主题, 需要核对的词语
    suspicious: pd.DataFrame  # phrase rows worth a look (two characters, inside longer words …)
    phrases: pd.DataFrame  # every phrase (of the chosen categories)
    themes: pd.DataFrame
    unused: pd.DataFrame  # 主题, 类别, 词语数
    nested: pd.DataFrame  # 短词, 短词主题, 长词, 长词主题, 长词次数


# The columns of the phrase and theme tables, in the order editors read them.
PHRASE_COLUMNS = "theme category phrase notes count docs provinces first_seen last_seen contexts inside"
THEME_COLUMNS = "name category phrases count docs provinces first_seen last_seen unused_phrases"


def _days(df: pd.DataFrame) -> pd.DataFrame:
    """First and last dates as text, "" where there is none."""
    return df.assign(**{c: [str(d) if d else "" for d in df[c]] for c in ("first_seen", "last_seen")})


def phrase_table(df: pd.DataFrame) -> pd.DataFrame:
    contexts = [" ｜ ".join(c) for c in df["contexts"]]
    return headed(_days(df).assign(contexts=contexts), PHRASE_COLUMNS, contexts="例句")


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
    themes = headed(_days(a.themes), THEME_COLUMNS, unused_phrases="未出现的词语")
    return AuditView(
        metrics,
        phrase_table(suspicious.sort_values(["count", "phrase"], ascending=[False, True])),
        phrase_table(P[P["category"].isin(list(categories))] if categories else P),
        themes,
        headed(a.unused, "name category phrases"),
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
