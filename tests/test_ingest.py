"""ingest.py: bytes -> text for every format and encoding, and every refusal in Chinese."""

from __future__ import annotations

import io
import os
import random
import zipfile

import pytest
from helpers import S003, SAMPLE_FILES, make_docx, make_pdf, sample_text, squeeze, traditional

from analysis.ingest import (
    IngestError,
    decode_bytes,
    docx_to_text,
    expand_paths,
    html_to_text,
    read_bytes,
    read_path,
    sniff_binary,
)

SRC = sample_text(S003)


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "data",
    [
        SRC.encode("utf-8"),
        SRC.encode("gb18030"),
        SRC.encode("utf-16"),  # with BOM
        b"\xef\xbb\xbf" + SRC.encode("utf-8"),
        b"\xfe\xff" + SRC.encode("utf-16-be"),
    ],
    ids=["utf8", "gb18030", "utf16-bom", "utf8-bom", "utf16be-bom"],
)
def test_decode_gives_back_the_exact_text(data):
    assert decode_bytes(data) == SRC


def test_decode_big5_traditional():
    trad = traditional(SRC)
    assert decode_bytes(trad.encode("big5")) == trad
    assert "錨定高質量發展首要任務" in trad


def test_decode_gbk_short_text():
    assert decode_bytes("高质量发展".encode("gbk")) == "高质量发展"


def test_decode_utf16_without_bom_ascii_heavy():
    text = "GDP growth 5.2% in 2023, 高质量发展 report\n" * 20
    assert decode_bytes(text.encode("utf-16-le")) == text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "文件为空，没有可读的文字"),
        (b" \n\t\r\n", "文件为空，没有可读的文字"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "这是PNG 图片，不是文本文件"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "这是JPEG 图片，不是文本文件"),
        (b"\x7fELF" + bytes(200), "这是可执行程序（ELF），不是文本文件"),
        (b"abc\x00def" * 100, "文件含有空字节（NUL），不是文本文件"),
        (b"\xef\xbb\xbf\xff\xfe\xfd", "文件开头标明为 UTF-8，但内容无法按此编码解读"),
    ],
)
def test_decode_refusals(data, reason):
    with pytest.raises(IngestError) as exc:
        decode_bytes(data)
    assert str(exc.value) == reason


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_bytes_refused(seed):
    rnd = random.Random(seed)
    data = bytes(rnd.randrange(1, 256) for _ in range(4000))  # no NUL: must fail on encoding
    with pytest.raises(IngestError) as exc:
        decode_bytes(data)
    assert "无法识别文字编码" in str(exc.value)


def test_sniff_binary():
    assert sniff_binary(b"%PDF-1.4") == "PDF 文件"
    assert sniff_binary(b"PK\x03\x04xx") == "压缩包（zip/docx）"
    assert sniff_binary(b"BM") is None  # too short a magic to trust
    assert sniff_binary("高质量".encode()) is None


# ---------------------------------------------------------------- formats


def test_read_bytes_refusals():
    cases = {
        ("a.exe", b"MZ\x90\x00"): "不支持的文件类型“.exe”（支持 txt、md、html、docx、pdf）",
        (
            "a.docx",
            "这不是Word文档".encode(),
        ): "不是有效的 Word 文档（docx 应为 zip 格式，文件已损坏或被改了扩展名）",
        ("a.pdf", b"\x89PNG\r\n\x1a\nxxxx"): "不是有效的 PDF 文件（实际是PNG 图片）",
        ("a.pdf", "中文".encode()): "不是有效的 PDF 文件（缺少 PDF 文件头）",
        ("a.txt", b""): "文件为空，没有可读的文字",
        ("a.html", b"<html><script>var x = 1;</script></html>"): "文件中没有可读的文字",
    }
    for (name, data), reason in cases.items():
        with pytest.raises(IngestError) as exc:
            read_bytes(data, name)
        assert str(exc.value) == reason, name


def test_zip_without_document_is_not_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(IngestError) as exc:
        read_bytes(buf.getvalue(), "a.docx")
    assert str(exc.value) == "不是有效的 Word 文档（缺少 word/document.xml）"


def test_docx_headings_paragraphs_tables():
    text, title = docx_to_text(make_docx())
    assert title == "各地营商环境观察"
    assert text.split("\n\n") == [
        "# 各地营商环境观察",
        "今年以来，北京、上海持续优化营商环境。",
        "## 广东",
        "广东坚持高质量发展，营商环境持续改善，新质生产力加快形成。",
        "深圳推动高质量发展。",
        "营商环境　第一",
    ]
    raw = read_bytes(make_docx(), "x.docx")
    assert (raw.fmt, raw.title_hint, raw.hard_wrapped) == ("docx", "各地营商环境观察", False)


