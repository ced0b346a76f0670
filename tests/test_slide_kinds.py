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
