"""Outlet names as one spelling: 《人民日报》, 人民日报社 and 人民网 are all 人民日报.

The list lives in corpus/outlets.csv (editable; a rebuild applies changes). A name not
in the list is kept as written, only stripped of brackets, quotes and app suffixes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .settings import CORPUS_DIR

OUTLETS_FILE = CORPUS_DIR / "outlets.csv"

_MARKS = re.compile(r"[\s\u3000《》〈〉「」『』“”‘’\"'【】\[\]]")
# Channels of the same outlet, not other outlets: 人民日报客户端 is 人民日报.
_CHANNEL = re.compile(r"(客户端|微信公众号|公众号|官方微博|微博|官网|APP|电子版|数字报)$", re.I)
# Clipping services write "人民日报 | 2024-03-07 | 第01版"; the outlet comes first.
_SPLIT = re.compile(r"[|｜/／·•,，;；]|\s{1,}")


@dataclass(frozen=True)
class Outlet:
    name: str
    level: str  # 中央 / 省级 / …
    province: str


def _key(name: str) -> str:
    return _CHANNEL.sub("", _MARKS.sub("", name)).lower()


@lru_cache(maxsize=4)
def _table(path: Path) -> tuple[dict[str, Outlet], dict[str, str]]:
    outlets: dict[str, Outlet] = {}
    lookup: dict[str, str] = {}
    if not path.exists():
        return outlets, lookup
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            name = (row.get("canonical") or "").strip()
            if not name:
                continue
            outlets[name] = Outlet(
                name, (row.get("level") or "").strip(), (row.get("province") or "").strip()
            )
            for variant in [name, *(row.get("variants") or "").split("|")]:
                if variant.strip():
                    lookup.setdefault(_key(variant), name)
    return outlets, lookup


def outlets(path: Path = OUTLETS_FILE) -> dict[str, Outlet]:
    """Canonical name -> Outlet, in file order."""
    return dict(_table(path)[0])


def canonical_outlet(name: str, path: Path = OUTLETS_FILE) -> str:
    """The list's name for an outlet as written anywhere; unknown names come back cleaned."""
    raw = (name or "").strip()
    if not raw:
        return ""
    lookup = _table(path)[1]
    key = _key(raw)
    if key in lookup:
        return lookup[key]
    if key.endswith("社") and key[:-1] in lookup:  # 浙江日报社: the paper's publishing house
        return lookup[key[:-1]]
    first = next((p for p in _SPLIT.split(raw) if p.strip()), raw)
    if _key(first) in lookup:
        return lookup[_key(first)]
    cleaned = re.sub(r"[《》〈〉「」『』“”‘’\"【】\[\]]", "", raw).strip()
    return _CHANNEL.sub("", cleaned).strip() or cleaned
