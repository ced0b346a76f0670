"""Words editors hid from word clouds and distinctive-word lists (the stopwords they add).

Kept in the store, not in corpus/stopwords.txt, so a hide needs no file write and a
read-only deployment still shows what its editors hid. Words are only hidden when
shown: the stored word counts stay, so un-hiding brings a word straight back.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from .short_text import short_text

if TYPE_CHECKING:
    from . import Store

WORD_MAX = 20


class HiddenWordError(ValueError):
    """A word that cannot be hidden (message in Chinese)."""


def clean_word(word: str) -> str:
    return short_text(word, what="要隐藏的词语", limit=WORD_MAX, error=HiddenWordError, joiner="")


def hidden_words(store: Store) -> list[str]:
    """The hidden words, most recently hidden first ([] for an older store opened read-only)."""
    try:
        rows = store.cur().execute("SELECT word FROM hidden_words ORDER BY added_at DESC, word").fetchall()
    except duckdb.CatalogException:
        return []
    return [str(r[0]) for r in rows]


def hide_word(store: Store, word: str) -> str:
    """Hide a word (again is a no-op); returns the word as stored."""
    w = clean_word(word)
    with store.atomic() as cur:
        cur.execute(
            "INSERT INTO hidden_words (word, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [w, dt.datetime.now()],
        )
    return w


def unhide_word(store: Store, word: str) -> None:
    with store.atomic() as cur:
        cur.execute("DELETE FROM hidden_words WHERE word = ?", [str(word)])
