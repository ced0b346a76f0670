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

import ahocorasick

from .models import Theme
from .normalize import compact

EXCLUDED = ""  # the theme id of an exclusion match: counted nowhere


class Matcher:
    """All phrases of a dictionary in one automaton; .count(norm) -> {(theme, phrase): n}."""

    def __init__(self, themes: Iterable[Theme]):
        self.themes = list(themes)
        self._auto = ahocorasick.Automaton()
        for theme in self.themes:
            for phrase in theme.aliases:
                self._auto.add_word(phrase, (theme.id, phrase))
        for theme in self.themes:
            for phrase in theme.exclude:
                if phrase not in self._auto:  # an alias elsewhere wins; validation refuses that
                    self._auto.add_word(phrase, (EXCLUDED, phrase))
        self.empty = len(self._auto) == 0
        if not self.empty:
            self._auto.make_automaton()

    def count(self, norm: str) -> Counter:
        if self.empty or not norm:
            return Counter()
        return Counter(value for _end, value in self._auto.iter_long(norm) if value[0] != EXCLUDED)

    def spans(self, norm: str) -> list[tuple[int, int, str, str]]:
        """(start, end, theme_id, phrase) of every match, for highlighting."""
        if self.empty:
            return []
        return [
            (end - len(phrase) + 1, end + 1, tid, phrase)
            for end, (tid, phrase) in self._auto.iter_long(norm)
            if tid != EXCLUDED
        ]


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
