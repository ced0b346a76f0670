"""One pure function per dashboard page: (workspace, filters, options) -> a dataclass holding
everything the page shows. Pages render these; `python -m analysis view NAME` prints them;
tests assert their numbers. Figures are drawn from the Chart records by the page (charts.py).
"""

from __future__ import annotations

from ._common import (
    METRICS,
    Chart,
    filters_text,
    plain,
    provinces_by_text,
    samples_in,
    samples_note,
    source_line,
    tables,
)
from .articles import WEAK_FLAG, ArticleDetail, ArticlesView, Paragraph, article_detail, articles
from .audit import AuditView, audit
from .compare import CompareOptions, CompareView, compare, compare_options
from .corpus import CorpusView, corpus
from .dictionary import DictionaryView, dictionary
from .emerging import EmergingOptions, EmergingView, emerging, emerging_options
from .leaders import LeadersView, leaders
from .overview import OverviewView, overview
from .present import PresentView, present
from .speakers import SpeakersView, speakers
from .themes import ThemeView, themes
from .wordcloud import WordCloudView, wordcloud

NAMES = (
    "overview",
    "themes",
    "compare",
    "wordcloud",
    "articles",
    "emerging",
    "speakers",
    "audit",
    "corpus",
    "dictionary",
    "present",
    "leaders",
)

__all__ = [
    "METRICS",
    "NAMES",
    "WEAK_FLAG",
    "ArticleDetail",
    "ArticlesView",
    "AuditView",
    "Chart",
    "CompareOptions",
    "CompareView",
    "CorpusView",
    "DictionaryView",
    "EmergingOptions",
    "EmergingView",
    "LeadersView",
    "OverviewView",
    "Paragraph",
    "PresentView",
    "SpeakersView",
    "ThemeView",
    "WordCloudView",
    "article_detail",
    "articles",
    "audit",
    "compare",
    "compare_options",
    "corpus",
    "dictionary",
    "emerging",
    "emerging_options",
    "filters_text",
    "leaders",
    "overview",
    "plain",
    "present",
    "provinces_by_text",
    "samples_in",
    "samples_note",
    "source_line",
    "speakers",
    "tables",
    "themes",
    "wordcloud",
]
