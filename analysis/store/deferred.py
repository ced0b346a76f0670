"""Sums a bulk import leaves to its end (Store.bulk): which articles, and whether all anew.

Summed per batch, an import's word rows cost 0.85 s per 10k articles against 0.15 s at
its end (word_sums.py); group_sums cost as much per batch as at the end and their deltas
had to be folded several times on the way (group_sums.py). So while an outer bulk import
runs, the word rows and the units and hits it appends go without their sums, and this
records which articles those were, per kind of sums, for two uses:

- its end sums just those articles (word_sums.catch_up, group_sums.add_articles), or makes
  the sums all anew when the import rewrote every article (every_article: a rebuild), a
  recount replaced every hit meanwhile, or they were stale already at its start (an
  earlier import's end failed: summing only this import's articles would leave out that
  one's, yet say the sums are in step);
- an article changed or deleted before its end must not have its rows taken out of sums
  they were never added to (summed).

Store kept this as two near-copied pairs of attributes, one per kind; one object keeps
the rule once. It holds no SQL: Store asks it and does the writes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

Kind = Literal["words", "groups"]
WORDS: Kind = "words"  # word_sums, from the word_lists rows
GROUPS: Kind = "groups"  # group_sums, from the units and hits rows
KINDS: tuple[Kind, ...] = (WORDS, GROUPS)


@dataclass
class Pending:
    """One kind's sums left to the end of a bulk import."""

    ids: set[str] = field(default_factory=set)  # articles whose rows were appended without sums
    anew: bool = False  # the end makes these sums all anew (ids then need no sums of their own)


class DeferredSums:
    """The state of the running outer bulk import's deferred sums (none outside one)."""

    def __init__(self) -> None:
        self._due: dict[Kind, Pending] | None = None

    @property
    def running(self) -> bool:
        """A bulk import is under way (a nested bulk block joins it instead of starting one)."""
        return self._due is not None

    def begin(self, every_article: bool, stale: Collection[Kind] = ()) -> None:
        """An outer bulk import starts; every_article: it rewrites every article's derived
        rows (a rebuild), so both kinds of sums are made anew at its end; stale: kinds whose
        sums are already out of step (an earlier import's end failed), made anew too."""
        self._due = {k: Pending(set(), every_article or k in stale) for k in KINDS}

    def defer(self, kind: Kind, article_ids: pa.Array | pa.ChunkedArray) -> bool:
        """During a bulk import, record that these articles' rows (of this kind) were
        appended without their sums, and say True; outside one False: the caller sums them."""
        if self._due is None:
            return False
        self._due[kind].ids.update(article_ids.unique().to_pylist())
        return True

    def make_anew(self, kind: Kind) -> bool:
        """During a bulk import, have its end make this kind's sums all anew (a recount
        replaced all their rows meanwhile), and say True; outside one False: the caller
        makes them now."""
        if self._due is None:
            return False
        self._due[kind].anew = True
        return True

    def summed(self, kind: Kind, ids: Sequence[str]) -> list[str]:
        """Those of these articles whose rows of this kind are in the sums now: all outside
        a bulk import; during one, not those it appended (its end sums what is left of
        them), and none when its end makes the sums anew."""
        if self._due is None:
            return list(ids)
        due = self._due[kind]
        return [] if due.anew else [i for i in ids if i not in due.ids]

    def end(self) -> dict[Kind, Pending]:
        """What the end of the bulk import sums, per kind; from now on none runs (nothing
        is left to sum when none ran, or when end() was already called)."""
        due, self._due = self._due, None
        return due if due is not None else {k: Pending() for k in KINDS}
