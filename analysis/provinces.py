"""Which places, leaders and provinces a text names: the evidence attribution weighs.

Evidence, strongest first: an explicit header (`## 吉林`, `【湖北】`, `北京：…`); a
provincial leader's name (resolved by the article's date, since leaders move); a city
or district name; a province named inline; a dateline (weak: it says where the reporter
filed from). The reason is kept as a short Chinese string shown to editors, e.g.
"标题：北京", "人名：陈吉宁 → 上海", "地名：深圳 → 广东". Data lives in corpus/geo/
(see its README for sources); attribution.py decides from this evidence.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import daachorse

from .headers import header_marker, looks_structural
from .settings import GEO_DIR

MAINLAND_COUNT = 31
# A dateline names where the reporter filed from (新华社北京3月5日电, 本报南京4月2日电):
# a place followed by a date and 电, or an agency's name, the place, and 电.
_DATE_DIAN = re.compile(r"\d{1,2}月\d{1,2}日电")
_DIAN = re.compile(r"(?:\d{1,2}月\d{1,2}日)?电")
_CJK = set(chr(c) for c in range(0x4E00, 0xA000))
# What may sit between a place and an organisation's kind (上海【交通】大学, 广东【宏远】队):
# a proper name, never a verb phrase. These characters start or build verb phrases
# (湖北新建医院, 四川组建团队, 浙江加快建设一流大学), so a gap holding one is not a name;
# nor is a gap holding another place (北京和上海队: 北京 is not part of the team's name).
_VERBISH = set("建设新增组成打推加发提扩实在对与及的将是为有等各个所这把被让向到出入开办立")
_MAX_GAP = 4


def _lines(path: Path) -> list[str]:
    """Non-empty lines of a plain data file without `#` comments (a missing file: none)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(line for line in fh if not line.startswith("#"))
        ]


class Evidence(NamedTuple):
    """One name found. A named tuple, not a dataclass: evidence() makes one per name in
    every paragraph of every ingest, and a frozen dataclass cost several times more."""

    kind: str  # province / leader / place / dateline
    text: str  # the words found
    province: str
    office: str = ""

    def reason(self, prefix: str | None = None) -> str:
        if self.kind == "leader":
            return f"{prefix or '人名'}：{self.text} → {self.province}"
        if self.kind in ("place", "dateline"):
            return f"{prefix or ('地名' if self.kind == 'place' else '电头')}：{self.text} → {self.province}"
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


