"""Paths, limits and deployment switches: one frozen `Settings`, read once from the environment.

`Settings.from_env()` is the only place that reads `POLICY_*` variables; the dashboard
and the CLI build it once and pass it on (Workspace, Engine, Store). Tests construct
`Settings(...)` directly instead of setting environment variables.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
SAMPLES_DIR = CORPUS_DIR / "samples"
GEO_DIR = CORPUS_DIR / "geo"
THEMES_FILE = CORPUS_DIR / "themes.yaml"
DEFAULT_DB = ROOT / "data" / "policy.duckdb"
TRUE = {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or accidental input; all in bytes unless named otherwise."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_text_chars: int = 5_000_000
    max_pdf_pages: int = 500
    max_pdf_seconds: int = 30
    max_parse_seconds: int = 60  # one file in a worker; then the worker is killed, the file refused
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_files_per_upload: int = 200
    max_upload_total_bytes: int = 200 * 1024 * 1024
    max_zip_members: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        mb = 1024 * 1024
        return cls(
            max_file_bytes=_int(env, "POLICY_MAX_FILE_MB", 50) * mb,
            max_text_chars=_int(env, "POLICY_MAX_TEXT_CHARS", 5_000_000),
            max_pdf_pages=_int(env, "POLICY_MAX_PDF_PAGES", 500),
            max_pdf_seconds=_int(env, "POLICY_MAX_PDF_SECONDS", 30),
            max_parse_seconds=_int(env, "POLICY_MAX_PARSE_SECONDS", 60),
            max_unzipped_bytes=_int(env, "POLICY_MAX_UNZIPPED_MB", 200) * mb,
            max_files_per_upload=_int(env, "POLICY_MAX_FILES", 200),
            max_upload_total_bytes=_int(env, "POLICY_MAX_UPLOAD_MB", 200) * mb,
            max_zip_members=_int(env, "POLICY_MAX_ZIP_MEMBERS", 10_000),
        )


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may change. Frozen and hashable, so it can key caches."""

    db: Path = DEFAULT_DB
    themes_file: Path = THEMES_FILE
    samples_dir: Path = SAMPLES_DIR
    admin_password: str = field(default="", repr=False)  # never printed in logs or tracebacks
    read_only: bool = False
    workers: int = os.cpu_count() or 1
    batch: int = 2000  # articles per transaction of an import (bigger batches: less per-commit work; 100k themes pass 39.5 -> 35-37 s)
    duckdb_memory: str = "512MB"
    # DuckDB's cap during a command-line import (not the dashboard's): with 512 MB the rows
    # waiting for the end-of-import checkpoint spilled and were read back (300k articles:
    # 8.6 -> 5.9 GB written, 139 -> 121 s).
    import_memory: str = "2GB"
    segmenter: str = ""  # "" = rjieba when installed, else jieba
    font_cache: Path | None = None
    import_samples: bool = True  # an empty store gets the bundled samples on first open
    bench_keep: bool = False  # `bench` keeps its synthetic store for query experiments
    bench_corpus: Path | None = None  # `bench` writes (once) and reuses its corpus here
    min_text_chars: int = 3000  # below this a province's per-10k rate is shown apart (issue 13 trap 4)
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        secrets: Mapping[str, object] | None = None,
        db: str | os.PathLike | None = None,
    ) -> Settings:
        """Read the POLICY_* variables (and Streamlit secrets, when given) once.

        `db` (the CLI's --db) beats POLICY_DB beats data/policy.duckdb."""
        env = os.environ if env is None else env
        secrets = secrets or {}
        flag = str(env.get("POLICY_READ_ONLY", "") or secrets.get("read_only", "") or "")
        font = env.get("POLICY_FONT_CACHE")
        return cls(
            db=Path(db) if db else Path(env.get("POLICY_DB") or DEFAULT_DB),
            themes_file=Path(env.get("POLICY_THEMES") or THEMES_FILE),
            admin_password=str(
                env.get("POLICY_ADMIN_PASSWORD", "") or secrets.get("admin_password", "") or ""
            ),
            read_only=flag.strip().lower() in TRUE,
            workers=max(1, _int(env, "POLICY_WORKERS", os.cpu_count() or 1)),
            batch=max(1, _int(env, "POLICY_BATCH", 2000)),
            duckdb_memory=env.get("POLICY_DUCKDB_MEMORY", "512MB") or "512MB",
            import_memory=env.get("POLICY_IMPORT_MEMORY", "2GB") or "2GB",
            segmenter=env.get("POLICY_SEGMENTER", ""),
            font_cache=Path(font) if font else None,
            bench_keep=bool(env.get("POLICY_BENCH_KEEP")),
            bench_corpus=Path(env["POLICY_BENCH_CORPUS"]) if env.get("POLICY_BENCH_CORPUS") else None,
            min_text_chars=max(0, _int(env, "POLICY_MIN_TEXT_CHARS", 3000)),
            limits=Limits.from_env(env),
        )


_current: Settings | None = None
_current_lock = threading.Lock()


def current() -> Settings:
    """The process's settings: those the dashboard or CLI installed, else the environment
    read once. Modules that run without a Settings in hand (parsers in worker processes,
    the store's memory cap, the segmenter, the font cache) ask here, never os.environ."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Settings.from_env()
        return _current


def install(settings: Settings | None) -> None:
    """Make these the process's settings (None: read the environment again on next use)."""
    global _current
    with _current_lock:
        _current = settings


# Limits for the parsers, read once when this module is first imported.
LIMITS = current().limits


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The DuckDB file: --db beats POLICY_DB beats data/policy.duckdb."""
    return Path(explicit) if explicit else current().db
