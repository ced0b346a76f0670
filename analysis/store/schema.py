"""The store's one schema definition: every table's columns and types, written once.

The CREATE statements, the Arrow schemas the ingest workers fill (rows.py) and the
migration that brings an older database file up to date are all generated from TABLES.
To add a column, add it to its table's spec below (at the end, with a DEFAULT if old rows
need a value); to add a table, add an entry. Nothing else spells the columns out.

Spec syntax: comma-separated "name TYPE [DEFAULT literal]"; TYPE is a DuckDB type from
ARROW_TYPES.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
    "INTEGER[]": pa.list_(pa.int32()),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of ARROW_TYPES
    default: str | None = None  # SQL literal for rows written without it (and old rows)

    def ddl(self) -> str:
        return f"{self.name} {self.type}" + (f" DEFAULT {self.default}" if self.default is not None else "")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # primary key

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name}.{name}")

    def create_sql(self) -> str:
        parts = [c.ddl() for c in self.columns]
        if self.key:
            parts.append(f"PRIMARY KEY ({', '.join(self.key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(parts)})"

    def arrow_schema(self, names: tuple[str, ...] | None = None) -> pa.Schema:
        """The Arrow schema of the whole table, or of the given columns in table order."""
        cols = self.columns if names is None else tuple(c for c in self.columns if c.name in names)
        return pa.schema([(c.name, ARROW_TYPES[c.type]) for c in cols])


def _table(name: str, spec: str, key: str = "") -> Table:
    cols = []
    for part in spec.split(","):
        words = part.split()
        col_name, col_type = words[0], words[1].upper()
        if col_type not in ARROW_TYPES:
            raise ValueError(f"{name}.{col_name}: unknown type {col_type}")
        default = None
        if len(words) > 2:
            if words[2].upper() != "DEFAULT" or len(words) != 4:
                raise ValueError(f"{name}.{col_name}: expected 'name TYPE [DEFAULT literal]'")
            default = words[3]
        cols.append(Column(col_name, col_type, default))
    keys = tuple(k.strip() for k in key.split(",") if k.strip())
    return Table(name, tuple(cols), keys)


_TABLES = (
    # One row per stored article: its text, and the only place its title and date are edited.
    _table(
        "articles",
        """id VARCHAR, sha VARCHAR, source VARCHAR, title VARCHAR, date DATE, date_basis VARCHAR,
           outlet VARCHAR, fmt VARCHAR, hard_wrapped BOOLEAN, text VARCHAR, chars INTEGER,
           ingested_at TIMESTAMP, author VARCHAR DEFAULT '', section VARCHAR DEFAULT '',
           url VARCHAR DEFAULT ''""",
        key="id",
    ),
    # Derived rows (rebuilt from articles.text). date and source are copies of the article's,
    # kept for filter speed and rewritten only by Store.sync_article_columns.
    _table(
        "sections",
        """article_id VARCHAR, idx INTEGER, header VARCHAR, province VARCHAR, reason VARCHAR,
           auto_province VARCHAR, auto_reason VARCHAR, speaker VARCHAR, office VARCHAR,
           runner_up VARCHAR DEFAULT '', runner_up_count INTEGER DEFAULT 0, weak BOOLEAN DEFAULT false""",
    ),
    # paragraphs.text is NULL where it equals norm (most paragraphs; store/rows.py): read
    # coalesce(text, norm) (read_base.PAR_TEXT).
    _table(
        "paragraphs",
        """article_id VARCHAR, idx INTEGER, section_idx INTEGER, province VARCHAR, reason VARCHAR,
           date DATE, source VARCHAR, chars INTEGER, text VARCHAR, norm VARCHAR,
           runner_up VARCHAR DEFAULT '', runner_up_count INTEGER DEFAULT 0, weak BOOLEAN DEFAULT false""",
    ),
    _table(
        "hits",
        """article_id VARCHAR, par_idx INTEGER, section_idx INTEGER, province VARCHAR, date DATE,
           source VARCHAR, theme_id VARCHAR, phrase VARCHAR, n INTEGER""",
    ),
    _table(
        "units",
        """article_id VARCHAR, section_idx INTEGER, province VARCHAR, date DATE, source VARCHAR,
           chars INTEGER, paragraphs INTEGER""",
    ),
    # Words per article × province as two aligned lists (words[i] occurs ns[i] times): one
    # row where a row per word made 276 per article, and appending those was most of what
    # the writing process did (docs/SCALING.md). Readers use the view `words` (WORDS_VIEW),
    # one row per article × province × word as the table used to be.
    _table(
        "word_lists",
        "article_id VARCHAR, province VARCHAR, date DATE, source VARCHAR, words VARCHAR[], ns INTEGER[]",
    ),
    # words summed per province × word as deltas, kept in step with words (store/word_sums.py).
    _table("word_sums", "province VARCHAR, word VARCHAR, n BIGINT, rows BIGINT"),
    # hits summed per article × province × theme, kept in step with hits in the same transactions.
    _table(
        "article_themes",
        "article_id VARCHAR, province VARCHAR, date DATE, source VARCHAR, theme_id VARCHAR, n INTEGER",
    ),
    # units, article_themes and hits summed per province × date (every = false) and over all
    # provinces per date (every = true), as deltas kept in step with them (store/group_sums.py).
    _table("unit_sums", "every BOOLEAN, province VARCHAR, date DATE, chars BIGINT, articles BIGINT"),
    _table(
        "theme_sums", "every BOOLEAN, province VARCHAR, date DATE, theme_id VARCHAR, n BIGINT, docs BIGINT"
    ),
    _table(
        "phrase_sums",
        "every BOOLEAN, province VARCHAR, date DATE, theme_id VARCHAR, phrase VARCHAR, n BIGINT, docs BIGINT",
    ),
    # The dictionary the counts were made with (corpus/themes.yaml is the editable copy).
    _table("themes", "id VARCHAR, name VARCHAR, category VARCHAR, ord INTEGER, note VARCHAR", key="id"),
    _table("theme_phrases", "theme_id VARCHAR, phrase VARCHAR"),
    # Small key -> value facts about the store itself (e.g. the dictionary version counted).
    _table("store_meta", "key VARCHAR, value VARCHAR", key="key"),
    # Editors' choices and the presentation deck.
    _table(
        "overrides",
        "article_id VARCHAR, section_idx INTEGER, province VARCHAR, changed_at TIMESTAMP",
        key="article_id, section_idx",
    ),
    _table(
        "pins",
        """id INTEGER, title VARCHAR, kind VARCHAR, data VARCHAR, source_line VARCHAR, filters VARCHAR,
           created_at TIMESTAMP""",
        key="id",
    ),
    _table(
        "quotes",
        """id INTEGER, article_id VARCHAR, par_idx INTEGER, text VARCHAR, source VARCHAR, date DATE,
           province VARCHAR, speaker VARCHAR, created_at TIMESTAMP, title VARCHAR, office VARCHAR,
           phrase VARCHAR""",
        key="id",
    ),
    # Named decks and what each holds, in slide order (kind 'pin' or 'quote'; store/decks.py).
    _table("decks", "id INTEGER, name VARCHAR, position INTEGER, created_at TIMESTAMP", key="id"),
    _table(
        "deck_items",
        "deck_id INTEGER, kind VARCHAR, item_id INTEGER, position INTEGER",
        key="deck_id, kind, item_id",
    ),
    # Words an editor hid from word clouds and distinctive words (one click; issue 13).
    _table("hidden_words", "word VARCHAR, added_at TIMESTAMP", key="word"),
    # Every saved dictionary: the whole file as written, who saved it, when, what changed
    # (changes: a JSON list of Chinese lines) and its models.dictionary_hash (the hash stored
    # with the counts, so the version the counts were made with can be named). Never
    # rewritten; a restore adds a row.
    _table(
        "dictionary_versions",
        """id INTEGER, created_at TIMESTAMP, author VARCHAR, action VARCHAR, summary VARCHAR,
           changes VARCHAR, text VARCHAR, dict_hash VARCHAR""",
        key="id",
    ),
)
TABLES: dict[str, Table] = {t.name: t for t in _TABLES}

# Rows derived from an article's text: deleted and rewritten with it (rebuild, override, delete).
DERIVED = ("sections", "paragraphs", "hits", "units", "word_lists", "article_themes")

# The words of word_lists one row per article × province × word (two lists unnest side by side).
WORDS_VIEW = """CREATE OR REPLACE VIEW words AS
    SELECT article_id, province, date, source, unnest(words) AS word, unnest(ns) AS n FROM word_lists"""
# Columns copied from articles into other tables (denormalised for speed).
ARTICLE_COPIES = ("date", "source", "title")


def copies_of_article(table: Table) -> tuple[str, ...]:
    """Which of the article's own columns `table` carries a copy of (by article_id)."""
    if table.name == "articles" or "article_id" not in table.names:
        return ()
    return tuple(c for c in ARTICLE_COPIES if c in table.names)