class Gazetteer:
    """Provinces, cities and leaders, with one Aho–Corasick automaton over all names.

    Organisation names and fixed expressions that contain a place (北京大学, 北京时间,
    上海合作组织) yield no evidence: corpus/geo/org_suffixes.txt and fixed_expressions.txt.
    """

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
        for posts in self.leaders.values():
            posts.sort(key=lambda p: p.start)
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
            if row.get("level") == "自治州" and len(row["short"]) >= 2:
                # 海南州, 延边州: the usual short form of an autonomous prefecture, which also
                # keeps 青海's 海南州 from reading as the province 海南.
                self.places.setdefault(row["short"] + "州", row["province"])
        self.immediate, self.gapped, self.common = self._suffixes(geo_dir / "org_suffixes.txt")
        self._kinds = re.compile("|".join(map(re.escape, self.immediate))) if self.immediate else None
        self._longest_kind = max(map(len, self.immediate), default=0)
        self.fixed = _lines(geo_dir / "fixed_expressions.txt")
        self.agencies = tuple(_lines(geo_dir / "news_agencies.txt"))
        self._auto = ahocorasick.Automaton()
        for phrase in self.fixed:  # longest match wins, so a fixed expression hides its place
            self._auto.add_word(phrase, ("fixed", phrase, ""))
        for form, prov in self.places.items():
            self._auto.add_word(form, ("place", form, prov))
        for name in self.leaders:
            self._auto.add_word(name, ("leader", name, ""))
        for form, prov in self.forms.items():
            self._auto.add_word(form, ("province", form, prov))
        self._auto.make_automaton()
        # The same words again in daachorse's leftmost-longest automaton, for evidence():
        # it runs on every paragraph of every ingest and returns all matches in one call
        # (about 3x pyahocorasick's iterator). pyahocorasick keeps the overlapping search.
        entries = dict(self._auto.items())
        self._values = list(entries.values())
        self._fast = daachorse.CharwiseDoubleArrayAhoCorasick(
            list(entries), daachorse.MATCH_KIND_LEFTMOST_LONGEST
        )
        # A place or province found is always the same evidence (immutable, so shared):
        # built once here, never per match.
        self._plain = [Evidence(k, f, p) if k in ("place", "province") else None for k, f, p in self._values]
        self._dated = [Evidence("dateline", f, p) for _k, f, p in self._values]
        self._posts: dict[tuple[str, dt.date | None], Evidence | None] = {}  # leader on a day
        self._newline_names = any("\n" in name for name in entries)

    @staticmethod
    def _suffixes(path: Path) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """org_suffixes.txt: `大学` (right after the place), `~大学` (also after a name),
        `!大学生` (a common noun that starts with a kind: not an organisation)."""
        immediate, gapped, common = [], [], []
        for line in _lines(path):
            if line.startswith("!"):
                common.append(line[1:])
                continue
            word = line.lstrip("~")
            immediate.append(word)
            if line.startswith("~"):
                gapped.append(word)
        by_len = sorted(immediate, key=len, reverse=True)
        return tuple(by_len), tuple(sorted(gapped, key=len, reverse=True)), tuple(common)

    def province_of(self, form: str) -> str | None:
        """Short province for a province or city form (北京市 → 北京, 宁波 → 浙江)."""
        return self.forms.get(form) or self.places.get(form)

    def known(self, name: str) -> bool:
        """A province, city or leader name (what may open a header: `宁波：`, `刘宁：`)."""
        return name in self.forms or name in self.places or name in self.leaders

    def opens_with_leader(self, text: str) -> bool:
        """The text begins with a leader's name (`梁言顺在全省大会上的讲话要点`)."""
        for end, (kind, form, _prov) in self._auto.iter_long(text[:12]):
            return kind == "leader" and end + 1 == len(form)
        return False

    def header_line(self, line: str) -> bool:
        """A line that looks like a section header (hard-wrap repair must not swallow it)."""
        return looks_structural(line) or header_marker(line, self.known) is not None

    def leader(self, name: str, day: dt.date | None) -> Leader | None:
        """The post `name` held on `day`. Before the file's first record of them: that first
        post (the data starts at a cut-off). After their last post ended: None, since they
        have moved on (国务院总理李强 in 2026 says nothing about 上海). Between two posts:
        the earlier one."""
        posts = self.leaders.get(name) or []
        if not posts:
            return None
        if day is None:
            return posts[-1]
        for post in posts:
            if post.serves_on(day):
                return post
        ym = f"{day.year:04d}-{day.month:02d}"
        before = [p for p in posts if p.start <= ym]
        if not before:
            return posts[0]
        if all(p.end and p.end < ym for p in posts):
            return None
        return before[-1]

    def in_organisation(self, text: str, end: int) -> bool:
        """The place ending at `end` is part of an organisation's name (北京大学, 湖北日报,
        上海交通大学, 广东宏远队): the kind follows at once or after a short proper name."""
        if self._kinds is None:
            return False
        rest = text[end + 1 : end + 1 + _MAX_GAP + self._longest_kind]
        m = self._kinds.search(rest)  # runs on every place found: one C-level search
        if m is None or rest.startswith(self.common, m.start()):  # 四川大学生, 浙江银行业
            return False
        gap = m.start()
        if gap == 0:
            return True
        if gap > _MAX_GAP or m.group() not in self.gapped:
            return False
        between = rest[:gap]
        if not all(c in _CJK and c not in _VERBISH for c in between):
            return False
        return not any(kind != "fixed" for _e, (kind, _f, _p) in self._auto.iter(between))

    def _dateline(self, text: str, start: int, end: int) -> bool:
        if _DATE_DIAN.match(text, end + 1):
            return True
        before = text[max(0, start - 6) : start]
        return bool(before.endswith(self.agencies) and _DIAN.match(text, end + 1))

    def _leader_evidence(self, name: str, day: dt.date | None) -> Evidence | None:
        key = (name, day)
        if key not in self._posts:
            if len(self._posts) > 100_000:  # a worker's lifetime of dates: keep it bounded
                self._posts.clear()
            post = self.leader(name, day)
            self._posts[key] = None if post is None else Evidence("leader", name, post.province, post.office)
        return self._posts[key]

    def evidence(self, text: str, day: dt.date | None = None) -> list[Evidence]:
        """Every place, leader and province named in text, in reading order."""
        return self.evidence_many([text], day)[0]

    def evidence_many(self, texts: Sequence[str], day: dt.date | None = None) -> list[list[Evidence]]:
        """evidence() of each text, in one automaton pass over all of them (an article's
        paragraphs): joined by a newline, which no name contains, no match spans two texts,
        and leftmost-longest finds in each exactly what it finds in the text alone."""
        if self._newline_names:  # a name with a line break: one pass per text
            return [self._evidence(t, self._fast.find(t) if t else [], day) for t in texts]
        found: list[list[Evidence]] = [[] for _ in texts]
        joined = "\n".join(texts)
        matches = self._fast.find(joined) if joined else None
        if not matches:
            return found
        k, base, nxt = 0, 0, len(texts[0]) + 1  # the text at hand, its start, the next one's
        for start, stop, i in matches:
            while start >= nxt:
                k += 1
                base, nxt = nxt, nxt + len(texts[k]) + 1
            self._weigh(found[k], texts[k], start - base, stop - base, i, day)
        return found

    def _evidence(
        self, text: str, matches: list[tuple[int, int, int]], day: dt.date | None
    ) -> list[Evidence]:
        found: list[Evidence] = []
        for start, stop, i in matches:
            self._weigh(found, text, start, stop, i, day)
        return found

    def _weigh(
        self, found: list[Evidence], text: str, start: int, stop: int, i: int, day: dt.date | None
    ) -> None:
        """Append the evidence of match i at text[start:stop], if it is any."""
        ev = self._plain[i]
        if ev is None:
            kind, form, _prov = self._values[i]
            if kind == "leader":
                ev = self._leader_evidence(form, day)
                if ev is not None:
                    found.append(ev)
            return  # a fixed expression names no place
        end = stop - 1  # the index of the last character, as pyahocorasick gives it
        if self.in_organisation(text, end):
            return
        # A dateline's place is followed by a digit (3月5日电) or 电: most are not.
        after = text[stop : stop + 1]
        if (after == "电" or after.isdecimal()) and self._dateline(text, start, end):
            ev = self._dated[i]
        found.append(ev)


