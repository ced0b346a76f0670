"""Citable quotes: the whole sentence(s) around a phrase, with who said it, where and when.

A quote is cut from the paragraph's display text (hard wraps repaired, original
script) at sentence ends (。！？ and a closing quotation mark that follows them), so a
slide never shows half a sentence. The speaker comes from the section header the
paragraph sits under (sections.speaker, a provincial leader resolved by date).
"""

from __future__ import annotations

import datetime as dt
import re

SENTENCE_END = "。！？!?"
_CLOSERS = "”’」』）)"
_SPLIT = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{_CLOSERS}]*|$)")
MIN_QUOTE_CHARS = 24  # a shorter sentence gets its neighbour, so the quote says something
MAX_QUOTE_CHARS = 220
_MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}


def sentences(text: str) -> list[str]:
    """text cut after each 。！？ (closing quotation marks stay with their sentence)."""
    return [s for s in (m.group(0) for m in _SPLIT.finditer(text)) if s.strip()]


def _find(text: str, phrase: str) -> tuple[int, int] | None:
    """Where phrase is in text, allowing whitespace between its characters (hard wraps)."""
    if not phrase:
        return None
    i = text.find(phrase)
    if i >= 0:
        return i, i + len(phrase)
    # Whitespace typed inside the phrase is dropped: `\s*\ \s*` (adjacent runs over the same
    # characters) made this quadratic, 18 s on a paragraph holding 100,000 spaces.
    m = re.search(r"\s*".join(re.escape(ch) for ch in phrase if not ch.isspace()), text)
    return (m.start(), m.end()) if m else None


def sentence_around(
    text: str, phrase: str | None = None, min_chars: int = MIN_QUOTE_CHARS, max_chars: int = MAX_QUOTE_CHARS
) -> str:
    """The sentence holding phrase (the first sentence without one), widened by the next
    (or previous) sentence while it is shorter than min_chars; never cut mid-sentence
    unless one sentence alone exceeds max_chars."""
    parts = sentences(text)
    if not parts:
        return ""
    spot = _find(text, phrase or "")
    k = 0
    if spot is not None:
        pos = 0
        for k, s in enumerate(parts):  # noqa: B007  (k is the part where the phrase starts)
            if pos + len(s) > spot[0]:
                break
            pos += len(s)
    lo = hi = k
    quote = parts[k]
    while len(_squeeze(quote)) < min_chars and (hi + 1 < len(parts) or lo > 0):
        if hi + 1 < len(parts) and len(quote) + len(parts[hi + 1]) <= max_chars:
            hi += 1
        elif lo > 0 and len(quote) + len(parts[lo - 1]) <= max_chars:
            lo -= 1
        else:
            break
        quote = "".join(parts[lo : hi + 1])
    quote = quote.strip()
    if len(quote) > max_chars:  # one run-on sentence: keep the part around the phrase
        at = _find(quote, phrase or "")
        start = max(0, (at[0] if at else 0) - max_chars // 3)
        quote = ("…" if start else "") + quote[start : start + max_chars] + "…"
    return quote


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _tidy(text: str) -> str:
    """Hard-wrap leftovers out: no whitespace between Chinese characters or punctuation,
    single spaces elsewhere (“2024 年” → “2024年”)."""
    text = re.sub(r"\s+", " ", text.strip())
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)


def attribution(speaker: str, office: str, province: str) -> str:
    """Who said it, as a slide would put it: 广东省委书记黄坤明, 北京市委书记尹力, 彭佳学, 北京."""
    if speaker:
        if office and (
            office.startswith(("省", "自治区")) or (province in _MUNICIPALITIES and office.startswith("市"))
        ):
            return f"{province}{office}{speaker}"
        return speaker
    return province or ""


def format_quote(q: dict) -> str:
    """“…”——{speaker or province}，{title}，{date}: ready to paste on a slide."""
    body = q.get("text", "").strip()
    if body.startswith("“") and body.endswith("”") and body.count("“") == 1:
        body = body[1:-1]
    who = attribution(q.get("speaker", ""), q.get("office", ""), q.get("province", ""))
    day = q.get("date")
    if isinstance(day, dt.datetime):  # pandas gives Timestamps for DATE columns
        day = day.date()
    day = day.isoformat() if isinstance(day, dt.date) else str(day or "")
    tail = "，".join(x for x in (who, q.get("title", ""), day) if x)
    return f"“{body}”——{tail}" if tail else f"“{body}”"


def looks_like_heading(text: str, title: str = "") -> bool:
    """A headline or section heading rather than a sentence: the article's title itself, or a
    short line (40 characters at most) with no sentence end. Quoting one on a slide reads as
    a slogan with no speaker, so it is never the excerpt offered first."""
    t = _squeeze(str(text or ""))
    if title and t == _squeeze(str(title)):
        return True
    return len(t) <= 40 and not any(ch in t for ch in SENTENCE_END)


def default_excerpt(rows) -> int:
    """Which passage row (before, match, after, title) to offer first for a quote: the first
    that is a sentence, not a headline or heading; 0 when every row is one."""
    for i, r in enumerate(rows.itertuples(index=False)):
        text = f"{getattr(r, 'before', '')}{getattr(r, 'match', '')}{getattr(r, 'after', '')}"
        if not text.strip():
            text = str(getattr(r, "text", "") or "")
        if not looks_like_heading(text, str(getattr(r, "title", "") or "")):
            return i
    return 0


def quote_for(store, article_id: str, par_idx: int, phrase: str | None = None) -> dict | None:
    """A citable quote from one paragraph: dict(text, source, date, province, speaker,
    office, title, article_id, par_idx, phrase, formatted), or None when there is no such
    paragraph. source is the article's outlet when known, else its file name."""
    ctx = store.paragraph_context(article_id, par_idx)
    if ctx is None:
        return None
    text = _tidy(sentence_around(ctx["text"] or "", phrase))
    if phrase and _find(text, phrase) is None and phrase in (ctx["norm"] or ""):
        text = sentence_around(ctx["norm"], phrase)  # display text in another script: cite the counted form
    q = {
        "text": text,
        "source": ctx["outlet"] or ctx["source"],
        "date": ctx["date"],
        "province": ctx["province"] or "",
        "speaker": ctx["speaker"] or "",
        "office": ctx["office"] or "",
        "title": ctx["title"] or "",
        "article_id": article_id,
        "par_idx": int(par_idx),
        "phrase": phrase or "",
    }
    q["formatted"] = format_quote(q)
    return q


def deck_quotes(df) -> list[dict]:
    """store.quotes() rows as dicts for export.pptx_bytes: the raw fields, so the slide can name
    the province once and keep both the outlet (source) and the title (analysis.slides)."""
    if df is None or len(df) == 0:
        return []
    return [
        {
            "text": r.text,
            "speaker": r.speaker or "",
            "office": r.office or "",
            "province": r.province or "",
            "source": r.source or "",
            "title": r.title or "",
            "date": r.date,
            "formatted": format_quote(r._asdict()),
        }
        for r in df.itertuples(index=False)
    ]
