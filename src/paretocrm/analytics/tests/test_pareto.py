"""Tests of the Pareto curve and the top-share figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paretocrm.analytics.exceptions import DataContractError
from paretocrm.analytics.pareto import (
    customer_share_for_value,
    pareto_analysis,
    pareto_curve,
    top_shares,
)

positive_values = st.lists(
    st.floats(min_value=0.0, max_value=1e9, allow_nan=False), min_size=1, max_size=200
).filter(lambda values: sum(values) > 0)


@settings(max_examples=200, deadline=None)
@given(positive_values)
def test_curve_is_monotone_and_runs_from_origin_to_one_one(values: list[float]) -> None:
    curve = pareto_curve(values)
    assert curve.iloc[0].tolist() == [0.0, 0.0]
    assert curve.iloc[-1].tolist() == [1.0, 1.0]
    assert (np.diff(curve["customer_share"]) > 0).all()
    assert (np.diff(curve["value_share"]) >= -1e-12).all()


@settings(max_examples=200, deadline=None)
@given(positive_values)
def test_curve_lies_on_or_above_the_diagonal(values: list[float]) -> None:
    """Sorted descending, the top x% of customers always hold at least x% of the value."""
    curve = pareto_curve(values)
    assert (curve["value_share"] >= curve["customer_share"] - 1e-9).all()


@settings(max_examples=100, deadline=None)
@given(positive_values, st.integers(min_value=2, max_value=50))
def test_thinned_curve_keeps_the_end_points_and_stays_monotone(
    values: list[float], max_points: int
) -> None:
    curve = pareto_curve(values, max_points=max_points)
    assert len(curve) <= max_points
    assert curve.iloc[0].tolist() == [0.0, 0.0]
    assert curve.iloc[-1].tolist() == [1.0, 1.0]
    assert (np.diff(curve["value_share"]) >= -1e-12).all()


@settings(max_examples=200, deadline=None)
@given(positive_values)
def test_top_shares_are_in_unit_interval_and_increase_with_the_fraction(
    values: list[float],
) -> None:
    shares = top_shares(values, (0.01, 0.05, 0.1, 0.2, 0.5, 1.0))
    assert shares["share"].between(0, 1).all()
    assert (np.diff(shares["share"]) >= -1e-12).all()
    assert (np.diff(shares["n_customers"]) >= 0).all()
    assert shares["share"].iloc[-1] == pytest.approx(1.0)


def test_top_share_counts_whole_customers() -> None:
    values = pd.Series([50.0, 20.0, 10.0] + [2.0] * 10, index=[f"c{i}" for i in range(13)])
    shares = top_shares(values, (0.01, 0.2))
    # 1% of 13 customers is rounded up to one customer; 20% of 13 is three customers.
    assert shares.loc[0.01, "n_customers"] == 1
    assert shares.loc[0.01, "share"] == pytest.approx(50.0 / 100.0)
    assert shares.loc[0.2, "n_customers"] == 3
    assert shares.loc[0.2, "share"] == pytest.approx(80.0 / 100.0)


def test_textbook_eighty_twenty_data_gives_twenty_percent() -> None:
    # 2 of 10 customers make 80 of 100.
    values = [40.0, 40.0] + [2.5] * 8
    assert customer_share_for_value(values, 0.8) == pytest.approx(0.2)


def test_equal_customers_need_eighty_percent_of_customers_for_eighty_percent_of_value() -> None:
    assert customer_share_for_value([1.0] * 10, 0.8) == pytest.approx(0.8)


def test_negative_values_count_as_zero_and_are_reported() -> None:
    summary = pareto_analysis(pd.Series([100.0, -30.0, 0.0, 100.0]), max_points=None)
    assert summary.n_negative == 1
    assert summary.total_value == 200.0
    assert summary.customer_share_for_80 == pytest.approx(0.5)
    assert summary.curve["value_share"].tolist() == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert summary.headline() == "50.0% of customers make 80% of the value"


def test_missing_value_is_refused_naming_the_customer() -> None:
    values = pd.Series([1.0, float("nan")], index=["A-1", "B-2"])
    with pytest.raises(DataContractError, match=r"net_profit.*B-2"):
        pareto_curve(values, name="net_profit")


def test_zero_total_is_refused_with_a_clear_message() -> None:
    with pytest.raises(DataContractError, match="total value is zero"):
        top_shares([0.0, -5.0])


def test_empty_input_is_refused() -> None:
    with pytest.raises(DataContractError, match="no customers"):
        pareto_curve([])
