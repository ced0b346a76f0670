"""Editors add or end a leader's term in corpus/geo/leaders.csv (effective after a rebuild).

The file stays the one source of leader data (sources in corpus/geo/README.md); this
module only checks an edit and writes the whole file atomically, so a half-written file
is never read. The gazetteer notices the changed file by itself (provinces.gazetteer).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .settings import GEO_DIR

FIELDS = ("name", "province", "office", "start", "end", "note")
OFFICES = ("省委书记", "省长", "自治区党委书记", "自治区主席", "市委书记", "市长")
_MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,12}$")


class LeaderError(ValueError):
    """An edit that would make leaders.csv wrong; the message is for editors (Chinese)."""


@dataclass(frozen=True)
class Term:
    name: str
    province: str
    office: str
    start: str  # YYYY-MM
    end: str = ""  # YYYY-MM, "" while in office
    note: str = ""


def _path(path: Path | None) -> Path:
    return Path(path) if path else GEO_DIR / "leaders.csv"


def leader_terms(path: Path | None = None) -> list[Term]:
    """Every term in the file, in file order."""
    with _path(path).open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [Term(**{k: (row.get(k) or "").strip() for k in FIELDS}) for row in rows]


def _provinces() -> set[str]:
    with (GEO_DIR / "provinces.csv").open(encoding="utf-8", newline="") as fh:
        return {row["short"].strip() for row in csv.DictReader(fh)}


def _check(term: Term, file: str) -> None:
    problems = []
    if not _NAME.match(term.name):
        problems.append(f"姓名“{term.name}”应为 2–12 个汉字")
    if term.province not in _provinces():
        problems.append(f"省份“{term.province}”不在 provinces.csv 的简称中")
    if term.office not in OFFICES:
        problems.append(f"职务“{term.office}”应为：{'、'.join(OFFICES)}")
    if not _MONTH.match(term.start):
        problems.append(f"起始月份“{term.start}”应写作 2026-03 这样的年-月")
    if term.end and not _MONTH.match(term.end):
        problems.append(f"结束月份“{term.end}”应写作 2026-03 这样的年-月")
    elif term.end and term.end < term.start:
        problems.append(f"结束月份 {term.end} 早于起始月份 {term.start}")
    if problems:
        raise LeaderError(f"{file}：" + "；".join(problems))


def _write(terms: list[Term], path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for t in terms:
        writer.writerow([t.name, t.province, t.office, t.start, t.end, t.note])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".leaders.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(out.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_term(term: Term, path: Path | None = None) -> None:
    """Append a term; refused when it is malformed or overlaps the same person's same post."""
    file = _path(path)
    _check(term, file.name)
    terms = leader_terms(file)
    for t in terms:
        same_post = (t.name, t.province, t.office) == (term.name, term.province, term.office)
        if same_post and t.start <= (term.end or "9999-12") and term.start <= (t.end or "9999-12"):
            raise LeaderError(
                f"{file.name}：{term.name} 任{term.province}{term.office}已有 {t.start}–{t.end or '今'} 的记录，与新记录重叠"
            )
    _write([*terms, term], file)


def end_term(name: str, office: str, end: str, path: Path | None = None) -> Term:
    """Close the open term of `name` in `office` at month `end`; returns the closed term."""
    file = _path(path)
    terms = leader_terms(file)
    open_ = [i for i, t in enumerate(terms) if t.name == name and t.office == office and not t.end]
    if not open_:
        raise LeaderError(f"{file.name}：没有 {name} 任{office}且尚未结束的记录")
    i = open_[-1]
    closed = Term(terms[i].name, terms[i].province, terms[i].office, terms[i].start, end, terms[i].note)
    _check(closed, file.name)
    terms[i] = closed
    _write(terms, file)
    return closed
