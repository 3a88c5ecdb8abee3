"""Behaviour segments are named by the engine in English words; readers see their language."""

from __future__ import annotations

from django.utils import translation

from paretocrm.insights.labels import behaviour_segment_label


def test_a_behaviour_segment_reads_in_chinese_and_keeps_its_number() -> None:
    with translation.override("zh-hans"):
        assert behaviour_segment_label("High value, active, frequent") == "高价值、活跃、高频"
        assert behaviour_segment_label("Low value, lapsing #2") == "低价值、沉寂 #2"
    with translation.override("zh-hant"):
        assert behaviour_segment_label("Mid value, steady, occasional") == "中等價值、穩定、低頻"
    with translation.override("en"):
        assert behaviour_segment_label("Low value, lapsing #2") == "Low value, lapsing #2"


def test_an_unknown_name_is_shown_as_stored() -> None:
    with translation.override("zh-hans"):
        assert behaviour_segment_label("大客户") == "大客户"
