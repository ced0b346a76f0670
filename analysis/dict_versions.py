"""Dictionary versions: every save is kept, with who, when and what changed; any can return.

A version is the whole dictionary file as written (so a restore gives back the very same
file, comments included) plus a diff against the version before it. Restoring writes that
text back and recounts exactly like a save, and is itself recorded as a new version, so
history only ever grows. The store keeps the rows (analysis/store/versions.py); this module
holds the diff, which is pure, and the save/restore sequence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .models import Theme, dictionary_hash
from .themes import ThemeError, parse_themes, themes_path

Progress = Callable[[int, int, str], None]
FIELD_NAMES = {"name": "名称", "category": "类别", "note": "说明"}


@dataclass(frozen=True)
class ThemeChange:
    id: str
    name: str
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (old, new)
    aliases_added: tuple[str, ...] = ()
    aliases_removed: tuple[str, ...] = ()
    exclude_added: tuple[str, ...] = ()
    exclude_removed: tuple[str, ...] = ()

    def text(self) -> str:
        parts = []
        if self.aliases_added or self.aliases_removed:
            parts.append(
                "词语 "
                + " ".join([*(f"+{a}" for a in self.aliases_added), *(f"−{a}" for a in self.aliases_removed)])
            )
        if self.exclude_added or self.exclude_removed:
            parts.append(
                "排除 "
                + " ".join([*(f"+{a}" for a in self.exclude_added), *(f"−{a}" for a in self.exclude_removed)])
            )
        for key, (old, new) in self.fields.items():
            parts.append(f"{FIELD_NAMES[key]} “{old}” → “{new}”")
        return f"主题“{self.name}”：" + "；".join(parts)


@dataclass(frozen=True)
class DictDiff:
    added: tuple[Theme, ...] = ()
    removed: tuple[Theme, ...] = ()
    changed: tuple[ThemeChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """One Chinese line per change, + added, − removed, ~ changed."""
        out = [f"＋ 新增主题“{t.name}”（{t.category}）：{'、'.join(t.aliases)}" for t in self.added]
        out += [f"－ 删除主题“{t.name}”（{t.category}）：{'、'.join(t.aliases)}" for t in self.removed]
        out += [f"～ {c.text()}" for c in self.changed]
        return out

    def summary(self) -> str:
        """A short line for the history list."""
        if self.empty:
            return "没有改动"
        parts = []
        for label, items in (("新增", self.added), ("删除", self.removed)):
            if items:
                parts.append(
                    f"{label}主题 {len(items)} 个（{'、'.join(t.name for t in items[:3])}{'等' if len(items) > 3 else ''}）"
                )
        if self.changed:
            names = "、".join(c.name for c in self.changed[:3])
            parts.append(f"修改主题 {len(self.changed)} 个（{names}{'等' if len(self.changed) > 3 else ''}）")
        return "；".join(parts)


def _new(old: Sequence[str], new: Sequence[str]) -> tuple[str, ...]:
    gone = set(old)
    return tuple(x for x in new if x not in gone)


def diff_themes(old: Sequence[Theme], new: Sequence[Theme]) -> DictDiff:
    """What changed from old to new, theme by theme (matched by id)."""
    before = {t.id: t for t in old}
    after = {t.id: t for t in new}
    changed = []
    for t in new:
        o = before.get(t.id)
        if o is None or o == t:
            continue
        fields = {k: (getattr(o, k), getattr(t, k)) for k in FIELD_NAMES if getattr(o, k) != getattr(t, k)}
        change = ThemeChange(
            t.id,
            t.name,
            fields,
            _new(o.aliases, t.aliases),
            _new(t.aliases, o.aliases),
            _new(o.exclude, t.exclude),
            _new(t.exclude, o.exclude),
        )
        if (
            change.fields
            or change.aliases_added
            or change.aliases_removed
            or change.exclude_added
            or change.exclude_removed
        ):
            changed.append(change)
    return DictDiff(
        tuple(t for t in new if t.id not in before),
        tuple(t for t in old if t.id not in after),
        tuple(changed),
    )


def _changes_json(diff: DictDiff) -> str:
    return json.dumps(diff.lines(), ensure_ascii=False)


def _themes_or_empty(text: str | None) -> list[Theme]:
    if not text:
        return []
    try:
        return parse_themes(text)
    except ThemeError:
        return []


# ---------------------------------------------------------------- the sequence around a save
def record(store: Any, text: str, *, author: str, action: str) -> int:
    """Keep text as the newest version, with its diff against the previous one; its id."""
    last = store.latest_dictionary_version()
    themes = parse_themes(text)
    diff = diff_themes(_themes_or_empty(last["text"] if last else None), themes)
    return int(
        store.add_dictionary_version(
            author=author.strip() or "未署名",
            action=action,
            summary=diff.summary() if last else f"最初的词典（{len(themes)} 个主题）",
            changes=_changes_json(diff) if last else "[]",
            text=text,
            dict_hash=dictionary_hash(themes),
        )
    )


def _baseline(store: Any, path: Path) -> None:
    """Before the first recorded save, keep the file as it is now, so it can come back."""
    if store.latest_dictionary_version() is None:
        try:
            text = path.read_text(encoding="utf-8")
            parse_themes(text)
        except (OSError, UnicodeDecodeError, ThemeError):
            return
        record(store, text, author="系统", action="保存前的词典")


def _recorder(store: Any, *, author: str, action: str) -> tuple[Callable[[Path], object], list[int]]:
    """engine.save_dictionary's record hook: the version row goes into the recount's own
    transaction, so a failed save leaves no version and a kept version always has its counts."""
    made: list[int] = []

    def hook(path: Path) -> None:
        made.append(record(store, path.read_text(encoding="utf-8"), author=author, action=action))

    return hook, made


def save(
    engine: Any,
    themes: Sequence[Theme],
    *,
    author: str,
    path: Path | None = None,
    progress: Progress | None = None,
    action: str = "保存",
) -> tuple[int, int]:
    """Save and recount (engine.save_dictionary), recording the version: (articles, version id)."""
    path = themes_path(path)
    _baseline(engine.store, path)
    hook, made = _recorder(engine.store, author=author, action=action)
    n = engine.save_dictionary(list(themes), progress, path=path, record=hook)
    return n, made[0]


def restore(
    engine: Any, version_id: int, *, author: str, path: Path | None = None, progress: Progress | None = None
) -> tuple[int, int]:
    """Put version_id's file back and recount like a save; recorded as a new version."""
    row = engine.store.dictionary_version(int(version_id))
    if row is None:
        raise ThemeError([f"没有第 {version_id} 版词典"])
    path = themes_path(path)
    _baseline(engine.store, path)
    hook, made = _recorder(engine.store, author=author, action=f"恢复到第 {int(version_id)} 版")
    n = engine.save_dictionary(parse_themes(row["text"]), progress, path=path, text=row["text"], record=hook)
    return n, made[0]


def history(store: Any) -> pd.DataFrame:
    """id, created_at, author, action, summary, dict_hash, changes, newest first, and
    in_use: True on the newest version whose dictionary the stored counts were made with
    (H2's hash in the store); none when the counts are out of step (a recount pending)."""
    h = store.dictionary_versions()
    counted = store.counted_dictionary()
    match = h.index[h["dict_hash"] == counted] if counted else h.index[:0]
    h["in_use"] = h.index == (match[0] if len(match) else -1)
    return h


def diff_versions(store: Any, old_id: int, new_id: int) -> DictDiff:
    rows = [store.dictionary_version(int(i)) for i in (old_id, new_id)]
    missing = [i for i, r in zip((old_id, new_id), rows) if r is None]
    if missing:
        raise ThemeError([f"没有第 {i} 版词典" for i in missing])
    return diff_themes(parse_themes(rows[0]["text"]), parse_themes(rows[1]["text"]))
