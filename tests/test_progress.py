"""Command-line progress (tqdm on a terminal only), --quiet, and --format json everywhere."""

from __future__ import annotations

import io
import json

from analysis.cli import build_parser, main
from analysis.progress import Bar
from analysis.settings import SAMPLES_DIR


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_draws_counts_on_a_terminal_only():
    tty = Terminal()
    with Bar("导入", stream=tty) as bar:
        bar(0, 40, "a.txt")
        bar(25, 40, "b.txt")
        bar.write("失败  c.txt：文件为空")
        bar(40, 40, "d.txt")
    out = tty.getvalue()
    assert "40/40" in out and "失败  c.txt：文件为空\n" in out
    pipe = io.StringIO()
    with Bar("导入", stream=pipe) as bar:
        bar(40, 40, "d.txt")
        bar.write("失败  c.txt：文件为空")
    assert pipe.getvalue() == "失败  c.txt：文件为空\n"  # no bar, no carriage returns


def test_every_command_answers_in_json():
    sub = next(a for a in build_parser()._actions if a.dest == "cmd")
    assert isinstance(sub.choices, dict)
    for name, sp in sub.choices.items():
        fmt = next(a for a in sp._actions if a.dest == "format")
        quiet = next(a for a in sp._actions if a.dest == "quiet")
        assert quiet.option_strings == ["--quiet", "-q"], name
        # export's --format is the file format; it always prints a JSON summary instead.
        assert "json" in fmt.choices or (name == "export" and fmt.choices == ("auto", "parquet", "xlsx")), (
            name
        )


def test_rebuild_and_themes_in_json(tmp_path, capsys):
    from analysis import store as store_mod

    db = tmp_path / "j.duckdb"
    try:
        assert main(["ingest", str(SAMPLES_DIR), "--db", str(db), "--no-samples", "--quiet"]) == 0
        assert capsys.readouterr().out == ""  # --quiet: no failures, so nothing at all
        assert main(["rebuild", "--db", str(db), "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"rebuilt": 5}
        assert main(["themes", "--format", "json", "--db", str(db)]) == 0
        themes = json.loads(capsys.readouterr().out)
        hq = next(t for t in themes if t["id"] == "high_quality_development")
        assert hq == {
            "id": "high_quality_development",
            "name": "高质量发展",
            "category": "改革",
            "aliases": ["高质量发展"],
        }
        assert main(["kwic", "新质生产力", "--format", "json", "--db", str(db), "--limit", "3"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert len(rows) == 3 and all(r["match"] == "新质生产力" for r in rows)
    finally:
        for key, st in list(store_mod._OPEN.items()):
            if key[0] == str(db.resolve()):
                st.close()
                del store_mod._OPEN[key]
