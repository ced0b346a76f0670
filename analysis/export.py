"""Files editors take away: PNG charts, CSV/XLSX tables, a PPTX deck of pinned charts (and its PDF)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import threading
import warnings
from pathlib import Path

import pandas as pd

from .fonts import CJK_FAMILY, cjk_font_path
from .safecells import safe_cell, safe_frame, safe_text

CHROMIUM = "/usr/bin/chromium"
DEBIAN_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
RENDER_TIMEOUT = 90  # seconds for one image, browser start included


class ExportError(RuntimeError):
    """An export could not be made; the message is for editors (Chinese)."""


# ---------------------------------------------------------------- PNG
_lock = threading.Lock()
_server_started = False


def browser_path() -> str | None:
    """Chromium for kaleido: BROWSER_PATH if it exists, else Debian's, else whatever is on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).is_file():
        return env
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _system_has_cjk_font() -> bool:
    if DEBIAN_CJK.is_file():
        return True
    try:
        out = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10)
        return CJK_FAMILY in out.stdout
    except (OSError, subprocess.SubprocessError):
        return False


def _fontconfig_with_pip_font() -> None:
    """Point Chromium's fontconfig at the folder of the extracted SC font (no system CJK font)."""
    font_dir = cjk_font_path().parent
    conf = font_dir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{font_dir}</dir>\n  <cachedir>{font_dir / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(conf)


def _start() -> None:
    """Start kaleido's sync server once per process: later images take ~0.2 s, not ~3 s."""
    global _server_started
    if _server_started:
        return
    path = browser_path()
    if path is None:
        raise ExportError("无法导出图片：找不到 Chromium 浏览器（请安装 Debian 的 chromium）")
    os.environ.setdefault("BROWSER_PATH", path)
    if not _system_has_cjk_font() and "FONTCONFIG_FILE" not in os.environ:
        _fontconfig_with_pip_font()
    try:
        import kaleido
    except ImportError as e:
        raise ExportError("无法导出图片：缺少 kaleido 组件") from e
    # mathjax=False: no CDN fetch (no internet); the charts use no LaTeX.
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _server_started = True


def _stop() -> None:
    global _server_started
    try:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:
        pass
    _server_started = False


def _render(fig, opts: dict) -> bytes:
    import plotly.io as pio

    result: dict = {}

    def work():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "kopts ignored when using a server"
                result["png"] = pio.to_image(fig, **opts)
        except BaseException as e:
            result["error"] = e

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(RENDER_TIMEOUT)
    if t.is_alive():
        raise TimeoutError("render timed out")
    if "error" in result:
        raise result["error"]
    return result["png"]


def png_bytes(fig, width: int = 1280, height: int | None = 720, scale: float = 2) -> bytes:
    """The figure as a PNG of width×scale by height×scale pixels, Chinese in Noto Sans CJK SC.

    height=None takes the figure's own height (long rankings set one), else 720.
    """
    if height is None:
        height = getattr(getattr(fig, "layout", None), "height", None) or 720
    opts = dict(format="png", width=int(width), height=int(height), scale=scale)
    with _lock:  # the sync server answers one call at a time, in order
        _start()
        try:
            return _render(fig, opts)
        except ExportError:
            raise
        except Exception:
            _stop()  # a crashed or stuck browser: one fresh start, then give up
        try:
            _start()
            return _render(fig, opts)
        except ExportError:
            raise
        except Exception as e:
            _stop()
            raise ExportError(f"导出图片失败：{type(e).__name__} {e}") from e


# ---------------------------------------------------------------- tables
def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows opens Chinese columns correctly."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")  # no formulas (safecells.py)


def _sheet_name(name: str) -> str:
    bad = "[]:*?/\\"
    clean = "".join("_" if ch in bad else ch for ch in (name or "数据")).strip("'")
    return clean[:31] or "数据"


def _display_width(v) -> float:
    s = "" if v is None else str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in s)


def _cell(v):
    """A pandas/numpy value as something openpyxl writes (NaN/NA -> empty cell)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, ensure_ascii=False)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            return str(v)
        return None if isinstance(v, float) and math.isnan(v) else v
    if hasattr(v, "tolist"):  # numpy arrays from list columns
        return json.dumps(v.tolist(), ensure_ascii=False)
    return v


def xlsx_bytes(df: pd.DataFrame, sheet: str = "数据", title: str = "", note: str = "") -> bytes:
    """One sheet: title row, filter note, then the table with a header filter and frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(sheet)
    row = 1
    if title:
        ws.cell(row=row, column=1, value=safe_text(title)).font = Font(bold=True, size=14)
        row += 1
    if note:
        ws.cell(row=row, column=1, value=safe_text(note)).font = Font(italic=True, color="666666")
        row += 1
    if title or note:
        row += 1  # a blank line before the table
    header_row = row
    columns = [str(c) for c in df.columns]
    for j, name in enumerate(columns, start=1):
        c = ws.cell(row=header_row, column=j, value=safe_text(name))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F2")
        c.alignment = Alignment(horizontal="center")
    for i, values in enumerate(df.itertuples(index=False), start=header_row + 1):
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=safe_cell(_cell(v)))  # text never a formula
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    last_row = header_row + len(df)
    if columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last_row, header_row)}"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for j, name in enumerate(columns, start=1):
        sample = [name, *df.iloc[:500, j - 1].tolist()]
        width = max(_display_width(v) for v in sample) + 2
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(60, width))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- PPTX
# The deck lives in analysis.slides (what goes on each slide) and analysis.deck_pptx
# (drawing it); these names stay importable from here for existing callers.
from .deck_pptx import pptx_bytes  # noqa: E402
from .slides import Pin  # noqa: E402

__all__ = ["ExportError", "Pin", "csv_bytes", "pdf_from_pptx", "png_bytes", "pptx_bytes", "xlsx_bytes"]
PDF_TIMEOUT = 180  # seconds; LibreOffice takes about 2 s for a ten-slide deck


def soffice_path() -> str | None:
    """LibreOffice's command-line converter (Debian's libreoffice-impress), if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_from_pptx(pptx: bytes) -> bytes:
    """A PDF handout of a deck, converted by LibreOffice in a throwaway profile (two
    conversions at once would otherwise fight over the user's profile lock)."""
    import tempfile

    exe = soffice_path()
    if exe is None:
        raise ExportError("无法生成 PDF 讲义：本机没有安装 LibreOffice（Debian 软件包 libreoffice-impress）")
    with tempfile.TemporaryDirectory(prefix="deck-pdf-") as tmp:
        src = Path(tmp) / "deck.pptx"
        src.write_bytes(pptx)
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as e:
            raise ExportError(f"生成 PDF 讲义超时（超过 {PDF_TIMEOUT} 秒）") from e
        out = Path(tmp) / "deck.pdf"
        if not out.is_file() or out.stat().st_size == 0:
            raise ExportError("生成 PDF 讲义失败：LibreOffice 没有输出文件")
        return out.read_bytes()
