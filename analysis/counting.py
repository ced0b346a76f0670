"""Theme counting: one Aho–Corasick pass per paragraph over every dictionary phrase.

Matching is leftmost-longest without overlap on whitespace-free Simplified text, so
phrases split by a line break still count, and a phrase inside a longer dictionary
phrase is not counted twice. Ad-hoc terms are counted each on its own (str.count).

A theme's exclusions (法治化 for 法治) go into the same automaton as phrases of no theme:
where one matches, leftmost-longest takes it and the alias inside it is not counted;
the match itself is then dropped from counts and spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import daachorse

from .models import Theme
from .normalize import compact

EXCLUDED = ""  # the theme id of an exclusion match: counted nowhere


class Matcher:
    """All phrases of a dictionary in one automaton; .count(norm) -> {(theme, phrase): n}.

    The automaton is daachorse's character-wise double array (Rust), leftmost-longest:
    the same matches pyahocorasick's iter_long gave, about three times faster
    (docs/SCALING.md), which matters on every paragraph of every ingest and recount."""

    def __init__(self, themes: Iterable[Theme]):
        self.themes = list(themes)
        value: dict[str, tuple[str, str]] = {}
        for theme in self.themes:
            for phrase in theme.aliases:
                value[phrase] = (theme.id, phrase)  # a phrase given twice: the later theme's
        for theme in self.themes:
            for phrase in theme.exclude:
                value.setdefault(phrase, (EXCLUDED, phrase))  # an alias elsewhere wins
        self._values = list(value.values())
        self.empty = not self._values
        if not self.empty:
            self._auto = daachorse.CharwiseDoubleArrayAhoCorasick(
                list(value), daachorse.MATCH_KIND_LEFTMOST_LONGEST
            )
            # The same phrases over UTF-8 bytes, for count(): it needs no character offsets,
            # and the byte-wise automaton on the encoded text is about a fifth faster (both
            # leftmost-longest; UTF-8 matches start and end on characters, so they agree).
            self._bytes = daachorse.DoubleArrayAhoCorasick(
                [p.encode("utf-8") for p in value], daachorse.MATCH_KIND_LEFTMOST_LONGEST
            )
        self._excluded = {i for i, v in enumerate(self._values) if v[0] == EXCLUDED}

    def count(self, norm: str) -> dict[tuple[str, str], int]:
        """{(theme_id, phrase): n} of one normalised text. A plain dict filled in a loop:
        most paragraphs have 0-3 matches, where building a Counter cost more than the
        search itself (docs/SCALING.md)."""
        if self.empty or not norm:
            return {}
        found = self._bytes.find(norm.encode("utf-8"))
        if not found:
            return {}
        values, excluded = self._values, self._excluded
        out: dict[tuple[str, str], int] = {}
        for _s, _e, i in found:
            if i not in excluded:
                v = values[i]
                out[v] = out.get(v, 0) + 1
        return out

    def spans(self, norm: str) -> list[tuple[int, int, str, str]]:
        """(start, end, theme_id, phrase) of every match, for highlighting."""
        if self.empty or not norm:
            return []
        values = self._values
        return [(s, e, *values[i]) for s, e, i in self._auto.find(norm) if i not in self._excluded]


def count_themes(norm: str, matcher: Matcher) -> dict[str, int]:
    """Theme id -> hits in one normalised text."""
    out: Counter = Counter()
    for (tid, _phrase), n in matcher.count(norm).items():
        out[tid] += n
    return dict(out)


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Ad-hoc terms as counting sees them: whitespace removed, empty and repeated dropped."""
    return list(dict.fromkeys(t for t in (compact(x) for x in terms) if t))


def count_terms(norm: str, terms: Iterable[str]) -> dict[str, int]:
    """Each literal counted on its own, non-overlapping: 高质量发展 -> n."""
    return {t: norm.count(t) for t in clean_terms(terms)}


def per_10k(count: float, chars: float) -> float:
    return round(count * 10000.0 / chars, 3) if chars else 0.0
