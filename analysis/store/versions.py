"""Dictionary versions in the store: append-only rows of the whole file and its diff.

The order and meaning of a version live in analysis/dict_versions.py; here only the SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

_LIST = "id, created_at, author, action, summary, dict_hash"


class DictionaryVersions:
    """Mixed into Store: uses its atomic(), cur(), _insert_row() and _next_id()."""

    def add_dictionary_version(
        self: Any, *, author: str, action: str, summary: str, changes: str, text: str, dict_hash: str
    ) -> int:
        with self.atomic() as cur:
            new_id = self._next_id(cur, "dictionary_versions")
            self._insert_row(
                cur,
                "dictionary_versions",
                {
                    "id": new_id,
                    "created_at": dt.datetime.now(),
                    "author": author,
                    "action": action,
                    "summary": summary,
                    "changes": changes,
                    "text": text,
                    "dict_hash": dict_hash,
                },
            )
        return new_id

    def dictionary_versions(self: Any) -> pd.DataFrame:
        """id, created_at, author, action, summary, dict_hash, changes of every version, newest first."""
        return self.cur().execute(f"SELECT {_LIST}, changes FROM dictionary_versions ORDER BY id DESC").df()

    def dictionary_version(self: Any, version_id: int) -> dict[str, Any] | None:
        rows = (
            self.cur()
            .execute(
                f"SELECT {_LIST}, changes, text FROM dictionary_versions WHERE id = ?", [int(version_id)]
            )
            .fetchall()
        )
        if not rows:
            return None
        keys = ["id", "created_at", "author", "action", "summary", "dict_hash", "changes", "text"]
        return dict(zip(keys, rows[0]))

    def latest_dictionary_version(self: Any) -> dict[str, Any] | None:
        rows = self.cur().execute("SELECT max(id) FROM dictionary_versions").fetchall()
        return self.dictionary_version(rows[0][0]) if rows and rows[0][0] is not None else None
