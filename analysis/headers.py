"""Section header markers, wherever they stand: on their own line or opening a paragraph.

Compilations mark their sections in many ways: `【河南】河南提出…`, `一、浙江：…`,
`（二）江西：…`, `1. 四川：…`, `江西——…`, `【浙江·杭州】`, `**江苏**`, `◆ 广东省`, `北京：市委书记…`, `刘宁：…`.
A marker counts only when the name in it is a known place or leader (the caller says
which names are known), so `会议强调：…` or `一、坚持高质量发展` open nothing.
Shared by normalize.py (hard-wrap repair never swallows such a line) and sections.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Decoration, numbering and emphasis that may precede the name; all optional.
# Whitespace runs are possessive (`*+`): two runs separated only by optional `**` could
# share a long run of spaces in every way, quadratic on `## 北京` + 100,000 full-width
# spaces (minutes). Nothing after a run starts with whitespace, so no match is lost.
_LEAD = (
    r"^[ \t\u3000]*+(?:[◆◇■□●○▲△★☆▶►•·▪]+[ \t\u3000]*+)?(?:\*\*)?[ \t\u3000]*+"
    r"(?:(?:[（(](?:[一二三四五六七八九十]{1,3}|\d{1,2})[)）]|(?:[一二三四五六七八九十]{1,3}|\d{1,2})[、.．])"
    r"[ \t\u3000]*+)?(?:\*\*)?[ \t\u3000]*+"
)
_MARKER = re.compile(
    _LEAD + r"(?:【(?P<tag>[^】\n]{1,12})】|(?P<name>[\u4e00-\u9fff·]{2,12}?)[ \t\u3000]*+(?:\*\*)?"
    r"[ \t\u3000]*+(?:[：:]|——|$))"
)
# Structure alone, for when no names are known: a bracketed tag, a numbered or bulleted
# short name, bold text, a markdown heading.
_STRUCTURAL = re.compile(
    r"^[ \t\u3000]*(?:#{1,6}[ \t]|【[^】\n]{1,12}】|\*\*[^*\n]{1,20}\*\*|[◆◇■□●○▲△★☆▶►▪]"
    r"|[（(](?:[一二三四五六七八九十]{1,3}|\d{1,2})[)）]|[一二三四五六七八九十]{1,3}、)"
)


@dataclass(frozen=True)
class Marker:
    name: str  # the place or leader (without brackets)
    end: int  # where the marker ends in the paragraph
    inline: bool  # text follows the marker on the same line


def header_marker(par: str, known: Callable[[str], bool]) -> Marker | None:
    """The place or leader marker opening par, if its name is known; else None."""
    m = _MARKER.match(par)
    if m is None:
        return None
    name = (m.group("tag") or m.group("name") or "").strip()
    if not known(name):
        # `【浙江·杭州】`: the province before the city (a leader's name keeps its `·`).
        name = name.split("·", 1)[0]
        if not known(name):
            return None
    end = m.end()
    return Marker(name.strip(), end, bool(par[end:].strip()))


def looks_structural(line: str) -> bool:
    """A line opening with header structure (numbering, bullet, tag, bold, `#`)."""
    return bool(_STRUCTURAL.match(line))
