"""Key-account rating: percentile normalisation, inverse criteria, weights, explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paretocrm.analytics.ahp import ahp_weights, comparison_matrix
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.rating import percentile_rank, rate, rating_inputs


def summary_of(revenues: list[float]) -> pd.DataFrame:
    n = len(revenues)
    return pd.DataFrame(
        {
            "revenue": revenues,
            "gross_profit": [r * 0.3 for r in revenues],
            "order_count": list(range(1, n + 1)),
            "frequency": list(range(n)),
            "T": [10.0] * n,
        },
        index=[f"c{i}" for i in range(n)],
    )


def test_percentile_rank_is_mid_rank_with_ties_sharing_a_score() -> None:
    ranks = percentile_rank(pd.Series([10.0, 20.0, 20.0, 40.0]))
    assert list(ranks) == [12.5, 50.0, 50.0, 87.5]
    assert list(percentile_rank(pd.Series([5.0, 5.0, 5.0]))) == [50.0, 50.0, 50.0]


@given(st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=50))
@settings(max_examples=60, deadline=None)
def test_percentile_rank_stays_within_0_and_100(values: list[float]) -> None:
    ranks = percentile_rank(pd.Series(values))
    assert ((ranks > 0) & (ranks < 100)).all()


def test_inverse_criterion_rewards_the_lower_value() -> None:
    summary = summary_of([100.0, 100.0])
    attributes = pd.DataFrame({"price_sensitivity": [1, 5]}, index=summary.index)
    result = rate(rating_inputs(summary, attributes), {"price_sensitivity": 1.0})
    assert result.rating["c0"] > result.rating["c1"]


def test_rating_is_the_weighted_sum_of_scores_and_contributions_add_up() -> None:
    summary = summary_of([10.0, 50.0, 200.0, 1000.0])
    attributes = pd.DataFrame({"credit_rating": [90, 80, 40, 60]}, index=summary.index)
    result = rate(rating_inputs(summary, attributes), {"revenue": 3.0, "credit": 1.0})
    assert result.weights.to_dict() == pytest.approx({"revenue": 0.75, "credit": 0.25})
    expected = 0.75 * result.scores["revenue"] + 0.25 * result.scores["credit"]
    np.testing.assert_allclose(result.rating, expected)
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.rating)


def test_missing_criteria_are_dropped_renormalised_and_reported() -> None:
    summary = summary_of([10.0, 20.0, 30.0])
    result = rate(rating_inputs(summary))  # default weights, no attributes, no CLV
    assert result.dropped["credit"] == "no source data"
    assert result.dropped["contract_volume"] == "no source data"
    assert "revenue" in result.weights.index
    assert result.weights.sum() == pytest.approx(1.0)
    assert ((result.rating >= 0) & (result.rating <= 100)).all()


def test_customer_without_a_value_scores_neutral_50_on_that_criterion() -> None:
    summary = summary_of([10.0, 20.0, 30.0])
    attributes = pd.DataFrame({"credit_rating": [90.0, np.nan, 10.0]}, index=summary.index)
    result = rate(rating_inputs(summary, attributes), {"credit": 1.0})
    assert result.scores.at["c1", "credit"] == 50.0


def test_lifecycle_stage_uses_the_fixed_stage_scores() -> None:
    summary = summary_of([1.0, 1.0, 1.0, 1.0])
    stages = pd.Series(["stable", "formation", "exploration", "decline"], index=summary.index)
    result = rate(rating_inputs(summary, lifecycle_stage=stages), {"lifecycle_stage": 1.0})
    assert list(result.rating) == [100.0, 75.0, 40.0, 0.0]


def test_ahp_result_can_supply_the_weights() -> None:
    matrix = comparison_matrix({("revenue", "credit"): 3.0}, ["revenue", "credit"])
    weights = ahp_weights(matrix)
    summary = summary_of([10.0, 20.0])
    attributes = pd.DataFrame({"credit_rating": [50, 60]}, index=summary.index)
    result = rate(rating_inputs(summary, attributes), weights)
    assert result.weights.to_dict() == pytest.approx({"revenue": 0.75, "credit": 0.25})


def test_explain_lists_each_criterion_contribution_biggest_first() -> None:
    summary = summary_of([10.0, 50.0, 200.0])
    attributes = pd.DataFrame({"credit_rating": [90, 80, 40]}, index=summary.index)
    result = rate(rating_inputs(summary, attributes), {"revenue": 1.0, "credit": 1.0})
    table = result.explain("c2")
    assert list(table["criterion"]) == ["revenue", "credit"]
    assert table["contribution"].sum() == pytest.approx(result.rating["c2"])
    assert list(result.explain("c2", language="zh")["label"]) == ["销售收入", "信用"]


def test_bad_weights_and_no_data_are_refused_by_name() -> None:
    inputs = rating_inputs(summary_of([1.0, 2.0]))
    with pytest.raises(ConfigurationError, match="unknown rating criterion 'charm'"):
        rate(inputs, {"charm": 1.0})
    with pytest.raises(ConfigurationError, match="'revenue' must be >= 0"):
        rate(inputs, {"revenue": -1.0})
    with pytest.raises(DataContractError, match="no rating criterion has data"):
        rate(inputs, {"credit": 1.0})
