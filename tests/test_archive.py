"""Zip archives: documents and tables in nested folders, GBK member names, meta.csv inside,
the docx limits and bomb checks, nothing written under a member's name."""

from __future__ import annotations

import csv
import io
import os
import zipfile

import pytest
from helpers import T1, T2, T3, csv_bytes, theme_counts

from analysis.archive import check_zip, member_name, open_archive
from analysis.ingest import IngestError
from analysis.settings import Limits


def gbk_zip(members: dict[str, bytes]) -> bytes:
    """A zip as Windows' built-in tool writes it on a Chinese system: GBK names, no UTF-8 flag."""
    buf = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            gbk = name.encode("gbk")
            # An ASCII stand-in of the same length (zipfile would write UTF-8), swapped below.
            stand_in = chr(ord("A") + i).encode() * len(gbk)
            placeholders[stand_in] = gbk
            zf.writestr(zipfile.ZipInfo(stand_in.decode(), date_time=(2024, 5, 6, 0, 0, 0)), data)
    raw = buf.getvalue()
    for stand_in, gbk in placeholders.items():
        assert raw.count(stand_in) == 2  # local header and central directory
        raw = raw.replace(stand_in, gbk)
    return raw


META = "file,title,date,outlet,author\n湖北.txt,湖北全会报道,2024-03-07,《人民日报》,张三\n"
TABLE = [["标题", "日期", "来源", "正文"], ["浙江", "2024-03-10", "浙江在线", T3], ["坏", "某日", "", T1]]


def sample_zip() -> bytes:
    return gbk_zip(
        {
            "报道/湖北.txt": T1.encode("gbk"),
            "报道/广东/广东.md": ("# 广东\n\n" + T2).encode("utf-8"),
            "报道/meta.csv": META.encode("gbk"),
            "表格/汇总.csv": csv_bytes(TABLE, "gbk"),
            "图片/封面.png": b"\x89PNG\r\n\x1a\n" + bytes(100),
            "嵌套.zip": b"PK\x05\x06" + bytes(18),
            "报道/湖北副本.txt": T1.encode("utf-8"),  # the same article again
        }
    )


def test_gbk_member_names_are_recovered():
    with zipfile.ZipFile(io.BytesIO(sample_zip())) as zf:
        infos = zf.infolist()
        assert not any(i.flag_bits & 0x800 for i in infos)
        assert "报道/湖北.txt" not in [i.filename for i in infos]  # what zipfile shows: mojibake
        assert sorted(member_name(i) for i in infos)[0] == "图片/封面.png"
        assert {member_name(i) for i in infos} >= {"报道/湖北.txt", "表格/汇总.csv", "报道/广东/广东.md"}


def test_archive_of_documents_and_tables(empty_engine, tmp_path):
    path = tmp_path / "稿件包.zip"
    path.write_bytes(sample_zip())
    store_files = empty_engine.store.path.name  # its WAL comes and goes with checkpoints

    def listing() -> list[str]:
        return sorted(n for n in os.listdir(tmp_path) if not n.startswith(store_files))

    before = listing()
    results = empty_engine.ingest_paths([path])
    got = [(r.name, r.status) for r in results]
    assert got == [
        ("稿件包.zip/图片/封面.png", "失败"),  # failures found while checking come first
        ("稿件包.zip/嵌套.zip", "失败"),
        ("稿件包.zip/报道/广东/广东.md", "新增"),
        ("稿件包.zip/报道/湖北.txt", "新增"),
        ("稿件包.zip/报道/湖北副本.txt", "已存在"),
        ("稿件包.zip/表格/汇总.csv 第 2 行", "新增"),
        ("稿件包.zip/表格/汇总.csv 第 3 行", "失败"),
    ]
    assert results[0].reason == "不支持的文件类型“.png”"
    assert results[1].reason == "压缩包里的压缩包不会展开，请先解压外层"
    assert empty_engine.store.article_count() == 3
    assert theme_counts(empty_engine) == {"high_quality_development": 3, "business_environment": 3}
    arts = empty_engine.store.df("SELECT source, title, outlet, author FROM articles ORDER BY source")
    assert arts.values.tolist() == [
        ["稿件包.zip/报道/广东/广东.md", "广东", "", ""],
        ["稿件包.zip/报道/湖北.txt", "湖北全会报道", "人民日报", "张三"],  # from meta.csv inside
        ["稿件包.zip/表格/汇总.csv 第 2 行", "浙江", "浙江日报", ""],
    ]
    assert listing() == before == ["稿件包.zip"]  # nothing extracted next to the archive


