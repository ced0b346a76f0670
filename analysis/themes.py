"""The theme dictionary: load, validate, save (atomically), import/export.

Counting rule (see also corpus/themes.yaml): phrases are matched on whitespace-free
Simplified text, leftmost-longest and without overlap. A phrase nested inside a longer
phrase of the dictionary (科技创新 inside 科技创新中心) is therefore not counted where
the longer one matches; validation lists every such nesting so the editor sees it.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .models import Theme
from .settings import THEMES_FILE

CATEGORIES = ("科技与产业", "营商与市场", "开放", "区域与城乡", "绿色低碳", "民生", "改革", "安全与治理")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ThemeError(ValueError):
    """The dictionary cannot be used; .problems lists every reason in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # nestings: allowed, but shown

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(themes: list[Theme]) -> Report:
    rep = Report()
    if not themes:
        rep.errors.append("词典中没有任何主题")
    ids: dict[str, int] = {}
    names: dict[str, str] = {}
    owner: dict[str, str] = {}
    for n, t in enumerate(themes, 1):
        label = f"第 {n} 个主题（{t.name or t.id or '未命名'}）"
        if not t.id:
            rep.errors.append(f"{label}缺少编号 id")
        elif not _ID.match(t.id):
            rep.errors.append(f"{label}的编号“{t.id}”只能用小写字母、数字和下划线，且以字母开头")
        elif t.id in ids:
            rep.errors.append(f"编号“{t.id}”重复（第 {ids[t.id]} 个和第 {n} 个主题）")
        ids.setdefault(t.id, n)
        if not t.name.strip():
            rep.errors.append(f"{label}缺少名称")
        elif t.name in names:
            rep.errors.append(f"名称“{t.name}”重复（{names[t.name]} 和 {t.id}）")
        names.setdefault(t.name, t.id)
        if not t.category.strip():
            rep.errors.append(f"{label}缺少类别")
        if not t.aliases:
            rep.errors.append(f"{label}没有任何词语")
        for phrase in t.aliases:
            if not phrase.strip():
                rep.errors.append(f"{label}有空词语")
            elif re.search(r"\s", phrase):
                rep.errors.append(f"{label}的词语“{phrase}”含有空格（统计时会忽略空白，请去掉）")
            elif len(phrase) < 2:
                rep.errors.append(f"{label}的词语“{phrase}”只有一个字，会误计大量无关文字")
            elif phrase in owner:
                other = owner[phrase]
                where = "同一主题内" if other == t.id else f"主题 {other} 和 {t.id} 之间"
                rep.errors.append(f"词语“{phrase}”重复（{where}）")
            else:
                owner[phrase] = t.id
    phrases = sorted(owner, key=len)
    for i, short in enumerate(phrases):
        for long in phrases[i + 1 :]:
            if short in long and owner[short] != owner[long]:
                rep.warnings.append(
                    f"“{short}”（{owner[short]}）包含在“{long}”（{owner[long]}）中：后者匹配处不再计前者"
                )
    return rep


def themes_from_data(data: object) -> list[Theme]:
    if isinstance(data, dict):
        data = data.get("themes")
    if not isinstance(data, list):
        raise ThemeError(["词典文件应含有 themes: 列表"])
    themes = []
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ThemeError([f"第 {n} 个主题格式不对，应为 id/name/category/aliases 字段"])
        aliases = item.get("aliases") or []
        if isinstance(aliases, str):
            aliases = re.split(r"[，,、;；|\n]+", aliases)
        name = str(item.get("name") or "").strip()
        aliases = [str(a).strip() for a in aliases if str(a).strip()] or ([name] if name else [])
        themes.append(
            Theme(
                id=str(item.get("id") or "").strip(),
                name=name,
                category=str(item.get("category") or "").strip(),
                aliases=tuple(dict.fromkeys(aliases)),
                note=str(item.get("note") or "").strip(),
            )
        )
    return themes


def parse_themes(text: str) -> list[Theme]:
    """Themes from YAML text; raises ThemeError on unreadable or invalid content."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ThemeError([f"词典文件不是有效的 YAML：{exc}"]) from None
    themes = themes_from_data(data)
    rep = validate(themes)
    if not rep.ok:
        raise ThemeError(rep.errors)
    return themes


def load_themes(path: Path | None = None) -> list[Theme]:
    path = Path(path or os.environ.get("POLICY_THEMES") or THEMES_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ThemeError([f"无法读取词典文件 {path.name}：{exc.strerror}"]) from None
    return parse_themes(text)


def dump_themes(themes: list[Theme]) -> str:
    data = {
        "version": 1,
        "themes": [
            {
                "id": t.id,
                "name": t.name,
                "category": t.category,
                "aliases": list(t.aliases),
                **({"note": t.note} if t.note else {}),
            }
            for t in themes
        ],
    }
    header = (
        "# 主题词典：每个主题有编号 id、名称 name、类别 category 和词语 aliases。\n"
        "# 统计时去掉全部空白并转为简体，按“最左最长、互不重叠”匹配：\n"
        "# 较短词语包含在另一主题较长词语中时（如 科技创新 在 科技创新中心 中），长词匹配处不再计短词。\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def save_themes(themes: list[Theme], path: Path | None = None) -> Path:
    """Validate, then replace the file atomically (temp file, fsync, rename)."""
    rep = validate(themes)
    if not rep.ok:
        raise ThemeError(rep.errors)
    path = Path(path or os.environ.get("POLICY_THEMES") or THEMES_FILE)
    text = dump_themes(themes)
    parse_themes(text)  # what we write must read back
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".themes-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
