"""One theme as an editor fills it in: its id, its checks per field, its place in the list.

The dictionary editor is a form (name, category, aliases, exclusions, note). Editors never
type ids: a new theme's id is its name in pinyin (营商环境 -> ying_shang_huan_jing), and
an existing theme keeps its id whatever is edited, because stored counts and links use it.
check_entry answers per field in Chinese, so the page shows the reason next to the field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .models import Theme
from .themes import CATEGORIES

MAX_ID = 63
MAX_NAME = 40


def theme_id_for(name: str, taken: Sequence[str] = ()) -> str:
    """An ASCII snake_case id from the name's pinyin, unique among taken.

    Latin letters and digits in the name are kept (5G网络 -> 5g_wang_luo, prefixed t_);
    a name with nothing spellable gets t_ + a short hash, which is stable for that name."""
    from pypinyin import lazy_pinyin  # here, not at the top: its tables take 0.2 s to load

    parts = [re.sub(r"[^a-z0-9]", "", p.lower()) for p in lazy_pinyin(name.strip())]
    base = "_".join(p for p in parts if p)[:50].strip("_")
    if not base:
        base = "t_" + hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:8]
    elif not base[0].isalpha():
        base = "t_" + base
    used = set(taken)
    out, n = base, 2
    while out in used:
        out = f"{base}_{n}"
        n += 1
    return out[:MAX_ID]


@dataclass
class EntryReport:
    """field ("name", "category", "aliases", "exclude") -> reason, in Chinese."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)  # nestings: allowed, but shown

    @property
    def ok(self) -> bool:
        return not self.errors


def _add(where: dict[str, str], key: str, message: str) -> None:
    where[key] = f"{where[key]}；{message}" if key in where else message


def check_entry(entry: Theme, others: Sequence[Theme]) -> EntryReport:
    """Why entry cannot join others (the dictionary without the theme being edited)."""
    rep = EntryReport()
    name = entry.name.strip()
    if not name:
        _add(rep.errors, "name", "请填写主题名称")
    elif len(name) > MAX_NAME:
        _add(rep.errors, "name", f"名称最多 {MAX_NAME} 个字")
    else:
        same = next((t for t in others if t.name == name), None)
        if same is not None:
            _add(rep.errors, "name", f"已有同名主题“{same.name}”（类别：{same.category}）")
    if not entry.category.strip():
        _add(rep.errors, "category", "请选择类别")
    elif entry.category not in CATEGORIES:
        _add(rep.errors, "category", f"类别只能是{'、'.join(CATEGORIES)}之一")
    owner = {a: t for t in others for a in t.aliases}
    if not entry.aliases:
        _add(rep.errors, "aliases", "至少要有一个词语")
    seen: set[str] = set()
    valid = []
    for a in entry.aliases:
        if not a.strip() or re.search(r"\s", a):
            _add(rep.errors, "aliases", f"词语“{a}”含有空格（统计时会忽略空白，请去掉）")
        elif len(a) < 2:
            _add(rep.errors, "aliases", f"词语“{a}”只有一个字，会误计大量无关文字")
        elif a in seen:
            _add(rep.errors, "aliases", f"词语“{a}”重复")
        elif a in owner:
            _add(rep.errors, "aliases", f"词语“{a}”已属于主题“{owner[a].name}”")
        else:
            valid.append(a)
        seen.add(a)
    for a in valid:  # nestings of a refused word would only bury its reason
        for other, t in owner.items():
            if a != other and a in other:
                _add(rep.warnings, "aliases", f"“{a}”包含在主题“{t.name}”的“{other}”中：后者匹配处不再计前者")
            elif a != other and other in a:
                _add(rep.warnings, "aliases", f"主题“{t.name}”的“{other}”包含在“{a}”中：这里匹配处不再计前者")
    for ex in entry.exclude:
        if not ex.strip() or re.search(r"\s", ex):
            _add(rep.errors, "exclude", f"排除说法“{ex}”含有空格")
        elif ex in owner or ex in entry.aliases:
            _add(rep.errors, "exclude", f"“{ex}”本身是词典里的词语，不能同时排除")
        elif not any(a in ex and a != ex for a in entry.aliases):
            _add(rep.errors, "exclude", f"“{ex}”不包含本主题的任何词语，排除它没有意义")
        else:
            hit = sorted(o for o in owner if o in ex)
            if hit:
                _add(rep.errors, "exclude", f"“{ex}”包含主题“{owner[hit[0]].name}”的“{hit[0]}”，会让它也不计")
    return rep


def make_entry(
    themes: Sequence[Theme],
    *,
    name: str,
    category: str,
    aliases: Sequence[str],
    note: str = "",
    exclude: Sequence[str] = (),
    old_id: str | None = None,
) -> Theme:
    """The theme the form describes: the name always among its aliases (the dictionary's
    rule), blanks and repeats dropped, the old id kept or a new one made from the name."""
    name = name.strip()
    words = [w.strip() for w in aliases if w.strip()]
    if name and not re.search(r"\s", name) and name not in words:
        words.insert(0, name)
    taken = [t.id for t in themes if t.id != old_id]
    return Theme(
        id=old_id or theme_id_for(name, taken),
        name=name,
        category=category.strip(),
        aliases=tuple(dict.fromkeys(words)),
        note=note.strip(),
        exclude=tuple(dict.fromkeys(w.strip() for w in exclude if w.strip())),
    )


def upsert(themes: Sequence[Theme], entry: Theme) -> list[Theme]:
    """themes with entry in place of the theme with its id, or (new) after the last theme
    of its category, so the file keeps its category blocks."""
    out = list(themes)
    for i, t in enumerate(out):
        if t.id == entry.id:
            out[i] = entry
            return out
    last = max((i for i, t in enumerate(out) if t.category == entry.category), default=len(out) - 1)
    out.insert(last + 1, entry)
    return out


def remove(themes: Sequence[Theme], theme_id: str) -> list[Theme]:
    return [t for t in themes if t.id != theme_id]


def others_than(themes: Sequence[Theme], theme_id: str | None) -> list[Theme]:
    return [t for t in themes if t.id != theme_id]
