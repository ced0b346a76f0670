"""The Simplified-Chinese font every chart and word cloud uses.

NotoSansCJK-Regular.ttc (pip package noto-cjk-sans-otc, or Debian fonts-noto-cjk) is a
collection: face 0 is Japanese, and Pillow/wordcloud load face 0 unless told otherwise,
which draws 直 骨 写 画 with Japanese shapes. So the SC face is copied out once to a
plain .otf in a cache folder and that file is what everyone gets.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
DEBIAN_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_INDEX = 2  # the usual position of SC in the collection; checked, not trusted
ZH_CN_LANGID = 0x0804  # Windows language id for Chinese (PRC)

_cached: Path | None = None


class FontError(RuntimeError):
    pass


def cache_dir() -> Path:
    """POLICY_FONT_CACHE (Settings.font_cache), else $XDG_CACHE_HOME/policy-dashboard, else
    ~/.cache/policy-dashboard."""
    from .settings import current

    if current().font_cache:
        return Path(current().font_cache or "")
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policy-dashboard"


def collection_path() -> Path | None:
    """NotoSansCJK-Regular.ttc from the pip package, else from Debian; None if neither."""
    try:
        from importlib.resources import files

        p = Path(str(files("noto_cjk_sans_otc").joinpath("NotoSansCJK-Regular.ttc")))
        if p.is_file():
            return p
    except Exception:  # package missing or not a plain directory install
        pass
    return DEBIAN_TTC if DEBIAN_TTC.is_file() else None


def is_simplified_chinese(font) -> bool:
    """True when a fontTools TTFont names itself SC and carries a zh-CN family name."""
    names = font["name"]
    family = names.getDebugName(1) or ""
    zh_cn = any(r.nameID == 1 and r.platformID == 3 and r.langID == ZH_CN_LANGID for r in names.names)
    return family.endswith(" SC") and "Mono" not in family and zh_cn


def _extract_sc(ttc: Path, out: Path) -> None:
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(ttc))
    order = [SC_INDEX] + [i for i in range(len(coll.fonts)) if i != SC_INDEX]
    face = next(
        (coll.fonts[i] for i in order if i < len(coll.fonts) and is_simplified_chinese(coll.fonts[i])), None
    )
    if face is None:
        raise FontError(f"字体文件 {ttc} 中没有简体中文（SC）字形")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary name and rename, so two processes never see half a font.
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".otf.part")
    os.close(fd)
    try:
        face.save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; fonts are for everyone
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cjk_font_path() -> Path:
    """A Simplified-Chinese OpenType font file for Pillow and wordcloud (extracted once)."""
    global _cached
    if _cached is not None and _cached.is_file():
        return _cached
    out = cache_dir() / FONT_FILE
    if not (out.is_file() and out.stat().st_size > 1_000_000):
        ttc = collection_path()
        if ttc is None:
            raise FontError("找不到中文字体：请安装 pip 包 noto-cjk-sans-otc 或 Debian 的 fonts-noto-cjk")
        _extract_sc(ttc, out)
    _cached = out
    return out