HTML = """<!doctype html><html><head><meta charset="utf-8"><title>浙江：高质量发展观察</title>
<style>.a::after { content: "营商环境"; }</style>
<script>var s = "高质量发展高质量发展";</script></head>
<body><h2>浙江</h2><p>浙江推动高质量发展，<b>优化营商环境</b>。</p>
<script>document.write("营商环境")</script><noscript>高质量发展</noscript>
<div>杭州加快发展新质生产力。</div></body></html>"""


def test_html_drops_script_style_and_head():
    text, title = html_to_text(HTML)
    assert title == "浙江：高质量发展观察"
    assert text == "## 浙江\n\n浙江推动高质量发展，优化营商环境。\n\n杭州加快发展新质生产力。"


def test_html_in_gb18030():
    raw = read_bytes(HTML.replace('charset="utf-8"', 'charset="gb18030"').encode("gb18030"), "页面.htm")
    assert raw.fmt == "html" and raw.title_hint == "浙江：高质量发展观察"
    assert squeeze(raw.text) == "##浙江浙江推动高质量发展，优化营商环境。杭州加快发展新质生产力。"


def test_markdown_soft_wraps_join_into_paragraphs():
    md = (
        "## 四川\n四川推进高质\n量发展，营商\r\n环境持续优化。\n\n- 成都推动高质量\n  发展\n- 绵阳\n\n"
        "> 引文一\n引文二\n\n1. 第一\n2. 第二\n\n---\nThe output of\nindustries"
    )
    lines = [ln for ln in read_bytes(md.encode(), "a.md").text.split("\n") if ln]
    assert lines == [
        "## 四川",
        "四川推进高质量发展，营商环境持续优化。",
        "成都推动高质量发展",
        "绵阳",
        "引文一引文二",
        "1. 第一",
        "2. 第二",
        "---",
        "The output of industries",
    ]


def test_markdown_keeps_headings_drops_markup():
    md = "# 标题\n\n## 四川\n\n四川推进**高质量发展**，[营商环境](http://x.cn/a)持续优化。\n\n- 成都推动`高质量发展`\n\n![图](a.png)"
    raw = read_bytes(md.encode(), "a.md")
    assert raw.fmt == "md"
    lines = [ln for ln in raw.text.split("\n") if ln]
    assert lines == [
        "# 标题",
        "## 四川",
        "四川推进高质量发展，营商环境持续优化。",
        "成都推动高质量发展",
        "图",
    ]


def test_pdf_text_and_title():
    raw = read_bytes(make_pdf(["湖北：王忠林讲话摘要", "会议强调，要推动高质", "量发展。"]), "a.pdf")
    assert (raw.fmt, raw.hard_wrapped, raw.title_hint) == ("pdf", True, "湖北讲话摘要")
    assert [ln.strip() for ln in raw.text.splitlines() if ln.strip()] == [
        "湖北：王忠林讲话摘要",
        "会议强调，要推动高质",
        "量发展。",
    ]


def test_pdf_garbage_refused():
    with pytest.raises(IngestError) as exc:
        read_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10, "a.pdf")
    assert str(exc.value).startswith("PDF 文件已损坏或格式不受支持")


def test_file_size_limit():
    from analysis.settings import Limits

    with pytest.raises(IngestError) as exc:
        read_bytes(b"x" * 2048, "a.txt", limits=Limits(max_file_bytes=1024))
    assert str(exc.value) == "文件大小 0.0 MB，超过上限 0 MB"


def test_text_char_limit():
    from analysis.settings import Limits

    with pytest.raises(IngestError) as exc:
        read_bytes("高质量发展".encode() * 10, "a.txt", limits=Limits(max_text_chars=20))
    assert str(exc.value) == "文字超过 20 字的上限，请拆分后再导入"


