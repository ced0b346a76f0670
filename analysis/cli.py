"""`python -m analysis …`: the command line, thin over engine/queries (same code as the pages)."""

from __future__ import annotations

import argparse
import json
import sys

from .models import Filters
from .safecells import safe_frame

BY = ("province", "article", "file", "section", "month", "category")


def _engine(args, read_only: bool = False):
    from .engine import Engine

    # Never ensure_samples() here: an editor's store must not mix in the demo articles.
    return Engine.open(args.db, read_only=read_only)


def _print_table(df, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(safe_frame(df).to_csv(index=False))  # opened in Excel: no formulas
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    else:
        sys.stdout.write(df.to_string(index=False) + "\n")


def cmd_ingest(args) -> int:
    from .settings import Settings
    from .store import StoreLocked

    if Settings.from_env().read_only:  # read-only means no write from any path, the inbox included
        print("只读模式（POLICY_READ_ONLY）：不导入任何文件", file=sys.stderr)
        return 2
    if args.words_later and not args.to_parquet:  # themes first, then the word rows (words_later.py)
        return _ingest_words_later(args)
    if args.to_parquet:  # a Dask job writing a Parquet dataset (analysis/parquet_route.py)
        from .parquet_route import RouteError, ingest_to_parquet
        from .progress import cli_bar

        try:
            with cli_bar(args, "导入") as bar:
                results = ingest_to_parquet(
                    args.paths, args.to_parquet, args.workers, progress=bar, columns=_columns(args)
                )
        except RouteError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        return _report_ingest(args, results)
    try:
        eng = _engine(args)
    except StoreLocked:
        if args.no_queue:
            raise
        results = _ingest_via_dashboard(args)
        if results is None:
            return 2
    else:
        from .progress import cli_bar

        with cli_bar(args, "导入") as bar:
            results = eng.ingest_paths(args.paths, bar, columns=_columns(args))
    return _report_ingest(args, results)


def _ingest_words_later(args) -> int:
    from .progress import cli_bar
    from .words_later import fill_words, ingest_themes_first

    eng = _engine(args)
    with cli_bar(args, "导入（主题）") as bar:
        results = ingest_themes_first(eng, args.paths, bar)
    code = _report_ingest(args, results)
    if not args.quiet and args.format != "json":
        print("主题统计已可查询；正在补充词语…", file=sys.stderr)
    with cli_bar(args, "补充词语") as bar:
        fill_words(eng, bar, workers=eng.workers)
    return code


def _report_ingest(args, results) -> int:
    from .engine import FAILED, NEW

    new = sum(r.status == NEW for r in results)
    failed = sum(r.status == FAILED for r in results)
    if args.format == "json":
        summary = {"total": len(results), "new": new, "exists": len(results) - new - failed, "failed": failed}
        rows = [
            {"name": r.name, "status": r.status, "reason": r.reason, "article_id": r.article_id}
            for r in results
        ]
        print(json.dumps({"summary": summary, "results": rows}, ensure_ascii=False))
        return 1 if failed else 0
    for r in results:
        if not args.quiet or r.status == FAILED:  # --quiet: one line per failure only
            print(r.line())
    if not args.quiet:
        print(
            f"共 {len(results)} 个文件：新增 {new}，已存在 {len(results) - new - failed}，失败 {failed}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _columns(args):
    """--text-col … as a ColumnMap (None: recognise columns by name)."""
    from .tables import ColumnMap

    names = {
        f: getattr(args, f"{f}_col", None)
        for f in ("text", "title", "date", "outlet", "author", "section", "url")
    }
    return ColumnMap(**names) if any(names.values()) else None


def _ingest_via_dashboard(args):
    """The dashboard holds the store: hand the files to it through the inbox and wait."""
    from pathlib import Path

    from .engine import Result
    from .inbox import enqueue, wait_for_results
    from .settings import db_path

    job = enqueue([Path(p) for p in args.paths], db_path(args.db), _columns(args))
    print("数据库正被看板使用：文件已交给看板导入，等待结果…", file=sys.stderr)
    rows = wait_for_results(job, args.wait)
    if rows is None:
        print(
            f"看板在 {args.wait:.0f} 秒内没有处理（看板可能已关闭）；文件留在 {job}，看板下次启动时会导入",
            file=sys.stderr,
        )
        return None
    return [Result(**r) for r in rows]


def cmd_counts(args) -> int:
    from .queries import counts_table

    eng = _engine(args)
    terms = [t for t in (args.terms or "").split(",") if t.strip()]
    themes = [t for t in (args.themes or "").split(",") if t.strip()]
    df = counts_table(eng.store, Filters(), args.by, theme_ids=themes or None, terms=terms or None)
    cols = ["group", "theme", "count", "chars", "per_10k"]
    _print_table(df[cols] if args.format == "csv" else df, args.format)
    return 0


def cmd_kwic(args) -> int:
    from .queries import passages

    eng = _engine(args)
    f = Filters(provinces=(args.province,) if args.province else ())
    df = passages(eng.store, f, term=args.term, width=args.width, limit=args.limit)
    if args.format == "json":
        _print_table(df, "json")
        return 0
    for r in df.itertuples():
        print(f"{r.province}\t{r.source}\t{r.before}【{r.match}】{r.after}")
    if not args.quiet:
        print(f"共 {len(df)} 处", file=sys.stderr)
    return 0


def cmd_sections(args) -> int:
    eng = _engine(args)
    df = eng.store.sections_df()
    df["header"] = df["header"].str.slice(0, 30)
    _print_table(df[["source", "idx", "province", "reason", "header"]], args.format)
    return 0


def cmd_rebuild(args) -> int:
    from .progress import cli_bar

    eng = _engine(args)
    with cli_bar(args, "重建") as bar:
        n = eng.rebuild(bar)
    if args.format == "json":
        print(json.dumps({"rebuilt": n}))
    elif not args.quiet:
        print(f"已重建 {n} 篇文章的分段、省份和计数", file=sys.stderr)
    return 0


def cmd_themes(args) -> int:
    from .themes import load_themes

    themes = load_themes()
    if args.format == "json":
        rows = [
            {"id": t.id, "name": t.name, "category": t.category, "aliases": list(t.aliases)} for t in themes
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for t in themes:
        print(f"{t.id}\t{t.name}\t{t.category}\t{'、'.join(t.aliases)}")
    return 0


def cmd_emerging(args) -> int:
    from .emerging import emerging

    eng = _engine(args)
    r = emerging(
        eng.store,
        Filters(),
        by=args.by,
        split=args.split,
        province=args.province,
        top=args.top,
        min_count=args.min_count,
    )
    df = r.table.drop(columns=["trend"]).assign(examples=[" ｜ ".join(x) for x in r.table["examples"]])
    df = df.round({"z": 2, "per_10k_a": 2, "per_10k_b": 2, "ratio": 2})
    print(
        f"比较：{r.label_a}（{r.chars_a:,} 字） 对 {r.label_b}（{r.chars_b:,} 字）"
        + (f"；语料较大，只抽样统计了 {r.chars_read:,} 字" if r.capped else ""),
        file=sys.stderr,
    )
    _print_table(df if args.format != "table" else df.drop(columns=["examples"]), args.format)
    return 0


def cmd_audit(args) -> int:
    from .audit import audit

    eng = _engine(args)
    a = audit(eng.store, Filters(), eng.matcher)
    df = getattr(a, args.part)
    if "contexts" in df:
        df = df.assign(contexts=[" ｜ ".join(x) for x in df["contexts"]])
        if args.format == "table":
            df = df.drop(columns=["contexts"])
    _print_table(df, args.format)
    if args.part == "phrases":
        print(
            f"{len(a.phrases)} 个词语，其中 {int((a.phrases['count'] == 0).sum())} 个未出现；"
            f"{len(a.unused)} 个主题没有命中；{len(a.nested)} 处跨主题包含",
            file=sys.stderr,
        )
    return 0


def cmd_bench(args) -> int:
    from .bench import main as bench_main
    from .progress import cli_bar

    with cli_bar(args, "基准导入") as bar:
        return bench_main(args, bar)


def cmd_export(args) -> int:
    """The whole store for analysts: articles with metadata, province attributions,
    paragraph × theme counts (Parquet: a folder of files; xlsx: one workbook)."""
    from pathlib import Path

    from .progress import cli_bar
    from .store.dump import DUMPS
    from .store_export import export_parquet, export_xlsx

    out = Path(args.out)
    named_xlsx = out.suffix.lower() == ".xlsx"
    fmt = args.format if args.format != "auto" else ("xlsx" if named_xlsx else "parquet")
    if fmt == "parquet" and named_xlsx:
        print(
            f"导出失败：{out} 以 .xlsx 结尾，却指定了 --format parquet（会写成一个文件夹）；"
            "请去掉 --format 或换一个输出名",
            file=sys.stderr,
        )
        return 2
    if fmt == "xlsx" and not named_xlsx:
        out = out.with_suffix(".xlsx")
    eng = _engine(args)
    with cli_bar(args, "导出", unit="行") as bar:
        rows = (export_parquet if fmt == "parquet" else export_xlsx)(eng.store, out, bar)
    # --format names the file format here, so stdout is always the JSON summary for scripts.
    print(json.dumps({"format": fmt, "out": str(out), "rows": rows}, ensure_ascii=False))
    if not args.quiet:
        print("，".join(f"{DUMPS[k][0]} {v:,} 行" for k, v in rows.items()), file=sys.stderr)
    return 0


def words_later(sp: argparse.ArgumentParser, also: str = "") -> None:
    """The same --words-later for ingest and bench (words_later.py)."""
    sp.add_argument(
        "--words-later", action="store_true", help="先统计主题（马上可查），再补充词云用的词语" + also
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description="政策主题看板：命令行")
    sub = p.add_subparsers(dest="cmd", required=True)

    def add(name, func, help_, *, table: str = ""):
        """A subcommand with the options every command has; table = the default --format of a
        command whose result is a table (csv, json or an aligned table)."""
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("--db", help="DuckDB 文件（默认 data/policy.duckdb，或环境变量 POLICY_DB）")
        sp.add_argument(
            "--no-samples", action="store_true", help="（保留以兼容旧脚本：命令行从不导入示例语料）"
        )
        sp.add_argument(
            "--quiet",
            "-q",
            action="store_true",
            help="不显示进度条和汇总，只输出结果（导入时只列出失败的文件）",
        )
        if table:
            sp.add_argument("--format", choices=("csv", "json", "table"), default=table)
        sp.set_defaults(func=func)
        return sp

    sp = add(
        "ingest",
        cmd_ingest,
        "导入文件或文件夹（txt、md、html、docx、pdf；csv、xlsx、jsonl 表格每行一篇；zip 压缩包）",
    )
    sp.add_argument("paths", nargs="+")
    for field, label in (
        ("text", "正文"),
        ("title", "标题"),
        ("date", "日期"),
        ("outlet", "来源媒体"),
        ("author", "作者"),
        ("section", "版面/栏目"),
        ("url", "链接"),
    ):
        sp.add_argument(f"--{field}-col", metavar="列名", help=f"表格中{label}所在的列（默认按列名识别）")
    sp.add_argument("--no-queue", action="store_true", help="看板占用数据库时直接报错，而不是交给看板导入")
    sp.add_argument("--wait", type=float, default=120.0, help="交给看板导入时最多等待的秒数")
    words_later(sp)
    sp.add_argument(
        "--to-parquet",
        metavar="文件夹",
        help="用 Dask 分布式解析计数，写成按月分区的 Parquet 数据集（看板用 POLICY_DB=文件夹 只读打开）",
    )
    sp.add_argument(
        "--workers",
        default="dask://local:2",
        help="配合 --to-parquet：dask://local:N（本机 N 个进程）或 tcp://主机:端口（已有的 Dask 调度器）",
    )
    sp = add("counts", cmd_counts, "按省份、文章、文件、段落、月份或类别统计主题", table="csv")
    sp.add_argument("--by", choices=BY, default="province")
    sp.add_argument("--terms", help="临时词语，逗号分隔，各自独立计数")
    sp.add_argument("--themes", help="只统计这些主题编号，逗号分隔")
    sp = add("kwic", cmd_kwic, "关键词上下文")
    sp.add_argument("term")
    sp.add_argument("--province")
    sp.add_argument("--width", type=int, default=20)
    sp.add_argument("--limit", type=int, default=200)
    add("sections", cmd_sections, "列出各段落及其省份和依据", table="table")
    add("rebuild", cmd_rebuild, "按当前词典和地名数据重新计算全部结果")
    add("themes", cmd_themes, "列出主题词典")
    sp = add("emerging", cmd_emerging, "新词发现：最近一段时间（或某省份）明显多起来的词语", table="table")
    sp.add_argument("--by", choices=("period", "province"), default="period")
    sp.add_argument("--split", help="从这一天起算“最近”（默认：有文章的最后 3 个月）")
    sp.add_argument("--province", help="--by province 时比较的省份（默认：字数最多的省份）")
    sp.add_argument("--top", type=int, default=30)
    sp.add_argument("--min-count", type=int, default=3, help="较新一侧至少出现的次数")
    sp = add("audit", cmd_audit, "词典体检：每个词语的命中、首末日期、省份数、例句和可疑之处", table="table")
    sp.add_argument("--part", choices=("phrases", "themes", "unused", "nested"), default="phrases")
    sp = add("bench", cmd_bench, "性能基准：合成语料上测量导入、计数和查询")
    sp.add_argument("--articles", type=int, default=1000)
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--format", choices=("json", "table"), default="table")
    words_later(sp, "；报告主题就绪和词语就绪时间")
    sp.add_argument(
        "--parquet-workers",
        metavar="1,2",
        help="改测 Parquet 路线：依次用这些数目的本地 Dask 工作进程导入（JSON 输出）",
    )
    sp = add(
        "export",
        cmd_export,
        "导出整个库：文章及元数据、省份判断、段落 × 主题次数（parquet 文件夹或 xlsx 工作簿）",
    )
    sp.add_argument("out", help="parquet：输出文件夹；xlsx：输出文件（以 .xlsx 结尾即导出为 xlsx）")
    sp.add_argument(
        "--format",
        choices=("auto", "parquet", "xlsx"),
        default="auto",
        help="文件格式（auto：按输出名，以 .xlsx 结尾为 xlsx，否则 parquet；标准输出总是一行 JSON 汇总）",
    )
    from .views.command import add_view_command

    add_view_command(add)
    # Every command answers in JSON for scripts; those without a --format of their own get one.
    for sp in sub.choices.values():
        if sp.get_default("format") is None:
            sp.add_argument(
                "--format", choices=("text", "json"), default="text", help="输出格式（json 供脚本使用）"
            )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        from .store import StoreLocked
        from .themes import ThemeError

        if isinstance(exc, (StoreLocked, ThemeError)):
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        raise
