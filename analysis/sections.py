"""Article paragraphs -> sections, split at headers.

Headers come in these shapes in our material: markdown headings (`## 吉林`), bracketed
tags (`【湖北】`), in PDF or plain text a short line without closing punctuation
(`北京：尹力在…讲话摘要`, wrapped over two or three lines, which are merged back unless
the next line opens a header of its own), and place or leader markers that open a
paragraph (`【河南】河南提出…`, `一、浙江：…`, `◆ 广东省`, `北京：…`; see headers.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from .headers import header_marker, looks_structural

# Only the leading hashes are matched by a pattern; the rest is cut with str methods.
# `^(#{1,6})\s*(.*?)\s*#*$` (the old pattern) was quadratic: `# x` + 100,000 spaces + `y`
# took minutes while holding the GIL, freezing every dashboard session.
_MD_HASHES = re.compile(r"#{1,6}")


def _md_heading(par: str) -> tuple[int, str] | None:
    """(level, text) of a markdown heading line (`## 吉林 ##` -> (2, "吉林")), else None."""
    if par[:1] != "#":  # most paragraphs: no pattern to run
        return None
    m = _MD_HASHES.match(par)
    if m is None:
        return None
    # Closing hashes and the whitespace around the text are not part of it.
    text = par[m.end() :].removesuffix("\n").lstrip().rstrip("#").rstrip()
    if "\n" in text:  # a heading is one line
        return None
    return m.end(), text


_BRACKET = re.compile(r"^【([^】]{1,16})】\s*(.*)$")
_ENDS_SENTENCE = set("。！？；：，、…!?;:,.")
_NOT_HEADER = re.compile(
    r"^(本报|记者|通讯员|来源|编辑|责任编辑|图[:：]|原标题|（|\(|\d+[\s年月日./-]|[—-]{2})"
)


@dataclass
class RawSection:
    level: int
    header: str  # "" for the lead before any header
    paragraphs: list[str] = field(default_factory=list)  # header text is paragraph 0 when present


def _plain_header(par: str, limit: int) -> bool:
    return (
        0 < len(par) <= limit
        and par[-1] not in _ENDS_SENTENCE
        and not _NOT_HEADER.match(par)
        and not par.isdigit()
    )


class Names(Protocol):
    """What the gazetteer knows: a place or leader name, and text that opens with a leader."""

    def known(self, name: str) -> bool: ...

    def opens_with_leader(self, text: str) -> bool: ...


def split_sections(paragraphs: list[str], names: Names | None = None) -> list[RawSection]:
    """Group paragraphs under their headers; header text stays in as paragraph 0.

    With `names`, a place or leader marker opens a section wherever it stands: on its own
    line (`一、湖北`, `◆ 广东省`) or opening a paragraph (`【河南】河南提出…`, `北京：…`)."""
    has_md = any(_md_heading(p) for p in paragraphs)
    has_bracket = sum(1 for p in paragraphs if p[:1] == "【" and len(p) <= 20 and _BRACKET.match(p)) >= 2
    sections: list[RawSection] = [RawSection(0, "")]
    prev_was_header = False
    md_level = 1
    for par in paragraphs:
        md = _md_heading(par)
        br = _BRACKET.match(par) if has_bracket and len(par) <= 20 else None
        if md:
            text = md[1]
            sections.append(RawSection(md[0], text, [text] if text else []))
            md_level = md[0]
            prev_was_header = False  # markdown headings are never wrapped fragments
            continue
        if br:
            sections.append(RawSection(2, br.group(1).strip(), [par]))
            prev_was_header = False
            continue
        mark = header_marker(par, names.known) if names is not None else None
        if mark is not None:
            level = max(2, md_level + 1)
            if mark.inline and not _plain_header(par, 40):
                # `【河南】河南提出…`: the marker opens a paragraph of body text.
                sections.append(RawSection(level, par[: mark.end].strip(), [par]))
                prev_was_header = False
            else:
                sections.append(RawSection(level, par, [par]))
                prev_was_header = True
            continue
        if not has_md and not has_bracket and _plain_header(par, 40):
            if prev_was_header and not _opens_header(par, names):
                # The next fragment of a header the PDF wrapped over several lines.
                cur = sections[-1]
                cur.header += par
                cur.paragraphs[0] += par
            else:
                sections.append(RawSection(2, par, [par]))
            prev_was_header = True
            continue
        prev_was_header = False
        sections[-1].paragraphs.append(par)
    if not sections[0].paragraphs:
        sections.pop(0)
    return sections


def _opens_header(par: str, names: Names | None) -> bool:
    """A short line that starts a header of its own (`梁言顺在全省大会上的讲话要点`,
    `◆ 广东`) rather than continuing the wrapped header above it. A place opening the
    line is not enough: `湖北实践大会上的讲话摘要` continues `…推进中国式现代化`."""
    return looks_structural(par) or (names is not None and names.opens_with_leader(par))


def article_title(paragraphs: list[str], hint: str = "") -> str:
    """The first heading, else the first line; `原标题:` prefixes are dropped."""
    if hint.strip():
        return hint.strip()[:120]
    for par in paragraphs[:5]:
        md = _md_heading(par)
        if md and md[0] == 1 and md[1]:
            return md[1][:120]
    first = paragraphs[0] if paragraphs else ""
    heading = _md_heading(first)
    first = heading[1] if heading else first
    first = re.sub(r"^原标题\s*[:：]\s*", "", first)
    return first.strip()[:120] or "（无标题）"
