"""Province attribution measured on a hand-written gold corpus (tests/data/attribution/).

Each article `NN_name.txt` has a sidecar `NN_name.yaml`: its category, date, whether it is
hard-wrapped PDF text, and its gold units, each a province and the words that open the unit
(a section, or a single paragraph that speaks of another province). A unit is right when
the article is split at its start and every paragraph starting inside it carries its
province; a theme occurrence is right when its paragraph carries the province of the unit
the occurrence lies in. Run `python tests/test_attribution.py` for the table per category.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from analysis.counting import Matcher
from analysis.ingest import RawDoc
from analysis.normalize import clean_controls, compact
from analysis.pipeline import Meta, parse
from analysis.provinces import Gazetteer
from analysis.themes import load_themes

GOLD_DIR = Path(__file__).parent / "data" / "attribution"
THRESHOLD = 0.98


@dataclass
class Case:
    name: str
    text: str
    category: str
    date: dt.date
    hard_wrapped: bool
    units: list[tuple[str, str]]  # (province, opening words); "" opens at the start


def load_cases() -> list[Case]:
    cases = []
    for txt in sorted(GOLD_DIR.glob("*.txt")):
        side = yaml.safe_load(txt.with_suffix(".yaml").read_text(encoding="utf-8"))
        units = [(str(p), str(m or "")) for u in side["units"] for p, m in u.items()]
        cases.append(
            Case(
                txt.name,
                txt.read_text(encoding="utf-8"),
                str(side["category"]),
                side["date"],
                bool(side.get("hard_wrapped", False)),
                units,
            )
        )
    return cases


@dataclass
class Score:
    units: list[bool]  # per gold unit
    hits: list[bool]  # per theme occurrence
    misses: list[str]  # readable notes for the failures


def score(case: Case, gaz: Gazetteer, matcher: Matcher) -> Score:
    raw = RawDoc(case.name, case.text, "txt", case.date, hard_wrapped=case.hard_wrapped)
    art = parse(raw, gaz, Meta(date=case.date))
    full = compact(clean_controls(case.text))
    starts, cursor = [], 0
    for _prov, marker in case.units:
        pos = full.find(compact(marker), cursor) if marker else 0
        assert pos >= 0, (case.name, marker)
        starts.append(pos)
        cursor = pos + 1
    bounds = [*starts[1:], len(full) + 1]

    def unit_at(pos: int) -> int:
        return max(i for i, s in enumerate(starts) if s <= pos)

    par_starts, par_provs, cursor = [], [], 0
    hits: list[bool] = []
    misses: list[str] = []
    for par in art.paragraphs:
        norm = compact(par.text)
        pos = full.find(norm, cursor)
        assert pos >= 0, (case.name, par.text[:20])
        cursor = pos + len(norm)
        par_starts.append(pos)
        par_provs.append(par.province)
        for start, _end, _tid, _phrase in matcher.spans(par.norm):
            gold = case.units[unit_at(pos + start)][0]
            hits.append(par.province == gold)
    units = []
    for i, ((gold, marker), s, e) in enumerate(zip(case.units, starts, bounds)):
        inside = [p for ps, p in zip(par_starts, par_provs) if s <= ps < e]
        # A markdown heading's paragraph starts after its hashes, a bold one inside its stars.
        lead = len(full[s:]) - len(full[s:].lstrip("#*"))
        split_here = i == 0 or any(s <= ps <= s + lead for ps in par_starts)
        ok = split_here and bool(inside) and all(p == gold for p in inside)
        units.append(ok)
        if not ok:
            got = ",".join(dict.fromkeys(inside)) or "（无段落）"
            misses.append(
                f"{case.name} 单元{i}「{marker[:10]}」应为{gold}，得{got}{'' if split_here else '（未分开）'}"
            )
    return Score(units, hits, misses)


def measure(cases: list[Case] | None = None) -> tuple[dict[str, tuple[int, int, int, int]], list[str]]:
    """category -> (units right, units, occurrences right, occurrences), and the misses."""
    gaz = Gazetteer()
    matcher = Matcher(load_themes())
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses: list[str] = []
    for case in cases or load_cases():
        sc = score(case, gaz, matcher)
        row = table[case.category]
        row[0] += sum(sc.units)
        row[1] += len(sc.units)
        row[2] += sum(sc.hits)
        row[3] += len(sc.hits)
        misses += sc.misses
    return {k: (a, b, c, d) for k, (a, b, c, d) in sorted(table.items())}, misses


def report(table: dict[str, tuple[int, int, int, int]]) -> str:
    lines = [f"{'类别':<12}{'篇':>4}{'单元':>10}{'准确率':>8}{'主题次':>10}{'准确率':>8}"]
    arts: dict[str, int] = defaultdict(int)
    for case in load_cases():
        arts[case.category] += 1
    tot = [0, 0, 0, 0]
    for cat, row in table.items():
        tot = [t + r for t, r in zip(tot, row)]
        lines.append(
            f"{cat:<12}{arts[cat]:>4}{row[0]:>5}/{row[1]:<4}{row[0] / row[1]:>8.3f}"
            f"{row[2]:>5}/{row[3]:<4}{(row[2] / row[3] if row[3] else 1):>8.3f}"
        )
    lines.append(
        f"{'合计':<12}{sum(arts.values()):>4}{tot[0]:>5}/{tot[1]:<4}{tot[0] / tot[1]:>8.3f}"
        f"{tot[2]:>5}/{tot[3]:<4}{tot[2] / tot[3]:>8.3f}"
    )
    return "\n".join(lines)


def test_gold_corpus_is_large_and_well_formed():
    cases = load_cases()
    assert len(cases) >= 45
    gaz = Gazetteer()
    for case in cases:
        assert case.units, case.name
        for prov, _ in case.units:
            assert prov == "全国" or prov in gaz.short_names, (case.name, prov)


def test_accuracy_per_category(capsys):
    table, misses = measure()
    with capsys.disabled():
        print("\n" + report(table))
        for m in misses:
            print("  " + m)
    units_right = sum(r[0] for r in table.values())
    units = sum(r[1] for r in table.values())
    hits_right = sum(r[2] for r in table.values())
    hits = sum(r[3] for r in table.values())
    assert units_right / units >= THRESHOLD
    assert hits_right / hits >= THRESHOLD


if __name__ == "__main__":
    table, misses = measure()
    print(report(table))
    print("\n".join(misses))
    sys.exit(0)

_ = pytest  # the module is also a script