def _signature(geo_dir: Path) -> tuple:
    """What changes when an editor edits a data file: names, sizes and mtimes."""
    out = []
    for path in sorted(geo_dir.glob("*")):
        if path.suffix in (".csv", ".txt"):
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


class _GazetteerCache:
    """The gazetteer, read again whenever a file in corpus/geo/ has changed, so a rebuild
    uses the files as they are now (not as they were when the process started)."""

    RECHECK_SECONDS = 2.0  # stat the files at most this often (parse calls this per article)

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._gaz: Gazetteer | None = None
        self._checked = 0.0
        self._dir = ""

    def __call__(self, geo_dir: Path | None = None) -> Gazetteer:
        geo_dir = geo_dir or GEO_DIR  # looked up now: tests point it at a copy
        now = time.monotonic()
        if self._gaz is not None and str(geo_dir) == self._dir and now - self._checked < self.RECHECK_SECONDS:
            return self._gaz
        key = (str(geo_dir), _signature(geo_dir))
        if self._gaz is None or key != self._key:
            self._gaz, self._key = Gazetteer(geo_dir), key
        self._checked, self._dir = now, str(geo_dir)
        return self._gaz

    def cache_clear(self) -> None:
        """Forget the gazetteer: the next call reads corpus/geo/ again (rebuild does this)."""
        self._gaz = self._key = None


