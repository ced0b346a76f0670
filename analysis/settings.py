"""Paths and limits, each overridable by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
SAMPLES_DIR = CORPUS_DIR / "samples"
GEO_DIR = CORPUS_DIR / "geo"
THEMES_FILE = CORPUS_DIR / "themes.yaml"


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or accidental input; all in bytes unless named otherwise."""

    max_file_bytes: int = _int_env("POLICY_MAX_FILE_MB", 50) * 1024 * 1024
    max_text_chars: int = _int_env("POLICY_MAX_TEXT_CHARS", 5_000_000)
    max_pdf_pages: int = _int_env("POLICY_MAX_PDF_PAGES", 500)
    max_pdf_seconds: int = _int_env("POLICY_MAX_PDF_SECONDS", 30)
    max_unzipped_bytes: int = _int_env("POLICY_MAX_UNZIPPED_MB", 200) * 1024 * 1024
    max_files_per_upload: int = _int_env("POLICY_MAX_FILES", 200)
    max_upload_total_bytes: int = _int_env("POLICY_MAX_UPLOAD_MB", 200) * 1024 * 1024


LIMITS = Limits()


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The DuckDB file: --db beats POLICY_DB beats data/policy.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("POLICY_DB")
    return Path(env) if env else ROOT / "data" / "policy.duckdb"
