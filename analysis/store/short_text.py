"""Short texts an editor types for the store (a deck's name, a word to hide): one rule for
both, so the two refuse the same things in the same words."""

from __future__ import annotations


def short_text(value: object, *, what: str, limit: int, error: type[ValueError], joiner: str) -> str:
    """value with its runs of whitespace joined by `joiner` (" " keeps words apart, "" for a
    single word); `error` in Chinese, naming `what`, when nothing is left or more than
    `limit` characters."""
    text = joiner.join(str(value or "").split())
    if not text:
        raise error(f"{what}不能为空")
    if len(text) > limit:
        raise error(f"{what}太长（最多 {limit} 个字）")
    return text