gazetteer = _GazetteerCache()


def explicit_header(header: str, gaz: Gazetteer) -> Evidence | None:
    """`吉林`, `【湖北】`, `北京：…`, `一、浙江：…`, `◆ 广东省`, `**江苏**`: a header that
    is, or opens with, a place."""
    core = header.strip().strip("【】[]* ")
    candidates = [core]
    mark = header_marker(header, gaz.known)
    if mark is not None:
        candidates.append(mark.name)
    for cand in candidates:
        if cand in gaz.forms:
            return Evidence("province", cand, gaz.forms[cand])
        if cand in gaz.places:
            return Evidence("place", cand, gaz.places[cand])
    return None


def header_evidence(header: str, gaz: Gazetteer, day: dt.date | None) -> tuple[str, str, Evidence | None]:
    """(province, reason, speaker evidence) from a header alone, or ("", "", None)."""
    prov, why, speaker, _strong = header_reading(header, gaz, day)
    return prov, why, speaker


def header_reading(
    header: str, gaz: Gazetteer, day: dt.date | None
) -> tuple[str, str, Evidence | None, bool]:
    """(province, reason, speaker, strong). Strong: the header is a place (`【湖北】`,
    `宁波：…`) or opens with a leader's name (`郝鹏在全省大会上的讲话摘要`); a place or
    leader mentioned further in is a topic, weak evidence the body may overrule."""
    if not header:
        return "", "", None, False
    found = [e for e in gaz.evidence(header, day) if e.kind != "dateline"]
    speaker = next((e for e in found if e.kind == "leader"), None)
    exp = explicit_header(header, gaz)
    if exp is not None:
        reason = f"标题：{exp.text}" + (f" → {exp.province}" if exp.text != exp.province else "")
        return exp.province, reason, speaker, True
    for kind in ("leader", "place", "province"):
        hit = next((e for e in found if e.kind == kind), None)
        if hit is not None:
            strong = kind == "leader" and header.lstrip().startswith(hit.text)
            return hit.province, hit.reason("标题" if kind == "province" else None), speaker, strong
    return "", "", None, False


def dominant(evidence: list[Evidence], min_hits: int = 2, share: float = 0.6) -> tuple[str, str]:
    """The province most of the evidence points to, if it clearly dominates."""
    if not evidence:
        return "", ""
    by_prov = Counter(e.province for e in evidence)
    prov, n = by_prov.most_common(1)[0]
    if n < min_hits or n < share * len(evidence):
        return "", ""
    return prov, evidence_words(evidence, prov)


def evidence_words(evidence: list[Evidence], prov: str) -> str:
    """`深圳市（4次） → 广东`: the word most often found for prov."""
    words = Counter(e.text for e in evidence if e.province == prov)
    word, times = words.most_common(1)[0]
    arrow = f" → {prov}" if word != prov else ""
    return f"{word}（{times}次）{arrow}"


def paragraph_province(text: str, gaz: Gazetteer, day: dt.date | None) -> tuple[str, str]:
    """A paragraph of a national section that clearly names one province, or ("", "")."""
    return single_province(gaz.evidence(text, day))


def single_province(found: list[Evidence]) -> tuple[str, str]:
    """The one province all this evidence points to, with the strongest reason; else ("", "").
    A dateline alone says nothing about what the paragraph is about."""
    found = [e for e in found if e.kind != "dateline"]
    provinces = {e.province for e in found}
    if len(provinces) != 1:
        return "", ""
    best = min(found, key=lambda e: {"leader": 0, "place": 1, "province": 2}[e.kind])
    return best.province, best.reason()
