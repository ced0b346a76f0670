"""Files -> decoded text. One reader per format; every refusal is a Chinese sentence.

Decoding order is fixed (BOM -> UTF-8 -> GB18030 -> Big5 -> detector) and strict:
a file is either decoded whole or refused, never silently stripped of bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing as mp
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .settings import LIMITS, Limits

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf"}


class IngestError(Exception):
    """A file that cannot become an article; str(e) is the reason shown to editors."""


@dataclass
class RawDoc:
    name: str  # file name shown to editors
    text: str
    fmt: str  # txt / md / html / docx / pdf
    mtime: dt.date
    title_hint: str = ""  # <title>, docx core title …
    hard_wrapped: bool = False  # pdf text: lines end where the page did


_MAGIC = [
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"BM", None),  # too short to trust alone
    (b"%PDF", "PDF 文件"),
    (b"\x7fELF", "可执行程序（ELF）"),
    (b"MZ", "可执行程序（EXE）"),
    (b"PK\x03\x04", "压缩包（zip/docx）"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（doc/xls）"),
    (b"RIFF", "音视频或图片（RIFF）"),
]

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]

# A decoded text is plausible when nearly all of it is printable.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def sniff_binary(data: bytes) -> str | None:
    """Name the kind of binary file data starts like, or None."""
    for magic, kind in _MAGIC:
        if kind and data.startswith(magic):
            return kind
    return None


def _plausible(text: str, encoding: str) -> bool:
    if not text:
        return True
    bad = len(_CONTROL.findall(text))
    if bad > max(2, len(text) // 200):
        return False
    if encoding == "gb18030":
        # Random bytes decode as GB18030 too, but land far outside GB2312/GBK's common range.
        sample = text[:20000]
        rare = sum(
            1
            for ch in sample
            if ord(ch) > 0x9FFF
            and not 0xFF00 <= ord(ch) <= 0xFFEF
            and not 0x3000 <= ord(ch) <= 0x303F
            and not 0x2000 <= ord(ch) <= 0x206F
        )
        return rare <= len(sample) // 50
    return True


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:4000]
    if len(head) < 4 or b"\x00" not in head:  # no NUL at all: neither test below can pass
        return None
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = len(head) // 2
    # ASCII-heavy UTF-16 has a NUL in every other byte; CJK-heavy text rarely has NULs at all.
    if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str = "文件") -> str:
    """Decode the whole of data as text, or raise IngestError with the reason."""
    if _blank(data):
        raise IngestError("文件为空，没有可读的文字")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(enc)
            except UnicodeDecodeError:
                raise IngestError(f"文件开头标明为 {enc.upper()}，但内容无法按此编码解读") from None
            return _check_text(text, enc)
    kind = sniff_binary(data)
    if kind:
        raise IngestError(f"这是{kind}，不是文本文件")
    enc16 = _utf16_without_bom(data)
    if enc16:
        try:
            return _check_text(data.decode(enc16), enc16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise IngestError("文件含有空字节（NUL），不是文本文件")
    for enc in ("utf-8", "gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text, enc):
            return _check_text(text, enc, plausible=True)
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        guess: str | None
        try:
            guess = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            guess = None
        if guess is not None and _plausible(guess, best.encoding):
            return _check_text(guess, best.encoding, plausible=True)
    raise IngestError("无法识别文字编码（已尝试 UTF-8、GB18030、Big5 和自动检测），可能是二进制文件")


def _blank(text: str | bytes) -> bool:
    """Nothing but whitespace: `not text.strip()` without copying the text."""
    return not text or text.isspace()


def _check_text(text: str, encoding: str, plausible: bool = False) -> str:
    """plausible=True: the caller has just checked _plausible(text, encoding)."""
    if "\x00" in text:
        raise IngestError("文件含有空字节（NUL），不是正常文本")
    if not plausible and not _plausible(text, encoding):
        raise IngestError(f"按 {encoding.upper()} 解读后大多是乱码，可能不是文本文件")
    if _blank(text):
        raise IngestError("文件为空，没有可读的文字")
    return text


# ---------------------------------------------------------------- readers


# A Markdown line that starts a block of its own rather than continuing a paragraph.
_MD_BLOCK = re.compile(r"^\s{0,3}(#{1,6}\s|[>*+-]\s|\d{1,3}[.)]\s|\||```|~~~|[-*_=]{3,}\s*$)")

# …and one that nothing continues: a heading, table row, fence or rule.
_MD_CLOSED = re.compile(r"#|\||```|~~~|[-*_=]{3,}\s*$")


def _join_soft_wraps(text: str) -> str:
    """Markdown paragraphs run over several lines; join them so a phrase broken at a
    line end stays in one paragraph (counting works paragraph by paragraph)."""
    from .normalize import _join

    # Each output line collects its pieces and is joined once: joining as we go copied the
    # growing paragraph for every line (quadratic on 50,000 one-character lines).
    out: list[list[str]] = []
    open_ = False  # the previous line is paragraph text that may continue
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and open_ and not _MD_BLOCK.match(line):
            out[-1].append(stripped)
        else:
            out.append([line])
        open_ = bool(stripped) and not _MD_CLOSED.match(stripped)
    return "\n".join(p[0] if len(p) == 1 else _join([p[0].rstrip(), *p[1:]]) for p in out)


# Link and image markup. A label stops at the next bracket and a target at the next
# unbalanced parenthesis (one level of nesting, as in wiki URLs), so every attempt ends
# where the next could start: linear time. The old `\[([^\]]*)\]\([^)]*\)` scanned to the
# end of the text from every `[` (a .md of 50,000 `![` took minutes holding the GIL).
_MD_TARGET = r"\((?:[^()\n]|\([^()\n]*\))*\)"
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]" + _MD_TARGET)
_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]" + _MD_TARGET)


def _read_markdown(text: str) -> str:
    # Keep headings (sections need them); drop link/image markup, keep the visible words.
    text = _join_soft_wraps(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"^\s{0,3}[>*+-]\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|`)", "", text)
    return text


def html_to_text(markup: str) -> tuple[str, str]:
    """Visible text of an HTML page (headings as '## '), and its <title>."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "head"]):
        if tag.name == "head":
            continue
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.head:
        soup.head.decompose()
    for level in range(1, 4):
        for h in soup.find_all(f"h{level}"):
            h.insert_before("\n" + "#" * level + " ")
            h.insert_after("\n")
    for block in soup.find_all(["p", "div", "br", "li", "tr", "section", "article"]):
        block.insert_after("\n")
    # Blank runs collapse line by line: the pattern `[ \t\u3000]*\n[ \t\u3000\n]*` rescanned
    # a long run of spaces from each of its characters (100 KB of spaces: 10 s).
    lines = (ln.strip(" \t\u3000") for ln in soup.get_text().split("\n"))
    text = "\n\n".join(ln for ln in lines if ln)
    return text.strip(), title


