"""Every parser that sees article text runs in linear time on hostile shapes (issue 12 item 1).

Each case runs in a forked child with a hard deadline, so a quadratic pattern fails the
test instead of hanging it (Python's `re` cannot be interrupted). The budget is 300 ms of
CPU per 100 KB of input, measured inside the child; the old heading pattern took minutes on
`# x` + 100,000 spaces + `y`, the old markdown link patterns minutes on 50,000 `![`.
"""

from __future__ import annotations

import gc
import io
import multiprocessing as mp
import time
import zipfile
from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape

import pytest

from analysis.engine import prepare
from analysis.ingest import read_bytes
from analysis.models import Theme
from analysis.normalize import normalize_for_counting, split_paragraphs
from analysis.quotes import sentence_around, sentences
from analysis.sections import article_title, split_sections

BUDGET_PER_100KB = 0.5  # CPU seconds; linear parsers take 0.01-0.3 s, the quadratic ones took 30-240 s
THEMES = (Theme("gaozhiliang", "高质量发展", "经济", ("高质量发展", "发展")),)


def _shapes(size: int) -> dict[str, str]:
    """Adversarial texts of about `size` characters."""
    return {
        "heading_spaces": "# x" + " " * size + "y",
        "heading_ideographic_spaces": "## 北京" + "\u3000" * size + "好",
        "heading_closing_hashes": "# x" + " #" * (size // 2) + "y",
        "images": "![" * (size // 2),
        "brackets": "[" * size,
        "nested_brackets": "[" * (size // 2) + "]" * (size // 2),
        "link_openers": "[a](" * (size // 4),
        "links_unclosed": "[a](b" * (size // 5),
        "link_nested_parens": "[a]((x)" * (size // 7),
        "link_nested_unclosed": "[a](x(" * (size // 6),
        "link_nested_long": "[a](" + "(x)" * (size // 3),
        "hashes": "#" * size,
        "stars": "*" * size + "好",
        "bold_runs": "**好" * (size // 3),
        "lenticular": "【" * size,
        "lenticular_unclosed": "【北京" * (size // 3),
        "dashes_then_text": "-" * (size // 2) + " " * (size // 2) + "x",
        "tabs_spaces": "好" + " \t\u3000" * (size // 3) + "好",
        "short_lines": "好\n" * (size // 2),
        "blank_lines": "好" + "\n \n" * (size // 3) + "好",
        "page_numbers": "- 1 -\n" * (size // 6),
        "one_sentence": "高质量发展" * (size // 5),
        "sentence_ends": "。" * size,
        "closers": "！”" * (size // 2),
        "header_colons": "北京：" * (size // 3),
        "quote_spaces": "高" + " " * size + "x",
    }


@lru_cache(maxsize=1)
def _docx_template() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def _docx(text: str) -> bytes:
    """A Word file whose heading and body hold text (newlines as line breaks). The XML is
    written directly: python-docx takes seconds to build 100 KB of breaks."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = escape(text).replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    run = f'<w:r><w:t xml:space="preserve">{body}</w:t></w:r>'
    heading = f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>{run}</w:p>'
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{heading}<w:p>{run}</w:p></w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_template())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = xml.encode() if item.filename == "word/document.xml" else src.read(item)
            dst.writestr(item, data)
    return out.getvalue()


def _html(text: str) -> bytes:
    return f"<html><head><title>{text[:1000]}</title></head><body><p>{text}</p><h2>{text}</h2></body></html>".encode()


def _parse_all(text: str) -> None:
    pars = split_paragraphs(text)
    split_sections(pars)
    article_title(pars)


# Each parser: (build its input from the text, outside the clock; parse it).
PARSERS: dict[str, tuple[Callable[[str], object], Callable]] = {
    "txt": (str.encode, lambda b: read_bytes(b, "a.txt")),
    "md": (str.encode, lambda b: read_bytes(b, "a.md")),
    "html": (_html, lambda b: read_bytes(b, "a.html")),
    "docx": (_docx, lambda b: read_bytes(b, "a.docx")),
    "paragraphs_hard_wrapped": (str, lambda t: split_paragraphs(t, hard_wrapped=True)),
    "sections": (str, _parse_all),
    "normalize": (str, normalize_for_counting),
    "quotes": (str, lambda t: (sentences(t), sentence_around(t, "高 质 量"), sentence_around(t, "y z"))),
    "prepare": (str.encode, lambda b: prepare(read_bytes(b, "a.txt"), None, None, THEMES)),
}


def _child(parser: str, cases: list[tuple[str, object]], conn) -> None:
    gc.freeze()  # forked from pytest's threaded process: never collect what was inherited
    parse = PARSERS[parser][1]
    for shape, data in cases:
        # CPU time of this process: other work on a shared machine does not count, and a
        # quadratic pattern burns CPU however busy the machine is.
        start = time.process_time()
        try:
            parse(data)
        except Exception:  # a refusal (IngestError) is a fine answer; only time matters here
            pass
        conn.send((shape, time.process_time() - start))


def _timed(parser: str, cases: list[tuple[str, object, float]]) -> dict[str, float]:
    """CPU seconds each case took in a forked child (one child for many cases: forking is
    the slow part); a case the child could not finish within five times its budget is
    inf, the child is killed and a new one goes on with the cases after it."""
    ctx = mp.get_context("fork")
    took: dict[str, float] = {}
    crashes: dict[str, int] = {}
    todo = list(cases)
    while todo:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(parser, [(s, d) for s, d, _ in todo], child))
        proc.start()
        child.close()
        while todo:
            shape, _, budget = todo[0]
            if not parent.poll(budget * 5 + 2):
                took[shape] = float("inf")
                todo.pop(0)
                break
            try:
                done, seconds = parent.recv()
            except EOFError:  # the child died (not a timing): a new child retries this case once
                crashes[shape] = crashes.get(shape, 0) + 1
                if crashes[shape] > 1:
                    took[shape] = float("inf")
                    todo.pop(0)
                break
            took[done] = seconds
            todo.pop(0)
        proc.kill()
        proc.join()
    return took


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_parsers_are_linear_on_hostile_shapes(parser):
    build, parse = PARSERS[parser]
    parse(build("# 北京\n\n高质量发展。[链接](u)"))  # dictionaries and segmenter load before the clock
    cases = []
    for size in (100_000, 200_000):
        for shape, text in _shapes(size).items():
            budget = BUDGET_PER_100KB * len(text.encode()) / 100_000
            cases.append((f"{shape} {len(text.encode()) // 1000} KB", build(text), budget))
    took = _timed(parser, cases)
    over = [c for c in cases if took[c[0]] > c[2]]
    if over:  # a stall on a busy machine passes on a second try; a quadratic pattern does not
        again = _timed(parser, over)
        took.update({k: min(v, took[k]) for k, v in again.items()})
    slow = [
        f"{name}: {took[name]:.2f} s > {budget:.2f} s" for name, _, budget in cases if took[name] > budget
    ]
    assert not slow, f"{parser}: " + "; ".join(slow)


@pytest.mark.parametrize(
    "parser,text",
    [
        ("sections", "# x" + " " * 100_000 + "y"),  # 243 s in the attack run
        ("md", "![" * 50_000),  # 30 s
        ("html", "x" + " " * 100_000 + "y"),  # blank-run collapsing: 10 s
    ],
    ids=["heading_spaces", "images", "html_spaces"],
)
def test_the_attacks_of_issue_12_stay_fast(parser, text):
    """The three shapes of the attack run, in the everyday test lane too."""
    build, parse = PARSERS[parser]
    parse(build("# 北京\n\n高质量发展。"))
    budget = BUDGET_PER_100KB * len(text.encode()) / 100_000
    name = "attack"
    took = _timed(parser, [(name, build(text), budget)])[name]
    if took > budget:
        took = min(took, _timed(parser, [(name, build(text), budget)])[name])
    assert took <= budget, f"{took:.2f} s > {budget:.2f} s"


def test_heading_text_is_unchanged_by_the_linear_parser():
    """The split-based heading reader gives what the old pattern gave on ordinary lines."""
    pars = ["## 吉林 ##", "# 标题  #", "### C# ", "####### 七级", "#", "# 北京\u3000\u3000"]
    secs = split_sections(pars)
    assert [(s.level, s.header) for s in secs] == [
        (2, "吉林"),
        (1, "标题"),
        (3, "C#"),
        (6, "# 七级"),
        (1, ""),
        (1, "北京"),
    ]
    assert article_title(["# 北京" + " " * 1000 + "#"]) == "北京"


def test_markdown_links_keep_their_words():
    text = read_bytes(
        "看[新闻](http://x.cn/a_(b)) ![图片](p.png) [![图](i.png)](u) [半个](".encode(), "a.md"
    ).text
    assert text == "看新闻 图片 图 [半个]("
