"""Plain records passed between the engine's modules."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

NATIONAL = "全国"


@dataclass
class Paragraph:
    idx: int
    section_idx: int
    text: str  # display text, hard wraps repaired, original script
    norm: str  # whitespace removed, Simplified: what counting and kwic see
    province: str = NATIONAL
    reason: str = ""

    @property
    def chars(self) -> int:
        return len(self.norm)


@dataclass
class Section:
    idx: int
    header: str
    province: str = NATIONAL
    reason: str = ""
    speaker: str = ""  # leader named in the header, if any
    office: str = ""
    auto_province: str = ""  # what the evidence said, kept when an editor overrides
    auto_reason: str = ""


@dataclass
class Article:
    id: str
    source: str  # file name as given
    title: str
    date: dt.date
    date_basis: str  # 正文 / 文件时间 / 元数据 / 编辑
    text: str  # the decoded original text
    sha: str
    outlet: str = ""  # publication, when known
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(p.chars for p in self.paragraphs)


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    note: str = ""
    # longer phrases in which an alias does not count (法治 not in 法治化): matched as
    # phrases of no theme, so leftmost-longest skips them
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """The view an editor has chosen; every query takes one."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()


@dataclass
class Meta:
    """What an editor or a meta.csv says about a file, overriding what the text suggests."""

    title: str = ""
    date: dt.date | None = None
    outlet: str = ""


@dataclass
class Parsed:
    """A parsed article with its count rows, as the store writes it."""

    article: Article
    hits: list[tuple[int, str, str, int]] = field(default_factory=list)  # par_idx, theme, phrase, n
    words: dict[str, Counter] = field(default_factory=dict)  # province -> word counts
