"""Words for frequencies and word clouds: jieba with every theme phrase as a user word.

Themes are counted elsewhere on raw text (counting.py); segmentation only feeds word
lists, where a dropped straddling phrase costs little. Stopwords and the political
boilerplate list live in corpus/ as plain files.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .settings import CORPUS_DIR, GEO_DIR, current

_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = re.compile(r"^[\d０-９一二三四五六七八九十百千万亿零两几.%％]+[年月日号个次项家万亿元]?$")


def _word_file(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return _word_file(CORPUS_DIR / "stopwords.txt")


@lru_cache(maxsize=1)
def boilerplate() -> frozenset[str]:
    """Political boilerplate (加强, 推进, 坚持 …) editors may hide from word clouds."""
    return _word_file(CORPUS_DIR / "boilerplate.txt")


# Characters that only glue a sentence together: a two-character "word" made of two of
# them (这是, 也就) is a segmentation leftover, not something a region writes about.
_GLUE = frozenset("的了是在和与及其也都就把被这那此要更很又还将对为以于而并且则即已所之个")


@lru_cache(maxsize=1)
def person_names() -> frozenset[str]:
    """Known leaders (corpus/geo/leaders.csv and corpus/person_names.txt) and the pieces a
    segmenter cuts an unknown name into (易炼红 -> 易炼, 炼红). Names say who spoke, not
    what a region writes about, so clouds and distinctive words leave them out."""
    import csv

    names = set(_word_file(CORPUS_DIR / "person_names.txt"))
    path = GEO_DIR / "leaders.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            names.update(r["name"].strip() for r in csv.DictReader(fh) if (r.get("name") or "").strip())
    pieces = {n[i : i + 2] for n in names if len(n) >= 3 for i in range(len(n) - 1)}
    # a piece that is a word in its own right (全国 in 王全国, 湘军) stays a word
    return frozenset(names | (pieces - _dictionary_words(pieces)))


def jieba_dictionary() -> Path | None:
    """jieba's dict.txt, found without importing jieba: the import loads its HMM tables
    (0.3-2.7 s on a cold 词云, 省份对比 or 新词发现) and the default segmenter, rjieba,
    never needs them."""
    spec = importlib.util.find_spec("jieba")
    folder = next(iter(spec.submodule_search_locations or []), None) if spec else None
    path = Path(folder) / "dict.txt" if folder else None
    return path if path is not None and path.exists() else None


def _dictionary_words(candidates: set[str]) -> set[str]:
    """Those of candidates that jieba's dictionary lists (its words read in C, one pass)."""
    path = jieba_dictionary()
    if path is None:
        return set()
    return candidates & set(re.findall(r"^(\S+)", path.read_text(encoding="utf-8"), re.M))


def is_fragment(word: str) -> bool:
    """A one-character leftover or a pair of glue characters (这是): no content of its own."""
    w = word.strip()
    return len(w) < 2 or all(ch in _GLUE for ch in w)


def default_backend() -> str:
    """POLICY_SEGMENTER, else rjieba when installed (about 9x faster, same tokens), else jieba."""
    env = current().segmenter
    if env:
        return env
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


class Segmenter:
    """rjieba (the Rust port, same dictionary) when installed, else jieba; POLICY_SEGMENTER
    picks one. Both give theme phrases the same user-word frequency, so on our texts they
    cut identically (measured by `python -m analysis bench`, see docs/SCALING.md).
    Each Segmenter has its own tokenizer and user words (rjieba.Jieba(), about 0.3 s and
    25 MB to load): with rjieba's process-wide default, a phrase added to the dictionary
    stayed a word for every later Segmenter, even after it was removed again, so the words
    of a rebuild depended on what the process had seen before."""

    def __init__(self, user_words: Iterable[str] = (), backend: str | None = None):
        self.backend = backend or default_backend()
        words = sorted(set(user_words))
        if self.backend == "rjieba":
            import rjieba

            tok = rjieba.Jieba()
            for w in words:
                tok.add_word(w, max(2000, 200 * len(w)), None)
            self._cut = tok.cut
        else:
            import jieba

            jieba.setLogLevel(60)
            tok = jieba.Tokenizer()
            for w in words:
                tok.add_word(w, freq=max(2000, 200 * len(w)))
            self._cut = lambda text, hmm=True: tok.lcut(text, HMM=hmm)
        self._keep: dict[str, bool] = {}  # token -> is a content word; the vocabulary is small

    def _is_content(self, w: str) -> bool:
        keep = self._keep.get(w)
        if keep is None:
            keep = self._keep[w] = (
                len(w) >= 2 and bool(_HAS_HAN.search(w)) and w not in stopwords() and not _NUMERIC.match(w)
            )
        return keep

    def words(self, text: str) -> list[str]:
        """Content words: two or more characters, some Han, not a stopword or a number."""
        keep = self._keep
        return [w for w in self._cut(text) if keep.get(w) or (w not in keep and self._is_content(w))]

    def counts(self, text: str) -> Counter:
        """words(text) counted; tokens are tallied in C first, then only the distinct ones
        are filtered (a paragraph has far fewer types than tokens)."""
        keep = self._keep
        return Counter(
            {
                w: n
                for w, n in Counter(self._cut(text)).items()
                if keep.get(w) or (w not in keep and self._is_content(w))
            }
        )
