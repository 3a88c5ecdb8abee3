"""Tests of the concentration-risk figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paretocrm.analytics.concentration import (
    concentration_report,
    concentration_shares,
    dependency_alerts,
    herfindahl_index,
    next_core_customers,
)
from paretocrm.analytics.exceptions import ConfigurationError, DataContractError


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=[f"c{i:03d}" for i in range(len(values))], dtype=float)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1e9), min_size=1, max_size=100).filter(
        lambda values: sum(values) > 0
    )
)
def test_hhi_lies_between_one_over_n_and_one(values: list[float]) -> None:
    index = herfindahl_index(_series(values))
    n = len(values)
    assert 1.0 / n - 1e-12 <= index.hhi <= 1.0
    assert 0.0 <= index.normalised <= 1.0
    assert index.points == pytest.approx(index.hhi * 10_000)
    assert 1.0 <= index.equivalent_customers <= n + 1e-9


def test_hhi_of_equal_customers_is_one_over_n() -> None:
    index = herfindahl_index(_series([5.0] * 4))
    assert index.hhi == pytest.approx(0.25)
    assert index.points == pytest.approx(2500.0)
    assert index.normalised == pytest.approx(0.0)
    assert index.equivalent_customers == pytest.approx(4.0)


def test_hhi_of_a_single_dominant_customer_is_one() -> None:
    index = herfindahl_index(_series([100.0, 0.0, 0.0]))
    assert index.hhi == pytest.approx(1.0)
    assert index.normalised == pytest.approx(1.0)
    assert index.level == "highly concentrated"


def test_hhi_hand_computed_value_and_band() -> None:
    # shares 0.5, 0.3, 0.2 -> 0.25 + 0.09 + 0.04 = 0.38
    index = herfindahl_index(_series([50.0, 30.0, 20.0]))
    assert index.hhi == pytest.approx(0.38)
    assert index.normalised == pytest.approx((0.38 - 1 / 3) / (1 - 1 / 3))
    unconcentrated = herfindahl_index(_series([1.0] * 20))
    assert unconcentrated.level == "unconcentrated"


def test_shares_per_measure_rank_each_measure_on_its_own() -> None:
    revenue = _series([100.0, 10.0, 10.0, 10.0, 10.0])
    profit = _series([1.0, 9.0, 0.0, 0.0, 0.0])
    table = concentration_shares({"revenue": revenue, "profit": profit}, (0.2, 1.0))
    assert table.loc[0.2, "n_customers"] == 1
    assert table.loc[0.2, "revenue"] == pytest.approx(100 / 140)
    assert table.loc[0.2, "profit"] == pytest.approx(0.9)
    assert table.loc[1.0, "profit"] == pytest.approx(1.0)


def test_dependency_alerts_list_customers_above_the_threshold_largest_first() -> None:
    revenue = _series([5.0, 30.0, 15.0] + [1.0] * 50)
    alerts = dependency_alerts(revenue)
    assert alerts.index.tolist() == ["c001", "c002"]
    assert alerts.loc["c001", "share"] == pytest.approx(0.3)
    assert "c001 holds 30.0% of revenue" in alerts.loc["c001", "message"]


def test_no_dependency_alert_when_revenue_is_spread() -> None:
    assert dependency_alerts(_series([1.0] * 20)).empty


def test_dependency_threshold_out_of_range_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="threshold"):
        dependency_alerts(_series([1.0, 2.0]), threshold=1.5)


def test_next_core_customers_skip_the_top_tier_and_rank_by_potential() -> None:
    current = _series([1000.0, 900.0, 50.0, 40.0, 30.0, 20.0, 10.0, 5.0, 1.0, 0.0])
    potential = _series([5000.0, 10.0, 100.0, 800.0, 0.0, 300.0, 300.0, 50.0, 20.0, 10.0])
    table = next_core_customers(current, potential, top_fraction=0.2, limit=4)
    # c000 and c001 are the current top 20%; c004 has no potential.
    assert table.index.tolist() == ["c003", "c005", "c006", "c002"]
    assert table.loc["c005", "potential_to_current"] == pytest.approx(15.0)
    # Equal potential shares the better rank (c005, c006 both third after c000 and c003).
    assert table["potential_rank"].tolist() == [2, 3, 3, 5]
    assert table["current_rank"].tolist() == [4, 6, 7, 3]
    assert not {"c000", "c001", "c004"} & set(table.index)


def test_next_core_customers_need_the_same_customers_in_both_series() -> None:
    with pytest.raises(DataContractError, match="same customers"):
        next_core_customers(_series([1.0, 2.0]), _series([1.0, 2.0, 3.0]))


def test_report_combines_every_view() -> None:
    revenue = _series([50.0, 30.0, 10.0, 5.0, 5.0])
    profit = _series([10.0, -2.0, 3.0, 1.0, 1.0])
    potential = _series([0.0, 10.0, 20.0, 30.0, 5.0])
    report = concentration_report(revenue, profit, potential, limit=2)
    assert list(report.shares.columns) == ["n_customers", "revenue", "profit"]
    assert report.revenue_hhi.hhi == pytest.approx(np.square([0.5, 0.3, 0.1, 0.05, 0.05]).sum())
    assert report.profit_hhi is not None
    # c002 holds exactly 10%: the alert is for shares above the threshold.
    assert report.alerts.index.tolist() == ["c000", "c001"]
    assert report.next_core is not None
    assert report.next_core.index.tolist() == ["c003", "c002"]