def _check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise IngestError("不是有效的 Word 文档（docx 应为 zip 格式，文件已损坏或被改了扩展名）") from None
    total = sum(i.file_size for i in zf.infolist())
    if total > limits.max_unzipped_bytes:
        raise IngestError(
            f"Word 文档解压后达 {total // 2**20} MB，超过上限 {limits.max_unzipped_bytes // 2**20} MB，疑似压缩炸弹"
        )
    if "word/document.xml" not in zf.namelist():
        raise IngestError("不是有效的 Word 文档（缺少 word/document.xml）")
    # Headers can lie about sizes: inflate for real, stopping at the limit.
    budget = limits.max_unzipped_bytes
    try:
        for info in zf.infolist():
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:
                        raise IngestError(
                            f"Word 文档解压后超过上限 {limits.max_unzipped_bytes // 2**20} MB，疑似压缩炸弹"
                        )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise IngestError(f"Word 文档已损坏，无法解压（{type(exc).__name__}）") from None
    return zf


def _paragraph_text(para) -> str:
    """A Word paragraph's text as python-docx gives it (runs, hyperlinks' runs; breaks as
    newlines, tabs), walking children in order: python-docx asks lxml for a six-tag union
    per run, which sorts it each time (30,000 line breaks in one paragraph took 7 s)."""
    from docx.oxml.ns import qn

    run, link, text, br, kind = qn("w:r"), qn("w:hyperlink"), qn("w:t"), qn("w:br"), qn("w:type")
    fixed = {qn("w:cr"): "\n", qn("w:tab"): "\t", qn("w:ptab"): "\t", qn("w:noBreakHyphen"): "-"}
    out: list[str] = []
    for child in para._p:
        for r in child if child.tag == link else (child,):
            if r.tag != run:
                continue
            for e in r:
                if e.tag == text:
                    out.append(e.text or "")
                elif e.tag == br:  # page and column breaks are no text
                    out.append("\n" if e.get(kind, "textWrapping") == "textWrapping" else "")
                else:
                    out.append(fixed.get(e.tag, ""))
    return "".join(out)


