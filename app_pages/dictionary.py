"""主题词典：编辑主题和词语，检查后保存并重新统计；导入、导出词典文件。"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.models import Theme
from analysis.themes import CATEGORIES, ThemeError, dump_themes, parse_themes, themes_from_data, validate
from app_pages import _state as S

COLUMNS = {"id": "编号", "name": "名称", "category": "类别", "aliases": "词语", "note": "说明"}
IMPORTED = "dict_imported_yaml"  # an imported file waiting in the editor until saved


def themes_frame(themes: list[Theme]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "编号": [t.id for t in themes],
            "名称": [t.name for t in themes],
            "类别": [t.category for t in themes],
            "词语": ["、".join(t.aliases) for t in themes],
            "说明": [t.note for t in themes],
        }
    )


def themes_from_frame(df: pd.DataFrame) -> list[Theme]:
    """The editor's rows as themes (词语 split on 、，, ; and line breaks); blank rows dropped."""
    df = df.rename(columns={v: k for k, v in COLUMNS.items()})[list(COLUMNS)]
    df = df.astype(object).where(df.notna(), "")
    rows = [r for r in df.to_dict("records") if any(str(v).strip() for v in r.values())]
    return themes_from_data(rows)


def show_report(themes: list[Theme]) -> bool:
    rep = validate(themes)
    if rep.errors:
        st.error("词典有以下问题，未保存：\n\n" + "\n".join(f"- {S.md_escape(e)}" for e in rep.errors))
    if rep.warnings:
        st.warning(
            "以下词语相互包含（允许保存，但长词匹配之处不再计短词）：\n\n"
            + "\n".join(f"- {S.md_escape(w)}" for w in rep.warnings)
        )
    return rep.ok


def save(themes: list[Theme]) -> int | None:
    """What 保存并重新统计 does: refuse an invalid dictionary, else save atomically and recount."""
    if not show_report(themes):
        return None
    bar = st.progress(0.0, text="正在保存并重新统计…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(done / total if total else 1.0, text=f"正在重新统计 {done}/{total}")

    try:
        n = S.engine().save_dictionary(themes, progress)
    except (ThemeError, OSError) as exc:
        bar.empty()
        problems = exc.problems if isinstance(exc, ThemeError) else [f"无法写入词典文件：{exc}"]
        st.error("保存失败，原词典未改动：\n\n" + "\n".join(f"- {S.md_escape(p)}" for p in problems))
        return None
    bar.empty()
    st.session_state.pop(IMPORTED, None)
    S.changed()
    return n


def import_section(read_only: bool) -> None:
    with st.expander("导入或导出词典文件（YAML）"):
        st.download_button(
            "导出当前词典",
            dump_themes(S.engine().themes),
            file_name="themes.yaml",
            mime="text/yaml",
            key="dict_export",
            on_click="ignore",
        )
        up = st.file_uploader("导入词典文件", type=["yaml", "yml"], key="dict_import", disabled=read_only)
        if up is None:
            return
        try:
            text = up.getvalue().decode("utf-8-sig")
            themes = parse_themes(text)
        except UnicodeDecodeError:
            st.error("文件不是 UTF-8 编码的文本，无法导入。")
            return
        except ThemeError as exc:
            st.error("这个词典文件不能使用：\n\n" + "\n".join(f"- {S.md_escape(p)}" for p in exc.problems))
            return
        st.info(
            f"文件中有 {len(themes)} 个主题、{sum(len(t.aliases) for t in themes)} 个词语。"
            "载入后替换上面表格的内容，检查无误再点“保存并重新统计”才会生效。"
        )
        if st.button("载入到编辑表格", key="dict_import_apply", disabled=read_only):
            st.session_state[IMPORTED] = text
            st.rerun()


def hits_section() -> None:
    f = S.filters()
    themes, phrases = S.query("dictionary_hits", f)
    st.subheader("命中情况")
    st.caption(f"按当前筛选统计（{S.filters_text(f)}）。从未命中的词语可能写法有误。")
    c1, c2 = st.columns([2, 3])
    c1.dataframe(
        themes.rename(
            columns={
                "name": "主题",
                "category": "类别",
                "phrases": "词语数",
                "count": "次数",
                "docs": "文章数",
            }
        )[["主题", "类别", "词语数", "次数", "文章数"]],
        hide_index=True,
        width="stretch",
        key="dict_theme_hits",
    )
    c2.dataframe(
        phrases.rename(
            columns={
                "theme": "主题",
                "phrase": "词语",
                "count": "次数",
                "docs": "文章数",
                "provinces": "省份数",
                "first_seen": "最早",
                "last_seen": "最近",
            }
        )[["主题", "词语", "次数", "文章数", "省份数", "最早", "最近"]],
        hide_index=True,
        width="stretch",
        key="dict_phrase_hits",
        column_config={
            "最早": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "最近": st.column_config.DateColumn(format="YYYY-MM-DD"),
        },
    )


st.title("主题词典", anchor=False)
_read_only = not S.edit_guard("修改词典")
st.caption(
    "每行一个主题。“词语”列写该主题的所有说法，用顿号“、”分隔；编号只用小写字母、数字和下划线。"
    "统计时去掉空白并转为简体，按“最左最长、互不重叠”匹配。修改后先点“检查”，再“保存并重新统计”。"
)
_imported = st.session_state.get(IMPORTED)
_base = parse_themes(_imported) if _imported else S.engine().themes
if _imported:
    st.info("表格中是导入的词典，尚未保存。")
_edited = st.data_editor(
    themes_frame(_base),
    key="dict_editor",
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    height=460,
    disabled=_read_only,
    column_config={
        "编号": st.column_config.TextColumn(
            required=True, max_chars=63, help="小写字母开头，只用小写字母、数字、下划线"
        ),
        "名称": st.column_config.TextColumn(required=True, max_chars=40),
        "类别": st.column_config.SelectboxColumn(options=list(CATEGORIES), required=True),
        "词语": st.column_config.TextColumn(required=True, width="large", help="用顿号“、”分隔"),
        "说明": st.column_config.TextColumn(),
    },
)
_c1, _c2, _c3 = st.columns([1, 1.6, 3])
_check = _c1.button("检查", key="dict_check", disabled=_read_only)
_save = _c2.button("保存并重新统计", key="dict_save", type="primary", disabled=_read_only)
if _imported and _c3.button("放弃导入的内容", key="dict_import_discard"):
    st.session_state.pop(IMPORTED, None)
    st.rerun()
_candidate = themes_from_frame(_edited)
if _check and show_report(_candidate):
    st.success(f"检查通过：{len(_candidate)} 个主题、{sum(len(t.aliases) for t in _candidate)} 个词语。")
if _save:
    _n = save(_candidate)
    if _n is not None:
        st.success(f"已保存词典并重新统计了 {_n} 篇文章。")
import_section(_read_only)
hits_section()
