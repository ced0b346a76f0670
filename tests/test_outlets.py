"""Outlet names normalised through corpus/outlets.csv."""

from __future__ import annotations

import pytest

from analysis.outlets import OUTLETS_FILE, canonical_outlet, outlets


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("人民日报", "人民日报"),
        ("《人民日报》", "人民日报"),
        ("人民日报社", "人民日报"),
        (" 人民网 ", "人民日报"),
        ("人民日报客户端", "人民日报"),
        ("人民日报 | 2024-03-07 | 第01版", "人民日报"),  # a clipping service's source field
        ("新华网", "新华社"),
        ("新华通讯社", "新华社"),
        ("浙江日报社", "浙江日报"),  # no listed variant: the publishing house of a listed paper
        ("南方+", "南方日报"),
        ("People's Daily", "人民日报"),
        ("“某县融媒”", "某县融媒"),  # unknown outlets keep their name, without the quotes
        ("Some Paper", "Some Paper"),
        ("", ""),
    ],
)
def test_canonical_outlet(written, canonical):
    assert canonical_outlet(written) == canonical


def test_the_list_is_consistent():
    table = outlets()
    assert len(table) >= 30
    assert {"人民日报", "新华社", "光明日报", "经济日报", "湖北日报", "南方日报"} <= set(table)
    assert table["湖北日报"].province == "湖北" and table["人民日报"].level == "中央"
    # No variant may point at two outlets: the first would silently win.
    seen: dict[str, str] = {}
    for line in OUTLETS_FILE.read_text(encoding="utf-8").splitlines()[3:]:
        name, _, _, variants = line.split(",", 3)
        for v in [name, *variants.split("|")]:
            assert seen.setdefault(v, name) == name, (v, seen[v], name)


def test_an_edited_list_is_used(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_text("canonical,level,province,variants\n荆州日报,地市,湖北,荆州新闻网\n", encoding="utf-8")
    assert canonical_outlet("《荆州新闻网》", path) == "荆州日报"
    assert canonical_outlet("新华网", path) == "新华网"