def docx_to_text(data: bytes, limits: Limits = LIMITS) -> tuple[str, str]:
    _check_zip(data, limits)
    import docx

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise IngestError(f"Word 文档已损坏，无法打开（{type(exc).__name__}）") from None
    from .normalize import _join

    lines = []
    for para in doc.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        # A soft line break (Shift+Enter) stays inside the Word paragraph.
        text = _join([ln.strip() for ln in _paragraph_text(para).strip().split("\n")])
        if not text:
            continue
        m = re.match(r"(?:Heading|标题)\s*(\d)", style)
        if m or style == "Title":
            level = int(m.group(1)) if m else 1
            text = "#" * min(level, 3) + " " + text
        lines.append(text)
    for table in doc.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append("　".join(cells))
    title = (doc.core_properties.title or "").strip()
    return "\n\n".join(lines), title


def _address_space() -> int:
    """Bytes of address space this process already maps (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _pdf_worker(data: bytes, max_pages: int, max_bytes: int, conn, parent: int = 0) -> None:
    import gc

    from .deadline_pool import die_with_parent

    if parent:
        die_with_parent(parent)  # a killed parse worker must not leave a hostile PDF parsing on
    gc.freeze()  # forked from a threaded parent: never collect what was inherited (deadline_pool)
    try:
        import resource

        # The budget is on top of what the forked child inherits: a parent holding DuckDB
        # already maps more than max_bytes, and an absolute cap made every import fail.
        limit = _address_space() + max_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = bool(reader.decrypt(""))
            except Exception:
                ok = False
            if not ok:
                conn.send(("error", "PDF 已加密，需要密码才能读取"))
                return
        n = len(reader.pages)
        if n > max_pages:
            conn.send(("error", f"PDF 共 {n} 页，超过上限 {max_pages} 页"))
            return
        pages = [page.extract_text() or "" for page in reader.pages]
        title = ""
        try:
            title = (reader.metadata.title or "") if reader.metadata else ""
        except Exception:
            pass
        conn.send(("ok", "\n".join(pages), str(title)))
    except MemoryError:
        conn.send(("error", "PDF 解析所需内存超过上限"))
    except Exception as exc:
        conn.send(("error", f"PDF 文件已损坏或格式不受支持（{type(exc).__name__}）"))


def pdf_to_text(data: bytes, limits: Limits = LIMITS) -> tuple[str, str]:
    """Parse in a child process so a hostile PDF can neither hang nor exhaust this one."""
    ctx: Any = mp.get_context("fork" if os.name == "posix" else "spawn")  # typeshed: BaseContext
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_pdf_worker, args=(data, limits.max_pdf_pages, 1536 * 2**20, child, os.getpid())
    )
    proc.start()
    child.close()
    result = None
    if parent.poll(limits.max_pdf_seconds):
        try:
            result = parent.recv()
        except EOFError:
            result = None
    proc.join(1)
    if proc.is_alive():
        proc.kill()
        proc.join()
        raise IngestError(f"PDF 解析超过 {limits.max_pdf_seconds} 秒仍未完成，已停止")
    if result is None:
        raise IngestError("PDF 解析进程异常退出（文件可能已损坏或过大）")
    if result[0] == "error":
        raise IngestError(result[1])
    text, title = result[1], result[2]
    if not text.strip():
        raise IngestError("PDF 中没有可提取的文字（可能是扫描图片，需要先做文字识别）")
    return text, title


# Titles that office software writes when the author gave none: a file name, the
# application's own name, or a placeholder. An article is better named by its first
# heading or line (sections.article_title) than by “untitled”.
_PLACEHOLDER_TITLES = {
    "untitled",
    "untitled document",
    "document",
    "new document",
    "title",
    "no title",
    "unknown",
    "无标题",
    "无标题文档",
    "未命名",
    "未命名文档",
    "文档",
    "新建文档",
    "新建 microsoft word 文档",
    "新建文本文档",
    "标题",
    "wps",
    "wps office",
    "wps 文字",
    "wps文字",
    "microsoft word",
    "word",
    "pdf",
    "adobe acrobat",
    "acrobat",
    "libreoffice",
    "openoffice",
    "writer",
    "pdfcreator",
}
_APP_PREFIX = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel)|wps(?: office| 文字| 演示)?|writer|adobe acrobat)\s*[-–—:：]",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|wps|txt|rtf|odt|html?|md|pptx?|xlsx?)$", re.IGNORECASE)


def generic_title(title: str, name: str = "") -> bool:
    """True when a document's metadata title says nothing about the article."""
    t = " ".join(title.split()).strip("\"'“”‘’《》 ")
    low = t.lower()
    if not t or low in _PLACEHOLDER_TITLES or low.startswith(("untitled", "无标题", "未命名")):
        return True
    if _APP_PREFIX.match(t) or _FILE_NAME.search(t):
        return True
    stem = Path(name).stem.lower()
    if stem and low in {Path(name).name.lower(), stem}:
        return True
    return not any(ch.isalpha() for ch in t)  # only digits and punctuation


