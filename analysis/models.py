"""Plain records passed between the engine's modules."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

NATIONAL = "全国"


@dataclass
class Paragraph:
    idx: int
    section_idx: int
    text: str  # display text, hard wraps repaired, original script
    norm: str  # whitespace removed, Simplified: what counting and kwic see
    province: str = NATIONAL
    reason: str = ""
    runner_up: str = ""  # the other province its evidence names most, "" if none
    runner_up_count: int = 0
    weak: bool = False  # decided on thin evidence: an editor should check it first

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
    runner_up: str = ""  # the other province its evidence names most, "" if none
    runner_up_count: int = 0
    weak: bool = False  # decided on thin evidence: an editor should check it first


@dataclass
class Article:
    id: str
    source: str  # file name as given
    title: str
    date: dt.date
    date_basis: str  # 正文 / 文件时间 / 元数据 / 编辑
    text: str  # the decoded original text
    sha: str
    outlet: str = ""  # publication, when known (name normalised by outlets.py)
    author: str = ""  # byline, section (版面/栏目) and URL as a table or meta.csv gave them
    section: str = ""
    url: str = ""
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


def dictionary_hash(themes: Sequence[Theme]) -> str:
    """A short hash of everything a dictionary counts with (every Theme field, in order).

    Stored with the counts, so a dictionary file and the counts it should have made can
    be compared; the file's comments and layout do not change it."""
    canon = json.dumps([asdict(t) for t in themes], ensure_ascii=False, sort_keys=True, default=list)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Filters:
    """The view an editor has chosen; every query takes one."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()  # canonical outlet names (articles.outlet)


@dataclass
class Meta:
    """What an editor or a meta.csv says about a file, overriding what the text suggests."""

    title: str = ""
    date: dt.date | None = None
    outlet: str = ""
    author: str = ""
    section: str = ""
    url: str = ""


@dataclass
class Parsed:
    """A parsed article with its count rows, as the store writes it."""

    article: Article
    hits: list[tuple[int, str, str, int]] = field(default_factory=list)  # par_idx, theme, phrase, n
    words: dict[str, Counter] = field(default_factory=dict)  # province -> word counts
