"""语料管理: what is stored (figures and the newest articles) and the upload limits."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..workspace import CorpusSummary, Workspace
from ._common import Base, headed

SHOWN = 5000  # newest articles listed; the figures always cover the whole store
TYPES = ["txt", "md", "html", "htm", "docx", "pdf", "csv", "tsv", "xlsx", "jsonl", "zip"]


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


@dataclass(frozen=True)
class CorpusView(Base):
    summary: CorpusSummary  # the whole store, no filter
    articles: pd.DataFrame  # 日期, 标题, 来源文件, 日期依据, 字数, 省份, 编号
    labels: dict[str, str]  # article id -> "date · title · source" (for 删除文章)
    limits_line: str
    truncated: bool
    samples: int = field(default=0, kw_only=True)  # stored sample articles (移除全部示例文章)


def corpus(ws: Workspace) -> CorpusView:
    arts = ws.list_articles(None, limit=SHOWN)
    table = headed(arts, "date title source date_basis chars provinces id", provinces="省份")
    lim = ws.settings.limits
    limits_line = (
        f"支持 {'、'.join(TYPES)} 文件，任何常见中文编码。单个文件不超过 {_mb(lim.max_file_bytes)}；"
        f"一次最多 {lim.max_files_per_upload} 个文件，合计不超过 {_mb(lim.max_upload_total_bytes)}。"
        "表格（csv、tsv、xlsx、jsonl）每行一篇文章，zip 压缩包里的文档和表格一并导入。"
        "内容相同的文件只保存一次。导入后所有页面的统计立即更新。"
    )
    labels = {r.id: f"{str(r.date)[:10]} · {r.title} · {r.source}" for r in arts.itertuples()}
    return CorpusView(
        ws.summary(None),
        table,
        labels,
        limits_line,
        len(arts) >= SHOWN,
        samples=len(ws.sample_article_ids()),
    )
