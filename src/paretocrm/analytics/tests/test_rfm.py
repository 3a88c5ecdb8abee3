"""Tests of RFM scores and segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.rfm import (
    SEGMENT_LABELS_ZH_HANS,
    SEGMENT_LABELS_ZH_HANT,
    SEGMENT_TABLE,
    SEGMENTS,
    quintile_scores,
    rfm_scores,
    rfm_segments,
    segment_label,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9), min_size=1, max_size=300))
def test_scores_are_between_one_and_five_and_monotone_in_the_value(values: list[float]) -> None:
    scores = quintile_scores(values)
    assert scores.min() >= 1 and scores.max() <= 5
    order = np.argsort(values, kind="stable")
    assert (np.diff(scores[order]) >= 0).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=200))
def test_equal_values_always_share_a_score(values: list[int]) -> None:
    scores = quintile_scores(values)
    for value in set(values):
        assert len(set(scores[np.array(values) == value])) == 1


def test_distinct_values_give_exact_quintiles() -> None:
    scores = quintile_scores(np.arange(10.0))
    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_lower_is_better_reverses_the_scores() -> None:
    assert quintile_scores(np.arange(5.0), higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_all_equal_values_score_three_and_two_levels_use_two_scores() -> None:
    assert set(quintile_scores([7.0] * 6)) == {3}
    # 60% zeros and 40% ones: zeros sit at the 30th percentile, ones at the 80th.
    assert quintile_scores([0, 0, 0, 1, 1]).tolist() == [2, 2, 2, 5, 5]


def test_scores_do_not_depend_on_the_input_order() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(0, 5, size=100).astype(float)
    permutation = rng.permutation(100)
    assert (quintile_scores(values)[permutation] == quintile_scores(values[permutation])).all()


def test_every_score_cell_has_exactly_one_named_segment() -> None:
    cells = [(r, fm) for r in range(1, 6) for fm in range(1, 6)]
    assert len(SEGMENT_TABLE) == 5 and all(len(row) == 5 for row in SEGMENT_TABLE)
    named = {SEGMENT_TABLE[r - 1][fm - 1] for r, fm in cells}
    assert named == set(SEGMENTS)


def test_segment_rules_for_typical_customers() -> None:
    segments = rfm_segments([5, 5, 1, 1, 3, 5, 2], [5, 1, 5, 1, 3, 3, 3], [5, 1, 5, 1, 3, 2, 4])
    assert segments.astype(str).tolist() == [
        "Champions",
        "New",
        "Cannot lose them",
        "Lost",
        "Need attention",
        "Potential loyalist",
        "At risk",
    ]


def test_rfm_scores_on_a_summary() -> None:
    index = pd.Index([f"c{i}" for i in range(5)], name="customer_id")
    summary = pd.DataFrame(
        {
            "frequency": [0, 1, 2, 3, 4],
            "recency": [0.0, 10.0, 20.0, 30.0, 40.0],
            "T": [50.0, 50.0, 50.0, 50.0, 41.0],
            "revenue": [10.0, 20.0, 30.0, 40.0, 50.0],
        },
        index=index,
    )
    table = rfm_scores(summary)
    assert table["r_score"].tolist() == [1, 2, 3, 4, 5]
    assert table["f_score"].tolist() == [1, 2, 3, 4, 5]
    assert table.loc["c4", "rfm_code"] == "555"
    assert table.loc["c4", "rfm_segment"] == "Champions"
    assert table.loc["c0", "rfm_segment"] == "Lost"


def test_summary_missing_a_column_is_refused_naming_it() -> None:
    summary = pd.DataFrame({"frequency": [1], "recency": [1.0]}, index=["c0"])
    with pytest.raises(DataContractError, match="T"):
        rfm_scores(summary)


def test_recency_beyond_t_is_refused_naming_the_customer() -> None:
    summary = pd.DataFrame(
        {"frequency": [1], "recency": [9.0], "T": [5.0], "revenue": [1.0]}, index=["bad-7"]
    )
    with pytest.raises(DataContractError, match="bad-7"):
        rfm_scores(summary)


def test_chinese_labels_cover_every_segment() -> None:
    assert set(SEGMENT_LABELS_ZH_HANS) == set(SEGMENTS) == set(SEGMENT_LABELS_ZH_HANT)
    assert segment_label("Champions", "zh-Hans") == "重要价值客户"
    assert segment_label("Champions", "zh-hant") == "重要價值客戶"
    assert segment_label("Lost") == "Lost"


def test_unknown_label_language_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="fr"):
        segment_label("Champions", "fr")
