"""主题词典：表单新增或编辑主题（编号自动生成），逐项说明不能保存的原因；每次保存都留一版，
可看改动、一键恢复；词典体检发现的误计可一键排除；导入、导出词典文件。"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis.models import Filters, Theme
from analysis.workspace import (
    CATEGORIES,
    ThemeError,
    check_entry,
    diff_themes,
    make_entry,
    others_than,
    parse_themes,
    remove,
    upsert,
    with_exclusion,
)
from app_pages import _state as S

FLASH = "dict_flash"  # session_state: the message of the last successful write, shown once
FIELDS = {"name": "名称", "category": "类别", "aliases": "词语", "exclude": "排除的说法", "note": "说明"}


def marker() -> int:
    """The newest version id: part of the form's widget keys, so every save or restore
    starts the form afresh from the saved dictionary."""
    h = S.ws().dictionary_history()
    return int(h["id"].max()) if len(h) else 0


def write(action: str, run: Callable[[Callable[[int, int, str], None]], int]) -> bool:
    """Run a dictionary write with a progress bar; every failure is a Chinese message."""
    bar = st.progress(0.0, text="正在保存并重新统计…")

    def progress(done: int, total: int, _name: str) -> None:
        bar.progress(done / total if total else 1.0, text=f"正在重新统计 {done}/{total}")

    result: list[int] = []
    try:
        ran = S.attempt(lambda: result.append(run(progress)))
    except ThemeError as exc:
        bar.empty()
        st.error("未保存，原词典未改动：\n\n" + "\n".join(f"- {S.md_escape(p)}" for p in exc.problems))
        return False
    except OSError as exc:
        bar.empty()
        st.error(f"无法写入词典文件（{S.md_escape(exc.strerror or exc)}），原词典未改动。")
        return False
    bar.empty()
    if not ran:
        return False
    S.changed()
    st.session_state[FLASH] = f"{action}：已重新统计 {result[0]} 篇文章。"
    st.rerun()
    return True


def save(themes: list[Theme], action: str) -> bool:
    author = st.session_state.get("dict_author", "")
    return write(
        action,
        lambda p: S.ws().save_dictionary(
            themes, key=S.editor_key(), progress=p, author=author, action=action
        ),
    )


def themes_table(themes: list[Theme]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "名称": [t.name for t in themes],
            "类别": [t.category for t in themes],
            "词语": ["、".join(t.aliases) for t in themes],
            "排除的说法": ["、".join(t.exclude) for t in themes],
            "说明": [t.note for t in themes],
            "编号": [t.id for t in themes],
        }
    )


def entry_form(themes: list[Theme], can_write: bool) -> None:
    mode = st.radio("操作", ["新增主题", "编辑主题"], key="dict_mode", horizontal=True)
    old: Theme | None = None
    if mode == "编辑主题":
        by_id = {t.id: t for t in themes}
        pick = st.selectbox(
            "选择要编辑的主题",
            list(by_id),
            format_func=lambda i: f"{by_id[i].name}（{by_id[i].category}）",
            key="dict_pick",
        )
        old = by_id.get(pick) if pick else None
    sfx = f"{old.id if old else 'new'}_{marker()}"
    with st.form(f"dict_form_{sfx}", border=True):
        name = st.text_input("名称", value=old.name if old else "", key=f"dict_name_{sfx}", max_chars=40)
        slots = {"name": st.empty()}
        category = st.selectbox(
            "类别",
            list(CATEGORIES),
            index=CATEGORIES.index(old.category) if old and old.category in CATEGORIES else None,
            placeholder="请选择类别",
            key=f"dict_category_{sfx}",
        )
        slots["category"] = st.empty()
        # Two lists of phrases an editor types in: each field, its label, placeholder, saved values.
        phrase_lists = (
            (
                "aliases",
                "词语（计入这个主题的所有说法；输入后按回车添加，名称会自动计入）",
                "输入词语后按回车添加",
                old.aliases if old else (),
            ),
            (
                "exclude",
                "排除的说法（包含本主题词语、但不应计入的较长说法，如“法治”的“法治化”）",
                "输入说法后按回车添加",
                old.exclude if old else (),
            ),
        )
        typed: dict[str, list[str]] = {}
        for field, label, placeholder, saved in phrase_lists:
            typed[field] = st.multiselect(
                label,
                list(saved),
                default=list(saved),
                accept_new_options=True,
                placeholder=placeholder,
                key=f"dict_{field}_{sfx}",
            )
            slots[field] = st.empty()
        aliases, exclude = typed["aliases"], typed["exclude"]
        note = st.text_input("说明（可不填）", value=old.note if old else "", key=f"dict_note_{sfx}")
        c1, c2 = st.columns([1, 3])
        check = c1.form_submit_button("检查", key="dict_check", disabled=not can_write)
        submit = c2.form_submit_button(
            "保存并重新统计", key="dict_save", type="primary", disabled=not can_write
        )
    if old is not None:
        confirm = st.checkbox(
            f"确认删除主题“{old.name}”", key=f"dict_del_confirm_{sfx}", disabled=not can_write
        )
        if st.button("删除这个主题", key="dict_delete", disabled=not (can_write and confirm)):
            save(remove(themes, old.id), f"删除主题“{old.name}”")
    if not (check or submit):
        return
    entry = make_entry(
        themes,
        name=name,
        category=category or "",
        aliases=aliases,
        note=note,
        exclude=exclude,
        old_id=old.id if old else None,
    )
    rep = check_entry(entry, others_than(themes, entry.id))
    for field, slot in slots.items():
        if field in rep.errors:
            slot.error(f"{FIELDS[field]}：{S.md_escape(rep.errors[field])}")
        elif field in rep.warnings:
            slot.warning(f"{FIELDS[field]}：{S.md_escape(rep.warnings[field])}（允许保存）")
    if not rep.ok:
        st.error("有未填好的项目，未保存：原因写在各项下面。")
        return
    if old is not None and entry == old:
        st.info("没有改动。")
        return
    if check:
        st.success(
            f"检查通过：主题“{S.md_escape(entry.name)}”，编号 {entry.id}，{len(entry.aliases)} 个词语。"
        )
        return
    save(upsert(themes, entry), f"{'编辑' if old else '新增'}主题“{entry.name}”")


@st.cache_data(show_spinner="正在检查词典…", max_entries=4, ttl=3600)
def suggestions(_version: int) -> pd.DataFrame:
    return S.ws().audit(Filters()).exclusions


def suggestion_section(themes: list[Theme], can_write: bool) -> None:
    if not st.toggle("显示词典体检建议排除的说法", key="dict_suggest"):
        return
    ex = suggestions(marker())
    if ex.empty:
        st.success("词典体检没有发现常出现在更长说法里的词语。")
        return
    st.caption(
        "这些词语常出现在更长的说法里（括号里是出现次数 / 读到的次数）。确认是误计再排除：排除后这些说法里的词语不再计数。"
    )
    for i, r in enumerate(ex.head(12).itertuples(index=False)):
        c1, c2 = st.columns([4, 1])
        c1.text(f"{r.theme}：“{r.phrase}”出现在“{r.word}”中（{r.n} / {r.seen}）")
        if c2.button(f"排除“{r.word}”", key=f"dict_ex_{i}", disabled=not can_write):
            try:
                new = with_exclusion(themes, r.theme_id, r.word)
            except ThemeError as exc:
                st.error("不能排除：" + "；".join(S.md_escape(p) for p in exc.problems))
                continue
            save(new, f"体检排除：“{r.phrase}”不计“{r.word}”")


def history_section(can_write: bool) -> None:
    st.subheader("修改记录")
    h = S.ws().dictionary_history()
    st.caption("“统计所用”标出现在的统计数字所依据的那一版。")
    if h.empty:
        st.caption("还没有保存过：第一次保存时，保存前的词典也会留作一版，随时可以恢复。")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "版本": h["id"],
                "时间": pd.to_datetime(h["created_at"]).dt.strftime("%Y-%m-%d %H:%M"),
                "署名": h["author"],
                "操作": h["action"],
                "改动": h["summary"],
                "统计所用": ["✓" if u else "" for u in h["in_use"]],
            }
        ),
        hide_index=True,
        width="stretch",
        key="dict_history",
    )
    ids = [int(i) for i in h["id"]]
    v = st.selectbox("查看一版", ids, format_func=lambda i: f"第 {i} 版", key="dict_version")
    if v is None:
        return
    latest = ids[0]
    earlier = [i for i in ids if i < v]
    if earlier:
        st.markdown(f"**第 {v} 版比第 {earlier[0]} 版：**")
        st.text("\n".join(S.ws().dictionary_diff(earlier[0], v).lines()) or "没有改动")
    if v == latest:
        st.caption("这是当前的词典。")
        return
    st.markdown(f"**恢复第 {v} 版会：**")
    st.text(
        "\n".join(S.ws().dictionary_diff(latest, v).lines()) or "词语没有变化（只恢复文件里的注释和顺序）"
    )
    if st.button(f"恢复到第 {v} 版并重新统计", key="dict_restore", disabled=not can_write):
        author = st.session_state.get("dict_author", "")
        write(
            f"已恢复到第 {v} 版",
            lambda p: S.ws().restore_dictionary(v, key=S.editor_key(), progress=p, author=author),
        )


def import_section(themes: list[Theme], can_write: bool) -> None:
    with st.expander("导入或导出词典文件（YAML）"):
        st.download_button(
            "导出当前词典",
            S.ws().dictionary_text(),
            file_name="themes.yaml",
            mime="text/yaml",
            key="dict_export",
            on_click="ignore",
        )
        up = st.file_uploader("导入词典文件", type=["yaml", "yml"], key="dict_import", disabled=not can_write)
        if up is None:
            return
        try:
            imported = parse_themes(up.getvalue().decode("utf-8-sig"))
        except UnicodeDecodeError:
            st.error(f"{S.md_escape(up.name)} 不是 UTF-8 编码的文本，无法导入。")
            return
        except ThemeError as exc:
            st.error(
                f"{S.md_escape(up.name)} 不能使用：\n\n"
                + "\n".join(f"- {S.md_escape(p)}" for p in exc.problems)
            )
            return
        lines = diff_themes(themes, imported).lines()
        st.info(
            f"文件中有 {len(imported)} 个主题、{sum(len(t.aliases) for t in imported)} 个词语。与当前词典相比："
        )
        st.text("\n".join(lines) or "没有改动")
        if lines and st.button("保存导入的词典并重新统计", key="dict_import_apply", disabled=not can_write):
            save(imported, f"导入 {up.name}")


def hits_section() -> None:
    f = S.filters()
    v = S.dictionary_view(f, metric=S.metric())  # the same tables as `python -m analysis view dictionary`
    st.subheader("命中情况")
    st.caption(f"按当前筛选统计（{v.filters_text}）。从未命中的词语可能写法有误。")
    c1, c2 = st.columns([2, 3])
    c1.dataframe(
        v.themes,
        hide_index=True,
        width="stretch",
        key="dict_theme_hits",
    )
    c2.dataframe(
        v.phrases,
        hide_index=True,
        width="stretch",
        key="dict_phrase_hits",
        column_config={
            "最早": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "最近": st.column_config.DateColumn(format="YYYY-MM-DD"),
        },
    )


st.title("主题词典", anchor=False)
_can_write = S.edit_guard("修改词典")
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
st.caption(
    "统计时去掉空白并转为简体，按“最左最长、互不重叠”匹配：较短词语在较长词语里时，长词匹配处不再计短词；"
    "“排除的说法”匹配处，本主题的词语不计。编号由名称自动生成，保存后不再改变。"
)
st.text_input("署名（记入修改记录）", key="dict_author", placeholder="例如：张编辑", max_chars=20)
_themes = S.ws().themes
st.subheader("新增主题 / 编辑主题")
entry_form(_themes, _can_write)
suggestion_section(_themes, _can_write)
st.subheader(f"当前词典：{len(_themes)} 个主题、{sum(len(t.aliases) for t in _themes)} 个词语")
st.dataframe(themes_table(_themes), hide_index=True, width="stretch", height=360, key="dict_table")
history_section(_can_write)
import_section(_themes, _can_write)
hits_section()
