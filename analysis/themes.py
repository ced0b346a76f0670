"""The theme dictionary: load, validate, save (atomically), import/export.

Counting rule (see also corpus/themes.yaml): phrases are matched on whitespace-free
Simplified text, leftmost-longest and without overlap. A phrase nested inside a longer
phrase of the dictionary (科技创新 inside 科技创新中心) is therefore not counted where
the longer one matches; validation lists every such nesting so the editor sees it.
An alias may carry exclusions (`exclude:`): longer phrases in which it does not count
(法治 in 法治化), matched as phrases of no theme.

Saving writes through theme_yaml (round trip): the file's comments, `nesting_notes` and
layout survive, and the file keeps its permissions.
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
from .theme_yaml import render

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
    rep.errors.extend(_exclusion_errors(themes, owner))
    phrases = sorted(owner, key=len)
    for i, short in enumerate(phrases):
        for long in phrases[i + 1 :]:
            if short in long and owner[short] != owner[long]:
                rep.warnings.append(
                    f"“{short}”（{owner[short]}）包含在“{long}”（{owner[long]}）中：后者匹配处不再计前者"
                )
    return rep


def _exclusion_errors(themes: list[Theme], owner: dict[str, str]) -> list[str]:
    """An exclusion must be a longer phrase around one of its own theme's aliases, and must
    not swallow another theme's alias (that theme would silently lose its hits)."""
    out = []
    seen: dict[str, str] = {}
    for t in themes:
        for ex in t.exclude:
            label = f"主题“{t.name or t.id}”的排除说法“{ex}”"
            if re.search(r"\s", ex) or not ex:
                out.append(f"{label}含有空格或为空")
            elif ex in owner:
                out.append(f"{label}本身是主题 {owner[ex]} 的词语")
            elif not any(a in ex and a != ex for a in t.aliases):
                out.append(f"{label}不包含本主题的任何词语，排除它没有意义")
            elif ex in seen:
                out.append(f"排除说法“{ex}”重复（{seen[ex]} 和 {t.id}）")
            else:
                seen[ex] = t.id
                others = sorted(p for p, tid in owner.items() if tid != t.id and p in ex)
                if others:
                    out.append(f"{label}包含主题 {owner[others[0]]} 的词语“{others[0]}”，会让后者也不计")
    return out


def _phrases(value: object) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[，,、;；|\n]+", value)
    if not isinstance(value, list):
        return []
    return list(dict.fromkeys(str(a).strip() for a in value if str(a).strip()))


def themes_from_data(data: object) -> list[Theme]:
    if isinstance(data, dict):
        data = data.get("themes")
    if not isinstance(data, list):
        raise ThemeError(["词典文件应含有 themes: 列表"])
    themes = []
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ThemeError([f"第 {n} 个主题格式不对，应为 id/name/category/aliases 字段"])
        name = str(item.get("name") or "").strip()
        aliases = _phrases(item.get("aliases") or []) or ([name] if name else [])
        themes.append(
            Theme(
                id=str(item.get("id") or "").strip(),
                name=name,
                category=str(item.get("category") or "").strip(),
                aliases=tuple(dict.fromkeys(aliases)),
                note=str(item.get("note") or "").strip(),
                exclude=tuple(_phrases(item.get("exclude") or [])),
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
    path = themes_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ThemeError([f"无法读取词典文件 {path.name}：{exc.strerror}"]) from None
    return parse_themes(text)


def themes_path(path: Path | None = None) -> Path:
    from .settings import current

    return Path(path or current().themes_file or THEMES_FILE)


def dump_themes(themes: list[Theme], base_text: str | None = None) -> str:
    """The file text for themes; with base_text (the current file) its comments,
    `nesting_notes` and layout are kept and unchanged themes are written as they were."""
    return render(themes, base_text)


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_atomic(path: Path, text: str) -> None:
    """Replace path with text: temp file, fsync, rename; the old file's mode is kept."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:  # a new file gets what the umask allows, like any other new file
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".themes-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), mode)  # mkstemp makes 0600: the saved file would lose group/other read
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


def save_themes(themes: list[Theme], path: Path | None = None) -> Path:
    """Validate, then replace the file atomically, keeping its comments, notes and mode."""
    rep = validate(themes)
    if not rep.ok:
        raise ThemeError(rep.errors)
    path = themes_path(path)
    text = dump_themes(themes, _read_or_none(path))
    if parse_themes(text) != list(themes):  # what we write must read back as what was meant
        raise ThemeError([f"词典文件 {path.name} 写出后读回不一致，未保存"])
    write_atomic(path, text)
    return path


def save_text(text: str, path: Path | None = None, expect: list[Theme] | None = None) -> Path:
    """Write a whole dictionary file as given (restoring a version), after checking that it
    reads (as expect, when given)."""
    if expect is not None and parse_themes(text) != list(expect):
        raise ThemeError(["要写入的词典文件与所给的主题不一致，未保存"])
    parse_themes(text)
    path = themes_path(path)
    write_atomic(path, text)
    return path