def read_bytes(data: bytes, name: str, mtime: dt.date | None = None, limits: Limits = LIMITS) -> RawDoc:
    """Turn one file's bytes into text by its extension; raise IngestError on refusal."""
    mtime = mtime or dt.date.today()
    if len(data) > limits.max_file_bytes:
        raise IngestError(
            f"文件大小 {len(data) / 2**20:.1f} MB，超过上限 {limits.max_file_bytes // 2**20} MB"
        )
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"不支持的文件类型“{suffix}”（支持 txt、md、html、docx、pdf）")
    if _blank(data):
        raise IngestError("文件为空，没有可读的文字")
    if suffix == ".docx":
        text, title = docx_to_text(data, limits)
        doc = RawDoc(name, text, "docx", mtime, title)
    elif suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            kind = sniff_binary(data)
            raise IngestError(f"不是有效的 PDF 文件（{'实际是' + kind if kind else '缺少 PDF 文件头'}）")
        text, title = pdf_to_text(data, limits)
        doc = RawDoc(name, text, "pdf", mtime, title, hard_wrapped=True)
    elif suffix in HTML_SUFFIXES:
        text, title = html_to_text(decode_bytes(data, name))
        doc = RawDoc(name, text, "html", mtime, title)
    else:
        text = decode_bytes(data, name)
        fmt = "md" if suffix in {".md", ".markdown"} else "txt"
        if fmt == "md":
            text = _read_markdown(text)
        doc = RawDoc(name, text, fmt, mtime)
    if _blank(doc.text):
        raise IngestError("文件中没有可读的文字")
    if generic_title(doc.title_hint, name):
        doc.title_hint = ""  # the first heading or line names the article instead
    if len(doc.text) > limits.max_text_chars:
        raise IngestError(f"文字超过 {limits.max_text_chars:,} 字的上限，请拆分后再导入")
    return doc


