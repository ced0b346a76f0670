"""What keeps ten editors' page runs from waiting on each other (issue 16): settings and
caches that make one session's run cheap for everyone else."""

from __future__ import annotations

import tomllib

from helpers import ROOT


def test_no_full_garbage_collection_after_every_run():
    # Streamlit's default (runner.postScriptGC = true) runs gc.collect(2) after each script
    # run; on this app's heap that held the GIL 80-140 ms per run, every other session waiting.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_word_cloud_png_is_the_cloud_drawn_once_as_png(monkeypatch):
    import io

    from PIL import Image, ImageChops

    from analysis import charts
    from app_pages import _state as S

    freqs = {"营商环境": 9.0, "高质量发展": 7.0, "新质生产力": 5.0, "民营企业": 3.0}
    colors = {"营商环境": "#c0392b"}
    drawn: list[tuple[int, int]] = []

    def counted(f, width, height, colors=None, max_words=150):
        drawn.append((width, height))
        return charts.wordcloud_image(f, width, height, colors, max_words)

    monkeypatch.setattr(S, "wordcloud_image", counted)
    S.word_cloud_png.clear()
    png = S.word_cloud_png(freqs, 320, 200, colors)
    again = S.word_cloud_png(dict(reversed(list(freqs.items()))), 320, 200, dict(colors))  # same words
    assert drawn == [(320, 200)] and again == png
    img = Image.open(io.BytesIO(png))
    assert (img.format, img.size) == ("PNG", (320, 200))
    want = charts.wordcloud_image(freqs, 320, 200, colors).convert("RGB")
    assert ImageChops.difference(img.convert("RGB"), want).getbbox() is None  # the same pixels
    S.word_cloud_png(freqs, 320, 200, {"营商环境": "#2e86c1"})  # another colour is another cloud
    assert drawn == [(320, 200), (320, 200)]
    S.changed()  # an import or an edit empties the data caches; the same words need no redraw
    assert S.word_cloud_png(freqs, 320, 200, colors) == png and len(drawn) == 2


def test_word_lists_are_hashed_as_one_string():
    from app_pages import _state as S

    a = {"营商环境": 9.0, "高质量发展": 7.0}
    assert S._words_key(a) == S._words_key({"高质量发展": 7.0, "营商环境": 9.0})
    assert S._words_key(a) != S._words_key({"营商环境": 9.0, "高质量发展": 7.5})


def test_quote_picker_lines_are_built_by_column():
    import pandas as pd

    from app_pages._widgets import _quote_labels

    kwic = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-07", "2024-03-05"]),
            "province": ["江苏", "全国"],
            "before": ["因地制宜发展", "科技创新实现新突破，"],
            "match": ["新质生产力", "新质生产力"],
            "after": ["。", "加快形成"],
        }
    )
    assert _quote_labels(kwic) == [
        "2024-03-07 江苏 因地制宜发展【新质生产力】。",
        "2024-03-05 全国 科技创新实现新突破，【新质生产力】加快形成",
    ]
    text = pd.DataFrame(
        {
            "date": ["2024-03-07"],
            "text": ["要牢牢把握高质量发展这个首要任务，因地制宜发展新质生产力，完成今年发展目标任务"],
        }
    )
    assert _quote_labels(text) == [
        " ".join(
            [
                "2024-03-07",
                "",
                "要牢牢把握高质量发展这个首要任务，因地制宜发展新质生产力，完成今年发展目标任务"[:40],
            ]
        )
    ]


def test_no_source_watchers_per_session():
    # With watchdog installed, every new session watched all of the app's modules, set up
    # when its first run ended: 250-420 ms of each new session's first page (traced with the
    # websocket client of scripts/load_test.py: 300-500 ms against 35-64 ms without).
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"


def test_word_clouds_are_sent_as_the_cached_png(sample_db, tmp_path):
    # st.image's "auto" format re-encodes an RGB PNG to JPEG on every run (a decode and an
    # encode per cloud per session); the pages ask for PNG, so the cached bytes go as they are.
    from helpers import open_page, pages_on, private_settings

    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "imgs"):
            found.extend(i.url for i in proto.imgs)
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else ():
            walk(child)

    with pages_on(private_settings(tmp_path, sample_db)):
        for page in ("app_pages/compare.py", "app_pages/wordcloud.py"):
            walk(open_page(page)._tree)
    assert len(found) == 3 and all(url.endswith(".png") for url in found), found
