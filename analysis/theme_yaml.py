"""Writing the theme dictionary back into its own file without losing what editors wrote.

corpus/themes.yaml carries a long header comment, category banners between themes and
`nesting_notes` after the list. A plain YAML dump drops all of that, so saving goes
through ruamel.yaml's round-trip mode: the previous file is loaded as a commented
document, each theme that survives keeps its own mapping (and the comments attached to
it), only changed fields are replaced, and everything outside `themes` is left as is.
An unchanged dictionary therefore writes back byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .models import Theme

HEADER = (
    "# 主题词典：每个主题有编号 id、名称 name、类别 category 和词语 aliases，\n"
    "# 可选 exclude（不计的较长说法，如 法治 的 法治化）和说明 note。\n"
    "# 统计时去掉全部空白并转为简体，按“最左最长、互不重叠”匹配：\n"
    "# 较短词语包含在另一主题较长词语中时（如 科技创新 在 科技创新中心 中），长词匹配处不再计短词。\n"
)
FIELDS = ("id", "name", "category", "aliases", "exclude", "note")


def _yaml() -> YAML:
    y = YAML()  # round-trip mode
    y.width = 4096  # never re-wrap a long note line
    y.indent(mapping=2, sequence=4, offset=2)  # the shipped file's layout
    y.preserve_quotes = True
    return y


def _flow(items: Sequence[str]) -> CommentedSeq:
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


def _fields(t: Theme) -> dict[str, Any]:
    out: dict[str, Any] = {"id": t.id, "name": t.name, "category": t.category, "aliases": list(t.aliases)}
    if t.exclude:
        out["exclude"] = list(t.exclude)
    if t.note:
        out["note"] = t.note
    return out


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, list):
        return isinstance(old, list) and [str(x) for x in old] == new
    return old is not None and str(old) == new


def _trailing(m: CommentedMap) -> tuple[Any, Any] | None:
    """The comment after a mapping's last value (a banner for what follows), if any."""
    if not m:
        return None
    last = list(m)[-1]
    entry = m.ca.items.get(last)
    if entry and len(entry) > 2 and entry[2] is not None:
        return last, entry[2]
    return None


def _attach_trailing(m: CommentedMap, token: Any) -> None:
    last = list(m)[-1]
    entry = m.ca.items.setdefault(last, [None, None, None, None])
    entry[2] = token


def _update(m: CommentedMap, t: Theme) -> None:
    """Bring one existing theme mapping up to date, touching only changed fields."""
    want = _fields(t)
    trail = _trailing(m)
    for key in [k for k in m if k in FIELDS and k not in want]:
        del m[key]
    for key, value in want.items():
        if key in m and _same(m[key], value):
            continue
        new = _flow(value) if isinstance(value, list) else value
        if key in m:
            m[key] = new
        else:  # keep the field order of FIELDS
            later = [k for k in m if k in FIELDS and FIELDS.index(k) > FIELDS.index(key)]
            m.insert(list(m).index(later[0]) if later else len(m), key, new)
    if trail and _trailing(m) is None:  # the key that carried it is gone or no longer last
        m.ca.items.pop(trail[0], None)
        _attach_trailing(m, trail[1])


def _new_map(t: Theme) -> CommentedMap:
    m = CommentedMap()
    for key, value in _fields(t).items():
        m[key] = _flow(value) if isinstance(value, list) else value
    return m


def _rebuild(old: CommentedSeq, themes: Sequence[Theme]) -> CommentedSeq:
    """A new themes sequence reusing old mappings by id, with their banners moved sensibly."""
    old_by_id = {str(m.get("id")): i for i, m in enumerate(old) if isinstance(m, CommentedMap)}
    keep = {t.id for t in themes if t.id in old_by_id}
    pre: dict[int, Any] = {}  # old index -> comment printed before it (category banner)
    carried = None
    last_kept: CommentedMap | None = None
    for i in range(len(old)):
        before = old.ca.items.get(i)
        token = before[1] if before and len(before) > 1 else None
        if carried is not None:  # a deleted theme's banner, unless this theme has its own
            token = token or carried  # (a whole deleted group's banner goes with the group)
            carried = None
        if isinstance(old[i], CommentedMap) and str(old[i].get("id")) in keep:
            last_kept = old[i]
            if token:
                pre[i] = token
            continue
        if token:  # a deleted theme's banner goes to the next surviving theme
            carried = token
        trail = _trailing(old[i]) if isinstance(old[i], CommentedMap) else None
        if trail and last_kept is not None and _trailing(last_kept) is None:
            _attach_trailing(last_kept, trail[1])  # a banner printed after it: keep it in place
    seq = CommentedSeq()
    seq.ca.comment = old.ca.comment
    seq.ca.end = old.ca.end
    pending_trail = None  # banner after an old theme, moved past themes inserted behind it
    for j, t in enumerate(themes):
        if t.id in old_by_id:
            i = old_by_id[t.id]
            m = old[i]
            _update(m, t)
            if pending_trail is not None:
                _attach_trailing(seq[j - 1], pending_trail)
                pending_trail = None
            trail = _trailing(m)
            if trail and j + 1 < len(themes) and themes[j + 1].id not in old_by_id:
                m.ca.items[trail[0]][2] = None
                pending_trail = trail[1]
        else:
            m = _new_map(t)
            nxt = old_by_id.get(themes[j + 1].id) if j + 1 < len(themes) else None
            opens_group = j == 0 or themes[j - 1].category != t.category
            if nxt in pre and opens_group and themes[j + 1].category == t.category:
                pre[-1 - j] = pre.pop(nxt)  # the category banner moves up to the new first theme
        seq.append(m)
        banner = pre.get(old_by_id[t.id]) if t.id in old_by_id else pre.get(-1 - j)
        if banner:  # set after append: append resets item comments
            seq.ca.items[j] = [None, banner, None, None]
    if pending_trail is not None:
        _attach_trailing(seq[-1], pending_trail)
    if len(seq) and _trailing(seq[-1]) and len(seq) < len(old):
        trail = _trailing(seq[-1])  # a banner for a group that was deleted to the end
        if trail and isinstance(old[-1], CommentedMap) and str(old[-1].get("id")) not in keep:
            seq[-1].ca.items[trail[0]][2] = None
    return seq


def render(themes: Sequence[Theme], base_text: str | None = None) -> str:
    """The dictionary file for themes: base_text's comments, notes and layout kept where
    base_text is a readable dictionary; otherwise a fresh file with a short header."""
    y = _yaml()
    doc = None
    if base_text:
        try:
            doc = y.load(base_text)
        except YAMLError:
            doc = None
    if not isinstance(doc, CommentedMap) or not isinstance(doc.get("themes"), CommentedSeq):
        doc = CommentedMap()
        doc["version"] = 1
        doc["themes"] = CommentedSeq()
        out = io.StringIO()
        doc["themes"] = _rebuild(doc["themes"], themes)
        y.dump(doc, out)
        return HEADER + out.getvalue()
    old = doc["themes"]
    first = old[0] if len(old) and isinstance(old[0], CommentedMap) else None
    if first is not None and (not themes or str(first.get("category")) != themes[0].category):
        # the first group's banner (printed after `themes:`) no longer opens the list
        old.ca.comment = None
        entry = doc.ca.items.get("themes")
        if entry and len(entry) > 3:
            entry[3] = None
    doc["themes"] = _rebuild(old, themes)
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()