def _read_file(path: Path, limits: Limits) -> tuple[bytes, os.stat_result]:
    """The bytes of a file and its stat, from one descriptor. The ingest reads every file
    here: two stats and a buffered file object cost twice the read itself."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if st.st_size > limits.max_file_bytes:
            raise IngestError(
                f"文件大小 {st.st_size / 2**20:.1f} MB，超过上限 {limits.max_file_bytes // 2**20} MB"
            )
        data = os.read(fd, st.st_size + 1)
        if len(data) != st.st_size:  # grown, shrunk or a special file: read to the end
            parts = [data]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
        return data, st
    finally:
        os.close(fd)


def read_path(path: Path, limits: Limits = LIMITS) -> RawDoc:
    try:
        data, st = _read_file(path, limits)
        mtime = dt.date.fromtimestamp(st.st_mtime)
    except OSError as exc:
        raise IngestError(f"无法读取文件（{exc.strerror or type(exc).__name__}）") from None
    return read_bytes(data, path.name, mtime, limits)


@dataclass(frozen=True)
class Upload:
    """Bytes still to be read, so that a worker process reads them: decoding and markdown or
    HTML conversion never run in the dashboard's own process (see deadline_pool.py)."""

    name: str
    data: bytes = field(repr=False)
    mtime: dt.date | None = None
    limits: Limits = LIMITS

    def read(self) -> RawDoc:
        return read_bytes(self.data, self.name, self.mtime, self.limits)


def read_source(source: Path | Upload | RawDoc) -> RawDoc:
    """A job's document: a file read here, uploaded bytes read here, or already read."""
    if isinstance(source, Path):
        return read_path(source)
    if isinstance(source, Upload):
        return source.read()
    return source


def expand_paths(
    paths: list[Path], suffixes: AbstractSet[str] = SUFFIXES - {""}, skip: AbstractSet[str] = frozenset()
) -> list[Path]:
    """Files given, plus files with these suffixes inside given folders, in a stable order;
    hidden files in folders are left out, and names in `skip` (lower case) everywhere."""
    return [Path(folder, name) for folder, name in listed_files(paths, suffixes, skip)]


def listed_files(
    paths: list[Path], suffixes: AbstractSet[str] = SUFFIXES - {""}, skip: AbstractSet[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """expand_paths as (folder, file name) strings: a Path costs 4-9 µs to make, 9 s for a
    million files, so a large import makes each one only when its file is read
    (imports.plan_paths)."""
    for p in paths:
        if p.is_dir():
            for folder, name in _files_under(str(p)):
                if suffix_of(name) in suffixes and not name.startswith(".") and name.lower() not in skip:
                    yield folder, name
        elif p.name.lower() not in skip:
            yield str(p.parent), p.name


def suffix_of(name: str) -> str:
    """Path(name).suffix, lower case, without making a Path."""
    i = name.rfind(".")
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


def _files_under(folder: str) -> Iterator[tuple[str, str]]:
    """(folder, name) of every file below folder in the order of sorted(Path(folder).rglob("*")):
    each folder's entries by name, a subfolder's files where its name sorts. Symlinked
    folders are not entered (as rglob); a symlink to a file counts as a file. os.scandir's
    entry types need no stat per file: a million files are listed in about a second, where
    rglob, a stat each and sorting Path objects took 28 s before the first article was read."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                yield from _files_under(e.path)
            elif e.is_file():
                yield folder, e.name
        except OSError:
            continue