def test_hostile_member_names_stay_labels(empty_engine, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../逃逸.txt", T1)
        zf.writestr("/etc/绝对.txt", T2)
    results = empty_engine.ingest_uploads([("包.zip", buf.getvalue())])
    assert [(r.name, r.status) for r in results] == [
        ("包.zip/etc/绝对.txt", "新增"),
        ("包.zip/逃逸.txt", "新增"),
    ]
    assert not (tmp_path.parent.parent / "逃逸.txt").exists()


def bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", b"0" * size)
    return buf.getvalue()


def test_bomb_checks():
    small = Limits(max_unzipped_bytes=4 * 2**20)
    with pytest.raises(IngestError, match="解压后达 8 MB，超过上限 4 MB"):
        check_zip(io.BytesIO(bomb(8 * 2**20)), "a.zip", small)
    # 3 MB of zeros deflates about 1000×: within the size limit but not a plausible document.
    with pytest.raises(IngestError, match="压缩比超过 200 倍"):
        check_zip(io.BytesIO(bomb(3 * 2**20)), "a.zip", small)


def test_a_lying_size_header_is_refused():
    raw = bytearray(bomb(6 * 2**20))
    # Shrink the declared sizes (local header and central directory) to 1 KB.
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = raw.find(sig)
        raw[i + at : i + at + 4] = (1024).to_bytes(4, "little")
    with pytest.raises(IngestError, match=r"解压后超过上限 4 MB|已损坏"):
        check_zip(io.BytesIO(bytes(raw)), "a.zip", Limits(max_unzipped_bytes=4 * 2**20))


def test_too_many_members(monkeypatch):
    import analysis.archive as archive

    monkeypatch.setattr(archive, "MAX_MEMBERS", 3)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(4):
            zf.writestr(f"{i}.txt", T1 + str(i))
    with pytest.raises(IngestError, match="压缩包内有 4 个文件，超过上限 3 个"):
        open_archive(buf.getvalue(), "多.zip")


def test_not_a_zip_is_one_failure(empty_engine, tmp_path):
    path = tmp_path / "假.zip"
    path.write_text("这不是压缩包", encoding="utf-8")
    results = empty_engine.ingest_paths([path])
    assert [(r.name, r.status, r.reason) for r in results] == [
        ("假.zip", "失败", "不是有效的压缩包（文件已损坏或被改了扩展名）")
    ]


def test_folder_walk_sees_tables_and_archives(empty_engine, tmp_path):
    (tmp_path / "a.txt").write_text(T1, encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(csv_bytes([["正文"], [T2]]))
    (tmp_path / "c.zip").write_bytes(gbk_zip({"c.txt": T3.encode()}))
    with (tmp_path / "meta.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["file", "title"], ["a.txt", "甲"]])
    results = empty_engine.ingest_paths([tmp_path])
    assert [(r.name, r.status) for r in results] == [
        ("a.txt", "新增"),
        ("b.csv 第 2 行", "新增"),
        ("c.zip/c.txt", "新增"),
    ]
    assert empty_engine.store.df("SELECT title FROM articles WHERE source = 'a.txt'")["title"].tolist() == [
        "甲"
    ]


def test_uploaded_meta_csv_describes_the_other_uploads(empty_engine):
    meta = "文件名,标题,日期,来源\n湖北.txt,湖北全会报道,2024-03-07,人民网\n"
    results = empty_engine.ingest_uploads([("meta.csv", meta.encode("gbk")), ("湖北.txt", T1.encode())])
    assert [(r.name, r.status) for r in results] == [("湖北.txt", "新增")]
    got = empty_engine.store.df("SELECT title, strftime(date, '%Y-%m-%d') AS d, outlet FROM articles")
    assert got.values.tolist() == [["湖北全会报道", "2024-03-07", "人民日报"]]