def test_a_folder_lists_its_files_in_sorted_path_order_without_entering_linked_folders(tmp_path):
    # The order ingest has always used, sorted(folder.rglob("*")): a folder's entries by
    # name with a subfolder's files where its name sorts, case first, symlinked folders not
    # entered (the listing walks os.scandir since a million files took 28 s).
    for rel in (
        "b.txt",
        "a/z.txt",
        "a/A.md",
        "a-b/x.txt",
        "a.b/y.txt",
        "B/q.TXT",
        "a/sub/deep/e.docx",
        "ab.txt",
        "a0/c.txt",
        "Z.txt",
        "中文/文.txt",
        ".h/k.txt",
        "a/.h.txt",
        "x.bin",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("高质量发展")
    (tmp_path / "link").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "alias.txt").symlink_to(tmp_path / "b.txt")
    got = [f.relative_to(tmp_path).as_posix() for f in expand_paths([tmp_path])]
    assert got == [
        ".h/k.txt",
        "B/q.TXT",
        "Z.txt",
        "a/A.md",
        "a/sub/deep/e.docx",
        "a/z.txt",
        "a-b/x.txt",
        "a.b/y.txt",
        "a0/c.txt",
        "ab.txt",
        "alias.txt",
        "b.txt",
        "中文/文.txt",
    ]
    assert got == [
        f.relative_to(tmp_path).as_posix()
        for f in sorted(tmp_path.rglob("*"))
        if f.is_file() and f.suffix.lower() != ".bin" and not f.name.startswith(".")
    ]


def test_expand_paths_and_read_path(tmp_path, samples_dir):
    files = expand_paths([samples_dir])
    assert [f.name for f in files] == list(SAMPLE_FILES)  # meta.csv is not an article
    (tmp_path / ".hidden.txt").write_text("高质量发展")
    (tmp_path / "b.md").write_text("高质量发展")
    (tmp_path / "a.TXT").write_text("营商环境")
    (tmp_path / "c.png").write_bytes(b"\x89PNG")
    assert [f.name for f in expand_paths([tmp_path])] == ["a.TXT", "b.md"]
    raw = read_path(samples_dir / S003)
    assert raw.name == S003 and raw.fmt == "txt" and raw.text == SRC
    with pytest.raises(IngestError) as exc:
        read_path(tmp_path / "missing.txt")
    assert str(exc.value) == "无法读取文件（No such file or directory）"


def test_read_path_reads_to_the_end_whatever_the_size_said(tmp_path, monkeypatch):
    """One read of the size fstat gave, then on to the end: a file that grew after the
    stat (or a special file that says 0) is read whole, one that shrank as far as it goes."""
    path = tmp_path / "a.txt"
    path.write_text("高质量发展" * 100000, encoding="utf-8")  # 1.5 MB: more than one read
    real = os.fstat
    for delta in (-1000, -1, 1, 1000):
        monkeypatch.setattr(os, "fstat", lambda fd, d=delta: _resized(real(fd), d))
        assert read_path(path).text == "高质量发展" * 100000
    monkeypatch.setattr(os, "fstat", lambda fd: _resized(real(fd), -real(fd).st_size))
    assert read_path(path).text == "高质量发展" * 100000


def _resized(st: os.stat_result, delta: int) -> os.stat_result:
    fields = list(st)
    fields[6] = st.st_size + delta  # st_size
    return os.stat_result(fields)


# A headline, then a body hard-wrapped at 20 characters as a page would print it.
PDF_LINES = [
    "湖北推进高质量发展",
    "会议强调，要坚持以高质量发展为主题，加快",
    "建设全国构建新发展格局先行区，奋力推进中",
    "国式现代化湖北实践。",
]


def _pdf_titled(title: str, lines: list[str]) -> bytes:
    """A reportlab PDF whose metadata title is `title` (None: no title set at all)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setTitle(title)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(lines):
        c.drawString(50, 800 - 16 * i, line)
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(
    "metadata",
    [
        "untitled",
        "",
        "讲话稿.pdf",
        "讲话稿",
        "Microsoft Word - 讲话稿.docx",
        "WPS",
        "Untitled document",
        "无标题",
    ],
)
def test_generic_pdf_titles_give_way_to_the_first_line(metadata):
    """Issue 13 trap 3: a generic metadata title is not the article's title."""
    from analysis.engine import prepare
    from analysis.themes import load_themes

    pytest.importorskip("reportlab")
    raw = read_bytes(_pdf_titled(metadata, PDF_LINES), "讲话稿.pdf")
    assert raw.title_hint == ""
    article = prepare(raw, None, None, tuple(load_themes())).article
    assert article.title == "湖北推进高质量发展"


def test_a_real_pdf_title_is_kept():
    from analysis.engine import prepare
    from analysis.themes import load_themes

    pytest.importorskip("reportlab")
    raw = read_bytes(_pdf_titled("湖北讲话摘要", PDF_LINES), "a.pdf")
    assert prepare(raw, None, None, tuple(load_themes())).article.title == "湖北讲话摘要"
