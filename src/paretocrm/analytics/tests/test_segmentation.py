"""Tests of the k-means segmentation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.segmentation import feature_matrix, segment_customers


def _three_groups(per_group: int = 200, seed: int = 3) -> pd.DataFrame:
    """Whales (frequent, recent, big), regulars, and lapsed one-off buyers."""
    rng = np.random.default_rng(seed)

    def group(freq: float, gap: float, spend: float) -> pd.DataFrame:
        frequency = np.maximum(0, rng.normal(freq, freq * 0.1 + 0.1, per_group)).round()
        T = np.full(per_group, 100.0)
        since_last = np.clip(rng.normal(gap, gap * 0.1 + 0.5, per_group), 0, 100)
        revenue = (frequency + 1) * rng.lognormal(np.log(spend), 0.1, per_group)
        return pd.DataFrame(
            {"frequency": frequency, "recency": T - since_last, "T": T, "revenue": revenue}
        )

    table = pd.concat(
        [group(0.0, 90.0, 20.0), group(40.0, 2.0, 5000.0), group(8.0, 15.0, 300.0)],
        ignore_index=True,
    )
    table.index = pd.Index([f"c{i:04d}" for i in range(len(table))], name="customer_id")
    return table


def test_well_separated_groups_are_found_with_the_right_k() -> None:
    summary = _three_groups()
    result = segment_customers(summary, seed=1)
    assert result.k == 3
    assert result.silhouette.idxmax() == 3
    # Each constructed group lands in one segment; segment 0 is the highest mean revenue.
    blocks = [result.labels.iloc[i * 200 : (i + 1) * 200] for i in range(3)]
    assert [block.nunique() for block in blocks] == [1, 1, 1]
    assert [block.iloc[0] for block in blocks] == [2, 0, 1]


def test_profiles_describe_every_customer_once() -> None:
    summary = _three_groups()
    result = segment_customers(summary, seed=1)
    profiles = result.profiles
    assert profiles["customers"].sum() == len(summary)
    assert profiles["customer_share"].sum() == pytest.approx(1.0)
    assert profiles["revenue_share"].sum() == pytest.approx(1.0)
    assert profiles["mean_revenue"].is_monotonic_decreasing
    assert profiles.loc[0, "name"] == "High value, active, frequent"
    assert profiles.loc[2, "name"] == "Low value, lapsing, occasional"
    assert profiles.loc[0, "name_zh"] == "高价值·活跃·高频"
    assert result.names.loc["c0000"] == profiles.loc[2, "name"]


def test_same_seed_gives_the_same_segments() -> None:
    summary = _three_groups(seed=9)
    first = segment_customers(summary, seed=5, sample_size=100)
    second = segment_customers(summary, seed=5, sample_size=100)
    pd.testing.assert_series_equal(first.labels, second.labels)
    pd.testing.assert_frame_equal(first.profiles, second.profiles)


def test_sampling_for_k_still_labels_every_customer() -> None:
    summary = _three_groups()
    result = segment_customers(summary, seed=2, sample_size=60)
    assert result.labels.index.equals(summary.index)
    assert result.k == 3


def test_extra_value_features_are_used_and_profiled() -> None:
    summary = _three_groups(per_group=50)
    extra = pd.DataFrame({"net_profit": summary["revenue"] * 0.1 - 50}, index=summary.index)
    result = segment_customers(summary, extra, seed=0)
    assert "net_profit" in result.features
    assert "mean_net_profit" in result.profiles.columns


def test_identical_customers_form_one_segment() -> None:
    summary = pd.DataFrame(
        {"frequency": [1.0] * 4, "recency": [5.0] * 4, "T": [10.0] * 4, "revenue": [7.0] * 4},
        index=[f"c{i}" for i in range(4)],
    )
    result = segment_customers(summary)
    assert result.k == 1
    assert set(result.labels) == {0}
    assert result.silhouette.empty


def test_two_customers_cannot_be_scored_and_share_one_segment() -> None:
    summary = pd.DataFrame(
        {"frequency": [0.0, 9.0], "recency": [0.0, 9.0], "T": [10.0, 10.0], "revenue": [1.0, 99.0]},
        index=["a", "b"],
    )
    assert segment_customers(summary).k == 1


def test_feature_matrix_reports_spend_per_purchase_day_and_time_since_last() -> None:
    summary = pd.DataFrame(
        {"frequency": [3.0], "recency": [6.0], "T": [10.0], "revenue": [100.0]}, index=["a"]
    )
    features = feature_matrix(summary)
    assert features.loc["a"].to_dict() == {
        "since_last": 4.0,
        "frequency": 3.0,
        "spend": 25.0,
        "revenue": 100.0,
    }


def test_bad_k_range_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="k_range"):
        segment_customers(_three_groups(per_group=5), k_range=(1, 4))


def test_extra_features_must_cover_every_customer() -> None:
    summary = _three_groups(per_group=5)
    extra = pd.DataFrame({"clv": [1.0]}, index=["c0000"])
    with pytest.raises(DataContractError, match="c0001"):
        segment_customers(summary, extra)
