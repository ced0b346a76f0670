"""The exported deck rendered by LibreOffice: no text off its slide, no two words on top of
each other, no chart titled 数值 (issue 14). Word boxes come from `pdftotext -bbox`."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analysis.export import pdf_from_pptx
from tests.test_export import ALL_KINDS, all_kinds_deck

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftotext")),
        reason="需要 LibreOffice（libreoffice-impress）和 poppler-utils：见 scripts/system-deps.sh",
    ),
]
_X = "{http://www.w3.org/1999/xhtml}"
Word = tuple[str, float, float, float, float]


def page_words(pdf: Path) -> list[tuple[float, float, list[Word]]]:
    """(width, height, words) per page, each word (text, x0, y0, x1, y1) in PDF points."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    xml = out.stdout[out.stdout.index("<html") :]
    pages = []
    for p in ET.fromstring(xml).iter(f"{_X}page"):
        words: list[Word] = []
        for w in p.iter(f"{_X}word"):
            x0, y0, x1, y1 = (float(w.get(k) or 0) for k in ("xMin", "yMin", "xMax", "yMax"))
            words.append((w.text or "", x0, y0, x1, y1))
        pages.append((float(p.get("width") or 0), float(p.get("height") or 0), words))
    return pages


def layout_problems(pages) -> list[tuple]:
    """Words outside their page, words overlapping (boxes trimmed by a fifth of their height,
    since a line's box is taller than its glyphs), and any word 数值 (an automatic chart title)."""
    found: list[tuple] = []
    for n, (w, h, words) in enumerate(pages, start=1):
        for t, x0, y0, x1, y1 in words:
            if x0 < -0.5 or y0 < -0.5 or x1 > w + 0.5 or y1 > h + 0.5:
                found.append((n, "出界", t))
            if t == "数值":
                found.append((n, "数值", t))
        trimmed = [
            (t, x0 + 1, y0 + 0.2 * (y1 - y0), x1 - 1, y1 - 0.2 * (y1 - y0)) for t, x0, y0, x1, y1 in words
        ]
        for i, a in enumerate(trimmed):
            for b in trimmed[i + 1 :]:
                if min(a[3], b[3]) > max(a[1], b[1]) and min(a[4], b[4]) > max(a[2], b[2]):
                    found.append((n, "重叠", a[0], b[0]))
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    pdf = tmp_path_factory.mktemp("deck") / "deck.pdf"
    pdf.write_bytes(pdf_from_pptx(all_kinds_deck()))
    return pdf


def test_deck_renders_every_slide(rendered):
    pages = page_words(rendered)
    assert len(pages) == 12  # title, 9 chart slides (the heatmap takes two), 2 quotes
    assert all(abs(w / h - 16 / 9) < 0.01 for w, h, _ in pages)
    text = ["".join(t for t, *_ in words) for _, _, words in pages]
    for pin in ALL_KINDS:
        assert any(pin.title.replace(" ", "") in t for t in text), pin.title
    assert all(p in text[4] + text[5] for p in ("广东", "甘肃", "高质量发展", "民营"))  # heatmap + its note
    assert "西藏" in text[6] and "无数据（灰色）" in text[6]  # the map slide draws every tile


def test_no_text_off_slide_overlapping_or_titled_shuzhi(rendered):
    assert layout_problems(page_words(rendered)) == []


def test_checker_catches_overlap_and_overflow():
    """The checker itself: a footer printed over a table row and a word past the bottom edge."""
    pages = [
        (
            960.0,
            540.0,
            [("筛选：全部", 40, 500, 200, 515), ("江苏", 45, 502, 70, 516), ("20", 80, 530, 95, 545)],
        )
    ]
    assert layout_problems(pages) == [(1, "出界", "20"), (1, "重叠", "筛选：全部", "江苏")]
