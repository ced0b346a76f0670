"""Which province a section or paragraph speaks of, and why.

Evidence, strongest first: an explicit header (`## 吉林`, `【湖北】`, `北京：…`); a
provincial leader's name (resolved by the article's date, since leaders move); a city
or district name; a province named inline. The reason is kept as a short Chinese
string shown to editors, e.g. "标题：北京", "人名：陈吉宁 → 上海", "地名：深圳 → 广东".
Data lives in corpus/geo/ (see its README for sources).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from .settings import GEO_DIR

MAINLAND_COUNT = 31
# A place inside a newspaper's or broadcaster's name (贵州都市报, 深圳特区报) tells where
# the outlet is based, not what the passage is about.
_OUTLET = re.compile(r"日报|晚报|都市报|特区报|商报|卫视|电视台|广播电视台|新闻网")


@dataclass(frozen=True)
class Evidence:
    kind: str  # province / leader / place
    text: str  # the words found
    province: str
    office: str = ""

    def reason(self, prefix: str | None = None) -> str:
        if self.kind == "leader":
            return f"{prefix or '人名'}：{self.text} → {self.province}"
        if self.kind == "place":
            return f"{prefix or '地名'}：{self.text} → {self.province}"
        return f"{prefix or '提及'}：{self.province}"


@dataclass(frozen=True)
class Leader:
    name: str
    province: str
    office: str
    start: str
    end: str

    def serves_on(self, day: dt.date) -> bool:
        ym = f"{day.year:04d}-{day.month:02d}"
        return self.start <= ym and (not self.end or ym <= self.end)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(line for line in fh if not line.startswith("#"))
        ]


class Gazetteer:
    """Provinces, cities and leaders, with one Aho–Corasick automaton over all names."""

    def __init__(self, geo_dir: Path = GEO_DIR):
        self.provinces = _rows(geo_dir / "provinces.csv")
        self.short_names = [p["short"] for p in self.provinces]
        self.mainland = [
            p["short"] for p in self.provinces if p["kind"] != "特别行政区" and p["short"] != "台湾"
        ]
        self.leaders: dict[str, list[Leader]] = {}
        for row in _rows(geo_dir / "leaders.csv"):
            self.leaders.setdefault(row["name"], []).append(
                Leader(row["name"], row["province"], row["office"], row["start"], row["end"])
            )
        self.forms: dict[str, str] = {}  # any province form -> short name
        for p in self.provinces:
            for form in [p["short"], p["full"], *p.get("aliases", "").split("|")]:
                if len(form) >= 2:
                    self.forms[form] = p["short"]
        self.places: dict[str, str] = {}  # city/district form -> province
        for row in _rows(geo_dir / "cities.csv"):
            self.places.setdefault(row["name"], row["province"])
            if row.get("short_safe") == "1" and len(row["short"]) >= 2 and row["short"] not in self.forms:
                self.places.setdefault(row["short"], row["province"])
        self._auto = ahocorasick.Automaton()
        for form, prov in self.places.items():
            self._auto.add_word(form, ("place", form, prov))
        for name in self.leaders:
            self._auto.add_word(name, ("leader", name, ""))
        for form, prov in self.forms.items():
            self._auto.add_word(form, ("province", form, prov))
        self._auto.make_automaton()

    def province_of(self, form: str) -> str | None:
        """Short province for a province or city form (北京市 → 北京, 宁波 → 浙江)."""
        return self.forms.get(form) or self.places.get(form)

    def leader(self, name: str, day: dt.date | None) -> Leader | None:
        """The post `name` held on `day`; the nearest one when the date is out of range."""
        posts = self.leaders.get(name) or []
        if not posts:
            return None
        if day is not None:
            for post in posts:
                if post.serves_on(day):
                    return post
            ym = f"{day.year:04d}-{day.month:02d}"
            return min(posts, key=lambda p: 0 if p.start <= ym else 1)
        return posts[-1]

    def evidence(self, text: str, day: dt.date | None = None) -> list[Evidence]:
        """Every place, leader and province named in text, in reading order."""
        found = []
        for end, (kind, form, prov) in self._auto.iter_long(text):
            if kind != "leader" and _OUTLET.match(text, end + 1):
                continue
            if kind == "leader":
                post = self.leader(form, day)
                if post is None:
                    continue
                found.append(Evidence("leader", form, post.province, post.office))
            else:
                found.append(Evidence(kind, form, prov))
        return found


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


_HEADER_PREFIX = re.compile(r"^\s*([\u4e00-\u9fff]{2,8})\s*[：:]")


def explicit_header(header: str, gaz: Gazetteer) -> Evidence | None:
    """`吉林`, `【湖北】`, `北京：…`, `宁波：…`: a header that is, or begins with, a place."""
    core = header.strip().strip("【】[] ")
    candidates = [core]
    m = _HEADER_PREFIX.match(core)
    if m:
        candidates.append(m.group(1))
    for cand in candidates:
        if cand in gaz.forms:
            return Evidence("province", cand, gaz.forms[cand])
        if cand in gaz.places:
            return Evidence("place", cand, gaz.places[cand])
    return None


def header_evidence(header: str, gaz: Gazetteer, day: dt.date | None) -> tuple[str, str, Evidence | None]:
    """(province, reason, speaker evidence) from a header alone, or ("", "", None)."""
    if not header:
        return "", "", None
    found = gaz.evidence(header, day)
    speaker = next((e for e in found if e.kind == "leader"), None)
    exp = explicit_header(header, gaz)
    if exp is not None:
        reason = f"标题：{exp.text}" + (f" → {exp.province}" if exp.text != exp.province else "")
        return exp.province, reason, speaker
    for kind in ("leader", "place", "province"):
        hit = next((e for e in found if e.kind == kind), None)
        if hit is not None:
            return hit.province, hit.reason("标题" if kind == "province" else None), speaker
    return "", "", None


def dominant(evidence: list[Evidence], min_hits: int = 2, share: float = 0.6) -> tuple[str, str]:
    """The province most of the evidence points to, if it clearly dominates."""
    if not evidence:
        return "", ""
    by_prov = Counter(e.province for e in evidence)
    prov, n = by_prov.most_common(1)[0]
    if n < min_hits or n < share * len(evidence):
        return "", ""
    words = Counter(e.text for e in evidence if e.province == prov)
    word, times = words.most_common(1)[0]
    arrow = f" → {prov}" if word != prov else ""
    return prov, f"{word}（{times}次）{arrow}"


def paragraph_province(text: str, gaz: Gazetteer, day: dt.date | None) -> tuple[str, str]:
    """A paragraph of a national section that clearly names one province, or ("", "")."""
    return single_province(gaz.evidence(text, day))


def single_province(found: list[Evidence]) -> tuple[str, str]:
    """The one province all this evidence points to, with the strongest reason; else ("", "")."""
    provinces = {e.province for e in found}
    if len(provinces) != 1:
        return "", ""
    best = min(found, key=lambda e: {"leader": 0, "place": 1, "province": 2}[e.kind])
    return best.province, best.reason()
