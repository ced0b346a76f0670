"""The dashboard pins charts in the kinds that have their own slide forms (issue 14):
新词发现 keeps its counts for the emerging slide; the deck draws them beside each phrase."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation

from analysis import views
from analysis.deck_pptx import pptx_bytes
from analysis.models import Filters
from analysis.settings import Settings
from analysis.slides import Pin
from analysis.workspace import Workspace


def test_emerging_chart_pins_as_emerging_with_counts(sample_engine):
    ws = Workspace(Settings(db=sample_engine.store.path, workers=1), store=sample_engine.store)
    chart = views.emerging(ws, Filters()).chart
    assert chart is not None and chart.kind == "emerging"
    row = chart.data.set_index("label").loc["新质生产力"]
    assert (row["recent"], row["before"]) == (51, 0)  # as the 新词发现 table: 最近 51, 此前 0
    pin = Pin(chart.title, chart.kind, chart.data, chart.source, "全部")
    deck = Presentation(io.BytesIO(pptx_bytes([pin], made_on=dt.date(2024, 7, 1))))
    chart_shapes = [s.chart for s in deck.slides[1].shapes if s.has_chart]
    labels = [c for ch in chart_shapes for c in ch.plots[0].categories]
    assert "新质生产力（51/0）" in labels


def test_compare_and_wordcloud_pages_pin_their_slide_kinds(tmp_path, sample_db):
    """省份对比's distinctive words pin as kind words, 词云 as kind wordcloud; the deck shows
    the words as a table, one column per side, in the page's order."""
    from streamlit.testing.v1 import AppTest

    from app_pages import _state as S
    from tests.helpers import APP, pages_on, private_settings

    with pages_on(private_settings(tmp_path, sample_db)):
        at = AppTest.from_file(APP, default_timeout=90)
        at.switch_page("app_pages/compare.py").run()
        shown = [df.value for df in at.dataframe if "z 值" in df.value.columns]  # 广东, 吉林
        at.button(key="cmp_dw_pin").click().run()
        at.switch_page("app_pages/wordcloud.py").run()
        at.button(key="wc_pin").click().run()
        assert not at.exception, [e.value for e in at.exception]
        ws = S.ws()
        assert ws.pins()["kind"].tolist() == ["words", "wordcloud"]
        deck = Presentation(io.BytesIO(ws.deck_pptx(int(ws.decks()["id"][0]), made_on=dt.date(2024, 7, 1))))
        table = next(s.table for s in deck.slides[1].shapes if s.has_table)
        assert [table.cell(0, j).text for j in range(2)] == ["广东 特色词（z 值）", "吉林 特色词（z 值）"]
        first = [f"{d['词语'].iloc[0]}　{float(d['z 值'].iloc[0]):.1f}" for d in shown]
        assert [table.cell(1, j).text for j in range(2)] == first
        assert [s.shape_type for s in deck.slides[2].shapes].count(13) == 1  # the cloud, a picture
